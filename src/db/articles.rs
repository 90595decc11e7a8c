use sqlx::PgExecutor;
use time::OffsetDateTime;

/// What a listing shows of an article.
#[derive(Debug, Clone)]
pub struct ArticleCard {
    pub article_id: i64,
    pub slug: String,
    pub title: String,
    pub sapo: String,
    pub cover_image: Option<String>,
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
    pub cover_caption: String,
    pub cover_alt: String,
    pub byline: String,
    pub category_id: i64,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub view_count: i64,
    pub comments_open: bool,
}

/// Newest published articles, optionally only in the given categories.
///
/// The page is found on the index alone (deep pages skip thousands of rows), then only its
/// rows are read.
pub async fn list_published(
    db: impl PgExecutor<'_>,
    category_ids: Option<&[i64]>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<ArticleCard>> {
    sqlx::query_as!(
        ArticleCard,
        r#"with page as (
               select article_id from article
               where status = 'published' and ($1::bigint[] is null or category_id = any($1))
               order by published_at desc, article_id desc
               limit $2 offset $3
           )
           select a.article_id, a.slug, a.title, a.sapo, a.cover_image, a.cover_alt,
                  a.category_id, a.published_at as "published_at!"
           from page join article a using (article_id)
           order by a.published_at desc, a.article_id desc"#,
        category_ids,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_published(
    db: impl PgExecutor<'_>,
    category_ids: Option<&[i64]>,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from article
           where status = 'published' and ($1::bigint[] is null or category_id = any($1))"#,
        category_ids
    )
    .fetch_one(db)
    .await
}

/// "Đọc nhiều": the most viewed published articles.
pub async fn list_most_read(db: impl PgExecutor<'_>, limit: i64) -> sqlx::Result<Vec<ArticleCard>> {
    sqlx::query_as!(
        ArticleCard,
        r#"select article_id, slug, title, sapo, cover_image, cover_alt, category_id,
                  published_at as "published_at!"
           from article
           where status = 'published'
           order by view_count desc, article_id desc
           limit $1"#,
        limit
    )
    .fetch_all(db)
    .await
}

/// A card tagged with the group (e.g. the top-level category) it was fetched for.
#[derive(Debug)]
pub struct GroupedCard {
    pub group_id: i64,
    pub card: ArticleCard,
}

/// The newest `per_group` published articles of each group in one query. `member_ids[i]`
/// belongs to group `member_groups[i]` (a top-level category and its descendants).
pub async fn list_latest_per_group(
    db: impl PgExecutor<'_>,
    member_ids: &[i64],
    member_groups: &[i64],
    per_group: i64,
) -> sqlx::Result<Vec<GroupedCard>> {
    let rows = sqlx::query!(
        r#"select g.group_id as "group_id!", a.article_id, a.slug, a.title, a.sapo,
                  a.cover_image, a.cover_alt, a.category_id, a.published_at as "published_at!"
           from (select distinct grp as group_id from unnest($2::bigint[]) as grp) g
           cross join lateral (
               select * from article
               where status = 'published'
                 and category_id in (select m.id from unnest($1::bigint[], $2::bigint[]) as m(id, grp)
                                     where m.grp = g.group_id)
               order by published_at desc, article_id desc
               limit $3
           ) a
           order by g.group_id, a.published_at desc, a.article_id desc"#,
        member_ids,
        member_groups,
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
        r#"select article_id, slug, title, sapo, body_html, cover_image, cover_caption, cover_alt,
                  byline, category_id, published_at as "published_at!", updated_at, view_count,
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
        r#"select article_id, slug, title, sapo, cover_image, cover_alt, category_id,
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

/// Adds batched view counts: `counts[i]` views to article `ids[i]`.
pub async fn add_views(db: impl PgExecutor<'_>, ids: &[i64], counts: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "update article a set view_count = a.view_count + v.n
         from unnest($1::bigint[], $2::bigint[]) as v(id, n)
         where a.article_id = v.id",
        ids,
        counts
    )
    .execute(db)
    .await?;
    Ok(())
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

/// Inserts a published article; an existing slug is left alone (returns `None`).
pub async fn insert_published(
    db: impl PgExecutor<'_>,
    a: &NewArticle<'_>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "insert into article (slug, title, sapo, body_html, cover_image, cover_caption, cover_alt,
                              byline, author_id, category_id, status, published_at, view_count,
                              created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'published', $11, $12, $11, $11)
         on conflict (slug) do nothing
         returning article_id",
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
