//! Staff accounts: list, create, change role, reset password, deactivate and reactivate.
//! Accounts are never deleted: the audit log keeps pointing at them.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Capability, CurrentUser, Role, password},
    cli,
    db::{
        self,
        users::{DISPLAY_NAME_MAX, NewUser, User},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, with_message},
        client::ClientIp,
        extract::IdParam,
        form::{FieldErrors, is_unique_violation, required},
        format,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/new", get(new_user))
        .route("/users/{id}", get(edit_user).post(update_user))
        .route("/users/{id}/password", post(reset_password))
        .route("/users/{id}/deactivate", post(deactivate_user))
        .route("/users/{id}/reactivate", post(reactivate_user))
}

const LIST_URL: &str = "/admin/users";

const USERNAME_FORMAT: &str = "Tên đăng nhập gồm 2–40 ký tự: chữ thường không dấu (a-z), chữ số, dấu chấm, gạch dưới hoặc gạch ngang.";
const USERNAME_TAKEN: &str = "Tên đăng nhập này đã có người dùng.";
const EMAIL_FORMAT: &str = "Địa chỉ email không hợp lệ (ví dụ đúng: ten@baothang.vn).";
const EMAIL_TAKEN: &str = "Email này đã được dùng cho một tài khoản khác.";
const ROLE_MISSING: &str = "Hãy chọn một vai trò.";
const PASSWORDS_DIFFER: &str = "Hai lần nhập mật khẩu không khớp nhau.";
const LAST_ADMIN_DEMOTED: &str = "Không thể đổi vai trò: đây là quản trị viên cuối cùng còn hoạt động. Hãy cấp quyền quản trị cho người khác trước.";
const LAST_ADMIN_DEACTIVATED: &str =
    "Không thể khóa tài khoản: đây là quản trị viên cuối cùng còn hoạt động.";
const SELF_DEACTIVATED: &str = "Bạn không thể tự khóa tài khoản của chính mình.";

fn user_url(user_id: i64) -> String {
    format!("{LIST_URL}/{user_id}")
}

/// An entry of the role select.
pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn role_options(selected: &str) -> Vec<RoleOption> {
    Role::ALL
        .into_iter()
        .map(|role| RoleOption {
            value: role.as_str(),
            label: role.label(),
            selected: role.as_str() == selected,
        })
        .collect()
}

/// The e-mail field: `None` when empty (or when invalid, with a message).
fn email_field(errors: &mut FieldErrors, value: &str) -> Option<String> {
    cli::check_email(value).unwrap_or_else(|_| {
        errors.add("email", EMAIL_FORMAT);
        None
    })
}

fn role_field(errors: &mut FieldErrors, value: &str) -> Option<Role> {
    let role = Role::parse(value);
    if role.is_none() {
        errors.add("role", ROLE_MISSING);
    }
    role
}

/// A new password typed twice; `None` (with messages) unless acceptable.
fn new_password(errors: &mut FieldErrors, password: &str, confirm: &str) -> Option<String> {
    if let Some(problem) = password::check_new(password) {
        errors.add("password", problem);
    } else if password != confirm {
        errors.add("confirm", PASSWORDS_DIFFER);
    } else {
        return Some(password.to_owned());
    }
    None
}

/// The account's unique fields, as field errors when the database refused them.
fn unique_field(error: &sqlx::Error) -> Option<(&'static str, &'static str)> {
    if is_unique_violation(error, "app_user_username_key") {
        Some(("username", USERNAME_TAKEN))
    } else if is_unique_violation(error, "app_user_email_key") {
        Some(("email", EMAIL_TAKEN))
    } else {
        None
    }
}

// --- List ---------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/list.html")]
pub struct UsersPage {
    layout: AdminLayout,
    users: Vec<User>,
}

impl UsersPage {
    fn created(&self, user: &User) -> String {
        format::datetime_short(user.created_at)
    }
}

pub async fn list_users(
    State(state): State<AppState>,
    user: CurrentUser,
    flash: Flash,
) -> AppResult<UsersPage> {
    user.require(Capability::ManageUsers)?;
    let users = db::users::list(&state.db).await?;
    Ok(UsersPage {
        layout: AdminLayout::new(&state, user, "Người dùng", "users").with_flash(flash),
        users,
    })
}

// --- Create -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    email: String,
    role: String,
    password: String,
    confirm: String,
}

impl Default for NewUserForm {
    fn default() -> Self {
        Self {
            username: String::new(),
            display_name: String::new(),
            email: String::new(),
            role: Role::Reporter.as_str().to_owned(),
            password: String::new(),
            confirm: String::new(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/new.html")]
pub struct NewUserPage {
    layout: AdminLayout,
    form: NewUserForm,
    roles: Vec<RoleOption>,
    errors: FieldErrors,
}

impl NewUserPage {
    fn new(
        state: &AppState,
        user: CurrentUser,
        mut form: NewUserForm,
        errors: FieldErrors,
    ) -> Self {
        // Passwords are never sent back.
        form.password.clear();
        form.confirm.clear();
        Self {
            layout: AdminLayout::new(state, user, "Thêm người dùng", "users"),
            roles: role_options(&form.role),
            form,
            errors,
        }
    }
}

pub async fn new_user(State(state): State<AppState>, user: CurrentUser) -> AppResult<NewUserPage> {
    user.require(Capability::ManageUsers)?;
    Ok(NewUserPage::new(
        &state,
        user,
        NewUserForm::default(),
        FieldErrors::default(),
    ))
}

pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<NewUserForm>,
) -> AppResult<Response> {
    user.require(Capability::ManageUsers)?;
    let mut errors = FieldErrors::default();
    let username = cli::check_username(&form.username).ok();
    if username.is_none() {
        errors.add("username", USERNAME_FORMAT);
    }
    let display_name = required(
        &mut errors,
        "display_name",
        &form.display_name,
        DISPLAY_NAME_MAX,
    );
    let email = email_field(&mut errors, &form.email);
    let role = role_field(&mut errors, &form.role);
    let password_text = new_password(&mut errors, &form.password, &form.confirm);
    if let Some(username) = &username
        && db::users::find_id_by_username(&state.db, username)
            .await?
            .is_some()
    {
        errors.add("username", USERNAME_TAKEN);
    }
    if let Some(email) = &email
        && db::users::email_taken(&state.db, email, None).await?
    {
        errors.add("email", EMAIL_TAKEN);
    }
    let (Some(username), Some(role), Some(password_text), true) =
        (username, role, password_text, errors.is_empty())
    else {
        let page = NewUserPage::new(&state, user, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let hash = password::hash(password_text).await?;
    let account = NewUser {
        username: &username,
        email: email.as_deref(),
        display_name: &display_name,
        role,
        password_hash: &hash,
    };
    match cli::insert_user(&state.db, user.actor(&ip), &account).await {
        Ok(_) => Ok(Redirect::to(&with_message(LIST_URL, "user-created")).into_response()),
        Err(error) => match unique_field(&error) {
            // Someone took the name or address since we checked.
            Some((field, message)) => {
                errors.add(field, message);
                let page = NewUserPage::new(&state, user, form, errors);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(error.into()),
        },
    }
}

// --- Edit ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    display_name: String,
    email: String,
    role: String,
}

impl ProfileForm {
    fn of(account: &User) -> Self {
        Self {
            display_name: account.display_name.clone(),
            email: account.email.clone().unwrap_or_default(),
            role: account.role.as_str().to_owned(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/edit.html")]
pub struct UserPage {
    layout: AdminLayout,
    account: User,
    form: ProfileForm,
    roles: Vec<RoleOption>,
    errors: FieldErrors,
    password_errors: FieldErrors,
    /// Why an action was refused.
    error: Option<&'static str>,
}

impl UserPage {
    fn new(state: &AppState, user: CurrentUser, account: User) -> Self {
        let form = ProfileForm::of(&account);
        Self {
            layout: AdminLayout::new(state, user, account.display_name.clone(), "users"),
            roles: role_options(&form.role),
            form,
            account,
            errors: FieldErrors::default(),
            password_errors: FieldErrors::default(),
            error: None,
        }
    }

    fn with_form(mut self, form: ProfileForm, errors: FieldErrors) -> Self {
        self.roles = role_options(&form.role);
        self.form = form;
        self.errors = errors;
        self
    }

    fn refused(self, error: &'static str) -> Response {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Self {
                error: Some(error),
                ..self
            },
        )
            .into_response()
    }

    fn is_self(&self) -> bool {
        self.account.user_id == self.layout.user.user_id
    }

    fn created(&self) -> String {
        format::datetime_short(self.account.created_at)
    }
}

pub async fn edit_user(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(user_id): IdParam,
    flash: Flash,
) -> AppResult<UserPage> {
    user.require(Capability::ManageUsers)?;
    let account = db::users::get(&state.db, user_id).await?;
    let page = UserPage::new(&state, user, account);
    Ok(UserPage {
        layout: page.layout.with_flash(flash),
        ..page
    })
}

/// Saves the display name, e-mail and role.
pub async fn update_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(user_id): IdParam,
    Form(form): Form<ProfileForm>,
) -> AppResult<Response> {
    user.require(Capability::ManageUsers)?;
    let mut errors = FieldErrors::default();
    let display_name = required(
        &mut errors,
        "display_name",
        &form.display_name,
        DISPLAY_NAME_MAX,
    );
    let email = email_field(&mut errors, &form.email);
    let role = role_field(&mut errors, &form.role);

    let mut tx = state.db.begin().await?;
    let active_admins = db::users::lock_active_admins(&mut *tx).await?;
    let account = db::users::get(&mut *tx, user_id).await?;
    if let Some(email) = &email
        && db::users::email_taken(&mut *tx, email, Some(user_id)).await?
    {
        errors.add("email", EMAIL_TAKEN);
    }
    let (Some(role), true) = (role, errors.is_empty()) else {
        drop(tx);
        let page = UserPage::new(&state, user, account).with_form(form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if role != Role::Admin && active_admins == [user_id] {
        drop(tx);
        return Ok(UserPage::new(&state, user, account)
            .with_form(form, errors)
            .refused(LAST_ADMIN_DEMOTED));
    }

    let actor = user.actor(&ip);
    let mut changed = Vec::new();
    if display_name != account.display_name {
        changed.push("display_name");
    }
    if email != account.email {
        changed.push("email");
    }
    if !changed.is_empty() {
        if let Err(error) =
            db::users::update_profile(&mut *tx, user_id, &display_name, email.as_deref()).await
        {
            let Some((field, message)) = unique_field(&error) else {
                return Err(error.into());
            };
            drop(tx);
            errors.add(field, message);
            let page = UserPage::new(&state, user, account).with_form(form, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        let details = format!("{}: {}", account.username, changed.join(", "));
        db::audit::record(
            &mut *tx,
            actor,
            "user.updated",
            Some(("user", user_id)),
            &details,
        )
        .await?;
    }
    if role != account.role {
        db::users::set_role(&mut *tx, user_id, role).await?;
        let details = format!(
            "{}: {} → {}",
            account.username,
            account.role.as_str(),
            role.as_str()
        );
        db::audit::record(
            &mut *tx,
            actor,
            "user.role_changed",
            Some(("user", user_id)),
            &details,
        )
        .await?;
    }
    tx.commit().await?;

    // An admin who gave up their own admin role can no longer see this page.
    let target = if user_id == user.user_id && !role.can(Capability::ManageUsers) {
        "/admin".to_owned()
    } else {
        user_url(user_id)
    };
    Ok(Redirect::to(&with_message(&target, "saved")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordResetForm {
    password: String,
    confirm: String,
}

/// An admin sets a new password for an account; its sessions end (an admin resetting their
/// own keeps the one they are using).
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(user_id): IdParam,
    Form(form): Form<PasswordResetForm>,
) -> AppResult<Response> {
    user.require(Capability::ManageUsers)?;
    let account = db::users::get(&state.db, user_id).await?;
    let mut errors = FieldErrors::default();
    let Some(password_text) = new_password(&mut errors, &form.password, &form.confirm) else {
        let page = UserPage {
            password_errors: errors,
            ..UserPage::new(&state, user, account)
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = password::hash(password_text).await?;
    let keep = (user_id == user.user_id).then_some(user.session.as_slice());
    cli::reset_password(
        &state.db,
        user.actor(&ip),
        user_id,
        &account.username,
        &hash,
        keep,
    )
    .await?;
    Ok(Redirect::to(&with_message(&user_url(user_id), "password-reset")).into_response())
}

/// Blocks an account from logging in and ends its sessions.
pub async fn deactivate_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(user_id): IdParam,
) -> AppResult<Response> {
    user.require(Capability::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    let active_admins = db::users::lock_active_admins(&mut *tx).await?;
    let account = db::users::get(&mut *tx, user_id).await?;
    let refusal = if user_id == user.user_id {
        Some(SELF_DEACTIVATED)
    } else if active_admins == [user_id] {
        Some(LAST_ADMIN_DEACTIVATED)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        drop(tx);
        return Ok(UserPage::new(&state, user, account).refused(refusal));
    }
    if account.is_active {
        db::users::set_active(&mut *tx, user_id, false).await?;
        db::sessions::delete_others(&mut *tx, user_id, None).await?;
        db::audit::record(
            &mut *tx,
            user.actor(&ip),
            "user.deactivated",
            Some(("user", user_id)),
            &account.username,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Redirect::to(&with_message(&user_url(user_id), "deactivated")).into_response())
}

pub async fn reactivate_user(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(user_id): IdParam,
) -> AppResult<Response> {
    user.require(Capability::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    let account = db::users::get(&mut *tx, user_id).await?;
    if !account.is_active {
        db::users::set_active(&mut *tx, user_id, true).await?;
        db::audit::record(
            &mut *tx,
            user.actor(&ip),
            "user.reactivated",
            Some(("user", user_id)),
            &account.username,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(Redirect::to(&with_message(&user_url(user_id), "reactivated")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_password_must_be_long_enough_and_typed_twice() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            new_password(&mut errors, "mật khẩu đủ dài", "mật khẩu đủ dài").as_deref(),
            Some("mật khẩu đủ dài")
        );
        assert!(errors.is_empty());
        assert_eq!(
            new_password(&mut errors, "mật khẩu đủ dài", "mật khẩu khác"),
            None
        );
        assert_eq!(errors.get("confirm").unwrap(), PASSWORDS_DIFFER);
        let mut errors = FieldErrors::default();
        assert_eq!(new_password(&mut errors, "ngắn", "ngắn"), None);
        assert!(errors.has("password") && !errors.has("confirm"));
    }

    #[test]
    fn the_role_select_offers_the_four_roles_with_one_selected() {
        let options = role_options("editor");
        let labels: Vec<_> = options.iter().map(|o| o.label).collect();
        assert_eq!(
            labels,
            [
                "Quản trị",
                "Biên tập viên",
                "Phóng viên",
                "Kiểm duyệt bình luận"
            ]
        );
        assert!(options.iter().all(|o| o.selected == (o.value == "editor")));
    }
}
