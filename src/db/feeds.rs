//! What RSS feeds and sitemaps read of published articles (tables `article`, `category`).

use sqlx::PgExecutor;
use time::OffsetDateTime;

/// An article as a feed item.
#[derive(Debug, Clone)]
pub struct FeedArticle {
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub sapo: String,
    /// Key of the largest stored variant of the cover (under the media directory).
    pub cover_image: Option<String>,
    pub cover_widths: Vec<i32>,
    pub category_id: i64,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// The newest published articles, optionally only in the given categories.
pub async fn list_feed_articles(
    db: impl PgExecutor<'_>,
    category_ids: Option<&[i64]>,
    limit: i64,
) -> sqlx::Result<Vec<FeedArticle>> {
    sqlx::query_as!(
        FeedArticle,
        r#"select article_id, slug, title, sapo, cover_image, cover_widths, category_id,
                  published_at as "published_at!", updated_at
           from article
           where status = 'published' and ($1::bigint[] is null or category_id = any($1))
           order by published_at desc, article_id desc
           limit $2"#,
        category_ids,
        limit
    )
    .fetch_all(db)
    .await
}

/// A published article as a sitemap entry.
#[derive(Debug, Clone)]
pub struct SitemapArticle {
    pub slug: String,
    pub updated_at: OffsetDateTime,
}

/// A slice of all published articles in a stable order (by id: new articles go at the end, so
/// the earlier pages of a sitemap index keep their URLs).
pub async fn list_sitemap_articles(
    db: impl PgExecutor<'_>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<SitemapArticle>> {
    sqlx::query_as!(
        SitemapArticle,
        "select slug, updated_at from article
         where status = 'published'
         order by article_id
         limit $1 offset $2",
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

/// When each category last had an article published in it (`None`: never); categories only,
/// not their sub-categories.
#[derive(Debug, Clone)]
pub struct CategoryActivity {
    pub category_id: i64,
    pub last_published: Option<OffsetDateTime>,
}

pub async fn list_category_activity(
    db: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<CategoryActivity>> {
    // One index probe per category (article_category_published_idx), not a scan of articles.
    sqlx::query_as!(
        CategoryActivity,
        "select c.category_id,
                (select max(a.published_at) from article a
                 where a.category_id = c.category_id and a.status = 'published') as last_published
         from category c"
    )
    .fetch_all(db)
    .await
}

/// A recent article for the Google News sitemap.
#[derive(Debug, Clone)]
pub struct NewsArticle {
    pub slug: String,
    pub title: String,
    pub published_at: OffsetDateTime,
}

/// Articles published in the last `hours` hours, newest first.
pub async fn list_news_articles(
    db: impl PgExecutor<'_>,
    hours: i32,
    limit: i64,
) -> sqlx::Result<Vec<NewsArticle>> {
    sqlx::query_as!(
        NewsArticle,
        r#"select slug, title, published_at as "published_at!"
           from article
           where status = 'published' and published_at >= now() - make_interval(hours => $1)
           order by published_at desc, article_id desc
           limit $2"#,
        hours,
        limit
    )
    .fetch_all(db)
    .await
}
