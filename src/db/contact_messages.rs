//! "Hộp thư liên hệ": readers' messages from the contact form, and their states.

use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

vocabulary! {
    #[derive(sqlx::Type)]
    #[sqlx(type_name = "contact_state", rename_all = "lowercase")]
    pub enum ContactState {
        New => "new", "Mới";
        Read => "read", "Đã đọc";
        Answered => "answered", "Đã trả lời";
        Archived => "archived", "Lưu trữ";
    }
}

pub struct NewMessage<'a> {
    pub sender_name: &'a str,
    pub reply_to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The sender's IP as stored (or its hash).
    pub ip: &'a str,
}

/// What became of a reader's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Stored(i64),
    /// `per_ip` messages came from this IP in the last ten minutes.
    TooMany,
}

/// Stores a message unless its IP has sent `per_ip` in ten minutes. The check and the insert
/// happen under a per-IP lock, so a burst of concurrent posts stores exactly `per_ip`.
pub async fn send(db: &PgPool, m: &NewMessage<'_>, per_ip: i64) -> sqlx::Result<Sent> {
    let mut tx = db.begin().await?;
    super::locks::lock(&mut *tx, super::locks::CONTACT_IP, m.ip).await?;
    if count_recent_from(&mut *tx, m.ip).await? >= per_ip {
        return Ok(Sent::TooMany);
    }
    let id = sqlx::query_scalar!(
        "insert into contact_message (sender_name, reply_to, subject, body, ip)
         values ($1, $2, $3, $4, $5) returning contact_message_id",
        m.sender_name,
        m.reply_to,
        m.subject,
        m.body,
        m.ip
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Sent::Stored(id))
}

/// Messages sent from `ip` (or its hash) in the last ten minutes.
pub async fn count_recent_from(db: impl PgExecutor<'_>, ip: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from contact_message
           where ip = $1 and created_at > now() - interval '10 minutes'"#,
        ip
    )
    .fetch_one(db)
    .await
}

/// Messages nobody has opened yet.
pub async fn count_new(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from contact_message where state = 'new'"#)
        .fetch_one(db)
        .await
}

/// A message, whole.
#[derive(Debug, Clone)]
pub struct Message {
    pub contact_message_id: i64,
    pub sender_name: String,
    pub reply_to: String,
    pub subject: String,
    pub body: String,
    pub state: ContactState,
    pub created_at: OffsetDateTime,
}

/// The inbox, newest first, in one state or all.
pub async fn list(
    db: impl PgExecutor<'_>,
    state: Option<ContactState>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as!(
        Message,
        r#"select contact_message_id, sender_name, reply_to, subject, body,
                  state as "state: ContactState", created_at
           from contact_message
           where $1::contact_state is null or state = $1
           order by created_at desc, contact_message_id desc
           limit $2 offset $3"#,
        state as Option<ContactState>,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count(db: impl PgExecutor<'_>, state: Option<ContactState>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from contact_message
           where $1::contact_state is null or state = $1"#,
        state as Option<ContactState>
    )
    .fetch_one(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Message> {
    sqlx::query_as!(
        Message,
        r#"select contact_message_id, sender_name, reply_to, subject, body,
                  state as "state: ContactState", created_at
           from contact_message where contact_message_id = $1"#,
        id
    )
    .fetch_one(db)
    .await
}

/// Moves a message to `state`; returns the state it was in (`None`: no such message).
pub async fn set_state(
    db: impl PgExecutor<'_>,
    id: i64,
    state: ContactState,
) -> sqlx::Result<Option<ContactState>> {
    sqlx::query_scalar!(
        r#"update contact_message m set state = $2, updated_at = now()
           from contact_message old
           where m.contact_message_id = $1 and old.contact_message_id = m.contact_message_id
           returning old.state as "state: ContactState""#,
        id,
        state as ContactState
    )
    .fetch_optional(db)
    .await
}

/// Deletes the messages sent more than `days` days ago, and erases the IP of those sent more
/// than a day ago (it only serves the per-IP limit); returns how many were deleted.
pub async fn delete_old(db: &PgPool, days: i32) -> sqlx::Result<u64> {
    let deleted = sqlx::query!(
        "delete from contact_message where created_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    sqlx::query!(
        "update contact_message set ip = null
         where ip is not null and created_at < now() - interval '1 day'"
    )
    .execute(db)
    .await?;
    Ok(deleted.rows_affected())
}
