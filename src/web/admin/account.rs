//! The user's own account: changing one's password.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Checked, check_password, password},
    db::{
        self,
        audit::{AuditAction, Target},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff, login::TOO_MANY_ATTEMPTS},
        form::{FieldErrors, Form},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/password.html")]
pub(crate) struct PasswordPage {
    layout: AdminLayout,
    errors: FieldErrors,
}

const TITLE: &str = "Đổi mật khẩu";

pub(crate) async fn password_form(layout: AdminLayout) -> PasswordPage {
    PasswordPage {
        layout: layout.page(TITLE, "password"),
        errors: FieldErrors::default(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form, mut errors): Form<PasswordForm>,
) -> AppResult<Response> {
    let stored = db::users::get_password_hash(&state.db, staff.user_id).await?;
    let checked = check_password(
        &state,
        &staff.username,
        &staff.ip,
        form.current,
        Some(stored),
    );
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    match checked.await? {
        Checked::Right(attempt) => db::login_attempts::succeeded(&state.db, attempt).await?,
        Checked::Wrong => errors.add("current", "Mật khẩu hiện tại không đúng."),
        Checked::Blocked => {
            status = StatusCode::TOO_MANY_REQUESTS;
            errors.add("current", TOO_MANY_ATTEMPTS);
        }
    }
    if let Some(message) = password::check_new(&form.new) {
        errors.add("new", message);
    } else if form.new != form.confirm {
        errors.add("confirm", "Hai lần nhập mật khẩu mới không khớp nhau.");
    }
    if !errors.is_empty() {
        let layout = layout.page(TITLE, "password");
        return Ok((status, PasswordPage { layout, errors }).into_response());
    }

    let hash = state.passwords.hash(form.new).await?;
    let mut tx = state.db.begin().await?;
    db::users::set_password(&mut *tx, staff.user_id, &hash).await?;
    db::sessions::delete_others(&mut *tx, staff.user_id, Some(&staff.session)).await?;
    let entry = (
        AuditAction::UserPasswordChanged,
        Target::User(staff.user_id),
        "",
    );
    staff
        .finish(tx, entry, "/admin", Flash::PasswordChanged)
        .await
}
