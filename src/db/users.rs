use sqlx::PgExecutor;
use time::OffsetDateTime;

vocabulary! {
    /// A staff member's role; what each may do is `auth::Role::can`.
    #[derive(sqlx::Type, serde::Deserialize)]
    #[sqlx(type_name = "user_role", rename_all = "lowercase")]
    #[serde(rename_all = "lowercase")]
    pub enum Role {
        Admin => "admin", "Quản trị";
        Editor => "editor", "Biên tập viên";
        Reporter => "reporter", "Phóng viên";
        Moderator => "moderator", "Kiểm duyệt bình luận";
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub user_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: OffsetDateTime,
    /// Whether two-factor authentication is on.
    pub two_factor: bool,
}

/// What login needs: the account matching a username or e-mail, with its hash.
#[derive(Debug)]
pub struct Credentials {
    pub user_id: i64,
    pub username: String,
    pub password_hash: String,
    pub is_active: bool,
    /// Whether a code is asked for after the password.
    pub two_factor: bool,
}

pub async fn find_credentials(
    db: impl PgExecutor<'_>,
    login: &str,
) -> sqlx::Result<Option<Credentials>> {
    sqlx::query_as!(
        Credentials,
        r#"select user_id, username, password_hash, is_active,
                  totp_secret is not null as "two_factor!"
           from app_user
           where username = lower($1) or lower(email) = lower($1)"#,
        login
    )
    .fetch_optional(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<User> {
    sqlx::query_as!(
        User,
        r#"select user_id, username, email, display_name, role as "role: Role", is_active, created_at,
                  totp_secret is not null as "two_factor!"
           from app_user where user_id = $1"#,
        user_id
    )
    .fetch_one(db)
    .await
}

pub async fn get_password_hash(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<String> {
    sqlx::query_scalar!(
        "select password_hash from app_user where user_id = $1",
        user_id
    )
    .fetch_one(db)
    .await
}

/// Everyone, in Vietnamese alphabetical order of their names.
pub async fn list(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<User>> {
    sqlx::query_as!(
        User,
        r#"select user_id, username, email, display_name, role as "role: Role", is_active, created_at,
                  totp_secret is not null as "two_factor!"
           from app_user order by display_name, username"#
    )
    .fetch_all(db)
    .await
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: &'a str,
}

pub async fn insert(db: impl PgExecutor<'_>, u: &NewUser<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into app_user (username, email, display_name, role, password_hash)
         values ($1, $2, $3, $4, $5) returning user_id",
        u.username,
        u.email,
        u.display_name,
        u.role as Role,
        u.password_hash
    )
    .fetch_one(db)
    .await
}

pub async fn set_password(
    db: impl PgExecutor<'_>,
    user_id: i64,
    password_hash: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user set password_hash = $2, updated_at = now() where user_id = $1",
        user_id,
        password_hash
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_role(db: impl PgExecutor<'_>, user_id: i64, role: Role) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user set role = $2, updated_at = now() where user_id = $1",
        user_id,
        role as Role
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_active(db: impl PgExecutor<'_>, user_id: i64, active: bool) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user set is_active = $2, updated_at = now() where user_id = $1",
        user_id,
        active
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn find_id_by_username(
    db: impl PgExecutor<'_>,
    username: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select user_id from app_user where username = lower($1)",
        username
    )
    .fetch_optional(db)
    .await
}

pub async fn count_active_admins(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from app_user where role = 'admin' and is_active"#
    )
    .fetch_one(db)
    .await
}

/// Longest display name (`app_user_display_name_length`).
pub const DISPLAY_NAME_MAX: usize = 100;

/// Whether another account (not `except_user_id`) has this e-mail address, in any case.
pub async fn email_taken(
    db: impl PgExecutor<'_>,
    email: &str,
    except_user_id: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(
               select 1 from app_user
               where lower(email) = lower($1) and user_id is distinct from $2
           ) as "exists!""#,
        email,
        except_user_id
    )
    .fetch_one(db)
    .await
}

pub async fn update_profile(
    db: impl PgExecutor<'_>,
    user_id: i64,
    display_name: &str,
    email: Option<&str>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user set display_name = $2, email = $3, updated_at = now() where user_id = $1",
        user_id,
        display_name,
        email
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The ids of the active admins, locked until the transaction ends: two admins demoting or
/// deactivating each other at the same moment cannot leave the site without one.
pub async fn lock_active_admins(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "select user_id from app_user where role = 'admin' and is_active
         order by user_id for update"
    )
    .fetch_all(db)
    .await
}

/// An account's two-factor secrets: the one in use, and the one its setup page shows.
#[derive(Debug)]
pub struct TwoFactorSecrets {
    pub secret: Option<Vec<u8>>,
    pub pending: Option<Vec<u8>>,
}

pub async fn two_factor_secrets(
    db: impl PgExecutor<'_>,
    user_id: i64,
) -> sqlx::Result<TwoFactorSecrets> {
    sqlx::query_as!(
        TwoFactorSecrets,
        r#"select totp_secret as secret, totp_pending_secret as pending
           from app_user where user_id = $1"#,
        user_id
    )
    .fetch_one(db)
    .await
}

/// The secret the setup page shows: the one already offered, else `secret` (so two tabs, or a
/// reload, show the same one).
pub async fn offer_two_factor_secret(
    db: impl PgExecutor<'_>,
    user_id: i64,
    secret: &[u8],
) -> sqlx::Result<Vec<u8>> {
    sqlx::query_scalar!(
        r#"update app_user set totp_pending_secret = coalesce(totp_pending_secret, $2)
           where user_id = $1
           returning totp_pending_secret as "secret!""#,
        user_id,
        secret
    )
    .fetch_one(db)
    .await
}

/// Turns two-factor authentication on with the offered `secret`, whose code for time step
/// `step` was just typed; `false` when it is on already or another secret is offered now.
pub async fn enable_two_factor(
    db: impl PgExecutor<'_>,
    user_id: i64,
    secret: &[u8],
    step: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user
         set totp_secret = totp_pending_secret, totp_pending_secret = null, totp_last_step = $3,
             updated_at = now()
         where user_id = $1 and totp_secret is null and totp_pending_secret = $2",
        user_id,
        secret,
        step
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns two-factor authentication off; `false` when it was off.
pub async fn disable_two_factor(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user
         set totp_secret = null, totp_pending_secret = null, totp_last_step = 0, updated_at = now()
         where user_id = $1 and totp_secret is not null",
        user_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Accepts the code of time step `step` unless that step or a later one was accepted before
/// (RFC 6238 §5.2: a code is valid once); one statement, so two requests cannot both use it.
pub async fn use_totp_step(db: impl PgExecutor<'_>, user_id: i64, step: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update app_user set totp_last_step = $2
         where user_id = $1 and totp_secret is not null and totp_last_step < $2",
        user_id,
        step
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
