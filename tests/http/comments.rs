//! Readers' comments: the form, the captcha, validation, the spam defences, display.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use futures_util::future::join_all;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{
    ArticleFixture, ORIGIN, TestApp, TestResponse, assert_cache_control, assert_redirect, category,
    count,
};

pub(crate) const SLUG: &str = "xa-xuan-quang-don-nong-thon-moi";

pub(crate) async fn app_with_article(db: &PgPool) -> TestApp {
    let news = category(db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(db)
        .await;
    TestApp::new(db.clone()).await
}

/// A challenge as the article page's form gets it: the image sets a cookie. Returns the cookie
/// and the answer (read from the database, as only a test can), shown long enough ago.
pub(crate) async fn challenge(app: &TestApp) -> (String, String) {
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
pub(crate) async fn post(
    app: &TestApp,
    ip: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> TestResponse {
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
pub(crate) async fn post_comment(
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
async fn twenty_posts_at_once_from_one_address_store_exactly_five(db: PgPool) {
    let app = app_with_article(&db).await;
    let mut challenges = Vec::new();
    for _ in 0..20 {
        challenges.push(challenge(&app).await);
    }
    let contents: Vec<String> = (0..20)
        .map(|n| format!("Bình luận cùng lúc số {n}"))
        .collect();
    let app = &app;
    let posts = challenges
        .iter()
        .zip(&contents)
        .map(|((cookie, answer), content)| async move {
            let fields = [
                ("name", "An"),
                ("title", "Tiêu đề"),
                ("content", content.as_str()),
                ("captcha", answer.as_str()),
            ];
            post(app, "10.1.2.1", cookie, &fields).await
        });
    let statuses: Vec<StatusCode> = join_all(posts).await.iter().map(|r| r.status).collect();
    let accepted = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((accepted, refused), (5, 15), "{statuses:?}");
    assert_eq!(count(&db, "comment").await, 5);
}

#[db_test]
async fn the_same_comment_sent_ten_times_at_once_is_stored_once(db: PgPool) {
    let app = app_with_article(&db).await;
    let mut challenges = Vec::new();
    for _ in 0..10 {
        challenges.push(challenge(&app).await);
    }
    let ips: Vec<String> = (0..10).map(|n| format!("10.1.3.{n}")).collect();
    let app = &app;
    let posts = challenges
        .iter()
        .zip(&ips)
        .map(|((cookie, answer), ip)| async move {
            let fields = [
                ("name", "An"),
                ("title", "Ý kiến"),
                ("content", "Tôi hoàn toàn đồng ý."),
                ("captcha", answer.as_str()),
            ];
            post(app, ip, cookie, &fields).await
        });
    let responses = join_all(posts).await;
    let accepted = responses
        .iter()
        .filter(|r| r.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(accepted, 1);
    for refused in responses
        .iter()
        .filter(|r| r.status != StatusCode::SEE_OTHER)
    {
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused.assert_contains("Bình luận này đã được gửi trước đó.");
        refused.assert_contains(">Tôi hoàn toàn đồng ý.</textarea>");
    }
    assert_eq!(count(&db, "comment").await, 1);
}

#[db_test]
async fn the_same_text_with_other_spacing_or_punctuation_is_a_duplicate(db: PgPool) {
    let app = app_with_article(&db).await;
    let first = post_comment(&app, "10.1.4.1", "An", "Ý kiến", "Tôi đồng ý với bài viết.").await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    for (n, again) in [
        "Tôi  đồng ý   với bài viết.",
        "Tôi đồng ý với bài viết",
        "tôi đồng ý với bài viết!!!",
        "Tôi đồng ý,\nvới bài viết…",
    ]
    .into_iter()
    .enumerate()
    {
        let refused = post_comment(&app, &format!("10.1.4.{}", n + 2), "An", "Ý kiến", again).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{again:?}");
        refused.assert_contains("Bình luận này đã được gửi trước đó.");
    }
    let other =
        post_comment(&app, "10.1.4.9", "An", "Ý kiến", "Tôi không đồng ý với bài viết.").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&db, "comment").await, 2);
}

#[db_test]
async fn links_without_a_scheme_or_in_the_name_file_a_comment_as_spam(db: PgPool) {
    let app = app_with_article(&db).await;
    for (ip, name, content, expected) in [
        ("10.1.5.1", "An", "Xem a.vn/x, b.vn/y, c.vn/z và d.vn/w nhé", "spam"),
        ("10.1.5.2", "mua-re.vn/khuyen-mai", "Xem a.vn/x, b.vn/y và c.vn/z nhé", "spam"),
        ("10.1.5.3", "Bình", "Ba liên kết: a.vn/x, b.vn/y và c.vn/z là đủ", "pending"),
    ] {
        let sent = post_comment(&app, ip, name, "Liên kết", content).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
        let status: String = sqlx::query_scalar("select status::text from comment where ip = $1")
            .bind(ip)
            .fetch_one(&db)
            .await
            .unwrap();
        assert_eq!(status, expected, "{name} / {content}");
    }
}

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
async fn readers_who_cannot_see_the_image_answer_a_question(db: PgPool) {
    let app = app_with_article(&db).await;
    let page = app
        .get(&format!("/bai-viet/{SLUG}/binh-luan?kieu=cau-hoi"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Câu hỏi: ");
    page.assert_contains("(trả lời bằng chữ hoặc chữ số)");
    let start =
        page.position(r#"name="captcha_id" value=""#) + r#"name="captcha_id" value=""#.len();
    let id = page.body[start..start + 32].to_owned();
    // The accepted answers are stored separated by "|".
    let answer = answer_of(&app, &id)
        .await
        .split('|')
        .next()
        .unwrap()
        .to_owned();
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

/// GETs `uri` from `ip`.
async fn get_from(app: &TestApp, ip: &str, uri: &str) -> TestResponse {
    let mut request = Request::get(uri).body(Body::empty()).unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    app.request(request).await
}

/// A text question as a reader gets it from `ip`: its id, its wording, and the stored answer
/// (shown long enough ago).
async fn question(app: &TestApp, ip: &str) -> (String, String, String) {
    let page = get_from(app, ip, &format!("/bai-viet/{SLUG}/binh-luan?kieu=cau-hoi")).await;
    assert_eq!(page.status, StatusCode::OK);
    let start =
        page.position(r#"name="captcha_id" value=""#) + r#"name="captcha_id" value=""#.len();
    let id = page.body[start..start + 32].to_owned();
    let start = page.position("Câu hỏi: ") + "Câu hỏi: ".len();
    let end = start + page.body[start..].find(" (trả lời").unwrap();
    let wording = page.body[start..end].to_owned();
    let answer = answer_of(app, &id).await;
    (id, wording, answer)
}

/// A question's wording without its numbers (in digits or words): what a script must parse.
fn shape(wording: &str) -> String {
    const NUMBER_WORDS: &[&str] = &[
        "không", "một", "mốt", "hai", "ba", "bốn", "tư", "năm", "lăm", "sáu", "bảy", "tám", "chín",
        "mười", "mươi",
    ];
    wording
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|word| {
            !word.is_empty()
                && !word.chars().all(|c| c.is_ascii_digit())
                && !NUMBER_WORDS.contains(&word.as_str())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[db_test]
async fn text_questions_come_in_varied_wordings(db: PgPool) {
    let app = app_with_article(&db).await;
    let mut shapes = std::collections::HashSet::new();
    let mut wordings = Vec::new();
    for _ in 0..15 {
        let (_, wording, _) = question(&app, "10.1.6.1").await;
        shapes.insert(shape(&wording));
        wordings.push(wording);
    }
    assert!(shapes.len() >= 5, "{wordings:#?}");
}

#[db_test]
async fn a_number_answer_is_accepted_in_words_or_in_digits(db: PgPool) {
    const WORDS: [&str; 11] = [
        "Không", "MỘT", "hai", "Ba", "bốn", "năm", "sáu", "Bảy", "tám", "chín", "mười",
    ];
    let app = app_with_article(&db).await;
    let mut sent = 0;
    while sent < 2 {
        let (id, wording, answer) = question(&app, "10.1.7.1").await;
        let Some(n) = answer.parse::<usize>().ok().filter(|n| *n <= 10) else {
            continue;
        };
        // In words (any case, with its accents or none, spaces around), then in digits.
        let typed = if sent == 0 {
            format!("  {}  ", WORDS[n])
        } else {
            format!(" {n} ")
        };
        let content = format!("Trả lời cách {sent}");
        let response = post(
            &app,
            "10.1.7.1",
            "",
            &[
                ("name", "An"),
                ("title", "Tiêu đề"),
                ("content", &content),
                ("captcha", &typed),
                ("captcha_id", &id),
                ("kind", "cau-hoi"),
            ],
        )
        .await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{wording} → {typed:?}");
        sent += 1;
    }
    assert_eq!(count(&db, "comment").await, 2);
}

#[db_test]
async fn one_address_gets_twenty_text_questions_an_hour_even_all_at_once(db: PgPool) {
    let app = app_with_article(&db).await;
    let uri = format!("/bai-viet/{SLUG}/binh-luan?kieu=cau-hoi");
    let pages = join_all((0..25).map(|_| get_from(&app, "10.1.8.1", &uri))).await;
    let statuses: Vec<StatusCode> = pages.iter().map(|p| p.status).collect();
    let given = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(given, 20, "{statuses:?}");
    let refused = pages
        .iter()
        .find(|p| p.status == StatusCode::TOO_MANY_REQUESTS)
        .unwrap();
    refused.assert_contains("Bạn đã yêu cầu quá nhiều câu hỏi");
    refused.assert_contains("dùng mã kiểm tra bằng ảnh");
    let questions: i64 = sqlx::query_scalar("select count(*) from captcha where kind = 'question'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(questions, 20);
    // Another address, and the image, are not affected.
    assert_eq!(get_from(&app, "10.1.8.2", &uri).await.status, StatusCode::OK);
    let image = get_from(&app, "10.1.8.1", &format!("/bai-viet/{SLUG}/binh-luan")).await;
    assert_eq!(image.status, StatusCode::OK);
}

#[db_test]
async fn moderators_see_how_often_the_text_question_is_used(db: PgPool) {
    let app = app_with_article(&db).await;
    for ip in ["10.1.9.1", "10.1.9.2", "10.1.9.2"] {
        question(&app, ip).await;
    }
    let moderator = app.staff(Role::Moderator).await;
    let dashboard = moderator.get(&app, "/admin").await;
    dashboard.assert_contains(
        r#"<span class="stat-value">3</span><span class="stat-label">Câu hỏi thay mã ảnh (7 ngày)</span>"#,
    );
}

#[db_test]
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

#[db_test]
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

#[db_test]
async fn an_oversized_comment_request_is_refused(db: PgPool) {
    let app = app_with_article(&db).await;
    let huge = "x".repeat(64 * 1024);
    let response =
        post(&app, "10.1.1.14", "", &[("name", "An"), ("title", "Tiêu đề"), ("content", &huge)])
            .await;
    assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count(&db, "comment").await, 0);
}

#[db_test]
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
