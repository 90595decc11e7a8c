//! Every save of a page, kept whole.

use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::db::pages::{Language, PageFields, PageStatus};

/// Stores the page as it now is as a revision; returns the revision's id.
pub async fn snapshot(
    db: impl PgExecutor<'_>,
    page_id: i64,
    editor_id: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into page_revision (page_id, version, title, slug, body_html, parent_id, language,
                                    counterpart_id, status, editor_id)
         select page_id, version, title, slug, body_html, parent_id, language, counterpart_id,
                status, $2
         from page where page_id = $1
         returning page_revision_id",
        page_id,
        editor_id
    )
    .fetch_one(db)
    .await
}

#[derive(Debug)]
pub struct PageRevisionRow {
    pub page_revision_id: i64,
    pub version: i32,
    pub title: String,
    pub status: PageStatus,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub body_length: i32,
}

/// Newest first.
pub async fn list(db: impl PgExecutor<'_>, page_id: i64) -> sqlx::Result<Vec<PageRevisionRow>> {
    sqlx::query_as!(
        PageRevisionRow,
        r#"select r.page_revision_id, r.version, r.title, r.status as "status: PageStatus",
                  u.display_name as "editor_name?", r.created_at,
                  char_length(r.body_html) as "body_length!"
           from page_revision r left join app_user u on u.user_id = r.editor_id
           where r.page_id = $1 order by r.version desc"#,
        page_id
    )
    .fetch_all(db)
    .await
}

#[derive(Debug)]
pub struct PageRevision {
    pub page_revision_id: i64,
    pub page_id: i64,
    pub version: i32,
    pub title: String,
    pub slug: String,
    pub body_html: String,
    pub parent_id: Option<i64>,
    pub language: Language,
    pub counterpart_id: Option<i64>,
    pub status: PageStatus,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
}

impl PageRevision {
    /// The revision's text as editor fields; the slug, the links and the status are the
    /// page's as it is now.
    pub fn fields(&self, current: &PageFields) -> PageFields {
        PageFields {
            title: self.title.clone(),
            body_html: self.body_html.clone(),
            ..current.clone()
        }
    }
}

pub async fn get(
    db: impl PgExecutor<'_>,
    page_id: i64,
    revision_id: i64,
) -> sqlx::Result<PageRevision> {
    sqlx::query_as!(
        PageRevision,
        r#"select r.page_revision_id, r.page_id, r.version, r.title, r.slug, r.body_html,
                  r.parent_id, r.language as "language: Language", r.counterpart_id,
                  r.status as "status: PageStatus", u.display_name as "editor_name?", r.created_at
           from page_revision r left join app_user u on u.user_id = r.editor_id
           where r.page_id = $1 and r.page_revision_id = $2"#,
        page_id,
        revision_id
    )
    .fetch_one(db)
    .await
}

/// The id of the newest revision of the page older than `version`.
pub async fn find_id_before(
    db: impl PgExecutor<'_>,
    page_id: i64,
    version: i32,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "select page_revision_id from page_revision where page_id = $1 and version < $2
         order by version desc limit 1",
        page_id,
        version
    )
    .fetch_optional(db)
    .await
}
