//! One-time recovery codes for two-factor authentication: only their SHA-256 is stored.

use sqlx::PgExecutor;

/// Replaces an account's codes with new ones (their hashes).
pub async fn replace(
    db: &mut sqlx::PgConnection,
    user_id: i64,
    hashes: &[Vec<u8>],
) -> sqlx::Result<()> {
    delete_all(&mut *db, user_id).await?;
    sqlx::query!(
        "insert into totp_recovery_code (user_id, code_hash) select $1, unnest($2::bytea[])",
        user_id,
        hashes
    )
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Uses the code with this hash if the account has it unused; one statement, so a code
/// serves once even when sent twice at the same moment.
pub async fn use_code(db: impl PgExecutor<'_>, user_id: i64, hash: &[u8]) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update totp_recovery_code set used_at = now()
         where user_id = $1 and code_hash = $2 and used_at is null",
        user_id,
        hash
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_unused(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from totp_recovery_code
           where user_id = $1 and used_at is null"#,
        user_id
    )
    .fetch_one(db)
    .await
}

pub async fn delete_all(db: impl PgExecutor<'_>, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!("delete from totp_recovery_code where user_id = $1", user_id)
        .execute(db)
        .await?;
    Ok(())
}
