//! E-mail waiting to be sent, sent, or given up on (see `crate::mail`).

use sqlx::{PgConnection, PgExecutor};

/// A message to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub mail_id: i64,
    pub recipient: String,
    pub recipient_name: String,
    pub subject: String,
    pub body: String,
    /// Tries so far.
    pub attempts: i32,
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    recipient: &str,
    recipient_name: &str,
    subject: &str,
    body: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into mail_outbox (recipient, recipient_name, subject, body)
         values ($1, $2, $3, $4) returning mail_id",
        recipient,
        recipient_name,
        subject,
        body
    )
    .fetch_one(db)
    .await
}

/// The oldest message due that nobody else is sending, locked until the transaction ends
/// (other instances skip it); one tried `max_attempts` times already is left alone.
pub async fn claim_next(tx: &mut PgConnection, max_attempts: i32) -> sqlx::Result<Option<Mail>> {
    sqlx::query_as!(
        Mail,
        "select mail_id, recipient, recipient_name, subject, body, attempts from mail_outbox
         where sent_at is null and attempts < $1 and next_attempt_at <= now()
         order by next_attempt_at, mail_id
         limit 1 for update skip locked",
        max_attempts
    )
    .fetch_optional(tx)
    .await
}

pub async fn mark_sent(db: impl PgExecutor<'_>, mail_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "update mail_outbox set sent_at = now(), attempts = attempts + 1, last_error = ''
         where mail_id = $1",
        mail_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Records a failed try; the next one is `retry_in_seconds` from now.
pub async fn mark_failed(
    db: impl PgExecutor<'_>,
    mail_id: i64,
    error: &str,
    retry_in_seconds: f64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update mail_outbox
         set attempts = attempts + 1, last_error = $2,
             next_attempt_at = now() + make_interval(secs => $3)
         where mail_id = $1",
        mail_id,
        error,
        retry_in_seconds
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes messages created more than `days` ago (sent, or given up on); returns how many.
pub async fn delete_old(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from mail_outbox where created_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
