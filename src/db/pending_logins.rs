//! Logins waiting for their second step: a right password for an account with two-factor
//! authentication. The browser holds a random token; the database only its SHA-256.

use sqlx::PgExecutor;

use crate::db::login_attempts::Attempt;

/// How long the code may take after the password, in minutes.
pub const LIFETIME_MINUTES: i32 = 5;

/// A live pending login and what its second step needs.
#[derive(Debug)]
pub struct PendingLogin {
    pub user_id: i64,
    pub username: String,
    /// The account's TOTP secret (`None`: two-factor authentication was turned off since).
    pub secret: Option<Vec<u8>>,
    /// The password's attempt, a failure until the code is right.
    pub attempt: Attempt,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
    user_id: i64,
    attempt: Attempt,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into pending_login (token_hash, user_id, login_attempt_id) values ($1, $2, $3)",
        token_hash,
        user_id,
        attempt.0
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The pending login of this token, unless it is older than [`LIFETIME_MINUTES`] or its
/// account was deactivated.
pub async fn find(
    db: impl PgExecutor<'_>,
    token_hash: &[u8],
) -> sqlx::Result<Option<PendingLogin>> {
    let row = sqlx::query!(
        "select p.user_id, u.username, u.totp_secret, p.login_attempt_id
         from pending_login p join app_user u on u.user_id = p.user_id
         where p.token_hash = $1 and u.is_active
           and p.created_at > now() - make_interval(mins => $2)",
        token_hash,
        LIFETIME_MINUTES
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| PendingLogin {
        user_id: row.user_id,
        username: row.username,
        secret: row.totp_secret,
        attempt: Attempt(row.login_attempt_id),
    }))
}

/// Ends a pending login; `false` when it had already ended (a token serves once).
pub async fn delete(db: impl PgExecutor<'_>, token_hash: &[u8]) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "delete from pending_login where token_hash = $1",
        token_hash
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes pending logins past their lifetime.
pub async fn delete_expired(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from pending_login where created_at <= now() - make_interval(mins => $1)",
        LIFETIME_MINUTES
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
