//! Unsafe requests from other sites are refused: `Origin` and `Sec-Fetch-Site` when a browser
//! sends them, the `Referer` when it sends neither, and on the back office a request that says
//! nothing of where it comes from.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::{
    admin_roles::{ROUTES, fill, rows},
    support::{
        ORIGIN, PASSWORD, TestApp, TestResponse, assert_redirect, category, count, create_user,
    },
};

/// A page of another site that posts a form to ours.
const FOREIGN_PAGE: &str = "https://trang-la.example/khuyen-mai.html";

/// A form post with only `headers` to tell where it comes from.
async fn post(
    app: &TestApp,
    uri: &str,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
    fields: &[(&str, &str)],
) -> TestResponse {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    app.request(request.body(Body::from(body)).unwrap()).await
}

#[track_caller]
fn assert_refused(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::FORBIDDEN, "{}: {}", response.request, response.body);
    response.assert_contains("<h1>Yêu cầu bị từ chối</h1>");
    response.assert_contains("không được gửi từ chính trang web này");
}

fn login_fields(login: &str) -> [(&str, &str); 2] {
    [("login", login), ("password", PASSWORD)]
}

#[db_test]
async fn a_foreign_referer_is_refused_on_login_and_every_back_office_action(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let author = create_user(&db, "tacgia", Role::Reporter).await;
    let foreign = [(header::REFERER.as_str(), FOREIGN_PAGE)];

    let refused = post(&app, "/admin/login", None, &foreign, &login_fields(&admin.username)).await;
    assert_refused(&refused);

    let mut tried = 1;
    let actions = ROUTES.iter().filter(|(method, _, _)| *method == "POST");
    for (n, (_, template, _)) in actions.enumerate() {
        let path = fill(template, &rows(&db, news, author, n).await);
        // The fields the forms read, so that the same post from this site would do something.
        let fields = [
            ("name", "Đổi tên"),
            ("direction", "up"),
            ("role", "admin"),
            ("rank", "1"),
            ("state", "read"),
        ];
        assert_refused(&post(&app, &path, Some(&admin.cookie), &foreign, &fields).await);
        tried += 1;
    }
    assert_refused(&post(&app, "/admin/logout", Some(&admin.cookie), &foreign, &[]).await);
    tried += 1;

    assert_eq!(tried, 51, "login, logout and the 49 back-office actions");
    assert_eq!(count(&db, "audit_log").await, 0, "no action was taken");
    assert_eq!(count(&db, "session").await, 1, "no login, no logout");
    assert_eq!(admin.get(&app, "/admin").await.status, StatusCode::OK);
}

#[db_test]
async fn a_referer_from_this_site_is_accepted(db: PgPool) {
    create_user(&db, "thuthuy", Role::Editor).await;
    let app = TestApp::new(db.clone()).await;
    let login_page = format!("{ORIGIN}/admin/login");
    let login =
        post(&app, "/admin/login", None, &[("referer", &login_page)], &login_fields("thuthuy"))
            .await;
    assert_redirect(&login, "/admin");

    // The site reached under another name than its base URL: a page of the same host.
    let local = post(
        &app,
        "/admin/login",
        None,
        &[
            ("host", "127.0.0.1:3000"),
            ("referer", "http://127.0.0.1:3000/admin/login"),
        ],
        &login_fields("thuthuy"),
    )
    .await;
    assert_redirect(&local, "/admin");

    let editor = app.staff(Role::Editor).await;
    let list = format!("{ORIGIN}/admin/categories");
    let created = post(
        &app,
        "/admin/categories",
        Some(&editor.cookie),
        &[("referer", &list)],
        &[("name", "Văn hóa")],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(count(&db, "category").await, 1);
}

#[db_test]
async fn a_back_office_post_without_any_origin_is_refused_unless_allowed(db: PgPool) {
    create_user(&db, "thuthuy", Role::Editor).await;
    let strict = TestApp::new(db.clone()).await;
    let editor = strict.staff(Role::Editor).await;
    assert_refused(&post(&strict, "/admin/login", None, &[], &login_fields("thuthuy")).await);
    let create = [("name", "Văn hóa")];
    let cookie = Some(editor.cookie.as_str());
    assert_refused(&post(&strict, "/admin/categories", cookie, &[], &create).await);
    assert_eq!(count(&db, "category").await, 0);
    assert_eq!(count(&db, "session").await, 1);

    // `TOASOAN_ALLOW_ORIGINLESS=on`: a script (no browser headers) may log in and act.
    let lenient = TestApp::with_config(db.clone(), |config| config.allow_originless = true).await;
    let login = post(&lenient, "/admin/login", None, &[], &login_fields("thuthuy")).await;
    assert_redirect(&login, "/admin");
    let created = post(&lenient, "/admin/categories", cookie, &[], &create).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(count(&db, "category").await, 1);
    // Still not from another site.
    let foreign = [("referer", FOREIGN_PAGE)];
    assert_refused(&post(&lenient, "/admin/login", None, &foreign, &login_fields("thuthuy")).await);
}
