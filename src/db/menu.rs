//! The site's menus (`menu_item`): the main menu in the header, two levels, and the footer links.

use sqlx::PgExecutor;

vocabulary! {
    #[derive(sqlx::Type)]
    #[sqlx(type_name = "menu_name", rename_all = "lowercase")]
    pub enum MenuName {
        Main => "main", "Menu chính";
        Footer => "footer", "Liên kết chân trang";
    }
}

vocabulary! {
    #[derive(sqlx::Type)]
    #[sqlx(type_name = "menu_target", rename_all = "lowercase")]
    pub enum MenuTarget {
        Category => "category", "Chuyên mục";
        Page => "page", "Trang";
        Documents => "documents", "Thư viện văn bản";
        Contact => "contact", "Trang liên hệ";
        Url => "url", "Địa chỉ ngoài";
    }
}

/// An entry as stored, with the name of what it leads to.
#[derive(Debug, Clone)]
pub struct MenuItem {
    pub menu_item_id: i64,
    pub menu: MenuName,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: String,
    pub target: MenuTarget,
    pub category_id: Option<i64>,
    pub page_id: Option<i64>,
    pub url: String,
}

/// Both menus, each entry after its earlier siblings.
pub async fn list_all(db: impl PgExecutor<'_>) -> sqlx::Result<Vec<MenuItem>> {
    sqlx::query_as!(
        MenuItem,
        r#"select menu_item_id, menu as "menu: MenuName", parent_id, position, label,
                  target as "target: MenuTarget", category_id, page_id, url
           from menu_item order by menu, position, menu_item_id"#
    )
    .fetch_all(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, menu_item_id: i64) -> sqlx::Result<MenuItem> {
    sqlx::query_as!(
        MenuItem,
        r#"select menu_item_id, menu as "menu: MenuName", parent_id, position, label,
                  target as "target: MenuTarget", category_id, page_id, url
           from menu_item where menu_item_id = $1"#,
        menu_item_id
    )
    .fetch_one(db)
    .await
}

/// Serialises changes to the menus until the transaction ends, so that checks made inside it
/// (two levels) and moves (positions stay a permutation) hold when it commits. Readers are not
/// blocked.
pub async fn lock_menus(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!("lock table menu_item in share row exclusive mode")
        .execute(db)
        .await?;
    Ok(())
}

/// What the form saves.
#[derive(Debug, Clone)]
pub struct MenuFields {
    pub menu: MenuName,
    pub parent_id: Option<i64>,
    pub label: String,
    pub target: MenuTarget,
    pub category_id: Option<i64>,
    pub page_id: Option<i64>,
    pub url: String,
}

/// One past the last sibling's position under `parent_id` in `menu`.
pub async fn next_position(
    db: impl PgExecutor<'_>,
    menu: MenuName,
    parent_id: Option<i64>,
) -> sqlx::Result<i32> {
    sqlx::query_scalar!(
        r#"select coalesce(max(position) + 1, 0) as "position!" from menu_item
           where menu = $1 and parent_id is not distinct from $2"#,
        menu as MenuName,
        parent_id
    )
    .fetch_one(db)
    .await
}

pub async fn insert(db: impl PgExecutor<'_>, f: &MenuFields, position: i32) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into menu_item (menu, parent_id, position, label, target, category_id, page_id, url)
         values ($1, $2, $3, $4, $5, $6, $7, $8)
         returning menu_item_id",
        f.menu as MenuName,
        f.parent_id,
        position,
        f.label,
        f.target as MenuTarget,
        f.category_id,
        f.page_id,
        f.url
    )
    .fetch_one(db)
    .await
}

pub async fn update(
    db: impl PgExecutor<'_>,
    menu_item_id: i64,
    f: &MenuFields,
    position: i32,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update menu_item set menu = $2, parent_id = $3, position = $4, label = $5, target = $6,
                category_id = $7, page_id = $8, url = $9, updated_at = now()
         where menu_item_id = $1",
        menu_item_id,
        f.menu as MenuName,
        f.parent_id,
        position,
        f.label,
        f.target as MenuTarget,
        f.category_id,
        f.page_id,
        f.url
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many entries are nested under `menu_item_id`.
pub async fn child_count(db: impl PgExecutor<'_>, menu_item_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from menu_item where parent_id = $1"#,
        menu_item_id
    )
    .fetch_one(db)
    .await
}

/// How many menu entries lead to the page.
pub async fn count_for_page(db: impl PgExecutor<'_>, page_id: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from menu_item where page_id = $1"#,
        page_id
    )
    .fetch_one(db)
    .await
}

/// An entry's siblings (itself included) in menu order.
pub async fn list_siblings(db: impl PgExecutor<'_>, menu_item_id: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "select s.menu_item_id from menu_item m
         join menu_item s on s.menu = m.menu and s.parent_id is not distinct from m.parent_id
         where m.menu_item_id = $1
         order by s.position, s.menu_item_id",
        menu_item_id
    )
    .fetch_all(db)
    .await
}

/// Numbers entries 0, 1, 2… in the order given.
pub async fn renumber(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "update menu_item set position = ordered.n::integer - 1, updated_at = now()
         from unnest($1::bigint[]) with ordinality as ordered (id, n)
         where menu_item_id = ordered.id",
        ids
    )
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete(db: impl PgExecutor<'_>, menu_item_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "delete from menu_item where menu_item_id = $1",
        menu_item_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds every category to the main menu, in the categories' order, when there is no menu yet
/// (the demo's first menu; the migration does the same for a site that is upgraded).
pub async fn add_categories(db: impl PgExecutor<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "with top as (
             insert into menu_item (menu, position, target, category_id)
             select 'main', row_number() over (order by position, category_id) - 1, 'category',
                    category_id
             from category
             where parent_id is null and not exists (select 1 from menu_item)
             returning menu_item_id, category_id
         )
         insert into menu_item (menu, parent_id, position, target, category_id)
         select 'main', top.menu_item_id,
                row_number() over (partition by c.parent_id order by c.position, c.category_id) - 1,
                'category', c.category_id
         from category c join top on top.category_id = c.parent_id"
    )
    .execute(db)
    .await?;
    Ok(())
}
