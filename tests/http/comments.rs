//! Readers' comments: the form, the captcha, validation, the spam defences, display.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;

use crate::support::{
    ArticleFixture, ORIGIN, TestApp, TestResponse, assert_cache_control, assert_redirect, category,
    count,
};

const SLUG: &str = "xa-xuan-quang-don-nong-thon-moi";

async fn app_with_article(db: &PgPool) -> TestApp {
    let news = category(db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(db)
        .await;
    TestApp::new(db.clone()).await
}

/// A challenge as the article page's form gets it: the image sets a cookie. Returns the cookie
/// and the answer (read from the database, as only a test can), shown long enough ago.
async fn challenge(app: &TestApp) -> (String, String) {
    let image = app.get("/ma-kiem-tra.png").await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header(header::CONTENT_TYPE), "image/png");
    assert_cache_control(&image, "no-store");
    let cookie = image
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let id = cookie.strip_prefix("toasoan_captcha=").unwrap().to_owned();
    let answer = answer_of(app, &id).await;
    (cookie, answer)
}

async fn answer_of(app: &TestApp, id: &str) -> String {
    sqlx::query(
        "update captcha set created_at = now() - interval '10 seconds' where captcha_id = $1",
    )
    .bind(id)
    .execute(&app.state.db)
    .await
    .unwrap();
    sqlx::query_scalar("select answer from captcha where captcha_id = $1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap()
}

/// Posts the comment form from `ip` with a cookie, from the article page.
async fn post(app: &TestApp, ip: &str, cookie: &str, fields: &[(&str, &str)]) -> TestResponse {
    post_from(app, ip, cookie, &[("origin", ORIGIN)], fields).await
}

/// Posts the comment form with `from`: the headers that say where it comes from.
async fn post_from(
    app: &TestApp,
    ip: &str,
    cookie: &str,
    from: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> TestResponse {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = Request::post(format!("/bai-viet/{SLUG}/binh-luan"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::USER_AGENT, "Mozilla/5.0 (thử nghiệm)");
    for (name, value) in from {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::from(body)).unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    app.request(request).await
}

/// A valid comment with a fresh challenge.
async fn post_comment(
    app: &TestApp,
    ip: &str,
    name: &str,
    title: &str,
    content: &str,
) -> TestResponse {
    let (cookie, answer) = challenge(app).await;
    post(
        app,
        ip,
        &cookie,
        &[
            ("name", name),
            ("title", title),
            ("content", content),
            ("captcha", &answer),
        ],
    )
    .await
}

async fn approve_all(db: &PgPool) {
    sqlx::query(
        "update comment set status = 'approved', moderated_at = now() where status = 'pending'",
    )
    .execute(db)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn the_form_has_the_seed_pages_fields_each_labelled(db: PgPool) {
    let app = app_with_article(&db).await;
    let page = app.get(&format!("/bai-viet/{SLUG}")).await;
    for (id, label) in [
        ("cf-name", "Họ tên"),
        ("cf-title", "Tiêu đề"),
        ("cf-content", "Nội dung"),
        ("cf-captcha", "Mã kiểm tra"),
    ] {
        page.assert_contains(&format!(r#"<label for="{id}">{label}</label>"#));
        page.assert_contains(&format!(r#"id="{id}""#));
    }
    page.assert_contains(r#"<img class="captcha-image" src="/ma-kiem-tra.png""#);
    page.assert_contains(">Đổi mã khác</a>");
    page.assert_contains(r#"<button class="button" type="submit">Gửi bình luận</button>"#);
    page.assert_contains("Chúng tôi lưu họ tên, nội dung, địa chỉ IP và trình duyệt của bạn");
    page.assert_contains("Bình luận (0)");
    // Nothing in the page is particular to this reader: it can be cached.
    page.assert_not_contains(r#"name="captcha_id""#);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_comment_waits_for_moderation_then_shows(db: PgPool) {
    let app = app_with_article(&db).await;
    let sent =
        post_comment(&app, "10.1.1.1", "Nguyễn Văn An", "Đường đẹp quá", "Con đường mới\nrất đẹp.")
            .await;
    assert_redirect(&sent, &format!("/bai-viet/{SLUG}?binh-luan=cho-duyet#binh-luan"));
    let notice = app
        .get(&format!("/bai-viet/{SLUG}?binh-luan=cho-duyet"))
        .await;
    notice.assert_contains("Bình luận của bạn đã được gửi và đang chờ kiểm duyệt.");
    notice.assert_not_contains("Đường đẹp quá");

    let (status, ip, agent): (String, String, String) =
        sqlx::query_as("select status::text, ip, user_agent from comment")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), ip.as_str(), agent.as_str()),
        ("pending", "10.1.1.1", "Mozilla/5.0 (thử nghiệm)")
    );

    approve_all(&db).await;
    let page = app.get(&format!("/bai-viet/{SLUG}")).await;
    page.assert_contains("Bình luận (1)");
    page.assert_contains(r#"<strong class="comment-author">Nguyễn Văn An</strong>"#);
    page.assert_contains(r#"<h3 class="comment-title">Đường đẹp quá</h3>"#);
    page.assert_contains("<p class=\"comment-body\">Con đường mới\nrất đẹp.</p>");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn each_validation_error_keeps_the_input(db: PgPool) {
    let app = app_with_article(&db).await;
    let long = "x".repeat(4001);
    for (field, fields, message) in [
        (
            "name",
            [("name", ""), ("title", "Tiêu đề"), ("content", "Nội dung")],
            "Vui lòng nhập thông tin này.",
        ),
        (
            "title",
            [("name", "An"), ("title", "  "), ("content", "Nội dung")],
            "Vui lòng nhập thông tin này.",
        ),
        (
            "content",
            [("name", "An"), ("title", "Tiêu đề"), ("content", "")],
            "Vui lòng nhập thông tin này.",
        ),
        (
            "content",
            [
                ("name", "An"),
                ("title", "Tiêu đề"),
                ("content", long.as_str()),
            ],
            "Tối đa 4000 ký tự",
        ),
    ] {
        let (cookie, answer) = challenge(&app).await;
        let mut all = fields.to_vec();
        all.push(("captcha", &answer));
        let page = post(&app, "10.1.1.2", &cookie, &all).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        page.assert_contains(&format!(r#"id="cf-{field}-error""#));
        page.assert_contains(message);
        for (name, value) in fields {
            if !value.trim().is_empty() && name != "content" {
                page.assert_contains(&format!(r#"value="{value}""#));
            }
        }
        page.assert_contains(r#"name="captcha_id" value=""#);
        page.assert_not_contains(&format!(r#"value="{answer}""#));
        assert_cache_control(&page, "no-store");
    }
    let kept = post(
        &app,
        "10.1.1.2",
        "",
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Nội dung giữ lại"),
            ("captcha", "sai"),
        ],
    )
    .await;
    kept.assert_contains(">Nội dung giữ lại</textarea>");
    assert_eq!(count(&db, "comment").await, 0);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_wrong_expired_or_reused_captcha_is_refused(db: PgPool) {
    let app = app_with_article(&db).await;
    // Wrong: refused, and the challenge is spent.
    let (cookie, answer) = challenge(&app).await;
    let wrong = post(
        &app,
        "10.1.1.3",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Nội dung"),
            ("captcha", "khongdung"),
        ],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Mã kiểm tra không đúng.");
    let again = post(
        &app,
        "10.1.1.3",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Nội dung"),
            ("captcha", &answer),
        ],
    )
    .await;
    again.assert_contains("Mã kiểm tra đã hết hạn hoặc đã được dùng.");

    // Expired.
    let (cookie, answer) = challenge(&app).await;
    sqlx::query("update captcha set expires_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    let expired = post(
        &app,
        "10.1.1.3",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Nội dung"),
            ("captcha", &answer),
        ],
    )
    .await;
    expired.assert_contains("Mã kiểm tra đã hết hạn hoặc đã được dùng.");

    // Reused after a success; and the answer is not case-sensitive.
    let (cookie, answer) = challenge(&app).await;
    let upper = answer.to_uppercase();
    let ok = post(
        &app,
        "10.1.1.3",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Lần một"),
            ("captcha", &upper),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let reused = post(
        &app,
        "10.1.1.3",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Lần hai"),
            ("captcha", &answer),
        ],
    )
    .await;
    reused.assert_contains("Mã kiểm tra đã hết hạn hoặc đã được dùng.");
    assert_eq!(count(&db, "comment").await, 1);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn robots_filling_the_honeypot_or_posting_too_fast_are_never_shown(db: PgPool) {
    let app = app_with_article(&db).await;
    let (cookie, answer) = challenge(&app).await;
    let bot = post(
        &app,
        "10.1.1.4",
        &cookie,
        &[
            ("name", "Bot"),
            ("title", "Mua ngay"),
            ("content", "Giá rẻ"),
            ("captcha", &answer),
            ("website", "http://spam.example"),
        ],
    )
    .await;
    assert_eq!(bot.status, StatusCode::SEE_OTHER, "the robot is told nothing");
    assert_eq!(count(&db, "comment").await, 0);

    // Answered the instant the challenge was shown.
    let image = app.get("/ma-kiem-tra.png").await;
    let cookie = image
        .header(header::SET_COOKIE)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let id = cookie.strip_prefix("toasoan_captcha=").unwrap();
    let answer: String = sqlx::query_scalar("select answer from captcha where captcha_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let fast = post(
        &app,
        "10.1.1.4",
        &cookie,
        &[
            ("name", "Nhanh"),
            ("title", "Tiêu đề"),
            ("content", "Nội dung"),
            ("captcha", &answer),
        ],
    )
    .await;
    assert_eq!(fast.status, StatusCode::UNPROCESSABLE_ENTITY);
    fast.assert_contains("Bạn gửi nhanh quá.");
    assert_eq!(count(&db, "comment").await, 0);
    approve_all(&db).await;
    app.get(&format!("/bai-viet/{SLUG}"))
        .await
        .assert_contains("Bình luận (0)");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn one_address_may_post_five_comments_in_ten_minutes(db: PgPool) {
    let app = app_with_article(&db).await;
    for n in 0..5 {
        let sent =
            post_comment(&app, "10.1.1.5", "An", "Tiêu đề", &format!("Bình luận số {n}")).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    let sixth = post_comment(&app, "10.1.1.5", "An", "Tiêu đề", "Bình luận thứ sáu").await;
    assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS);
    sixth.assert_contains("Bạn gửi bình luận quá nhanh");
    sixth.assert_contains(r#"<footer class="site-footer">"#);
    let other = post_comment(&app, "10.1.1.6", "Bình", "Tiêu đề", "Từ máy khác").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&db, "comment").await, 6);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn the_same_comment_twice_within_an_hour_is_refused(db: PgPool) {
    let app = app_with_article(&db).await;
    assert_eq!(
        post_comment(&app, "10.1.1.7", "An", "Ý kiến", "Tôi đồng ý.")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let again = post_comment(&app, "10.1.1.8", "An", "Ý kiến", "TÔI ĐỒNG Ý.").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    again.assert_contains("Bình luận này đã được gửi trước đó.");
    assert_eq!(count(&db, "comment").await, 1);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn many_links_file_a_comment_as_spam(db: PgPool) {
    let app = app_with_article(&db).await;
    let content = "Xem http://a.example http://b.example https://c.example www.d.example";
    assert_eq!(
        post_comment(&app, "10.1.1.9", "An", "Liên kết", content)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let (status, flag): (String, String) = sqlx::query_as("select status::text, flag from comment")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((status.as_str(), flag.as_str()), ("spam", "links"));
    approve_all(&db).await;
    app.get(&format!("/bai-viet/{SLUG}"))
        .await
        .assert_contains("Bình luận (0)");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_closed_article_has_no_form_and_refuses_posts(db: PgPool) {
    let app = app_with_article(&db).await;
    sqlx::query("update article set comments_open = false")
        .execute(&db)
        .await
        .unwrap();
    let page = app.get(&format!("/bai-viet/{SLUG}")).await;
    page.assert_contains("Bài viết này đã đóng bình luận.");
    page.assert_not_contains("Gửi bình luận</button>");
    let refused = post_comment(&app, "10.1.1.10", "An", "Tiêu đề", "Nội dung").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("Bài viết đã đóng bình luận");
    assert_eq!(count(&db, "comment").await, 0);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn markup_in_every_field_is_shown_escaped(db: PgPool) {
    let app = app_with_article(&db).await;
    let sent = post_comment(
        &app,
        "10.1.1.11",
        "<b>An</b>",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)> <a href=\"http://x\">x</a>",
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    approve_all(&db).await;
    let page = app.get(&format!("/bai-viet/{SLUG}")).await;
    page.assert_contains("&#60;b&#62;An&#60;/b&#62;");
    page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
    page.assert_contains("&#60;img src=x onerror=alert(2)&#62;");
    page.assert_not_contains("<script>alert(1)");
    page.assert_not_contains("<a href=\"http://x\">");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn readers_who_cannot_see_the_image_answer_a_question(db: PgPool) {
    let app = app_with_article(&db).await;
    let page = app
        .get(&format!("/bai-viet/{SLUG}/binh-luan?kieu=cau-hoi"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Câu hỏi: ");
    page.assert_contains(" bằng mấy?");
    let start =
        page.position(r#"name="captcha_id" value=""#) + r#"name="captcha_id" value=""#.len();
    let id = page.body[start..start + 32].to_owned();
    let answer = answer_of(&app, &id).await;
    let sent = post(
        &app,
        "10.1.1.12",
        "",
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Bằng chữ"),
            ("captcha", &answer),
            ("captcha_id", &id),
            ("kind", "cau-hoi"),
        ],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);

    // A new image code on a page of its own ("Đổi mã khác"), and its image.
    let fresh = app.get(&format!("/bai-viet/{SLUG}/binh-luan")).await;
    let start = fresh.position("/ma-kiem-tra/");
    let url = &fresh.body[start..start + "/ma-kiem-tra/".len() + 36];
    let image = app.get(url).await;
    assert_eq!(image.status, StatusCode::OK, "{url}");
    assert_eq!(image.header(header::CONTENT_TYPE), "image/png");
    assert_eq!(
        app.get("/ma-kiem-tra/00000000000000000000000000000000.png")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/ma-kiem-tra/khong-phai.png").await.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn the_test_captcha_answer_is_accepted_only_when_configured(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(&db)
        .await;
    let app =
        TestApp::with_config(db.clone(), |c| c.insecure_captcha = Some("thu-nghiem".into())).await;
    let (cookie, _) = challenge(&app).await;
    let sent = post(
        &app,
        "10.1.1.13",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Nội dung"),
            ("captcha", "THU-NGHIEM"),
        ],
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);

    let plain = TestApp::new(db.clone()).await;
    let (cookie, _) = challenge(&plain).await;
    let refused = post(
        &plain,
        "10.1.1.13",
        &cookie,
        &[
            ("name", "An"),
            ("title", "Tiêu đề"),
            ("content", "Khác"),
            ("captcha", "thu-nghiem"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn addresses_are_stored_as_a_keyed_hash_when_asked(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(&db)
        .await;
    let app = TestApp::with_config(db.clone(), |c| c.ip_hash_key = Some("k".repeat(40))).await;
    assert_eq!(
        post_comment(&app, "203.0.113.77", "An", "Tiêu đề", "Nội dung")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let ip: String = sqlx::query_scalar("select ip from comment")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(ip.len(), 64);
    assert!(!ip.contains("203.0.113.77"));
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn an_oversized_comment_request_is_refused(db: PgPool) {
    let app = app_with_article(&db).await;
    let huge = "x".repeat(64 * 1024);
    let response =
        post(&app, "10.1.1.14", "", &[("name", "An"), ("title", "Tiêu đề"), ("content", &huge)])
            .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&db, "comment").await, 0);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_comment_posted_from_another_site_is_refused(db: PgPool) {
    let app = app_with_article(&db).await;
    let send = async |from: &[(&str, &str)]| {
        let (cookie, answer) = challenge(&app).await;
        let fields = [
            ("name", "Nguyễn Văn An"),
            ("title", "Đường đẹp quá"),
            ("content", "Con đường mới rất đẹp."),
            ("captcha", &answer),
        ];
        post_from(&app, "10.1.1.1", &cookie, from, &fields).await
    };
    let refused = send(&[("referer", "https://trang-la.example/bai-viet.html")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_contains("<h1>Yêu cầu bị từ chối</h1>");
    assert_eq!(count(&db, "comment").await, 0);

    // A client that sends none of `Origin`, `Sec-Fetch-Site` or `Referer` (an old browser, a
    // script) may still comment: the captcha and the limits guard the form, not a session.
    let accepted = send(&[]).await;
    assert_redirect(&accepted, &format!("/bai-viet/{SLUG}?binh-luan=cho-duyet#binh-luan"));
    assert_eq!(count(&db, "comment").await, 1);
}
