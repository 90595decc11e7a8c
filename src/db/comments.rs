use sqlx::PgExecutor;

/// Comments waiting for a moderator.
pub async fn count_pending(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from comment where status = 'pending'"#)
        .fetch_one(db)
        .await
}
