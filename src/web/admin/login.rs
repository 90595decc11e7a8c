//! Logging in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::{
    AppState,
    auth::{
        Checked, CurrentUser, check_limited, check_password, session,
        two_factor::{self, CodeUsed},
    },
    db::{
        self,
        audit::{Actor, AuditAction, Target},
        pending_logins::PendingLogin,
    },
    error::AppResult,
    web::{
        admin::Flash,
        client::{ClientIp, UserAgent},
        cookies,
        form::{CONTROL_CHARACTER, Form},
    },
};

/// Where the login page sends an account with two-factor authentication for its code.
pub(crate) const CODE_URL: &str = "/admin/login/code";

const LOGIN_URL: &str = "/admin/login";

/// What the pages before a session share (`templates/admin/login_base.html`): the site's
/// name and emblem, the stylesheet and the icon, an error and a confirmation.
pub(crate) struct LoginFrame {
    heading: &'static str,
    site_name: String,
    logo: String,
    stylesheet: String,
    favicon: String,
    error: Option<&'static str>,
    flash: Option<&'static str>,
}

impl LoginFrame {
    fn new(
        state: &AppState,
        heading: &'static str,
        error: Option<&'static str>,
        flash: Option<Flash>,
    ) -> Self {
        Self {
            heading,
            site_name: state.site.get().settings.site_name.clone(),
            logo: state.assets.url("img/logo.svg"),
            stylesheet: state.assets.url("admin/admin.css"),
            favicon: state.assets.url("img/favicon.svg"),
            error,
            flash: flash.map(Flash::label),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/login.html")]
pub(crate) struct LoginPage {
    frame: LoginFrame,
    login: String,
}

impl LoginPage {
    fn new(
        state: &AppState,
        login: String,
        error: Option<&'static str>,
        flash: Option<Flash>,
    ) -> Self {
        Self {
            frame: LoginFrame::new(state, "Đăng nhập", error, flash),
            login,
        }
    }
}

const CODE_HEADING: &str = "Mã xác thực";

/// The second step: "Mã xác thực".
#[derive(Template, WebTemplate)]
#[template(path = "admin/login_code.html")]
pub(crate) struct CodePage {
    frame: LoginFrame,
}

const WRONG_CREDENTIALS: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";
const WRONG_CODE: &str = "Mã xác thực không đúng hoặc đã được dùng.";
pub(crate) const TOO_MANY_ATTEMPTS: &str =
    "Bạn đã đăng nhập sai quá nhiều lần. Vì an toàn, xin vui lòng thử lại sau 15 phút.";

pub(crate) async fn login_form(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    RawQuery(query): RawQuery,
) -> Response {
    match user {
        Some(_) => Redirect::to("/admin").into_response(),
        None => {
            let flash = Flash::from_query(query.as_deref());
            LoginPage::new(&state, String::new(), None, flash).into_response()
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LoginForm {
    login: String,
    password: String,
}

pub(crate) async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    Form(form, errors): Form<LoginForm>,
) -> AppResult<Response> {
    let login: String = form.login.trim().chars().take(200).collect();
    let refuse = |status: StatusCode, message: &'static str| {
        let page = LoginPage::new(&state, login.clone(), Some(message), None);
        Ok((status, page).into_response())
    };
    if !errors.is_empty() {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, CONTROL_CHARACTER);
    }

    let credentials = db::users::find_credentials(&state.db, &login).await?;
    // Limits count per account once it is known, whichever name (username or e-mail) was typed.
    let account = credentials.as_ref().map_or(&*login, |c| &*c.username);
    let actor = Actor {
        user_id: None,
        name: &login,
        ip: &ip,
    };
    let stored = credentials
        .as_ref()
        .filter(|c| c.is_active)
        .map(|c| c.password_hash.clone());
    let checked = check_password(&state, account, &ip, form.password, stored).await?;
    let (Checked::Right(attempt), Some(user)) = (checked, credentials) else {
        let (action, status, message) = if checked == Checked::Blocked {
            let status = StatusCode::TOO_MANY_REQUESTS;
            (AuditAction::LoginBlocked, status, TOO_MANY_ATTEMPTS)
        } else {
            let status = StatusCode::UNAUTHORIZED;
            (AuditAction::LoginFailure, status, WRONG_CREDENTIALS)
        };
        db::audit::record(&state.db, actor, action, Target::None, "").await?;
        return refuse(status, message);
    };

    if user.two_factor {
        // No session yet: the password's attempt stays a failure until the code is right.
        let token = session::new_token();
        let token_hash = session::hash(&token);
        db::pending_logins::insert(&state.db, &token_hash, user.user_id, attempt).await?;
        let jar = jar.add(cookies::pending_login(token, state.config.is_https()));
        return Ok((jar, Redirect::to(CODE_URL)).into_response());
    }
    let mut tx = state.db.begin().await?;
    db::login_attempts::succeeded(&mut *tx, attempt).await?;
    let login = Login {
        user_id: user.user_id,
        username: &user.username,
        ip: &ip,
        agent: &agent,
    };
    login.start_session(&state, tx, jar).await
}

/// Someone who proved who they are, from where.
struct Login<'a> {
    user_id: i64,
    username: &'a str,
    ip: &'a str,
    agent: &'a str,
}

impl Login<'_> {
    fn actor(&self) -> Actor<'_> {
        Actor {
            user_id: Some(self.user_id),
            name: self.username,
            ip: self.ip,
        }
    }

    /// The end of a login: a fresh session id (a session the browser still had is ended), its
    /// audit entry, the commit of `tx`, the cookie and the way to the back office.
    async fn start_session(
        &self,
        state: &AppState,
        mut tx: sqlx::PgTransaction<'_>,
        jar: CookieJar,
    ) -> AppResult<Response> {
        if let Some(old) = jar.get(session::COOKIE) {
            db::sessions::delete(&mut *tx, &session::hash(old.value())).await?;
        }
        let token = session::new_token();
        let token_hash = session::hash(&token);
        db::sessions::insert(&mut *tx, &token_hash, self.user_id, self.ip, self.agent).await?;
        let (action, target) = (AuditAction::LoginSuccess, Target::User(self.user_id));
        db::audit::record(&mut *tx, self.actor(), action, target, "").await?;
        tx.commit().await?;
        let jar = jar.add(cookies::session(token, state.config.is_https()));
        Ok((jar, Redirect::to("/admin")).into_response())
    }
}

/// The pending login the browser's cookie names, if it is still live, with its token's hash.
async fn pending_login(
    state: &AppState,
    jar: &CookieJar,
) -> AppResult<Option<(Vec<u8>, PendingLogin)>> {
    let Some(cookie) = jar.get(cookies::PENDING_LOGIN) else {
        return Ok(None);
    };
    let token_hash = session::hash(cookie.value());
    let pending = db::pending_logins::find(&state.db, &token_hash).await?;
    Ok(pending.map(|pending| (token_hash, pending)))
}

/// Back to the login page: the code came too late, or the login it was for is over.
fn login_again(state: &AppState, jar: CookieJar) -> Response {
    let jar = jar.add(cookies::pending_login_removal(state.config.is_https()));
    (jar, Flash::LoginExpired.redirect(LOGIN_URL)).into_response()
}

pub(crate) async fn code_form(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    jar: CookieJar,
) -> AppResult<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/admin").into_response());
    }
    if pending_login(&state, &jar).await?.is_none() {
        return Ok(login_again(&state, jar));
    }
    let frame = LoginFrame::new(&state, CODE_HEADING, None, None);
    Ok(CodePage { frame }.into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CodeForm {
    code: String,
}

/// The second step: a current code from the authenticator app, or a recovery code. A wrong
/// one counts against the same limits as a wrong password.
pub(crate) async fn submit_code(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    // A code is only compared, never stored: a control character in it is just a wrong code.
    Form(form, _): Form<CodeForm>,
) -> AppResult<Response> {
    let Some((token_hash, pending)) = pending_login(&state, &jar).await? else {
        return Ok(login_again(&state, jar));
    };
    let login = Login {
        user_id: pending.user_id,
        username: &pending.username,
        ip: &ip,
        agent: &agent,
    };
    let typed: String = form.code.chars().take(100).collect();
    let mut used = None;
    let check = async {
        used = two_factor::accept_code(&state.db, login.user_id, pending.secret.as_deref(), &typed)
            .await?;
        Ok(used.is_some())
    };
    let target = Target::User(login.user_id);
    let attempt = match check_limited(&state, login.username, &ip, check).await? {
        Checked::Right(attempt) => attempt,
        refused => {
            let (action, status, message) = if refused == Checked::Blocked {
                let status = StatusCode::TOO_MANY_REQUESTS;
                (AuditAction::LoginBlocked, status, TOO_MANY_ATTEMPTS)
            } else {
                let status = StatusCode::UNAUTHORIZED;
                (AuditAction::TwoFactorFailure, status, WRONG_CODE)
            };
            db::audit::record(&state.db, login.actor(), action, target, "").await?;
            let frame = LoginFrame::new(&state, CODE_HEADING, Some(message), None);
            return Ok((status, CodePage { frame }).into_response());
        }
    };

    let mut tx = state.db.begin().await?;
    // A pending login serves once: a second request with the same cookie finds it gone.
    if !db::pending_logins::delete(&mut *tx, &token_hash).await? {
        drop(tx);
        return Ok(login_again(&state, jar));
    }
    db::login_attempts::succeeded(&mut *tx, pending.attempt).await?;
    db::login_attempts::succeeded(&mut *tx, attempt).await?;
    if used == Some(CodeUsed::Recovery) {
        let left = db::recovery_codes::count_unused(&mut *tx, login.user_id).await?;
        let details = format!("còn {left} mã");
        let action = AuditAction::RecoveryCodeUsed;
        db::audit::record(&mut *tx, login.actor(), action, target, &details).await?;
    }
    let jar = jar.add(cookies::pending_login_removal(state.config.is_https()));
    login.start_session(&state, tx, jar).await
}

pub(crate) async fn logout(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
) -> AppResult<Response> {
    if let Some(user) = user {
        db::sessions::delete(&state.db, &user.session).await?;
        let actor = Actor {
            user_id: Some(user.user_id),
            name: &user.username,
            ip: &ip,
        };
        db::audit::record(
            &state.db,
            actor,
            AuditAction::Logout,
            Target::User(user.user_id),
            "",
        )
        .await?;
    }
    let jar = jar.add(cookies::session_removal(state.config.is_https()));
    Ok((jar, Flash::LoggedOut.redirect("/admin/login")).into_response())
}
