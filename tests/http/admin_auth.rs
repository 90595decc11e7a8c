//! Logging in and out, sessions, brute-force limits, CSRF, passwords, the CLI.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{
    ORIGIN, PASSWORD, TestApp, TestResponse, assert_redirect, count, create_user, toasoan,
};

fn session_cookie(response: &TestResponse) -> String {
    let set_cookie = response.header(header::SET_COOKIE);
    set_cookie.split(';').next().unwrap().to_owned()
}

#[db_test]
async fn login_page_has_labelled_fields(db: PgPool) {
    let app = TestApp::new(db).await;
    let page = app.get("/admin/login").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<label for="login">Tên đăng nhập hoặc email</label>"#);
    page.assert_contains(r#"<label for="password">Mật khẩu</label>"#);
}

#[db_test]
async fn staff_log_in_with_username_or_email_and_get_a_safe_cookie(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;

    for login in ["thuthuy", "ThuThuy@Example.vn"] {
        let response = app.login_from("10.0.0.1", login, PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{login}: {}", response.body);
        assert_eq!(response.header(header::LOCATION), "/admin");
        let set_cookie = response.header(header::SET_COOKIE);
        for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(set_cookie.contains(attribute), "{attribute} in {set_cookie}");
        }
        let cookie = session_cookie(&response);
        let dashboard = app
            .request(
                Request::get("/admin")
                    .header(header::COOKIE, &cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(dashboard.status, StatusCode::OK);
        dashboard.assert_contains("Nhà báo thuthuy");
    }
    let audit: i64 =
        sqlx::query_scalar("select count(*) from audit_log where action = 'login.success'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(audit, 2);
}

#[db_test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;

    let wrong = app
        .login_from("10.0.0.1", "thuthuy", "không phải mật khẩu")
        .await;
    let unknown = app.login_from("10.0.0.1", "khongai", PASSWORD).await;
    for response in [&wrong, &unknown] {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        response.assert_contains("Tên đăng nhập hoặc mật khẩu không đúng.");
        assert!(response.header(header::SET_COOKIE).is_empty());
    }
    wrong.assert_contains(r#"value="thuthuy""#);
    assert_eq!(count(&db, "session").await, 0);
    let failures: i64 =
        sqlx::query_scalar("select count(*) from audit_log where action = 'login.failure'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(failures, 2);
}

#[db_test]
async fn a_deactivated_account_cannot_log_in(db: PgPool) {
    let id = create_user(&db, "nghiviec", Role::Editor).await;
    toasoan::db::users::set_active(&db, id, false)
        .await
        .unwrap();
    let app = TestApp::new(db).await;
    let response = app.login_from("10.0.0.1", "nghiviec", PASSWORD).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

#[db_test]
async fn five_failures_lock_the_account_but_not_another_one(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    create_user(&db, "minhhoang", Role::Editor).await;
    let app = TestApp::new(db).await;

    for _ in 0..5 {
        let response = app
            .login_from("203.0.113.9", "thuthuy", "đoán mò mật khẩu")
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    // Even the right password is refused now, from anywhere.
    let locked = app.login_from("198.51.100.7", "thuthuy", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    locked.assert_contains("Bạn đã đăng nhập sai quá nhiều lần");
    // The owner of another account, elsewhere, is not affected.
    let other = app.login_from("198.51.100.8", "minhhoang", PASSWORD).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn twenty_failures_from_one_ip_block_that_ip_only(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db).await;
    for n in 0..20 {
        let response = app
            .login_from("203.0.113.50", &format!("thu{n}"), "sai")
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    let blocked = app.login_from("203.0.113.50", "thuthuy", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = app.login_from("203.0.113.51", "thuthuy", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn the_lock_ends_when_the_failures_are_old(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;
    for _ in 0..5 {
        app.login_from("203.0.113.9", "thuthuy", "sai").await;
    }
    assert_eq!(
        app.login_from("203.0.113.9", "thuthuy", PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    sqlx::query("update login_attempt set at = at - interval '16 minutes'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        app.login_from("203.0.113.9", "thuthuy", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[db_test]
async fn a_login_from_another_site_is_refused(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;
    let body = "login=thuthuy&password=m%E1%BA%ADt-kh%E1%BA%A9u-th%E1%BB%AD-nghi%E1%BB%87m";
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let request = Request::post("/admin/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(body))
            .unwrap();
        let response = app.request(request).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{name}: {value}");
        response.assert_contains("Yêu cầu bị từ chối");
    }
    assert_eq!(count(&db, "session").await, 0);
    // The same post from this site's own page is accepted.
    assert_eq!(app.login_from("10.0.0.1", "thuthuy", PASSWORD).await.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn a_state_change_from_another_origin_is_refused_even_with_a_session(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let request = Request::post("/admin/logout")
        .header(header::COOKIE, &reporter.cookie)
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.request(request).await.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&db, "session").await, 1, "the session was not ended by the forged request");
    assert_eq!(reporter.get(&app, "/admin").await.status, StatusCode::OK);
}

#[db_test]
async fn logging_in_again_replaces_the_old_session(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;
    let first = session_cookie(&app.login_from("10.0.0.1", "thuthuy", PASSWORD).await);

    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("login", "thuthuy"), ("password", PASSWORD)])
        .finish();
    let request = Request::post("/admin/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, ORIGIN)
        .header(header::COOKIE, &first)
        .body(Body::from(body))
        .unwrap();
    let second = session_cookie(&app.request(request).await);
    assert_ne!(first, second, "a fresh session id at login");
    assert_eq!(count(&db, "session").await, 1);
    let old = app
        .request(
            Request::get("/admin")
                .header(header::COOKIE, &first)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(old.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn logout_ends_the_session(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let response = reporter.post(&app, "/admin/logout", &[]).await;
    assert_redirect(&response, "/admin/login?msg=logged-out");
    assert!(
        response
            .header(header::SET_COOKIE)
            .contains("toasoan_session=;")
    );
    assert_eq!(count(&db, "session").await, 0);
    assert_redirect(&reporter.get(&app, "/admin").await, "/admin/login");
}

#[db_test]
async fn anonymous_visitors_are_sent_to_login(db: PgPool) {
    let app = TestApp::new(db).await;
    for uri in [
        "/admin",
        "/admin/articles",
        "/admin/articles/new",
        "/admin/password",
    ] {
        assert_redirect(&app.get(uri).await, "/admin/login");
    }
}

#[db_test]
async fn sessions_expire_when_idle_or_too_old(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let idle = app.staff(Role::Editor).await;
    let old = app.staff(Role::Editor).await;
    sqlx::query("update session set last_seen_at = now() - interval '9 hours' where user_id = $1")
        .bind(idle.user_id)
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("update session set created_at = now() - interval '8 days' where user_id = $1")
        .bind(old.user_id)
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(idle.get(&app, "/admin").await.status, StatusCode::SEE_OTHER);
    assert_eq!(old.get(&app, "/admin").await.status, StatusCode::SEE_OTHER);
    let fresh = app.staff(Role::Editor).await;
    assert_eq!(fresh.get(&app, "/admin").await.status, StatusCode::OK);
}

#[db_test]
async fn changing_the_password_ends_the_other_sessions(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;
    let here = session_cookie(&app.login_from("10.0.0.1", "thuthuy", PASSWORD).await);
    let elsewhere = session_cookie(&app.login_from("10.0.0.2", "thuthuy", PASSWORD).await);
    let me = crate::support::Staff {
        user_id: 0,
        username: "thuthuy".into(),
        cookie: here.clone(),
    };

    let wrong = me
        .post(
            &app,
            "/admin/password",
            &[
                ("current", "sai"),
                ("new", "mật khẩu mới dài"),
                ("confirm", "mật khẩu mới dài"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Mật khẩu hiện tại không đúng.");
    let short = me
        .post(
            &app,
            "/admin/password",
            &[("current", PASSWORD), ("new", "ngắn"), ("confirm", "ngắn")],
        )
        .await;
    short.assert_contains("Mật khẩu phải có ít nhất 10 ký tự.");
    let mismatch = me
        .post(
            &app,
            "/admin/password",
            &[
                ("current", PASSWORD),
                ("new", "mật khẩu mới dài"),
                ("confirm", "khác hẳn rồi nhé"),
            ],
        )
        .await;
    mismatch.assert_contains("Hai lần nhập mật khẩu mới không khớp nhau.");

    let done = me
        .post(
            &app,
            "/admin/password",
            &[
                ("current", PASSWORD),
                ("new", "mật khẩu mới dài"),
                ("confirm", "mật khẩu mới dài"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let get = |cookie: String| {
        Request::get("/admin")
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(app.request(get(here)).await.status, StatusCode::OK, "this session goes on");
    assert_eq!(
        app.request(get(elsewhere)).await.status,
        StatusCode::SEE_OTHER,
        "the other one ended"
    );
    assert_eq!(
        app.login_from("10.0.0.3", "thuthuy", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login_from("10.0.0.3", "thuthuy", "mật khẩu mới dài")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[db_test]
async fn the_cli_creates_lists_and_resets_accounts(db: PgPool) {
    let (ok, stdout, stderr) = toasoan(
        &db,
        &[
            "user",
            "create",
            "--username",
            "admin",
            "--display-name",
            "Quản trị viên",
            "--role",
            "admin",
        ],
        "mật khẩu quản trị\n",
    );
    assert!(ok, "{stderr}");
    assert!(stdout.contains("created admin"));

    let (ok, stdout, _) = toasoan(&db, &["user", "list"], "");
    assert!(ok);
    assert!(stdout.contains("admin") && stdout.contains("Quản trị viên"), "{stdout}");

    let (ok, _, stderr) = toasoan(
        &db,
        &[
            "user",
            "create",
            "--username",
            "x",
            "--display-name",
            "X",
            "--role",
            "boss",
        ],
        "mật khẩu quản trị\n",
    );
    assert!(!ok && stderr.contains("expected admin, editor, reporter or moderator"), "{stderr}");
    let (ok, _, stderr) = toasoan(
        &db,
        &[
            "user",
            "create",
            "--username",
            "ngan",
            "--display-name",
            "N",
            "--role",
            "editor",
        ],
        "ngắn\n",
    );
    assert!(!ok && stderr.contains("10"), "{stderr}");

    let (ok, _, stderr) = toasoan(&db, &["user", "set-password", "admin"], "một mật khẩu khác\n");
    assert!(ok, "{stderr}");
    let app = TestApp::new(db.clone()).await;
    assert_eq!(
        app.login_from("10.0.0.1", "admin", "một mật khẩu khác")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.login_from("10.0.0.1", "admin", "mật khẩu quản trị")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
