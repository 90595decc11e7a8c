//! Database access: one module per table, free async functions, no SQL anywhere else.

pub mod articles;
pub mod audit;
pub mod captchas;
pub mod categories;
pub mod comments;
pub mod feeds;
pub mod login_attempts;
pub mod pending_logins;
pub mod recovery_codes;
pub mod revisions;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod users;

/// Whether the database answers.
pub async fn ping(db: impl sqlx::PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("select 1 as one").fetch_one(db).await?;
    Ok(())
}
