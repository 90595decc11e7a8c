//! `article_presence`: the editor's heartbeat, who has which article open (a hint for the
//! others; the optimistic version check is what keeps edits apart).

use sqlx::PgExecutor;

/// `user_id` has `article_id` open in the editor now.
pub async fn record(db: impl PgExecutor<'_>, article_id: i64, user_id: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "insert into article_presence (article_id, user_id) values ($1, $2)
         on conflict (article_id, user_id) do update set seen_at = now()",
        article_id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The display names of the others heard from on `article_id` in the last `seconds`, the most
/// recent first.
pub async fn list_others(
    db: impl PgExecutor<'_>,
    article_id: i64,
    user_id: i64,
    seconds: i32,
) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        "select u.display_name from article_presence p join app_user u using (user_id)
         where p.article_id = $1 and p.user_id <> $2
           and p.seen_at > now() - make_interval(secs => $3)
         order by p.seen_at desc",
        article_id,
        user_id,
        f64::from(seconds)
    )
    .fetch_all(db)
    .await
}

/// Forgets heartbeats older than a day.
pub async fn delete_old(db: impl PgExecutor<'_>) -> sqlx::Result<u64> {
    let done =
        sqlx::query!("delete from article_presence where seen_at < now() - interval '1 day'")
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}
