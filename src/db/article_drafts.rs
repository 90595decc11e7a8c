//! `article_draft`: the editor's autosaved copy of the article form, one per user and article
//! (or per new-article form, named by its random key). It never changes the article itself.

use serde::Deserialize;
use sqlx::PgExecutor;
use time::OffsetDateTime;

/// The form's fields as typed, what the editor's autosave sends (JSON) and restores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DraftFields {
    pub title: String,
    pub slug: String,
    pub sapo: String,
    pub body_html: String,
    pub category_id: String,
    pub byline: String,
    /// The chosen cover's storage key (a file being uploaded cannot be kept).
    pub cover_image: String,
    pub cover_widths: String,
    pub cover_caption: String,
    pub cover_alt: String,
    pub remove_cover: bool,
    pub comments_open: bool,
    /// The schedule, as the `datetime-local` input holds it.
    pub published_at: String,
    /// Attached files already uploaded.
    pub file_ids: Vec<i64>,
}

/// A saved draft: its fields, the version it was based on and when it was saved.
#[derive(Debug, Clone)]
pub struct Draft {
    pub fields: DraftFields,
    pub base_version: Option<i32>,
    pub saved_at: OffsetDateTime,
}

/// A new article's draft as the editor offers it back.
#[derive(Debug, Clone)]
pub struct NewDraft {
    pub new_key: String,
    pub title: String,
    pub saved_at: OffsetDateTime,
}

/// Where a draft belongs: an article, or the form of a new one (by its key).
#[derive(Debug, Clone, Copy)]
pub enum DraftOf<'a> {
    Article(i64),
    New(&'a str),
}

/// Saves `fields` as `user_id`'s draft of `of`, replacing the one before; when it was saved.
/// `base_version`: the article version the form was opened at (ignored for a new article).
pub async fn save(
    db: impl PgExecutor<'_>,
    user_id: i64,
    of: DraftOf<'_>,
    base_version: i32,
    f: &DraftFields,
) -> sqlx::Result<OffsetDateTime> {
    match of {
        DraftOf::Article(article_id) => {
            sqlx::query_scalar!(
                "insert into article_draft (user_id, article_id, base_version, title, slug, sapo,
                                            body_html, category_id, byline, cover_image,
                                            cover_widths, cover_caption, cover_alt, remove_cover,
                                            comments_open, published_at, file_ids)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                         $17)
                 on conflict (user_id, article_id) where article_id is not null do update
                 set base_version = excluded.base_version, title = excluded.title,
                     slug = excluded.slug, sapo = excluded.sapo, body_html = excluded.body_html,
                     category_id = excluded.category_id, byline = excluded.byline,
                     cover_image = excluded.cover_image, cover_widths = excluded.cover_widths,
                     cover_caption = excluded.cover_caption, cover_alt = excluded.cover_alt,
                     remove_cover = excluded.remove_cover,
                     comments_open = excluded.comments_open,
                     published_at = excluded.published_at, file_ids = excluded.file_ids,
                     saved_at = now()
                 returning saved_at",
                user_id,
                article_id,
                base_version,
                f.title,
                f.slug,
                f.sapo,
                f.body_html,
                f.category_id,
                f.byline,
                f.cover_image,
                f.cover_widths,
                f.cover_caption,
                f.cover_alt,
                f.remove_cover,
                f.comments_open,
                f.published_at,
                &f.file_ids
            )
            .fetch_one(db)
            .await
        }
        DraftOf::New(key) => {
            sqlx::query_scalar!(
                "insert into article_draft (user_id, new_key, title, slug, sapo, body_html,
                                            category_id, byline, cover_image, cover_widths,
                                            cover_caption, cover_alt, remove_cover,
                                            comments_open, published_at, file_ids)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 on conflict (user_id, new_key) where new_key is not null do update
                 set title = excluded.title, slug = excluded.slug, sapo = excluded.sapo,
                     body_html = excluded.body_html, category_id = excluded.category_id,
                     byline = excluded.byline, cover_image = excluded.cover_image,
                     cover_widths = excluded.cover_widths,
                     cover_caption = excluded.cover_caption, cover_alt = excluded.cover_alt,
                     remove_cover = excluded.remove_cover,
                     comments_open = excluded.comments_open,
                     published_at = excluded.published_at, file_ids = excluded.file_ids,
                     saved_at = now()
                 returning saved_at",
                user_id,
                key,
                f.title,
                f.slug,
                f.sapo,
                f.body_html,
                f.category_id,
                f.byline,
                f.cover_image,
                f.cover_widths,
                f.cover_caption,
                f.cover_alt,
                f.remove_cover,
                f.comments_open,
                f.published_at,
                &f.file_ids
            )
            .fetch_one(db)
            .await
        }
    }
}

/// `user_id`'s draft of `of`, if any.
pub async fn find(
    db: impl PgExecutor<'_>,
    user_id: i64,
    of: DraftOf<'_>,
) -> sqlx::Result<Option<Draft>> {
    let (article_id, new_key) = target(of);
    let row = sqlx::query!(
        "select title, slug, sapo, body_html, category_id, byline, cover_image, cover_widths,
                cover_caption, cover_alt, remove_cover, comments_open, published_at, file_ids,
                base_version, saved_at
         from article_draft
         where user_id = $1 and (article_id = $2 or new_key = $3)",
        user_id,
        article_id,
        new_key
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Draft {
        fields: DraftFields {
            title: r.title,
            slug: r.slug,
            sapo: r.sapo,
            body_html: r.body_html,
            category_id: r.category_id,
            byline: r.byline,
            cover_image: r.cover_image,
            cover_widths: r.cover_widths,
            cover_caption: r.cover_caption,
            cover_alt: r.cover_alt,
            remove_cover: r.remove_cover,
            comments_open: r.comments_open,
            published_at: r.published_at,
            file_ids: r.file_ids,
        },
        base_version: r.base_version,
        saved_at: r.saved_at,
    }))
}

/// `user_id`'s drafts of new articles, newest first.
pub async fn list_new(
    db: impl PgExecutor<'_>,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<NewDraft>> {
    sqlx::query_as!(
        NewDraft,
        r#"select new_key as "new_key!", title, saved_at from article_draft
           where user_id = $1 and new_key is not null
           order by saved_at desc limit $2"#,
        user_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// Discards `user_id`'s draft of `of` (the article was saved, or the draft refused).
pub async fn delete(db: impl PgExecutor<'_>, user_id: i64, of: DraftOf<'_>) -> sqlx::Result<bool> {
    let (article_id, new_key) = target(of);
    let done = sqlx::query!(
        "delete from article_draft where user_id = $1 and (article_id = $2 or new_key = $3)",
        user_id,
        article_id,
        new_key
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Forgets drafts nobody came back to in `days` days.
pub async fn delete_old(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from article_draft where saved_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

fn target(of: DraftOf<'_>) -> (Option<i64>, Option<&str>) {
    match of {
        DraftOf::Article(article_id) => (Some(article_id), None),
        DraftOf::New(key) => (None, Some(key)),
    }
}
