use sqlx::{PgExecutor, PgPool};
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

/// Records a text question given to `ip`, unless it has had `per_hour` in the last hour; the
/// count and the record happen under a per-IP lock, so a burst gets exactly `per_hour`.
pub async fn record_question_use(db: &PgPool, ip: &str, per_hour: i64) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    super::locks::lock(&mut *tx, super::locks::QUESTION_IP, ip).await?;
    let recorded = sqlx::query_scalar!(
        r#"insert into captcha_question_use (ip)
           select $1
           where (select count(*) from captcha_question_use
                  where ip = $1 and used_at > now() - interval '1 hour') < $2
           returning used_at"#,
        ip,
        per_hour
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(recorded.is_some())
}

/// Text questions given in the last `days` days.
pub async fn count_question_uses(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from captcha_question_use
           where used_at > now() - make_interval(days => $1)"#,
        days
    )
    .fetch_one(db)
    .await
}

/// Uses older than 30 days are of no use.
pub async fn delete_old_question_uses(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done =
        sqlx::query!("delete from captcha_question_use where used_at < now() - interval '30 days'")
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}
