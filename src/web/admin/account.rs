//! The user's own account: changing one's password.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{CurrentUser, password},
    db,
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, with_message},
        client::ClientIp,
        form::FieldErrors,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/password.html")]
pub struct PasswordPage {
    layout: AdminLayout,
    errors: FieldErrors,
}

pub async fn password_form(State(state): State<AppState>, user: CurrentUser) -> PasswordPage {
    PasswordPage {
        layout: AdminLayout::new(&state, user, "Đổi mật khẩu", "password"),
        errors: FieldErrors::default(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let stored = db::users::get_password_hash(&state.db, user.user_id).await?;
    if !password::verify(form.current.clone(), Some(stored)).await? {
        errors.add("current", "Mật khẩu hiện tại không đúng.");
    }
    if let Some(message) = password::check_new(&form.new) {
        errors.add("new", message);
    } else if form.new != form.confirm {
        errors.add("confirm", "Hai lần nhập mật khẩu mới không khớp nhau.");
    }
    if !errors.is_empty() {
        let layout =
            AdminLayout::new(&state, user, "Đổi mật khẩu", "password").with_flash(Flash::default());
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            PasswordPage { layout, errors },
        )
            .into_response());
    }

    let hash = password::hash(form.new).await?;
    let mut tx = state.db.begin().await?;
    db::users::set_password(&mut *tx, user.user_id, &hash).await?;
    db::sessions::delete_others(&mut *tx, user.user_id, Some(&user.session)).await?;
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        "user.password_changed",
        Some(("user", user.user_id)),
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&with_message("/admin", "password-changed")).into_response())
}
