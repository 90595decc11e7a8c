//! `media_image`: the media library's images, and the library's queries over images and
//! attached files (`media_file`) together: the listing, where an item is used, the orphans.

use sqlx::PgExecutor;
use time::OffsetDateTime;

/// What the library records of a stored image.
#[derive(Debug, Clone)]
pub struct NewImage<'a> {
    /// The key of the largest variant (or of the one file).
    pub storage_key: &'a str,
    /// Widths of the variants, ascending; empty for an image stored as one file.
    pub widths: &'a [i32],
    pub original_name: &'a str,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub uploaded_by: Option<i64>,
    pub created_at: OffsetDateTime,
}

/// Registers an image; the same key again (the same upload: keys are content-addressed) keeps
/// the first row. Returns the row's id either way.
pub async fn insert(db: impl PgExecutor<'_>, image: &NewImage<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into media_image
             (storage_key, widths, original_name, byte_size, width, height, uploaded_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (storage_key) do update set storage_key = excluded.storage_key
         returning media_image_id",
        image.storage_key,
        image.widths,
        image.original_name,
        image.byte_size,
        image.width,
        image.height,
        image.uploaded_by,
        image.created_at
    )
    .fetch_one(db)
    .await
}

/// Every registered key (for the import of images already in storage).
pub async fn list_keys(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!("select storage_key from media_image")
        .fetch_all(db)
        .await
}

/// An image of the library.
#[derive(Debug, Clone)]
pub struct Image {
    pub media_image_id: i64,
    pub storage_key: String,
    pub widths: Vec<i32>,
    pub original_name: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub alt: String,
    pub caption: String,
    pub uploader: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn get(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Image>> {
    sqlx::query_as!(
        Image,
        r#"select i.media_image_id, i.storage_key, i.widths, i.original_name, i.byte_size,
                  i.width, i.height, i.alt, i.caption, u.display_name as "uploader?", i.created_at
           from media_image i left join app_user u on u.user_id = i.uploaded_by
           where i.media_image_id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// The newest images whose name, alt or caption holds `pattern` (a `LIKE` pattern, folded
/// here as the search column is), for the editor's picker.
pub async fn search(
    db: impl PgExecutor<'_>,
    pattern: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<Image>> {
    sqlx::query_as!(
        Image,
        r#"select i.media_image_id, i.storage_key, i.widths, i.original_name, i.byte_size,
                  i.width, i.height, i.alt, i.caption, u.display_name as "uploader?", i.created_at
           from media_image i left join app_user u on u.user_id = i.uploaded_by
           where $1::text is null or i.search_text like f_unaccent(lower($1))
           order by i.created_at desc, i.media_image_id desc
           limit $2"#,
        pattern,
        limit
    )
    .fetch_all(db)
    .await
}

/// Sets the default alt text and caption; `false` when there is no such image.
pub async fn update_text(
    db: impl PgExecutor<'_>,
    id: i64,
    alt: &str,
    caption: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update media_image set alt = $2, caption = $3 where media_image_id = $1",
        id,
        alt,
        caption
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An image or file removed from the library: what to remove from storage.
#[derive(Debug, Clone)]
pub struct Removed {
    pub id: i64,
    pub storage_key: String,
    pub widths: Vec<i32>,
    pub original_name: String,
}

pub async fn delete(db: impl PgExecutor<'_>, id: i64) -> sqlx::Result<Option<Removed>> {
    sqlx::query_as!(
        Removed,
        "delete from media_image where media_image_id = $1
         returning media_image_id as id, storage_key, widths, original_name",
        id
    )
    .fetch_optional(db)
    .await
}

/// Removes those of `ids` that are orphans: unused, and registered before `cutoff`.
pub async fn delete_orphans(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    cutoff: OffsetDateTime,
) -> sqlx::Result<Vec<Removed>> {
    sqlx::query_as!(
        Removed,
        "delete from media_image i
         where i.media_image_id = any($1) and i.created_at < $2
           and i.storage_base not in (select base from media_base_used where base is not null)
         returning media_image_id as id, storage_key, widths, original_name",
        ids,
        cutoff
    )
    .fetch_all(db)
    .await
}

/// Where something is used: an article, page or document, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    /// `article`, `page` or `document`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// `cover`, `body`, `attachment` or `link`.
    pub place: String,
}

/// Where the image whose keys share `base` (see `media_base` in SQL) is used: article covers,
/// and article, page and document bodies.
pub async fn uses(db: impl PgExecutor<'_>, base: &str) -> sqlx::Result<Vec<Use>> {
    sqlx::query_as!(
        Use,
        r#"select kind as "kind!", id as "id!", title as "title!", place as "place!" from (
               select 'article' as kind, article_id as id, title, 'cover' as place
               from article where media_base(cover_image) = $1
               union all
               select 'article', article_id, title, 'body' from article
               where strpos(body_html, '/media/' || $1) > 0
                 and exists (select 1 from media_keys(body_html) k where media_base(k) = $1)
               union all
               select 'page', page_id, title collate "default", 'body' from page
               where strpos(body_html, '/media/' || $1) > 0
                 and exists (select 1 from media_keys(body_html) k where media_base(k) = $1)
               union all
               select 'document', legal_document_id, number, 'body' from legal_document
               where strpos(body_html, '/media/' || $1) > 0
                 and exists (select 1 from media_keys(body_html) k where media_base(k) = $1)
           ) uses
           order by kind, id, place"#,
        base
    )
    .fetch_all(db)
    .await
}

/// One entry of the library's listing: an image or an attached file.
#[derive(Debug, Clone)]
pub struct LibraryRow {
    /// `image` or `file`.
    pub kind: String,
    pub id: i64,
    pub storage_key: String,
    pub widths: Vec<i32>,
    pub original_name: String,
    /// Empty for images.
    pub content_type: String,
    pub byte_size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub uploader: Option<String>,
    pub created_at: OffsetDateTime,
    /// How many entries the listing has in all.
    pub total: i64,
}

/// The library, newest first: images and files (`kind` `image` or `file`: only those) whose
/// name (and, for images, alt and caption) holds `pattern` (a `LIKE` pattern, folded here as
/// the search text is).
pub async fn list(
    db: impl PgExecutor<'_>,
    kind: Option<&str>,
    pattern: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<LibraryRow>> {
    sqlx::query_as!(
        LibraryRow,
        r#"select kind as "kind!", id as "id!", storage_key as "storage_key!",
                  widths as "widths!", original_name as "original_name!",
                  content_type as "content_type!", byte_size as "byte_size!", width, height,
                  uploader, created_at as "created_at!", count(*) over () as "total!"
           from media_library_item
           where ($1::text is null or kind = $1)
             and ($2::text is null or search_text like f_unaccent(lower($2)))
           order by created_at desc, kind, id desc
           limit $3 offset $4"#,
        kind,
        pattern,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

/// The orphans, oldest first: images and files registered before `cutoff` that nothing uses
/// (see the views `media_base_used` and `media_file_used`).
pub async fn list_orphans(
    db: impl PgExecutor<'_>,
    cutoff: OffsetDateTime,
    limit: i64,
) -> sqlx::Result<Vec<LibraryRow>> {
    sqlx::query_as!(
        LibraryRow,
        r#"select kind as "kind!", id as "id!", storage_key as "storage_key!",
                  widths as "widths!", original_name as "original_name!",
                  content_type as "content_type!", byte_size as "byte_size!", width, height,
                  uploader, created_at as "created_at!", count(*) over () as "total!"
           from media_library_item
           where created_at < $1
             and case when kind = 'image'
                      then media_base(storage_key) not in (select base from media_base_used
                                                           where base is not null)
                      else id not in (select media_file_id from media_file_used
                                      where media_file_id is not null) end
           order by created_at, kind, id
           limit $2"#,
        cutoff,
        limit
    )
    .fetch_all(db)
    .await
}
