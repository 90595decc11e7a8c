//! `article_file`: the files attached to an article ("Tài liệu đính kèm").

use sqlx::{PgConnection, PgExecutor};

use super::media_files::FileLink;

/// The files of an article, in order.
pub async fn list(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Vec<FileLink>> {
    sqlx::query_as!(
        FileLink,
        "select f.media_file_id, f.original_name, f.content_type, f.byte_size
         from article_file l join media_file f using (media_file_id)
         where l.article_id = $1
         order by l.position, f.media_file_id",
        article_id
    )
    .fetch_all(db)
    .await
}

/// Makes `file_ids` the article's files, in that order (ids with no file are skipped).
pub async fn set(tx: &mut PgConnection, article_id: i64, file_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "delete from article_file where article_id = $1 and media_file_id <> all($2)",
        article_id,
        file_ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into article_file (article_id, media_file_id, position)
         select $1, f.media_file_id, wanted.n::int
         from unnest($2::bigint[]) with ordinality as wanted (file_id, n)
         join media_file f on f.media_file_id = wanted.file_id
         on conflict (article_id, media_file_id) do update set position = excluded.position",
        article_id,
        file_ids
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
