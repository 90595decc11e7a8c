//! `media_file`: every stored upload other than image variants (the media library's registry).

use sqlx::PgExecutor;

use super::media_images::{Removed, Use};
use crate::media::files::SavedFile;

/// What the registry records of a new file.
pub async fn insert(
    db: impl PgExecutor<'_>,
    file: &SavedFile,
    uploaded_by: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into media_file (storage_key, original_name, content_type, byte_size, sha256, uploaded_by)
         values ($1, $2, $3, $4, $5, $6)
         returning media_file_id",
        file.storage_key,
        file.original_name,
        file.kind.content_type(),
        file.byte_size,
        file.sha256,
        uploaded_by
    )
    .fetch_one(db)
    .await
}

/// A stored file, as a download link shows it.
#[derive(Debug, Clone)]
pub struct FileLink {
    pub media_file_id: i64,
    pub original_name: String,
    pub content_type: String,
    pub byte_size: i64,
}

/// The files of `ids` that exist, in the order of `ids`.
pub async fn list_by_ids(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<FileLink>> {
    sqlx::query_as!(
        FileLink,
        "select f.media_file_id, f.original_name, f.content_type, f.byte_size
         from unnest($1::bigint[]) with ordinality as wanted (id, n)
         join media_file f on f.media_file_id = wanted.id
         order by wanted.n",
        ids
    )
    .fetch_all(db)
    .await
}

/// A file readers may download, with where it is stored.
#[derive(Debug, Clone)]
pub struct Download {
    pub storage_key: String,
    pub original_name: String,
    pub content_type: String,
}

/// The file, when something readers can see carries it (a document, a published article);
/// `None` otherwise, so a file uploaded with a form that was never saved, or whose document
/// was deleted or article unpublished, is not served.
pub async fn get_public(
    db: impl PgExecutor<'_>,
    media_file_id: i64,
) -> sqlx::Result<Option<Download>> {
    sqlx::query_as!(
        Download,
        "select storage_key, original_name, content_type from media_file f
         where media_file_id = $1
           and (exists (select 1 from legal_document_file l where l.media_file_id = f.media_file_id)
                or exists (select 1 from article_file l join article a using (article_id)
                           where l.media_file_id = f.media_file_id and a.status = 'published'))",
        media_file_id
    )
    .fetch_optional(db)
    .await
}

/// A file of the library, as its page shows it.
#[derive(Debug, Clone)]
pub struct LibraryFile {
    pub media_file_id: i64,
    pub storage_key: String,
    pub original_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub uploader: Option<String>,
    pub uploaded_at: time::OffsetDateTime,
}

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<LibraryFile>> {
    sqlx::query_as!(
        LibraryFile,
        r#"select f.media_file_id, f.storage_key, f.original_name, f.content_type, f.byte_size,
                  u.display_name as "uploader?", f.uploaded_at
           from media_file f left join app_user u on u.user_id = f.uploaded_by
           where f.media_file_id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Where the file is used: the articles and documents it is attached to, and the article,
/// page and document bodies that link to it.
pub async fn uses(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Vec<Use>> {
    sqlx::query_as!(
        Use,
        r#"select kind as "kind!", id as "id!", title as "title!", place as "place!" from (
               select 'article' as kind, a.article_id as id, a.title, 'attachment' as place
               from article_file l join article a using (article_id) where l.media_file_id = $1
               union all
               select 'document', d.legal_document_id, d.number, 'attachment'
               from legal_document_file l join legal_document d using (legal_document_id)
               where l.media_file_id = $1
               union all
               select 'article', article_id, title, 'link' from article
               where strpos(body_html, '/tai-lieu/' || $1 || '/') > 0
               union all
               select 'page', page_id, title collate "default", 'link' from page
               where strpos(body_html, '/tai-lieu/' || $1 || '/') > 0
               union all
               select 'document', legal_document_id, number, 'link' from legal_document
               where strpos(body_html, '/tai-lieu/' || $1 || '/') > 0
           ) uses
           order by kind, id, place"#,
        id
    )
    .fetch_all(db)
    .await
}

pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Removed>> {
    sqlx::query_as!(
        Removed,
        r#"delete from media_file where media_file_id = $1
           returning media_file_id as id, storage_key, '{}'::integer[] as "widths!", original_name"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// Removes those of `ids` that are orphans: unused, and uploaded before `cutoff`.
pub async fn delete_orphans(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    cutoff: time::OffsetDateTime,
) -> sqlx::Result<Vec<Removed>> {
    sqlx::query_as!(
        Removed,
        r#"delete from media_file f
           where f.media_file_id = any($1) and f.uploaded_at < $2
             and f.media_file_id not in (select media_file_id from media_file_used
                                         where media_file_id is not null)
           returning media_file_id as id, storage_key, '{}'::integer[] as "widths!", original_name"#,
        ids,
        cutoff
    )
    .fetch_all(db)
    .await
}
