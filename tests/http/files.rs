//! Files attached to articles ("Tài liệu đính kèm"): uploaded in the editor, checked by
//! content, listed under the article's body, downloadable while the article is published.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::{auth::Role, media::files::minimal_pdf};

use crate::support::{Multipart, Staff, TestApp, category, count, location_id};

/// The editor's form for a new article in `category_id`, with `action`.
fn article_form(category_id: i64, title: &str, action: &str) -> Multipart {
    let category = category_id.to_string();
    Multipart::default().fields(&[
        ("title", title),
        ("slug", ""),
        ("sapo", "Đoạn dẫn."),
        ("body_html", "<p>Nội dung.</p>"),
        ("category_id", &category),
        ("byline", "Phóng viên"),
        ("published_at", ""),
        ("action", action),
    ])
}

async fn post(
    app: &TestApp,
    who: &Staff,
    uri: &str,
    form: Multipart,
) -> crate::support::TestResponse {
    who.post_multipart(app, uri, form).await
}

/// The id of the only attached file.
async fn attached_file(db: &PgPool, article_id: i64) -> i64 {
    sqlx::query_scalar("select media_file_id from article_file where article_id = $1")
        .bind(article_id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[db_test]
async fn a_published_article_lists_its_files_for_download(db: PgPool) {
    let news = category(&db, "Thông báo", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let pdf = minimal_pdf(&["Lich tiep cong dan"]);

    let form = editor.get(&app, "/admin/articles/new").await;
    form.assert_contains(r#"<input id="files" name="files" type="file" multiple"#);

    // Saved as a draft first: its file is not public yet.
    let form = article_form(news, "Lịch tiếp công dân tháng 12", "save").file(
        "files",
        "Lịch tiếp công dân.pdf",
        "application/pdf",
        &pdf,
    );
    let response = post(&app, &editor, "/admin/articles", form).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    let id = location_id(&response, "/admin/articles/");
    let file_id = attached_file(&db, id).await;
    let url = format!("/tai-lieu/{file_id}/lich-tiep-cong-dan.pdf");
    assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND, "a draft's file");

    // The editor shows the file kept; publishing keeps it.
    let edit = editor.get(&app, &format!("/admin/articles/{id}")).await;
    edit.assert_contains(&format!(r#"name="file_ids" value="{file_id}""#));
    edit.assert_contains("Lịch tiếp công dân.pdf");
    let version: i32 = sqlx::query_scalar("select version from article where article_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let form = article_form(news, "Lịch tiếp công dân tháng 12", "publish")
        .text("version", &version.to_string())
        .text("file_ids", &file_id.to_string());
    let response = post(&app, &editor, &format!("/admin/articles/{id}"), form).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);

    let page = app.get("/bai-viet/lich-tiep-cong-dan-thang-12").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Tài liệu đính kèm");
    page.assert_contains(&format!(r#"<a href="{url}" download>Lịch tiếp công dân.pdf</a>"#));
    assert!(page.position("<p>Nội dung.</p>") < page.position("Tài liệu đính kèm"));
    let download = app.get(&url).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.header(header::CONTENT_TYPE), "application/pdf");
    assert!(download.header(header::CONTENT_DISPOSITION).starts_with(
        "attachment; filename=\"lich-tiep-cong-dan.pdf\"; filename*=UTF-8''L%E1%BB%8Bch"
    ));

    // Unpublished, its files are not served any more.
    let response = editor
        .post(&app, &format!("/admin/articles/{id}/unpublish"), &[])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&url).await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn a_program_attached_to_an_article_is_refused_with_the_article_kept(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let mut exe = b"MZ\x90\0".to_vec();
    exe.resize(2048, 0);
    let form = article_form(news, "Bài có tệp lạ", "save").file(
        "files",
        "bao-cao.pdf",
        "application/pdf",
        &exe,
    );
    let response = post(&app, &reporter, "/admin/articles", form).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    response.assert_contains("bao-cao.pdf: Tệp này là một chương trình chạy được");
    response.assert_contains(r#"value="Bài có tệp lạ""#);
    assert_eq!(count(&db, "article").await, 0);
    let files: i64 = sqlx::query_scalar("select count(*) from media_file")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(files, 0);
}
