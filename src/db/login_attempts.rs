//! Brute-force limits: recent failed password checks per account and per IP.
//!
//! A check is reserved before the (slow) password verification and counted as a failure until
//! it succeeds: the count and the reservation happen together under per-key locks, so a burst
//! of concurrent attempts gets exactly as many tries as the limits allow.

use sqlx::{PgExecutor, PgPool};

/// Failures for one account within the window that lock it.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Failures from one IP within the window that block it.
pub const IP_LIMIT: i64 = 20;
/// The window, in minutes.
pub const WINDOW_MINUTES: i32 = 15;

/// A reserved attempt, counted as a failure until [`succeeded`] says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt(pub(super) i64);

/// Reserves a password check for `account` (an account's username, or the login as typed
/// when no account has it) from `ip`; `None` when too many recent failures block it: for the
/// account since its last success, or from the IP.
pub async fn begin(db: &PgPool, account: &str, ip: &str) -> sqlx::Result<Option<Attempt>> {
    let mut tx = db.begin().await?;
    // Always the IP first, then the account: no two attempts wait for each other in a cycle.
    sqlx::query!(
        "select pg_advisory_xact_lock($1, hashtext($2)), pg_advisory_xact_lock($3, hashtext(lower($4)))",
        super::locks::LOGIN_IP,
        ip,
        super::locks::LOGIN_ACCOUNT,
        account
    )
    .fetch_one(&mut *tx)
    .await?;
    let reserved = sqlx::query_scalar!(
        r#"insert into login_attempt (username, ip, succeeded)
           select lower($1), $2, false
           where (
               select count(*) from login_attempt a
               where a.username = lower($1) and not a.succeeded
                 and a.at > now() - make_interval(mins => $3)
                 and a.at > coalesce((select max(at) from login_attempt
                                      where username = lower($1) and succeeded), '-infinity')
           ) < $4
           and (
               select count(*) from login_attempt
               where ip = $2 and not succeeded and at > now() - make_interval(mins => $3)
           ) < $5
           returning login_attempt_id"#,
        account,
        ip,
        WINDOW_MINUTES,
        ACCOUNT_LIMIT,
        IP_LIMIT
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(reserved.map(Attempt))
}

/// The password was right: the attempt no longer counts against the limits.
pub async fn succeeded(db: impl PgExecutor<'_>, attempt: Attempt) -> sqlx::Result<()> {
    sqlx::query!(
        "update login_attempt set succeeded = true where login_attempt_id = $1",
        attempt.0
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The check did not happen after all (the server was too busy): forget the reservation.
pub async fn cancel(db: impl PgExecutor<'_>, attempt: Attempt) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from login_attempt where login_attempt_id = $1",
        attempt.0
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Attempts older than a day are of no use.
pub async fn delete_old(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!("delete from login_attempt where at < now() - interval '1 day'")
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
