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
