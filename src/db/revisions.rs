//! Every save of an article, kept whole.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::db::articles::{ArticleFields, Status};

/// Stores the article as it now is as a revision; returns the revision's id.
pub async fn snapshot(
    db: impl PgExecutor<'_>,
    article_id: i64,
    editor_id: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into article_revision (article_id, version, title, slug, sapo, body_html, cover_image,
                                       cover_widths, cover_caption, cover_alt, byline, category_id,
                                       comments_open, status, published_at, editor_id)
         select article_id, version, title, slug, sapo, body_html, cover_image, cover_widths,
                cover_caption, cover_alt, byline, category_id, comments_open, status, published_at, $2
         from article where article_id = $1
         returning article_revision_id",
        article_id,
        editor_id
    )
    .fetch_one(db)
    .await
}

#[derive(Debug)]
pub struct RevisionRow {
    pub article_revision_id: i64,
    pub version: i32,
    pub title: String,
    pub status: Status,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub body_length: i32,
}

/// Newest first.
pub async fn list(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Vec<RevisionRow>> {
    sqlx::query_as!(
        RevisionRow,
        r#"select r.article_revision_id, r.version, r.title, r.status as "status: Status",
                  u.display_name as "editor_name?", r.created_at,
                  char_length(r.body_html) as "body_length!"
           from article_revision r left join app_user u on u.user_id = r.editor_id
           where r.article_id = $1 order by r.version desc"#,
        article_id
    )
    .fetch_all(db)
    .await
}

#[derive(Debug)]
pub struct Revision {
    pub article_revision_id: i64,
    pub article_id: i64,
    pub version: i32,
    pub title: String,
    pub slug: String,
    pub sapo: String,
    pub body_html: String,
    pub cover_image: Option<String>,
    pub cover_widths: Vec<i32>,
    pub cover_caption: String,
    pub cover_alt: String,
    pub byline: String,
    pub category_id: Option<i64>,
    pub comments_open: bool,
    pub published_at: Option<OffsetDateTime>,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
}

impl Revision {
    /// The revision's content as editor fields over the article as it is now (`current`):
    /// the text, cover, byline, category and comments switch are the revision's; the slug
    /// (its URL may be known), the publication date (it goes with the workflow state, which a
    /// restore keeps) and, when the revision's category was deleted, the category are the
    /// article's.
    pub fn fields(&self, current: &ArticleFields) -> ArticleFields {
        ArticleFields {
            slug: current.slug.clone(),
            title: self.title.clone(),
            sapo: self.sapo.clone(),
            body_html: self.body_html.clone(),
            cover_image: self.cover_image.clone(),
            cover_widths: self.cover_widths.clone(),
            cover_caption: self.cover_caption.clone(),
            cover_alt: self.cover_alt.clone(),
            byline: self.byline.clone(),
            category_id: self.category_id.unwrap_or(current.category_id),
            comments_open: self.comments_open,
            published_at: current.published_at,
        }
    }
}

pub async fn get(
    db: impl PgExecutor<'_>,
    article_id: i64,
    revision_id: i64,
) -> sqlx::Result<Revision> {
    sqlx::query_as!(
        Revision,
        r#"select r.article_revision_id, r.article_id, r.version, r.title, r.slug, r.sapo,
                  r.body_html, r.cover_image, r.cover_widths, r.cover_caption, r.cover_alt,
                  r.byline, r.category_id, r.comments_open, r.published_at,
                  u.display_name as "editor_name?", r.created_at
           from article_revision r left join app_user u on u.user_id = r.editor_id
           where r.article_id = $1 and r.article_revision_id = $2"#,
        article_id,
        revision_id
    )
    .fetch_one(db)
    .await
}

/// The id of the newest revision of the article older than `version`.
pub async fn find_id_before(
    db: impl PgExecutor<'_>,
    article_id: i64,
    version: i32,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select article_revision_id from article_revision where article_id = $1 and version < $2
         order by version desc limit 1",
        article_id,
        version
    )
    .fetch_optional(db)
    .await
}
