//! Pages ("Trang"): undated content at `/{slug}`, in Vietnamese or English.

use sqlx::PgExecutor;
use time::OffsetDateTime;

vocabulary! {
    #[derive(sqlx::Type, Default)]
    #[sqlx(type_name = "page_status", rename_all = "lowercase")]
    pub enum PageStatus {
        #[default]
        Draft => "draft", "Bản nháp";
        Published => "published", "Đã đăng";
    }
}

vocabulary! {
    #[derive(sqlx::Type, Default)]
    #[sqlx(type_name = "page_language", rename_all = "lowercase")]
    pub enum Language {
        #[default]
        Vi => "vi", "Tiếng Việt";
        En => "en", "English";
    }
}

/// What the site frame keeps of a published page (menu entries, breadcrumbs, `hreflang`
/// pairs, the `/en` list, the sitemap).
#[derive(Debug, Clone)]
pub struct PageLink {
    pub page_id: i64,
    pub slug: String,
    pub title: String,
    pub parent_id: Option<i64>,
    pub language: Language,
    pub counterpart_id: Option<i64>,
    pub updated_at: OffsetDateTime,
}

/// Every published page, by title in Vietnamese order.
pub async fn list_published(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<PageLink>> {
    sqlx::query_as!(
        PageLink,
        r#"select page_id, slug, title, parent_id, language as "language: Language",
                  counterpart_id, updated_at
           from page where status = 'published' order by title, page_id"#
    )
    .fetch_all(db)
    .await
}

/// A published page, whole.
#[derive(Debug, Clone)]
pub struct Page {
    pub page_id: i64,
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub parent_id: Option<i64>,
    pub language: Language,
    pub counterpart_id: Option<i64>,
    pub updated_at: OffsetDateTime,
}

pub async fn find_published(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<Page>> {
    sqlx::query_as!(
        Page,
        r#"select page_id, slug, title, body_html, parent_id, language as "language: Language",
                  counterpart_id, updated_at
           from page where slug = $1 and status = 'published'"#,
        slug
    )
    .fetch_optional(db)
    .await
}

/// A row of the back-office list.
#[derive(Debug, Clone)]
pub struct PageRow {
    pub page_id: i64,
    pub slug: String,
    pub title: String,
    pub parent_id: Option<i64>,
    pub language: Language,
    pub status: PageStatus,
    pub updated_at: OffsetDateTime,
    pub editor_name: Option<String>,
}

/// Every page, by title in Vietnamese order.
pub async fn list_all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<PageRow>> {
    sqlx::query_as!(
        PageRow,
        r#"select p.page_id, p.slug, p.title, p.parent_id, p.language as "language: Language",
                  p.status as "status: PageStatus", p.updated_at,
                  u.display_name as "editor_name?"
           from page p left join app_user u on u.user_id = p.updated_by
           order by p.title, p.page_id"#
    )
    .fetch_all(db)
    .await
}

/// A page as the editor opens it.
#[derive(Debug, Clone)]
pub struct EditablePage {
    pub page_id: i64,
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub parent_id: Option<i64>,
    pub language: Language,
    pub counterpart_id: Option<i64>,
    pub status: PageStatus,
    pub version: i32,
    pub updated_at: OffsetDateTime,
}

pub async fn get_editable(db: impl PgExecutor<'_>, page_id: i64) -> sqlx::Result<EditablePage> {
    sqlx::query_as!(
        EditablePage,
        r#"select page_id, slug, title, body_html, parent_id, language as "language: Language",
                  counterpart_id, status as "status: PageStatus", version, updated_at
           from page where page_id = $1"#,
        page_id
    )
    .fetch_one(db)
    .await
}

/// What an editor saves.
#[derive(Debug, Clone, Default)]
pub struct PageFields {
    pub slug: String,
    pub title: String,
    pub body_html: String,
    pub parent_id: Option<i64>,
    pub language: Language,
    pub counterpart_id: Option<i64>,
    pub status: PageStatus,
}

impl From<&EditablePage> for PageFields {
    fn from(page: &EditablePage) -> Self {
        Self {
            slug: page.slug.clone(),
            title: page.title.clone(),
            body_html: page.body_html.clone(),
            parent_id: page.parent_id,
            language: page.language,
            counterpart_id: page.counterpart_id,
            status: page.status,
        }
    }
}

/// Serialises saves of pages until the transaction ends, so that the checks made inside it
/// (the parent chain has no loop) still hold when it commits. Readers are not blocked.
pub async fn lock_pages(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("lock table page in share row exclusive mode")
        .execute(db)
        .await?;
    Ok(())
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    f: &PageFields,
    editor_id: Option<i64>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into page (slug, title, body_html, parent_id, language, counterpart_id, status,
                           created_by, updated_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         returning page_id",
        f.slug,
        f.title,
        f.body_html,
        f.parent_id,
        f.language as Language,
        f.counterpart_id,
        f.status as PageStatus,
        editor_id
    )
    .fetch_one(db)
    .await
}

/// Saves an edit made from `expected_version`; `None` when someone saved in between (nothing
/// is written then).
pub async fn update(
    db: impl PgExecutor<'_>,
    page_id: i64,
    expected_version: i32,
    f: &PageFields,
    editor_id: i64,
) -> sqlx::Result<Option<i32>> {
    sqlx::query_scalar!(
        "update page set slug = $3, title = $4, body_html = $5, parent_id = $6, language = $7,
                counterpart_id = $8, status = $9, updated_by = $10, version = version + 1,
                updated_at = now()
         where page_id = $1 and version = $2
         returning version",
        page_id,
        expected_version,
        f.slug,
        f.title,
        f.body_html,
        f.parent_id,
        f.language as Language,
        f.counterpart_id,
        f.status as PageStatus,
        editor_id
    )
    .fetch_optional(db)
    .await
}

/// Links two pages as each other's counterpart in the other language; a page that pointed at
/// either of them before is unlinked.
pub async fn link_counterparts(
    db: impl PgExecutor<'_>,
    page_id: i64,
    counterpart_id: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update page set counterpart_id = case when page_id = $2 then $1 else null end
         where (counterpart_id = $1 and page_id is distinct from $2)
            or (page_id = $2 and counterpart_id is distinct from $1)
            or (counterpart_id = $2 and page_id <> $1)",
        page_id,
        counterpart_id
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete(db: impl PgExecutor<'_>, page_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!("delete from page where page_id = $1", page_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

impl Page {
    /// The page as the site frame lists it.
    pub fn link(&self) -> PageLink {
        PageLink {
            page_id: self.page_id,
            slug: self.slug.clone(),
            title: self.title.clone(),
            parent_id: self.parent_id,
            language: self.language,
            counterpart_id: self.counterpart_id,
            updated_at: self.updated_at,
        }
    }
}
