//! Brute-force limits: recent failed logins per account and per IP.

use sqlx::PgExecutor;

/// Failures for one account within the window that lock it.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Failures from one IP within the window that block it.
pub const IP_LIMIT: i64 = 20;
/// The window, in minutes.
pub const WINDOW_MINUTES: i32 = 15;

pub async fn record(
    db: impl PgExecutor<'_>,
    username: &str,
    ip: &str,
    succeeded: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into login_attempt (username, ip, succeeded) values (lower($1), $2, $3)",
        username,
        ip,
        succeeded
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Whether a login for `username` from `ip` must be refused: too many recent failures for the
/// account (since its last success) or from the IP.
pub async fn is_blocked(db: impl PgExecutor<'_>, username: &str, ip: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select (
               select count(*) from login_attempt a
               where a.username = lower($1) and not a.succeeded
                 and a.at > now() - make_interval(mins => $3)
                 and a.at > coalesce((select max(at) from login_attempt
                                      where username = lower($1) and succeeded), '-infinity')
           ) >= $4
           or (
               select count(*) from login_attempt
               where ip = $2 and not succeeded and at > now() - make_interval(mins => $3)
           ) >= $5 as "blocked!""#,
        username,
        ip,
        WINDOW_MINUTES,
        ACCOUNT_LIMIT,
        IP_LIMIT
    )
    .fetch_one(db)
    .await
}

/// Attempts older than a day are of no use.
pub async fn delete_old(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!("delete from login_attempt where at < now() - interval '1 day'")
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
