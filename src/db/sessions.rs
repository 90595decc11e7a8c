use std::time::Duration;

use sqlx::PgExecutor;

use crate::db::users::Role;

/// When a session ends: after `idle` without a request, or `max` after login.
#[derive(Debug, Clone, Copy)]
pub struct SessionLimits {
    pub idle: Duration,
    pub max: Duration,
}

/// The active account behind a live session.
#[derive(Debug)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Whether the account has two-factor authentication on.
    pub two_factor: bool,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    user_id: i64,
    ip: &str,
    user_agent: &str,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into session (token_hash, user_id, ip, user_agent) values ($1, $2, $3, $4)",
        token_hash,
        user_id,
        ip,
        user_agent
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The active user of a live session (neither idle too long nor too old), marking it seen.
pub async fn find_user(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    limits: SessionLimits,
) -> sqlx::Result<Option<SessionUser>> {
    sqlx::query_as!(
        SessionUser,
        r#"with live as (
               update session s set last_seen_at = now()
               from app_user u
               where s.token_hash = $1 and u.user_id = s.user_id and u.is_active
                 and s.last_seen_at > now() - make_interval(secs => $2)
                 and s.created_at > now() - make_interval(secs => $3)
               returning u.user_id, u.username, u.display_name, u.role,
                         u.totp_secret is not null as two_factor
           )
           select user_id, username, display_name, role as "role: Role",
                  two_factor as "two_factor!"
           from live"#,
        token_hash,
        limits.idle.as_secs_f64(),
        limits.max.as_secs_f64()
    )
    .fetch_optional(db)
    .await
}

pub async fn delete(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<()> {
    sqlx::query!("delete from session where token_hash = $1", token_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Ends every session of a user except `keep` (after a password change).
pub async fn delete_others(
    db: impl PgExecutor<'_>,
    user_id: i64,
    keep: Option<&[u8]>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from session where user_id = $1 and ($2::bytea is null or token_hash <> $2)",
        user_id,
        keep
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Removes sessions past either limit.
pub async fn delete_expired(db: impl PgExecutor<'_>, limits: SessionLimits) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from session
         where last_seen_at <= now() - make_interval(secs => $1)
            or created_at <= now() - make_interval(secs => $2)",
        limits.idle.as_secs_f64(),
        limits.max.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
