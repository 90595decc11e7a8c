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
    auth::{CurrentUser, PasswordCheck, check_password, session},
    db::{
        self,
        audit::{Actor, AuditAction, Target},
    },
    error::AppResult,
    web::{
        admin::Flash,
        client::{ClientIp, UserAgent},
        cookies,
        form::{CONTROL_CHARACTER, Form},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/login.html")]
pub(crate) struct LoginPage {
    site_name: String,
    stylesheet: String,
    favicon: String,
    login: String,
    error: Option<&'static str>,
    flash: Option<&'static str>,
}

impl LoginPage {
    fn new(
        state: &AppState,
        login: String,
        error: Option<&'static str>,
        flash: Option<Flash>,
    ) -> Self {
        Self {
            site_name: state.site.get().settings.site_name.clone(),
            stylesheet: state.assets.url("admin/admin.css"),
            favicon: state.assets.url("img/favicon.svg"),
            login,
            error,
            flash: flash.map(Flash::label),
        }
    }
}

const WRONG_CREDENTIALS: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";
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
    let (PasswordCheck::Right, Some(user)) = (checked, credentials) else {
        let (action, status, message) = if checked == PasswordCheck::Blocked {
            let status = StatusCode::TOO_MANY_REQUESTS;
            (AuditAction::LoginBlocked, status, TOO_MANY_ATTEMPTS)
        } else {
            let status = StatusCode::UNAUTHORIZED;
            (AuditAction::LoginFailure, status, WRONG_CREDENTIALS)
        };
        db::audit::record(&state.db, actor, action, Target::None, "").await?;
        return refuse(status, message);
    };

    // A fresh session id at every login; a session the browser still had is ended.
    if let Some(old) = jar.get(session::COOKIE) {
        db::sessions::delete(&state.db, &session::hash(old.value())).await?;
    }
    let token = session::new_token();
    db::sessions::insert(&state.db, &session::hash(&token), user.user_id, &ip, &agent).await?;
    let actor = Actor {
        user_id: Some(user.user_id),
        name: &user.username,
        ip: &ip,
    };
    db::audit::record(
        &state.db,
        actor,
        AuditAction::LoginSuccess,
        Target::User(user.user_id),
        "",
    )
    .await?;

    let jar = jar.add(cookies::session(token, state.config.is_https()));
    Ok((jar, Redirect::to("/admin")).into_response())
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
