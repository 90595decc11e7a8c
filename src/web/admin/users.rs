//! Staff accounts: list, create, change role, reset password, deactivate and reactivate.
//! Accounts are never deleted: the audit log keeps pointing at them.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use sqlx::PgTransaction;

use crate::{
    AppState, accounts,
    auth::{Capability, Role, password, two_factor},
    db::{
        self,
        audit::{AuditAction, Target},
        users::{DISPLAY_NAME_MAX, NewUser, User},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        filters,
        form::{ConstraintExt, FieldErrors, Form, Unique, required},
    },
};

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
pub(crate) struct RoleOption {
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
    accounts::check_email(value).unwrap_or_else(|_| {
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

/// The account's unique fields.
const UNIQUE: &[Unique] = &[
    Unique {
        constraint: "app_user_username_key",
        field: "username",
        message: USERNAME_TAKEN,
    },
    Unique {
        constraint: "app_user_email_key",
        field: "email",
        message: EMAIL_TAKEN,
    },
];

// --- List ---------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "admin/users/list.html")]
pub(crate) struct UsersPage {
    layout: AdminLayout,
    users: Vec<User>,
}

pub(crate) async fn list_users(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<UsersPage> {
    layout.user.require(Capability::ManageUsers)?;
    let users = db::users::list(&state.db).await?;
    Ok(UsersPage {
        layout: layout.page("Người dùng", "users"),
        users,
    })
}

// --- Create -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(default)]
pub(crate) struct NewUserForm {
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
pub(crate) struct NewUserPage {
    layout: AdminLayout,
    form: NewUserForm,
    roles: Vec<RoleOption>,
    errors: FieldErrors,
}

impl NewUserPage {
    fn new(layout: AdminLayout, mut form: NewUserForm, errors: FieldErrors) -> Self {
        // Passwords are never sent back.
        form.password.clear();
        form.confirm.clear();
        Self {
            layout: layout.page("Thêm người dùng", "users"),
            roles: role_options(&form.role),
            form,
            errors,
        }
    }
}

pub(crate) async fn new_user(layout: AdminLayout) -> AppResult<NewUserPage> {
    layout.user.require(Capability::ManageUsers)?;
    Ok(NewUserPage::new(
        layout,
        NewUserForm::default(),
        FieldErrors::default(),
    ))
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form, mut errors): Form<NewUserForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageUsers)?;
    let username = accounts::check_username(&form.username).ok();
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
        let page = NewUserPage::new(layout, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let hash = state.passwords.hash(password_text).await?;
    let account = NewUser {
        username: &username,
        email: email.as_deref(),
        display_name: &display_name,
        role,
        password_hash: &hash,
    };
    // Someone may have taken the name or address since we checked.
    match accounts::create(&state.db, staff.actor(), &account)
        .await
        .on_constraint(UNIQUE)?
    {
        Ok(_) => Ok(Flash::UserCreated.redirect(LIST_URL)),
        Err(errors) => {
            let page = NewUserPage::new(layout, form, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

// --- Edit ---------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ProfileForm {
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
pub(crate) struct UserPage {
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
    fn new(layout: AdminLayout, account: User) -> Self {
        let form = ProfileForm::of(&account);
        Self {
            layout: layout.page(account.display_name.clone(), "users"),
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
}

pub(crate) async fn edit_user(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(user_id): IdParam,
) -> AppResult<UserPage> {
    layout.user.require(Capability::ManageUsers)?;
    let account = db::users::get(&state.db, user_id).await?;
    Ok(UserPage::new(layout, account))
}

/// Saves the display name, e-mail and role.
pub(crate) async fn update_user(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(user_id): IdParam,
    Form(form, mut errors): Form<ProfileForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageUsers)?;
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
        let page = UserPage::new(layout, account).with_form(form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if role != Role::Admin && active_admins == [user_id] {
        drop(tx);
        return Ok(UserPage::new(layout, account)
            .with_form(form, errors)
            .refused(LAST_ADMIN_DEMOTED));
    }

    let target = Target::User(user_id);
    let mut changed = Vec::new();
    if display_name != account.display_name {
        changed.push("display_name");
    }
    if email != account.email {
        changed.push("email");
    }
    if !changed.is_empty() {
        let saved = db::users::update_profile(&mut *tx, user_id, &display_name, email.as_deref())
            .await
            .on_constraint(UNIQUE)?;
        if let Err(errors) = saved {
            drop(tx);
            let page = UserPage::new(layout, account).with_form(form, errors);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        let details = format!("{}: {}", account.username, changed.join(", "));
        staff
            .log(&mut *tx, AuditAction::UserUpdated, target, &details)
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
        staff
            .log(&mut *tx, AuditAction::UserRoleChanged, target, &details)
            .await?;
    }
    tx.commit().await?;

    // An admin who gave up their own admin role can no longer see this page.
    let next = if user_id == staff.user_id && !role.can(Capability::ManageUsers) {
        "/admin".to_owned()
    } else {
        user_url(user_id)
    };
    Ok(Flash::Saved.redirect(&next))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PasswordResetForm {
    password: String,
    confirm: String,
}

/// An admin sets a new password for an account; its sessions end (an admin resetting their
/// own keeps the one they are using).
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(user_id): IdParam,
    Form(form, mut errors): Form<PasswordResetForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageUsers)?;
    let account = db::users::get(&state.db, user_id).await?;
    let password_text = new_password(&mut errors, &form.password, &form.confirm);
    let (Some(password_text), true) = (password_text, errors.is_empty()) else {
        let page = UserPage {
            password_errors: errors,
            ..UserPage::new(layout, account)
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = state.passwords.hash(password_text).await?;
    let keep = (user_id == staff.user_id).then_some(staff.session.as_slice());
    accounts::reset_password(
        &state.db,
        staff.actor(),
        user_id,
        &account.username,
        &hash,
        keep,
    )
    .await?;
    Ok(Flash::PasswordReset.redirect(&user_url(user_id)))
}

/// Blocks an account from logging in and ends its sessions.
pub(crate) async fn deactivate_user(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(user_id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    let active_admins = db::users::lock_active_admins(&mut *tx).await?;
    let account = db::users::get(&mut *tx, user_id).await?;
    let refusal = if user_id == staff.user_id {
        Some(SELF_DEACTIVATED)
    } else if active_admins == [user_id] {
        Some(LAST_ADMIN_DEACTIVATED)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        drop(tx);
        return Ok(UserPage::new(layout, account).refused(refusal));
    }
    set_active(&staff, tx, account, false).await
}

pub(crate) async fn reactivate_user(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(user_id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    let account = db::users::get(&mut *tx, user_id).await?;
    set_active(&staff, tx, account, true).await
}

/// Unless the account already is so: changes it (a deactivated account's sessions end), with
/// its audit entry.
async fn set_active(
    staff: &Staff,
    mut tx: PgTransaction<'_>,
    account: User,
    active: bool,
) -> AppResult<Response> {
    let (action, flash) = if active {
        (AuditAction::UserReactivated, Flash::Reactivated)
    } else {
        (AuditAction::UserDeactivated, Flash::Deactivated)
    };
    let url = user_url(account.user_id);
    if account.is_active == active {
        return Ok(flash.redirect(&url));
    }
    db::users::set_active(&mut *tx, account.user_id, active).await?;
    if !active {
        db::sessions::delete_others(&mut *tx, account.user_id, None).await?;
    }
    let entry = (action, Target::User(account.user_id), &*account.username);
    staff.finish(tx, entry, &url, flash).await
}

/// Turns off another account's two-factor authentication (a lost phone): its next login
/// needs only the password.
pub(crate) async fn reset_two_factor(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(user_id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageUsers)?;
    let mut tx = state.db.begin().await?;
    let account = db::users::get(&mut *tx, user_id).await?;
    let url = user_url(user_id);
    if !two_factor::turn_off(&mut tx, user_id).await? {
        return Ok(Flash::TwoFactorReset.redirect(&url));
    }
    let entry = (
        AuditAction::TwoFactorReset,
        Target::User(user_id),
        &*account.username,
    );
    staff.finish(tx, entry, &url, Flash::TwoFactorReset).await
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
