use sqlx::PgExecutor;
use time::OffsetDateTime;

pub async fn insert(
    db: impl PgExecutor<'_>,
    captcha_id: &str,
    kind: &str,
    answer: &str,
    question: &str,
    image_png: Option<&[u8]>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into captcha (captcha_id, kind, answer, question, image_png) values ($1, $2, $3, $4, $5)",
        captcha_id,
        kind,
        answer,
        question,
        image_png
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct Taken {
    pub answer: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// Removes a challenge and returns what was needed to check it: a challenge is answered once.
pub async fn take(db: impl PgExecutor<'_>, captcha_id: &str) -> sqlx::Result<Option<Taken>> {
    sqlx::query_as!(
        Taken,
        "delete from captcha where captcha_id = $1 returning answer, created_at, expires_at",
        captcha_id
    )
    .fetch_optional(db)
    .await
}

pub async fn find_image(
    db: impl PgExecutor<'_>,
    captcha_id: &str,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!(
        r#"select image_png as "image_png!" from captcha
           where captcha_id = $1 and kind = 'image' and expires_at > now()"#,
        captcha_id
    )
    .fetch_optional(db)
    .await
}

pub async fn delete_expired(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done = sqlx::query!("delete from captcha where expires_at < now()")
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
