//! Input no browser would send on purpose: control characters, over-long file names, dates
//! out of range, odd image keys. Each gets a 4xx with a message, never a 500.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::{
    comments::{SLUG, app_with_article, challenge, post},
    support::{Multipart, TestApp, category, count},
};

/// The message beside a field that holds a control character.
const CONTROL: &str = "Có ký tự điều khiển không hợp lệ trong mục này.";

#[db_test]
async fn a_nul_byte_in_a_comment_is_refused_beside_the_field_with_the_text_kept(db: PgPool) {
    let app = app_with_article(&db).await;
    let (cookie, answer) = challenge(&app).await;
    let response = post(
        &app,
        "10.9.0.1",
        &cookie,
        &[
            ("name", "Nguyễn Văn An"),
            ("title", "Ý kiến về đường làng"),
            ("content", "Đường đẹp\0 lắm"),
            ("captcha", &answer),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    response.assert_contains(CONTROL);
    response.assert_contains("Nguyễn Văn An");
    response.assert_contains("Ý kiến về đường làng");
    assert_eq!(count(&db, "comment").await, 0);
    let page = app.get(&format!("/bai-viet/{SLUG}")).await;
    assert_eq!(page.status, StatusCode::OK);
}

#[db_test]
async fn a_nul_byte_in_the_login_form_is_refused_before_the_database(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    for (login, password) in [
        ("ad\0min", "mật khẩu"),
        ("admin", "mật\0khẩu"),
        ("a\u{1b}[2J", "x"),
    ] {
        let response = app.login_from("10.9.0.2", login, password).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{login:?}");
        response.assert_contains("Có ký tự điều khiển không hợp lệ");
    }
}

#[db_test]
async fn control_characters_in_back_office_forms_come_back_with_a_message(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Admin).await;

    let created = editor
        .post(
            &app,
            "/admin/categories",
            &[
                ("name", "Văn\0 hóa"),
                ("slug", ""),
                ("description", "Đời sống"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", created.body);
    created.assert_contains(CONTROL);
    created.assert_contains("Đời sống");

    let settings = editor
        .post(&app, "/admin/settings", &[("site_name", "Báo\u{7} Bảo Thắng")])
        .await;
    assert_eq!(settings.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", settings.body);
    settings.assert_contains(CONTROL);

    let category = news.to_string();
    let form = Multipart::default().fields(&[
        ("title", "Tin\0 mới"),
        ("sapo", "Đoạn dẫn giữ lại"),
        ("body_html", "<p>Nội dung</p>"),
        ("category_id", &category),
        ("action", "save"),
    ]);
    let article = editor.post_multipart(&app, "/admin/articles", form).await;
    assert_eq!(article.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", article.body);
    article.assert_contains(CONTROL);
    article.assert_contains("Đoạn dẫn giữ lại");
    assert_eq!(count(&db, "article").await, 0);
}

#[db_test]
async fn control_characters_in_a_query_string_are_a_400_page(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Admin).await;
    for uri in ["/tim-kiem?q=t%00in", "/tim-kiem?q=tin&tu=2026-01-01%00"] {
        let response = app.get(uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        response.assert_contains("Địa chỉ không hợp lệ");
    }
    for uri in [
        "/admin/articles?q=a%00b",
        "/admin/comments?q=%1b",
        "/admin/audit?q=x%00",
    ] {
        let response = editor.get(&app, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
    }
    let fine = app.get("/tim-kiem?q=tin%09t%E1%BB%A9c").await;
    assert_eq!(fine.status, StatusCode::OK);
}

#[db_test]
async fn a_file_name_longer_than_the_file_system_takes_is_a_404(db: PgPool) {
    let app = TestApp::new(db).await;
    let name = "a".repeat(256);
    for uri in [
        format!("/static/{name}"),
        format!("/static/admin/{name}.js"),
        format!("/media/{name}"),
        format!("/media/2026/{name}.jpg"),
    ] {
        let response = app.get(&uri).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{uri}");
    }
}

/// The editor form for a new article in `category_id`, with `extra` fields.
fn article_form(category_id: i64, extra: &[(&str, &str)]) -> Multipart {
    let category = category_id.to_string();
    let mut fields = vec![
        ("title", "Khánh thành cầu Bản Phiệt"),
        ("sapo", "Đoạn dẫn giữ lại"),
        ("body_html", "<p>Nội dung</p>"),
        ("category_id", &category),
    ];
    fields.extend_from_slice(extra);
    Multipart::default().fields(&fields)
}

#[db_test]
async fn a_date_far_out_of_range_gets_a_message_beside_the_field(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for typed in ["-9999-01-01T00:00", "0001-01-01T00:00", "1899-12-31T23:59"] {
        let form = article_form(news, &[("published_at", typed), ("action", "schedule")]);
        let response = editor.post_multipart(&app, "/admin/articles", form).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}: {}", response.body);
        response.assert_contains("nhập ngày giờ từ năm 1900 đến năm 9999");
        response.assert_contains(typed);
        response.assert_contains("Đoạn dẫn giữ lại");
    }
    assert_eq!(count(&db, "article").await, 0);
}

#[db_test]
async fn a_cover_key_the_database_would_refuse_is_not_stored(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for (n, key) in ["-anh.jpg", "_anh.jpg", ".anh.jpg"].into_iter().enumerate() {
        let title = format!("Bài số {n}");
        let form =
            article_form(news, &[("title", &title), ("cover_image", key), ("action", "save")]);
        let response = editor.post_multipart(&app, "/admin/articles", form).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{key}: {}", response.body);
    }
    let covers: i64 =
        sqlx::query_scalar("select count(*) from article where cover_image is not null")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(covers, 0);
}
