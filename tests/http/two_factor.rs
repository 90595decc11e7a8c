//! Two-factor authentication: turning it on and off, the second step of the login under the
//! same limits as the password, one-time codes, the site setting that requires it, the admin's
//! reset. Codes are computed here from the secret the database holds.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::auth::Role;
use totp_rs::{Builder, Totp};

use crate::support::{PASSWORD, Staff, TestApp, TestResponse, assert_redirect, create_user};

const CODE_URL: &str = "/admin/login/code";

/// The generator of a stored secret, as the staff member's phone has it.
fn phone(secret: &[u8]) -> Totp {
    Builder::new().with_secret(secret.to_vec()).build().unwrap()
}

fn current_code(secret: &[u8]) -> String {
    phone(secret).generate_current().to_string()
}

/// A six-digit code that is not right now (nor one step either side).
fn wrong_code(secret: &[u8]) -> String {
    let totp = phone(secret);
    let now = totp.next_step_current() - 30;
    let right: Vec<String> = [now - 30, now, now + 30]
        .iter()
        .map(|t| totp.generate(*t).to_string())
        .collect();
    (0..)
        .map(|n| format!("{:06}", 123_456 + n))
        .find(|code| !right.contains(code))
        .unwrap()
}

async fn secret_column(db: &PgPool, user_id: i64, column: &str) -> Option<Vec<u8>> {
    let sql = match column {
        "totp_secret" => "select totp_secret from app_user where user_id = $1",
        "totp_pending_secret" => "select totp_pending_secret from app_user where user_id = $1",
        other => panic!("no column {other}"),
    };
    sqlx::query_scalar(sql)
        .bind(user_id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn audit_count(db: &PgPool, action: &str, user_id: i64) -> i64 {
    sqlx::query_scalar(
        "select count(*) from audit_log where action = $1 and target_type = 'user' and target_id = $2",
    )
    .bind(action)
    .bind(user_id)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn sessions_of(db: &PgPool, user_id: i64) -> i64 {
    sqlx::query_scalar("select count(*) from session where user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The value of a cookie the response sets (not a removal).
fn set_cookie(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter_map(|value| value.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")) && pair.len() > name.len() + 1)
        .map(str::to_owned)
}

/// The recovery codes a page shows.
fn recovery_codes(page: &TestResponse) -> Vec<String> {
    page.body
        .split("<li><code>")
        .skip(1)
        .map(|rest| rest.split("</code>").next().unwrap().to_owned())
        .collect()
}

/// Turns two-factor authentication on through the account page; returns the secret and the
/// recovery codes. The code used to turn it on is then forgotten (as if that was a while ago),
/// so the test may log in with the current one.
async fn enable(app: &TestApp, who: &Staff) -> (Vec<u8>, Vec<String>) {
    let page = who.get(app, "/admin/two-factor").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let secret = secret_column(&app.state.db, who.user_id, "totp_pending_secret")
        .await
        .expect("a secret is offered");
    let done = who
        .post(app, "/admin/two-factor", &[("code", &current_code(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    sqlx::query("update app_user set totp_last_step = 0 where user_id = $1")
        .bind(who.user_id)
        .execute(&app.state.db)
        .await
        .unwrap();
    (secret, recovery_codes(&done))
}

/// A browser that typed the right password of `who` and holds the pending-login cookie.
async fn after_password(app: &TestApp, who: &Staff, ip: &str) -> Staff {
    let response = app.login_from(ip, &who.username, PASSWORD).await;
    assert_redirect(&response, CODE_URL);
    assert_eq!(set_cookie(&response, "toasoan_session"), None, "no session yet");
    let cookie = set_cookie(&response, "toasoan_pending_login").expect("pending-login cookie");
    Staff {
        user_id: who.user_id,
        username: who.username.clone(),
        cookie,
    }
}

/// The second step; on success, the new session as a logged-in browser.
async fn send_code(app: &TestApp, browser: &Staff, code: &str) -> (TestResponse, Option<Staff>) {
    let response = browser.post(app, CODE_URL, &[("code", code)]).await;
    let session = set_cookie(&response, "toasoan_session").map(|cookie| Staff {
        user_id: browser.user_id,
        username: browser.username.clone(),
        cookie,
    });
    (response, session)
}

#[db_test]
async fn turning_it_on_needs_a_right_code_and_shows_the_recovery_codes_once(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;

    let page = reporter.get(&app, "/admin/two-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"src="data:image/png;base64,iVBOR"#);
    let secret = secret_column(&db, reporter.user_id, "totp_pending_secret")
        .await
        .unwrap();
    let base32 = phone(&secret).secret().to_base32();
    page.assert_contains(&base32[..4]);
    // A reload shows the same secret (the phone may have scanned it already).
    reporter.get(&app, "/admin/two-factor").await;
    assert_eq!(
        secret_column(&db, reporter.user_id, "totp_pending_secret").await,
        Some(secret.clone())
    );

    let wrong = reporter
        .post(&app, "/admin/two-factor", &[("code", &wrong_code(&secret))])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    wrong.assert_contains("Mã không đúng");
    wrong.assert_contains("data:image/png;base64,");
    assert_eq!(secret_column(&db, reporter.user_id, "totp_secret").await, None);

    let done = reporter
        .post(&app, "/admin/two-factor", &[("code", &current_code(&secret))])
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    done.assert_contains("chỉ hiện chúng <strong>một lần duy nhất</strong>");
    let codes = recovery_codes(&done);
    assert_eq!(codes.len(), 10);
    assert_eq!(secret_column(&db, reporter.user_id, "totp_secret").await, Some(secret));
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("select code_hash from totp_recovery_code where user_id = $1")
            .bind(reporter.user_id)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(
        stored
            .iter()
            .all(|hash| codes.iter().all(|code| hash != code.as_bytes())),
        "only hashes are stored"
    );
    assert_eq!(audit_count(&db, "user.two_factor_enabled", reporter.user_id).await, 1);

    // Afterwards the page says it is on, and never shows the codes again.
    let after = reporter.get(&app, "/admin/two-factor").await;
    after.assert_contains("Xác thực hai lớp đang bật");
    after.assert_contains("<strong>10</strong> mã khôi phục");
    after.assert_not_contains(&codes[0]);
}

#[db_test]
async fn the_login_asks_for_the_code_and_starts_no_session_until_it_is_right(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let (secret, _) = enable(&app, &editor).await;
    let sessions = sessions_of(&db, editor.user_id).await;

    let browser = after_password(&app, &editor, "203.0.113.4").await;
    assert_eq!(sessions_of(&db, editor.user_id).await, sessions);
    let page = browser.get(&app, CODE_URL).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<label for="code">Mã xác thực</label>"#);
    // The pending login is not a session.
    let not_yet = browser.get(&app, "/admin").await;
    assert_redirect(&not_yet, "/admin/login");

    let (wrong, session) = send_code(&app, &browser, &wrong_code(&secret)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    wrong.assert_contains("Mã xác thực không đúng");
    assert!(session.is_none());
    assert_eq!(sessions_of(&db, editor.user_id).await, sessions);
    assert_eq!(audit_count(&db, "login.two_factor_failure", editor.user_id).await, 1);

    let (right, session) = send_code(&app, &browser, &current_code(&secret)).await;
    assert_redirect(&right, "/admin");
    let session = session.expect("a session");
    assert_eq!(sessions_of(&db, editor.user_id).await, sessions + 1);
    let dashboard = session.get(&app, "/admin").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert_eq!(audit_count(&db, "login.success", editor.user_id).await, 1);

    // The pending login served once.
    let (again, session) = send_code(&app, &browser, &current_code(&secret)).await;
    assert_redirect(&again, "/admin/login?msg=login-expired");
    assert!(session.is_none());
}

#[db_test]
async fn wrong_codes_count_toward_the_lockout_of_the_account(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let (secret, _) = enable(&app, &editor).await;

    let browser = after_password(&app, &editor, "203.0.113.4").await;
    // The password's attempt counts until the code is right: four wrong codes make five.
    for _ in 0..4 {
        let (wrong, _) = send_code(&app, &browser, &wrong_code(&secret)).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    }
    let (locked, session) = send_code(&app, &browser, &current_code(&secret)).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    locked.assert_contains("Bạn đã đăng nhập sai quá nhiều lần");
    assert!(session.is_none());
    assert_eq!(audit_count(&db, "login.blocked", editor.user_id).await, 1);
    // Starting over with the password does not start the count over.
    let again = app
        .login_from("198.51.100.7", &editor.username, PASSWORD)
        .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
}

#[db_test]
async fn a_right_password_does_not_reset_the_count_of_wrong_codes(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let (secret, _) = enable(&app, &editor).await;

    // Someone who knows the password tries codes, logging in again between tries: each try
    // costs two failures (the password's attempt only counts as right once the code is).
    let mut guesses = 0;
    for _ in 0..10 {
        let response = app
            .login_from("203.0.113.4", &editor.username, PASSWORD)
            .await;
        if response.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        let browser = Staff {
            user_id: editor.user_id,
            username: editor.username.clone(),
            cookie: set_cookie(&response, "toasoan_pending_login").unwrap(),
        };
        let (answer, _) = send_code(&app, &browser, &wrong_code(&secret)).await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        guesses += 1;
    }
    assert_eq!(guesses, 2, "wrong codes tried before the lock");
}

#[db_test]
async fn a_recovery_code_works_once_only(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let (_, codes) = enable(&app, &admin).await;

    let browser = after_password(&app, &admin, "203.0.113.4").await;
    // As typed from paper: capitals and spaces.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let (right, session) = send_code(&app, &browser, &typed).await;
    assert_redirect(&right, "/admin");
    assert!(session.is_some());
    assert_eq!(audit_count(&db, "login.recovery_code_used", admin.user_id).await, 1);
    let page = admin.get(&app, "/admin/two-factor").await;
    page.assert_contains("<strong>9</strong> mã khôi phục");

    let browser = after_password(&app, &admin, "203.0.113.4").await;
    let (again, session) = send_code(&app, &browser, &codes[3]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(session.is_none());
}

#[db_test]
async fn a_code_is_not_accepted_twice(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let (secret, _) = enable(&app, &editor).await;

    let code = current_code(&secret);
    let browser = after_password(&app, &editor, "203.0.113.4").await;
    let (first, session) = send_code(&app, &browser, &code).await;
    assert_redirect(&first, "/admin");
    assert!(session.is_some());

    // Someone who saw the code over the shoulder, within its 30 seconds.
    let browser = after_password(&app, &editor, "198.51.100.7").await;
    let (replayed, session) = send_code(&app, &browser, &code).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    assert!(session.is_none());
}

#[db_test]
async fn a_code_sent_twice_at_the_same_moment_logs_in_once(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let (secret, codes) = enable(&app, &editor).await;

    for code in [current_code(&secret), codes[0].clone()] {
        let first = after_password(&app, &editor, "203.0.113.4").await;
        let second = after_password(&app, &editor, "198.51.100.7").await;
        let (a, b) = tokio::join!(send_code(&app, &first, &code), send_code(&app, &second, &code));
        let sessions = [a.1, b.1].iter().filter(|s| s.is_some()).count();
        assert_eq!(sessions, 1, "{code}: {} and {}", a.0.status, b.0.status);
    }
}

#[db_test]
async fn the_setting_sends_admins_and_editors_without_it_to_set_it_up(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let reporter = app.staff(Role::Reporter).await;
    create_user(&db, "bientap", Role::Editor).await;

    let saved = admin
        .post(
            &app,
            "/admin/settings",
            &[("site_name", "Báo Bảo Thắng"), ("require_two_factor", "on")],
        )
        .await;
    assert_redirect(&saved, "/admin/settings?msg=saved");
    let required: bool = sqlx::query_scalar("select require_two_factor from site_setting")
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(required);

    // An editor without it logs in, and is sent to set it up before anything else.
    let login = app.login_from("203.0.113.4", "bientap", PASSWORD).await;
    assert_redirect(&login, "/admin");
    let editor = Staff {
        user_id: sqlx::query_scalar("select user_id from app_user where username = 'bientap'")
            .fetch_one(&db)
            .await
            .unwrap(),
        username: "bientap".into(),
        cookie: set_cookie(&login, "toasoan_session").unwrap(),
    };
    for path in [
        "/admin",
        "/admin/articles",
        "/admin/categories",
        "/admin/password",
    ] {
        let response = editor.get(&app, path).await;
        assert_redirect(&response, "/admin/two-factor?msg=two-factor-required");
    }
    let post = editor
        .post(&app, "/admin/categories", &[("name", "Thời sự")])
        .await;
    assert_redirect(&post, "/admin/two-factor?msg=two-factor-required");
    let setup = editor
        .get(&app, "/admin/two-factor?msg=two-factor-required")
        .await;
    assert_eq!(setup.status, StatusCode::OK);
    setup.assert_contains("phải bật xác thực hai lớp trước khi tiếp tục");
    // The admin who turned the setting on is no exception.
    assert_redirect(
        &admin.get(&app, "/admin/audit").await,
        "/admin/two-factor?msg=two-factor-required",
    );
    // Reporters are not concerned.
    assert_eq!(reporter.get(&app, "/admin").await.status, StatusCode::OK);

    // Once it is on, the back office opens.
    enable(&app, &editor).await;
    assert_eq!(editor.get(&app, "/admin/articles").await.status, StatusCode::OK);
}

#[db_test]
async fn an_admin_turns_off_the_two_factor_of_someone_who_lost_their_phone(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let editor = app.staff(Role::Editor).await;
    enable(&app, &editor).await;
    let user_page = format!("/admin/users/{}", editor.user_id);
    admin
        .get(&app, &user_page)
        .await
        .assert_contains("Tắt xác thực hai lớp (mất điện thoại)");

    let reset = admin
        .post(&app, &format!("{user_page}/two-factor/reset"), &[])
        .await;
    assert_redirect(&reset, &format!("{user_page}?msg=two-factor-reset"));
    assert_eq!(secret_column(&db, editor.user_id, "totp_secret").await, None);
    let codes: i64 =
        sqlx::query_scalar("select count(*) from totp_recovery_code where user_id = $1")
            .bind(editor.user_id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(codes, 0);
    let by_admin: i64 = sqlx::query_scalar(
        "select count(*) from audit_log
         where action = 'user.two_factor_reset' and user_id = $1 and target_id = $2",
    )
    .bind(admin.user_id)
    .bind(editor.user_id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(by_admin, 1);

    // The password alone logs in now.
    let login = app
        .login_from("203.0.113.4", &editor.username, PASSWORD)
        .await;
    assert_redirect(&login, "/admin");
}

#[db_test]
async fn turning_it_off_needs_the_password_or_a_code(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let (secret, _) = enable(&app, &reporter).await;

    let wrong = wrong_code(&secret);
    for fields in [
        vec![("password", "sai mật khẩu rồi")],
        vec![("code", wrong.as_str())],
        vec![],
    ] {
        let refused = reporter
            .post(&app, "/admin/two-factor/disable", &fields)
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        refused.assert_contains("Tắt xác thực hai lớp");
        assert!(
            secret_column(&db, reporter.user_id, "totp_secret")
                .await
                .is_some()
        );
    }

    let off = reporter
        .post(&app, "/admin/two-factor/disable", &[("password", PASSWORD)])
        .await;
    assert_redirect(&off, "/admin/two-factor?msg=two-factor-disabled");
    assert_eq!(secret_column(&db, reporter.user_id, "totp_secret").await, None);
    assert_eq!(audit_count(&db, "user.two_factor_disabled", reporter.user_id).await, 1);
}
