use sqlx::PgExecutor;
use time::OffsetDateTime;

use crate::db::audit::{Actor, AuditAction};

/// What a listing shows of an article.
#[derive(Debug, Clone)]
pub struct ArticleCard {
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub sapo: String,
    pub cover_image: Option<String>,
    pub cover_widths: Vec<i32>,
    pub cover_alt: String,
    pub category_id: i64,
    pub published_at: OffsetDateTime,
}

/// A published article, whole.
#[derive(Debug, Clone)]
pub struct Article {
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub sapo: String,
    pub body_html: String,
    pub cover_image: Option<String>,
    pub cover_widths: Vec<i32>,
    pub cover_caption: String,
    pub cover_alt: String,
    pub byline: String,
    pub category_id: i64,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub view_count: i64,
    pub comments_open: bool,
}

/// The newest published articles.
pub async fn list_latest(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<ArticleCard>> {
    sqlx::query_as!(
        ArticleCard,
        r#"select article_id, slug, title, sapo, cover_image, cover_widths, cover_alt, category_id,
                  published_at as "published_at!"
           from article
           where status = 'published'
           order by published_at desc, article_id desc
           limit $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// Where a listing page starts: the (publication time, id) of its first article.
pub type ListingKey = (OffsetDateTime, i64);

/// A page of a category's listing (its whole subtree, newest first): `limit` articles from the
/// `offset`-th one at or after `start` (`None`: the newest).
///
/// The page is found in `category_listing` alone (an index-only scan that skips `offset`
/// entries from `start`), then only its rows are read.
pub async fn list_in_category(
    db: impl PgExecutor<'_>,
    category_id: i64,
    start: Option<ListingKey>,
    offset: i64,
    limit: i64,
) -> sqlx::Result<Vec<ArticleCard>> {
    let (start_at, start_id) =
        start.unwrap_or((time::macros::datetime!(9999-12-31 0:00 UTC), i64::MAX));
    sqlx::query_as!(
        ArticleCard,
        r#"with page as (
               select article_id from category_listing
               where category_id = $1 and (published_at, article_id) <= ($2, $3)
               order by published_at desc, article_id desc
               limit $5 offset $4
           )
           select a.article_id, a.slug, a.title, a.sapo, a.cover_image, a.cover_widths,
                  a.cover_alt, a.category_id, a.published_at as "published_at!"
           from page join article a using (article_id)
           order by a.published_at desc, a.article_id desc"#,
        category_id,
        start_at,
        start_id,
        offset,
        limit
    )
    .fetch_all(db)
    .await
}

/// Where every page of a category's listing starts, pages of `per_page` articles.
pub async fn list_page_starts(
    db: impl PgExecutor<'_>,
    category_id: i64,
    per_page: i64,
) -> sqlx::Result<Vec<ListingKey>> {
    let rows = sqlx::query!(
        r#"select published_at as "published_at!", article_id as "article_id!" from (
               select published_at, article_id,
                      row_number() over (order by published_at desc, article_id desc) as n
               from category_listing where category_id = $1
           ) numbered
           where (n - 1) % $2 = 0
           order by n"#,
        category_id,
        per_page
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.published_at, r.article_id))
        .collect())
}

/// How many published articles a category's listing holds (its whole subtree).
pub async fn count_in_category(db: impl PgExecutor<'_>, category_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select coalesce((select published from category_count where category_id = $1), 0)
               as "count!""#,
        category_id
    )
    .fetch_one(db)
    .await
}

/// How many articles are published.
pub async fn count_published(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from article where status = 'published'"#)
        .fetch_one(db)
        .await
}

/// "Đọc nhiều": the ids of the articles most viewed over the last `days` days (today included,
/// Vietnam's days), most first, whatever their status now.
pub async fn list_most_read_ids(
    db: impl PgExecutor<'_>,
    days: i32,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        r#"select article_id as "article_id!" from article_daily_view
           where day > (now() at time zone 'Asia/Ho_Chi_Minh')::date - $1::int
           group by article_id
           order by sum(views) desc, article_id desc
           limit $2"#,
        days,
        limit
    )
    .fetch_all(db)
    .await
}

/// The published ones of `ids`, in that order, at most `limit`.
pub async fn list_published_by_ids(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    limit: i64,
) -> sqlx::Result<Vec<ArticleCard>> {
    sqlx::query_as!(
        ArticleCard,
        r#"select a.article_id, a.slug, a.title, a.sapo, a.cover_image, a.cover_widths, a.cover_alt,
                  a.category_id, a.published_at as "published_at!"
           from unnest($1::bigint[]) with ordinality as wanted(id, position)
           join article a on a.article_id = wanted.id
           where a.status = 'published'
           order by wanted.position
           limit $2"#,
        ids,
        limit
    )
    .fetch_all(db)
    .await
}

/// "Tin nổi bật": the featured published articles whose end time (if any) has not passed, in
/// their order.
pub async fn list_featured(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<ArticleCard>> {
    sqlx::query_as!(
        ArticleCard,
        r#"select article_id, slug, title, sapo, cover_image, cover_widths, cover_alt, category_id,
                  published_at as "published_at!"
           from article
           where featured_rank is not null and status = 'published'
             and (featured_until is null or featured_until > now())
           order by featured_rank, published_at desc, article_id desc
           limit $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// A card tagged with the category it was fetched for.
#[derive(Debug)]
pub struct GroupedCard {
    pub group_id: i64,
    pub card: ArticleCard,
}

/// The newest `per_group` published articles of each category's listing (its subtree) in one
/// query.
pub async fn list_latest_per_group(
    db: impl PgExecutor<'_>,
    category_ids: &[i64],
    per_group: i64,
) -> sqlx::Result<Vec<GroupedCard>> {
    let rows = sqlx::query!(
        r#"select g.group_id as "group_id!", a.article_id, a.slug, a.title, a.sapo,
                  a.cover_image, a.cover_widths, a.cover_alt, a.category_id, a.published_at as "published_at!"
           from unnest($1::bigint[]) as g(group_id)
           cross join lateral (
               select l.article_id from category_listing l
               where l.category_id = g.group_id
               order by l.published_at desc, l.article_id desc
               limit $2
           ) page
           join article a using (article_id)
           order by g.group_id, a.published_at desc, a.article_id desc"#,
        category_ids,
        per_group
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| GroupedCard {
            group_id: r.group_id,
            card: ArticleCard {
                article_id: r.article_id,
                slug: r.slug,
                title: r.title,
                sapo: r.sapo,
                cover_image: r.cover_image,
                cover_widths: r.cover_widths,
                cover_alt: r.cover_alt,
                category_id: r.category_id,
                published_at: r.published_at,
            },
        })
        .collect())
}

pub async fn find_published(db: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<Article>> {
    sqlx::query_as!(
        Article,
        r#"select article_id, slug, title, sapo, body_html, cover_image, cover_widths, cover_caption,
                  cover_alt, byline, category_id, published_at as "published_at!", updated_at, view_count,
                  comments_open
           from article where slug = $1 and status = 'published'"#,
        slug
    )
    .fetch_optional(db)
    .await
}

/// The current slug of the published article that once had `old_slug`.
pub async fn find_renamed(db: impl PgExecutor<'_>, old_slug: &str) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "select a.slug from article_slug_history h join article a using (article_id)
         where h.slug = $1 and a.status = 'published'",
        old_slug
    )
    .fetch_optional(db)
    .await
}

/// Other published articles of a category, newest first.
pub async fn list_related(
    db: impl PgExecutor<'_>,
    category_id: i64,
    except_article_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<ArticleCard>> {
    sqlx::query_as!(
        ArticleCard,
        r#"select article_id, slug, title, sapo, cover_image, cover_widths, cover_alt, category_id,
                  published_at as "published_at!"
           from article
           where status = 'published' and category_id = $1 and article_id <> $2
           order by published_at desc, article_id desc
           limit $3"#,
        category_id,
        except_article_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// Adds batched view counts: `counts[i]` views to article `ids[i]`, to its total and to
/// today's count (Vietnam's day), in one statement.
pub async fn add_views(db: impl PgExecutor<'_>, ids: &[i64], counts: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "with counted as (
             update article a set view_count = a.view_count + v.n
             from unnest($1::bigint[], $2::bigint[]) as v(id, n)
             where a.article_id = v.id and v.n > 0
             returning a.article_id, v.n
         )
         insert into article_daily_view (day, article_id, views)
         select (now() at time zone 'Asia/Ho_Chi_Minh')::date, article_id, n from counted
         on conflict (day, article_id)
             do update set views = article_daily_view.views + excluded.views",
        ids,
        counts
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Deletes the daily view counts older than `keep_days` days; returns how many.
pub async fn delete_old_daily_views(db: impl PgExecutor<'_>, keep_days: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from article_daily_view
         where day <= (now() at time zone 'Asia/Ho_Chi_Minh')::date - $1::int",
        keep_days
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Changes an article's slug, keeping the old one as a redirect.
pub async fn rename(db: &sqlx::PgPool, article_id: i64, new_slug: &str) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    sqlx::query!(
        "insert into article_slug_history (slug, article_id)
         select slug, article_id from article where article_id = $1 and slug <> $2
         on conflict (slug) do update set article_id = excluded.article_id",
        article_id,
        new_slug
    )
    .execute(&mut *tx)
    .await?;
    // A slug that becomes current again is no longer a redirect.
    sqlx::query!("delete from article_slug_history where slug = $1", new_slug)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        "update article set slug = $2, updated_at = now() where article_id = $1",
        article_id,
        new_slug
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

pub struct NewArticle<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub sapo: &'a str,
    pub body_html: &'a str,
    pub cover_image: Option<&'a str>,
    pub cover_caption: &'a str,
    pub cover_alt: &'a str,
    pub byline: &'a str,
    pub author_id: Option<i64>,
    pub category_id: i64,
    pub published_at: OffsetDateTime,
    pub view_count: i64,
}

/// Inserts a published article; an existing slug is left alone (returns `None`). Its views
/// count as read on the day it was published.
pub async fn insert_published(
    db: impl PgExecutor<'_>,
    a: &NewArticle<'_>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        r#"with inserted as (
               insert into article (slug, title, sapo, body_html, cover_image, cover_caption,
                                    cover_alt, byline, author_id, category_id, status,
                                    published_at, view_count, created_at, updated_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'published', $11, $12, $11, $11)
               on conflict (slug) do nothing
               returning article_id, view_count, published_at
           ), daily as (
               insert into article_daily_view (day, article_id, views)
               select (published_at at time zone 'Asia/Ho_Chi_Minh')::date, article_id, view_count
               from inserted where view_count > 0
           )
           select article_id as "article_id!" from inserted"#,
        a.slug,
        a.title,
        a.sapo,
        a.body_html,
        a.cover_image,
        a.cover_caption,
        a.cover_alt,
        a.byline,
        a.author_id,
        a.category_id,
        a.published_at,
        a.view_count
    )
    .fetch_optional(db)
    .await
}

/// Columns of published articles to insert in one statement (benchmark data).
#[derive(Debug, Default)]
pub struct ArticleBatch {
    pub slug: Vec<String>,
    pub title: Vec<String>,
    pub sapo: Vec<String>,
    pub body_html: Vec<String>,
    pub byline: Vec<String>,
    pub category_id: Vec<i64>,
    pub published_at: Vec<OffsetDateTime>,
    pub view_count: Vec<i64>,
}

pub async fn insert_published_batch(
    db: impl PgExecutor<'_>,
    b: &ArticleBatch,
) -> sqlx::Result<usize> {
    let result = sqlx::query!(
        "insert into article (slug, title, sapo, body_html, byline, category_id, status,
                              published_at, view_count, created_at, updated_at)
         select slug, title, sapo, body_html, byline, category_id, 'published',
                published_at, view_count, published_at, published_at
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[],
                     $7::timestamptz[], $8::bigint[])
              as b(slug, title, sapo, body_html, byline, category_id, published_at, view_count)",
        &b.slug,
        &b.title,
        &b.sapo,
        &b.body_html,
        &b.byline,
        &b.category_id,
        &b.published_at,
        &b.view_count
    )
    .execute(db)
    .await?;
    Ok(usize::try_from(result.rows_affected()).unwrap_or(usize::MAX))
}

pub async fn count_all(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from article"#)
        .fetch_one(db)
        .await
}

// ---------------------------------------------------------------------------------------------
// The newsroom: every status, editing with optimistic locking, the scheduler.

vocabulary! {
    #[derive(sqlx::Type)]
    #[sqlx(type_name = "article_status", rename_all = "lowercase")]
    pub enum Status {
        Draft => "draft", "Bản nháp";
        Pending => "pending", "Chờ duyệt";
        Scheduled => "scheduled", "Đã lên lịch";
        Published => "published", "Đã đăng";
        Archived => "archived", "Đã gỡ";
    }
}

/// Articles per status, and how many went out today (Vietnam's day).
#[derive(Debug, Default)]
pub struct Counts {
    pub draft: i64,
    pub pending: i64,
    pub scheduled: i64,
    pub published: i64,
    pub archived: i64,
    pub published_today: i64,
}

impl Counts {
    pub fn of(&self, status: Status) -> i64 {
        match status {
            Status::Draft => self.draft,
            Status::Pending => self.pending,
            Status::Scheduled => self.scheduled,
            Status::Published => self.published,
            Status::Archived => self.archived,
        }
    }

    pub fn total(&self) -> i64 {
        self.draft + self.pending + self.scheduled + self.published + self.archived
    }
}

/// Counts over all articles, or one author's.
pub async fn counts(db: impl PgExecutor<'_>, author_id: Option<i64>) -> sqlx::Result<Counts> {
    sqlx::query_as!(
        Counts,
        r#"select count(*) filter (where status = 'draft') as "draft!",
                  count(*) filter (where status = 'pending') as "pending!",
                  count(*) filter (where status = 'scheduled') as "scheduled!",
                  count(*) filter (where status = 'published') as "published!",
                  count(*) filter (where status = 'archived') as "archived!",
                  count(*) filter (where status = 'published' and published_at >=
                      date_trunc('day', now() at time zone 'Asia/Ho_Chi_Minh')
                          at time zone 'Asia/Ho_Chi_Minh') as "published_today!"
           from article where $1::bigint is null or author_id = $1"#,
        author_id
    )
    .fetch_one(db)
    .await
}

/// A row of the back-office article list.
#[derive(Debug, Clone)]
pub struct AdminArticle {
    pub article_id: i64,
    pub title: String,
    pub slug: String,
    pub status: Status,
    pub category_id: i64,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub byline: String,
    pub published_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
    /// The editor's note when the article was sent back to its author (empty otherwise).
    pub review_note: String,
}

impl AdminArticle {
    /// Whether an editor sent it back and its author has not sent it again ("Bị trả lại").
    pub fn is_returned(&self) -> bool {
        self.status == Status::Draft && !self.review_note.is_empty()
    }
}

/// Filters of the back-office list; `None` means any.
#[derive(Debug, Default)]
pub struct ArticleFilter {
    pub status: Option<Status>,
    pub category_ids: Option<Vec<i64>>,
    pub author_id: Option<i64>,
    /// Words of the title, matched with or without accents (against the slug).
    pub title: Option<String>,
}

impl ArticleFilter {
    fn title_patterns(&self) -> (Option<String>, Option<String>) {
        match &self.title {
            Some(q) if !q.trim().is_empty() => {
                let escaped = q
                    .trim()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                let slug = crate::text::slugify(q);
                (
                    Some(format!("%{escaped}%")),
                    (!slug.is_empty()).then(|| format!("%{slug}%")),
                )
            }
            _ => (None, None),
        }
    }
}

pub async fn list_admin(
    db: impl PgExecutor<'_>,
    f: &ArticleFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<AdminArticle>> {
    let (title, slug) = f.title_patterns();
    sqlx::query_as!(
        AdminArticle,
        r#"select a.article_id, a.title, a.slug, a.status as "status: Status", a.category_id,
                  a.author_id, u.display_name as "author_name?", a.byline, a.published_at,
                  a.updated_at, a.review_note
           from article a left join app_user u on u.user_id = a.author_id
           where ($1::article_status is null or a.status = $1)
             and ($2::bigint[] is null or a.category_id = any($2))
             and ($3::bigint is null or a.author_id = $3)
             and ($4::text is null or a.title ilike $4 or a.slug like $5)
           order by a.updated_at desc, a.article_id desc
           limit $6 offset $7"#,
        f.status as Option<Status>,
        f.category_ids.as_deref(),
        f.author_id,
        title,
        slug,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_admin(db: impl PgExecutor<'_>, f: &ArticleFilter) -> sqlx::Result<i64> {
    let (title, slug) = f.title_patterns();
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from article a
           where ($1::article_status is null or a.status = $1)
             and ($2::bigint[] is null or a.category_id = any($2))
             and ($3::bigint is null or a.author_id = $3)
             and ($4::text is null or a.title ilike $4 or a.slug like $5)"#,
        f.status as Option<Status>,
        f.category_ids.as_deref(),
        f.author_id,
        title,
        slug
    )
    .fetch_one(db)
    .await
}

/// A user's own drafts and articles sent back to them, most recently touched first.
pub async fn list_drafts_of(
    db: impl PgExecutor<'_>,
    user_id: i64,
    limit: i64,
) -> sqlx::Result<Vec<AdminArticle>> {
    sqlx::query_as!(
        AdminArticle,
        r#"select a.article_id, a.title, a.slug, a.status as "status: Status", a.category_id,
                  a.author_id, u.display_name as "author_name?", a.byline, a.published_at,
                  a.updated_at, a.review_note
           from article a left join app_user u on u.user_id = a.author_id
           where a.author_id = $1 and a.status = 'draft'
           order by a.updated_at desc limit $2"#,
        user_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// An article of any status, whole, for the editor.
#[derive(Debug, Clone)]
pub struct EditableArticle {
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub sapo: String,
    pub body_html: String,
    pub cover_image: Option<String>,
    pub cover_widths: Vec<i32>,
    pub cover_caption: String,
    pub cover_alt: String,
    pub byline: String,
    pub author_id: Option<i64>,
    pub category_id: i64,
    pub status: Status,
    pub published_at: Option<OffsetDateTime>,
    pub comments_open: bool,
    pub version: i32,
    pub review_note: String,
    pub view_count: i64,
    pub updated_at: OffsetDateTime,
}

impl EditableArticle {
    /// The article as readers would see it (for the preview).
    pub fn as_published(&self) -> Article {
        Article {
            article_id: self.article_id,
            slug: self.slug.clone(),
            title: self.title.clone(),
            sapo: self.sapo.clone(),
            body_html: self.body_html.clone(),
            cover_image: self.cover_image.clone(),
            cover_widths: self.cover_widths.clone(),
            cover_caption: self.cover_caption.clone(),
            cover_alt: self.cover_alt.clone(),
            byline: self.byline.clone(),
            category_id: self.category_id,
            published_at: self.published_at.unwrap_or_else(OffsetDateTime::now_utc),
            updated_at: self.updated_at,
            view_count: self.view_count,
            comments_open: self.comments_open,
        }
    }

    /// The editor fields as stored now.
    pub fn fields(&self) -> ArticleFields {
        ArticleFields {
            slug: self.slug.clone(),
            title: self.title.clone(),
            sapo: self.sapo.clone(),
            body_html: self.body_html.clone(),
            cover_image: self.cover_image.clone(),
            cover_widths: self.cover_widths.clone(),
            cover_caption: self.cover_caption.clone(),
            cover_alt: self.cover_alt.clone(),
            byline: self.byline.clone(),
            category_id: self.category_id,
            comments_open: self.comments_open,
            published_at: self.published_at,
        }
    }
}

pub async fn get_editable(
    db: impl PgExecutor<'_>,
    article_id: i64,
) -> sqlx::Result<EditableArticle> {
    sqlx::query_as!(
        EditableArticle,
        r#"select article_id, slug, title, sapo, body_html, cover_image, cover_widths, cover_caption,
                  cover_alt, byline, author_id, category_id, status as "status: Status",
                  published_at, comments_open, version, review_note, view_count, updated_at
           from article where article_id = $1"#,
        article_id
    )
    .fetch_one(db)
    .await
}

/// What the editor form sets.
#[derive(Debug, Clone, Default)]
pub struct ArticleFields {
    pub slug: String,
    pub title: String,
    pub sapo: String,
    pub body_html: String,
    pub cover_image: Option<String>,
    pub cover_widths: Vec<i32>,
    pub cover_caption: String,
    pub cover_alt: String,
    pub byline: String,
    pub category_id: i64,
    pub comments_open: bool,
    pub published_at: Option<OffsetDateTime>,
}

pub async fn insert_article(
    db: impl PgExecutor<'_>,
    f: &ArticleFields,
    author_id: i64,
    status: Status,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into article (slug, title, sapo, body_html, cover_image, cover_widths, cover_caption,
                              cover_alt, byline, category_id, comments_open, published_at, status,
                              author_id, last_editor_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
         returning article_id",
        f.slug,
        f.title,
        f.sapo,
        f.body_html,
        f.cover_image,
        &f.cover_widths,
        f.cover_caption,
        f.cover_alt,
        f.byline,
        f.category_id,
        f.comments_open,
        f.published_at,
        status as Status,
        author_id
    )
    .fetch_one(db)
    .await
}

/// Saves an edit made from `expected_version`; `None` when someone saved in between (nothing
/// is written then). A changed slug keeps the old one as a redirect.
pub async fn update_article(
    tx: &mut sqlx::PgConnection,
    article_id: i64,
    expected_version: i32,
    f: &ArticleFields,
    status: Status,
    editor_id: i64,
) -> sqlx::Result<Option<i32>> {
    sqlx::query!(
        "insert into article_slug_history (slug, article_id)
         select slug, article_id from article
         where article_id = $1 and version = $2 and slug <> $3
         on conflict (slug) do update set article_id = excluded.article_id",
        article_id,
        expected_version,
        f.slug
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("delete from article_slug_history where slug = $1", f.slug)
        .execute(&mut *tx)
        .await?;
    sqlx::query_scalar!(
        "update article set slug = $3, title = $4, sapo = $5, body_html = $6, cover_image = $7,
                cover_widths = $8, cover_caption = $9, cover_alt = $10, byline = $11,
                category_id = $12, comments_open = $13, published_at = $14, status = $15,
                last_editor_id = $16, version = version + 1, updated_at = now()
         where article_id = $1 and version = $2
         returning version",
        article_id,
        expected_version,
        f.slug,
        f.title,
        f.sapo,
        f.body_html,
        f.cover_image,
        &f.cover_widths,
        f.cover_caption,
        f.cover_alt,
        f.byline,
        f.category_id,
        f.comments_open,
        f.published_at,
        status as Status,
        editor_id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// A workflow step (publish, send back, unpublish…) that does not touch the text. It is a new
/// version: a save begun before it gets the conflict page instead of undoing it.
pub async fn set_status(
    db: impl PgExecutor<'_>,
    article_id: i64,
    status: Status,
    published_at: Option<OffsetDateTime>,
    review_note: &str,
    editor_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update article set status = $2, published_at = coalesce($3, published_at),
                review_note = $4, last_editor_id = $5, version = version + 1, updated_at = now()
         where article_id = $1",
        article_id,
        status as Status,
        published_at,
        review_note,
        editor_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether another article has, or had, this slug.
pub async fn slug_taken(
    db: impl PgExecutor<'_>,
    slug: &str,
    except_article_id: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from article where slug = $1 and article_id is distinct from $2)
               or exists (select 1 from article_slug_history where slug = $1 and article_id is distinct from $2)
           as "taken!""#,
        slug,
        except_article_id
    )
    .fetch_one(db)
    .await
}

pub async fn delete(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!("delete from article where article_id = $1", article_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// An article the scheduler published.
#[derive(Debug, Clone)]
pub struct PublishedOnSchedule {
    pub article_id: i64,
    pub title: String,
    pub author_id: Option<i64>,
}

/// Publishes every scheduled article whose time has come and logs it, in one statement: with
/// several instances running, row locks make each article go out exactly once.
pub async fn publish_due(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<PublishedOnSchedule>> {
    sqlx::query_as!(
        PublishedOnSchedule,
        r#"with due as (
               update article set status = 'published', version = version + 1, updated_at = now()
               where status = 'scheduled' and published_at <= now()
               returning article_id, title, author_id
           ), logged as (
               insert into audit_log (actor, action, target_type, target_id, details)
               select $1, $2, 'article', article_id, title from due
           )
           select article_id as "article_id!", title as "title!", author_id from due
           order by article_id"#,
        Actor::SYSTEM.name,
        AuditAction::ArticlePublishedOnSchedule.as_str()
    )
    .fetch_all(db)
    .await
}

// ---------------------------------------------------------------------------------------------
// "Tin nổi bật": featured articles.

/// Whether and how an article is featured.
#[derive(Debug, Clone)]
pub struct Featuring {
    pub article_id: i64,
    pub title: String,
    pub status: Status,
    pub featured_rank: Option<i32>,
    pub featured_until: Option<OffsetDateTime>,
}

pub async fn get_featuring(db: impl PgExecutor<'_>, article_id: i64) -> sqlx::Result<Featuring> {
    sqlx::query_as!(
        Featuring,
        r#"select article_id, title, status as "status: Status", featured_rank, featured_until
           from article where article_id = $1"#,
        article_id
    )
    .fetch_one(db)
    .await
}

/// Features a published or scheduled article at `rank` (1 first) until `until`, or stops
/// featuring it (`rank` `None`). `false` when the article is gone or not (to be) published.
pub async fn set_featuring(
    db: impl PgExecutor<'_>,
    article_id: i64,
    rank: Option<i32>,
    until: Option<OffsetDateTime>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update article set featured_rank = $2, featured_until = $3
         where article_id = $1 and (status in ('published', 'scheduled') or $2::int is null)",
        article_id,
        rank,
        until
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}
