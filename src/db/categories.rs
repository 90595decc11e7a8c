use sqlx::PgExecutor;

#[derive(Debug, Clone)]
pub struct Category {
    pub category_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: i32,
}

pub async fn list_all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<Category>> {
    sqlx::query_as!(
        Category,
        "select category_id, parent_id, name, slug, description, position
         from category order by position, category_id"
    )
    .fetch_all(db)
    .await
}

pub struct NewCategory<'a> {
    pub parent_id: Option<i64>,
    pub name: &'a str,
    pub slug: &'a str,
    pub description: &'a str,
    pub position: i32,
}

/// Inserts a category, or returns the id of the one that already has this slug.
pub async fn upsert_by_slug(db: impl PgExecutor<'_>, c: &NewCategory<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into category (parent_id, name, slug, description, position)
         values ($1, $2, $3, $4, $5)
         on conflict (slug) do update set slug = excluded.slug
         returning category_id",
        c.parent_id,
        c.name,
        c.slug,
        c.description,
        c.position
    )
    .fetch_one(db)
    .await
}

/// A category of the back-office list, with the number of articles filed directly in it
/// (any status).
#[derive(Debug, Clone)]
pub struct CategoryWithCount {
    pub category_id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: i32,
    pub article_count: i64,
}

pub async fn list_with_counts(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<CategoryWithCount>> {
    sqlx::query_as!(
        CategoryWithCount,
        r#"select c.category_id, c.parent_id, c.name, c.slug, c.description, c.position,
                  (select count(*) from article a where a.category_id = c.category_id) as "article_count!"
           from category c order by c.position, c.category_id"#
    )
    .fetch_all(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, category_id: i64) -> sqlx::Result<Category> {
    sqlx::query_as!(
        Category,
        "select category_id, parent_id, name, slug, description, position
         from category where category_id = $1",
        category_id
    )
    .fetch_one(db)
    .await
}

/// Serialises changes to the tree until the transaction ends, so that checks made inside it
/// (slug free, no cycle, no children) still hold when it commits. Readers are not blocked.
pub async fn lock_tree(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("lock table category in share row exclusive mode")
        .execute(db)
        .await?;
    Ok(())
}

pub async fn exists(db: impl PgExecutor<'_>, category_id: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(select 1 from category where category_id = $1) as "exists!""#,
        category_id
    )
    .fetch_one(db)
    .await
}

pub async fn slug_taken(
    db: impl PgExecutor<'_>,
    slug: &str,
    except_category_id: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select exists(
               select 1 from category
               where slug = $1 and category_id is distinct from $2
           ) as "exists!""#,
        slug,
        except_category_id
    )
    .fetch_one(db)
    .await
}

/// Whether `candidate` is `category_id` itself or lies anywhere below it.
pub async fn is_in_subtree(
    db: impl PgExecutor<'_>,
    category_id: i64,
    candidate: i64,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"with recursive subtree (category_id) as (
               select category_id from category where category_id = $1
               union
               select c.category_id from category c join subtree s on c.parent_id = s.category_id
           )
           select exists(select 1 from subtree where category_id = $2) as "exists!""#,
        category_id,
        candidate
    )
    .fetch_one(db)
    .await
}

/// One past the highest position among the children of `parent_id` (top level when `None`).
pub async fn next_position(db: impl PgExecutor<'_>, parent_id: Option<i64>) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        r#"select coalesce(max(position) + 1, 0) as "position!" from category
           where parent_id is not distinct from $1"#,
        parent_id
    )
    .fetch_one(db)
    .await
}

pub async fn insert(db: impl PgExecutor<'_>, c: &NewCategory<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into category (parent_id, name, slug, description, position)
         values ($1, $2, $3, $4, $5)
         returning category_id",
        c.parent_id,
        c.name,
        c.slug,
        c.description,
        c.position
    )
    .fetch_one(db)
    .await
}

pub async fn update(
    db: impl PgExecutor<'_>,
    category_id: i64,
    c: &NewCategory<'_>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update category set parent_id = $2, name = $3, slug = $4, description = $5,
                position = $6, updated_at = now()
         where category_id = $1",
        category_id,
        c.parent_id,
        c.name,
        c.slug,
        c.description,
        c.position
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A category and its siblings (same parent) in menu order: `(category_id, position)`.
pub async fn list_siblings(
    db: impl PgExecutor<'_>,
    category_id: i64,
) -> sqlx::Result<Vec<(i64, i32)>> {
    let rows = sqlx::query!(
        "select s.category_id, s.position from category c
         join category s on s.parent_id is not distinct from c.parent_id
         where c.category_id = $1
         order by s.position, s.category_id",
        category_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.category_id, r.position))
        .collect())
}

/// Sets the positions of several categories at once (`ids[i]` gets `positions[i]`).
pub async fn set_positions(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    positions: &[i32],
) -> sqlx::Result<()> {
    sqlx::query!(
        "update category c set position = p.position, updated_at = now()
         from unnest($1::bigint[], $2::integer[]) as p (category_id, position)
         where c.category_id = p.category_id",
        ids,
        positions
    )
    .execute(db)
    .await?;
    Ok(())
}

/// What stands in the way of deleting a category.
#[derive(Debug, Clone, Copy)]
pub struct Dependents {
    /// Articles filed in it, in any status.
    pub articles: i64,
    pub children: i64,
}

pub async fn dependents(db: impl PgExecutor<'_>, category_id: i64) -> sqlx::Result<Dependents> {
    sqlx::query_as!(
        Dependents,
        r#"select (select count(*) from article where category_id = $1) as "articles!",
                  (select count(*) from category where parent_id = $1) as "children!""#,
        category_id
    )
    .fetch_one(db)
    .await
}

pub async fn delete(db: impl PgExecutor<'_>, category_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!("delete from category where category_id = $1", category_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
