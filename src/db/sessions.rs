use sqlx::PgExecutor;

use crate::{
    auth::{CurrentUser, Role},
    config::Config,
};

/// Seconds, for SQL intervals.
fn seconds(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64()
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
    config: &Config,
) -> sqlx::Result<Option<CurrentUser>> {
    let row = sqlx::query!(
        r#"with live as (
               update session s set last_seen_at = now()
               from app_user u
               where s.token_hash = $1 and u.user_id = s.user_id and u.is_active
                 and s.last_seen_at > now() - make_interval(secs => $2)
                 and s.created_at > now() - make_interval(secs => $3)
               returning u.user_id, u.username, u.display_name, u.role
           )
           select user_id, username, display_name, role as "role: Role" from live"#,
        token_hash,
        seconds(config.session_idle),
        seconds(config.session_max)
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| CurrentUser {
        user_id: r.user_id,
        username: r.username,
        display_name: r.display_name,
        role: r.role,
        session: token_hash.to_vec(),
    }))
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
pub async fn delete_expired(db: impl PgExecutor<'_>, config: &Config) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from session
         where last_seen_at <= now() - make_interval(secs => $1)
            or created_at <= now() - make_interval(secs => $2)",
        seconds(config.session_idle),
        seconds(config.session_max)
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
