//! Database access: one module per table, free async functions, no SQL anywhere else.

pub mod article_drafts;
pub mod article_files;
pub mod article_presence;
pub mod articles;
pub mod audit;
pub mod captchas;
pub mod categories;
pub mod comments;
pub mod contact_messages;
pub mod documents;
pub mod feeds;
pub mod login_attempts;
pub mod mail_outbox;
pub mod media_files;
pub mod media_images;
pub mod menu;
pub mod notifications;
pub mod page_revisions;
pub mod pages;
pub mod pending_logins;
pub mod recovery_codes;
pub mod replication;
pub mod revisions;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod users;
pub mod visitors;

/// Namespaces of the per-key transaction locks (the first key of
/// `pg_advisory_xact_lock(int, int)`), so that keys of different kinds never share a lock.
mod locks {
    /// Password checks from one IP.
    pub(super) const LOGIN_IP: i32 = 1;
    /// Password checks for one account.
    pub(super) const LOGIN_ACCOUNT: i32 = 2;
    /// Comments from one IP.
    pub(super) const COMMENT_IP: i32 = 3;
    /// One text on one article (duplicate comments).
    pub(super) const COMMENT_TEXT: i32 = 4;
    /// Text captcha questions given to one IP.
    pub(super) const QUESTION_IP: i32 = 5;
    /// Contact messages from one IP.
    pub(super) const CONTACT_IP: i32 = 6;

    /// Takes the transaction lock of `key` in `namespace`.
    pub(super) async fn lock(
        db: impl sqlx::PgExecutor<'_>,
        namespace: i32,
        key: &str,
    ) -> sqlx::Result<()> {
        sqlx::query!(
            "select pg_advisory_xact_lock($1, hashtext($2)) as locked",
            namespace,
            key
        )
        .fetch_one(db)
        .await?;
        Ok(())
    }
}

/// Whether the database answers.
pub async fn ping(db: impl sqlx::PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("select 1 as one").fetch_one(db).await?;
    Ok(())
}
