//! Categories: the tree of sections in the site menu — create, rename, nest, reorder, delete.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use sqlx::PgConnection;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        categories::{Category, CategoryWithCount, NewCategory},
    },
    error::AppResult,
    text::{is_slug, slugify},
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        filters,
        form::{ConstraintExt, FieldErrors, Unique, optional, required},
        format,
    },
};

const LIST_URL: &str = "/admin/categories";
const NAME_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 300;
const POSITION_MAX: i32 = 99_999;

const SLUG_TAKEN: &str = "Đường dẫn này đã được dùng.";
const UNIQUE: &[Unique] = &[Unique {
    constraint: "category_slug_key",
    field: "slug",
    message: SLUG_TAKEN,
}];
const SLUG_FORMAT: &str =
    "Đường dẫn chỉ gồm chữ thường không dấu (a-z), chữ số và dấu gạch ngang, ví dụ: tin-tuc.";
const SLUG_UNDERIVABLE: &str = "Tên này không tạo được đường dẫn, hãy tự nhập đường dẫn.";
const PARENT_INVALID: &str = "Chuyên mục cha không hợp lệ.";
const PARENT_MISSING: &str = "Chuyên mục cha không còn tồn tại.";
const PARENT_TOO_DEEP: &str =
    "Chuyên mục chỉ có hai cấp: hãy chọn một chuyên mục cấp trên cùng làm chuyên mục cha.";
const HAS_CHILDREN: &str =
    "Chuyên mục này đang có chuyên mục con nên không thể đặt vào trong chuyên mục khác.";
const PARENT_CYCLE: &str =
    "Không thể đặt chuyên mục vào trong chính nó hoặc chuyên mục con của nó.";

/// A row of the tree as the list shows it: indented under its parent, in menu order.
pub struct TreeRow {
    pub category: CategoryWithCount,
    pub depth: usize,
    /// First among its siblings (cannot move up).
    pub first: bool,
    /// Last among its siblings (cannot move down).
    pub last: bool,
}

impl TreeRow {
    pub fn indent(&self) -> String {
        "— ".repeat(self.depth)
    }
}

/// The categories in menu order, each followed by its sub-categories (depth first).
fn tree_rows(all: Vec<CategoryWithCount>) -> Vec<TreeRow> {
    // `all` comes ordered by (position, id), which is the order among siblings.
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (index, category) in all.iter().enumerate() {
        children.entry(category.parent_id).or_default().push(index);
    }
    let mut order = Vec::with_capacity(all.len());
    let mut seen = vec![false; all.len()];
    // (index, depth, first, last), pushed in reverse so siblings pop in order.
    let mut stack: Vec<(usize, usize, bool, bool)> = Vec::new();
    let push_children = |stack: &mut Vec<_>, parent: Option<i64>, depth: usize| {
        let kids = children.get(&parent).map(Vec::as_slice).unwrap_or_default();
        for (n, &index) in kids.iter().enumerate().rev() {
            stack.push((index, depth, n == 0, n + 1 == kids.len()));
        }
    };
    push_children(&mut stack, None, 0);
    while let Some((index, depth, first, last)) = stack.pop() {
        if std::mem::replace(&mut seen[index], true) {
            continue; // a cycle cannot be stored, but never loop on one
        }
        order.push((index, depth, first, last));
        push_children(&mut stack, Some(all[index].category_id), depth + 1);
    }
    let mut slots: Vec<Option<CategoryWithCount>> = all.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(index, depth, first, last)| {
            slots[index].take().map(|category| TreeRow {
                category,
                depth,
                first,
                last,
            })
        })
        .collect()
}

/// An entry of the "parent" select.
pub struct ParentOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

/// Every category that can be the parent of `editing` (not itself nor anything below it).
fn parent_options(rows: &[TreeRow], selected: &str, editing: Option<i64>) -> Vec<ParentOption> {
    let mut options = Vec::with_capacity(rows.len());
    let mut skip_below: Option<usize> = None;
    for row in rows {
        if let Some(depth) = skip_below {
            if row.depth > depth {
                continue;
            }
            skip_below = None;
        }
        if Some(row.category.category_id) == editing {
            skip_below = Some(row.depth);
            continue;
        }
        let id = row.category.category_id;
        options.push(ParentOption {
            id,
            label: format!("{}{}", row.indent(), row.category.name),
            selected: selected == id.to_string(),
        });
    }
    options
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    name: String,
    slug: String,
    /// "" for the top level, or the parent's id.
    parent: String,
    description: String,
    position: String,
}

/// A category form that passed the checks that need no database.
struct CategoryInput {
    name: String,
    slug: String,
    parent_id: Option<i64>,
    description: String,
    /// `None`: after the last sibling (new), or where it was (edited, same parent).
    position: Option<i32>,
}

impl CategoryForm {
    fn of(category: &Category) -> Self {
        Self {
            name: category.name.clone(),
            slug: category.slug.clone(),
            parent: category
                .parent_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            description: category.description.clone(),
            position: category.position.to_string(),
        }
    }

    fn parse(&self, errors: &mut FieldErrors) -> CategoryInput {
        let name = required(errors, "name", &self.name, NAME_MAX);
        let slug = match self.slug.trim() {
            "" => {
                let slug = slugify(&name);
                if slug.is_empty() && !name.is_empty() {
                    errors.add("slug", SLUG_UNDERIVABLE);
                }
                slug
            }
            typed if is_slug(typed) => typed.to_owned(),
            typed => {
                errors.add("slug", SLUG_FORMAT);
                typed.to_owned()
            }
        };
        let parent_id = match self.parent.trim() {
            "" => None,
            id => {
                let id = id.parse::<i64>().ok().filter(|id| *id > 0);
                if id.is_none() {
                    errors.add("parent", PARENT_INVALID);
                }
                id
            }
        };
        let description = optional(errors, "description", &self.description, DESCRIPTION_MAX);
        let position = match self.position.trim() {
            "" => None,
            number => {
                let position = number
                    .parse::<i32>()
                    .ok()
                    .filter(|p| (0..=POSITION_MAX).contains(p));
                if position.is_none() {
                    errors.add(
                        "position",
                        format!("Thứ tự là một số nguyên từ 0 đến {POSITION_MAX}."),
                    );
                }
                position
            }
        };
        CategoryInput {
            name,
            slug,
            parent_id,
            description,
            position,
        }
    }
}

impl CategoryInput {
    /// The checks that need the tree (inside the transaction that holds its lock).
    async fn check(
        &self,
        tx: &mut PgConnection,
        editing: Option<i64>,
        errors: &mut FieldErrors,
    ) -> sqlx::Result<()> {
        if !errors.has("slug") && db::categories::slug_taken(&mut *tx, &self.slug, editing).await? {
            errors.add("slug", SLUG_TAKEN);
        }
        if let Some(parent_id) = self.parent_id {
            if !db::categories::exists(&mut *tx, parent_id).await? {
                errors.add("parent", PARENT_MISSING);
            } else if let Some(id) = editing
                && db::categories::is_in_subtree(&mut *tx, id, parent_id).await?
            {
                errors.add("parent", PARENT_CYCLE);
            } else if db::categories::get(&mut *tx, parent_id)
                .await?
                .parent_id
                .is_some()
            {
                // The menu, the article editor and the home page show two levels.
                errors.add("parent", PARENT_TOO_DEEP);
            } else if let Some(id) = editing
                && db::categories::dependents(&mut *tx, id).await?.children > 0
            {
                errors.add("parent", HAS_CHILDREN);
            }
        }
        Ok(())
    }

    fn as_new(&self, position: i32) -> NewCategory<'_> {
        NewCategory {
            parent_id: self.parent_id,
            name: &self.name,
            slug: &self.slug,
            description: &self.description,
            position,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/categories/list.html")]
pub(crate) struct CategoriesPage {
    layout: AdminLayout,
    rows: Vec<TreeRow>,
    parents: Vec<ParentOption>,
    /// The "new category" form.
    form: CategoryForm,
    errors: FieldErrors,
    /// Why an action on the list was refused.
    error: Option<String>,
}

impl CategoriesPage {
    async fn new(state: &AppState, layout: AdminLayout, form: CategoryForm) -> AppResult<Self> {
        let rows = tree_rows(db::categories::list_with_counts(&state.db).await?);
        Ok(Self {
            layout: layout.page("Chuyên mục", "categories"),
            parents: parent_options(&rows, &form.parent, None),
            rows,
            form,
            errors: FieldErrors::default(),
            error: None,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/categories/edit.html")]
pub(crate) struct CategoryPage {
    layout: AdminLayout,
    category: Category,
    parents: Vec<ParentOption>,
    form: CategoryForm,
    errors: FieldErrors,
}

impl CategoryPage {
    async fn new(
        state: &AppState,
        layout: AdminLayout,
        category: Category,
        form: CategoryForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let rows = tree_rows(db::categories::list_with_counts(&state.db).await?);
        Ok(Self {
            layout: layout.page(format!("Sửa chuyên mục: {}", category.name), "categories"),
            parents: parent_options(&rows, &form.parent, Some(category.category_id)),
            category,
            form,
            errors,
        })
    }
}

pub(crate) async fn list_categories(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<CategoriesPage> {
    layout.user.require(Capability::ManageCategories)?;
    CategoriesPage::new(&state, layout, CategoryForm::default()).await
}

pub(crate) async fn create_category(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
    let mut errors = FieldErrors::default();
    let input = form.parse(&mut errors);

    let mut tx = state.db.begin().await?;
    db::categories::lock_tree(&mut *tx).await?;
    input.check(&mut tx, None, &mut errors).await?;
    if !errors.is_empty() {
        drop(tx);
        let page = CategoriesPage {
            errors,
            ..CategoriesPage::new(&state, layout, form).await?
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let position = match input.position {
        Some(position) => position,
        None => db::categories::next_position(&mut *tx, input.parent_id).await?,
    };
    let inserted = db::categories::insert(&mut *tx, &input.as_new(position))
        .await
        .on_constraint(UNIQUE)?;
    let category_id = match inserted {
        Ok(id) => id,
        Err(errors) => {
            drop(tx);
            let page = CategoriesPage {
                errors,
                ..CategoriesPage::new(&state, layout, form).await?
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let details = format!("{} ({})", input.name, input.slug);
    let entry = (
        AuditAction::CategoryCreated,
        Target::Category(category_id),
        &*details,
    );
    let done = staff.finish(tx, entry, LIST_URL, Flash::Created).await?;
    state.site.refresh(&state.db).await?;
    Ok(done)
}

pub(crate) async fn edit_category(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(category_id): IdParam,
) -> AppResult<CategoryPage> {
    layout.user.require(Capability::ManageCategories)?;
    let category = db::categories::get(&state.db, category_id).await?;
    let form = CategoryForm::of(&category);
    CategoryPage::new(&state, layout, category, form, FieldErrors::default()).await
}

pub(crate) async fn update_category(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(category_id): IdParam,
    Form(form): Form<CategoryForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
    let mut errors = FieldErrors::default();
    let input = form.parse(&mut errors);

    let mut tx = state.db.begin().await?;
    db::categories::lock_tree(&mut *tx).await?;
    let current = db::categories::get(&mut *tx, category_id).await?;
    input.check(&mut tx, Some(category_id), &mut errors).await?;
    if !errors.is_empty() {
        drop(tx);
        let page = CategoryPage::new(&state, layout, current, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let position = match input.position {
        Some(position) => position,
        None if input.parent_id == current.parent_id => current.position,
        None => db::categories::next_position(&mut *tx, input.parent_id).await?,
    };
    let changed: Vec<&str> = [
        ("name", input.name != current.name),
        ("slug", input.slug != current.slug),
        ("parent", input.parent_id != current.parent_id),
        ("description", input.description != current.description),
        ("position", position != current.position),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if changed.is_empty() {
        return Ok(Flash::Saved.redirect(LIST_URL));
    }
    let updated = db::categories::update(&mut *tx, category_id, &input.as_new(position))
        .await
        .on_constraint(UNIQUE)?;
    if let Err(errors) = updated {
        drop(tx);
        let page = CategoryPage::new(&state, layout, current, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let details = format!("{}: {}", input.name, changed.join(", "));
    let entry = (
        AuditAction::CategoryUpdated,
        Target::Category(category_id),
        &*details,
    );
    let done = staff.finish(tx, entry, LIST_URL, Flash::Saved).await?;
    state.site.refresh(&state.db).await?;
    Ok(done)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveForm {
    /// "up" or "down".
    direction: String,
}

/// Swaps a category with its previous ("up") or next ("down") sibling in the menu.
pub(crate) async fn move_category(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(category_id): IdParam,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
    let (up, label) = match form.direction.as_str() {
        "up" => (true, "lên"),
        "down" => (false, "xuống"),
        _ => return Ok(Redirect::to(LIST_URL).into_response()),
    };

    let mut tx = state.db.begin().await?;
    db::categories::lock_tree(&mut *tx).await?;
    let category = db::categories::get(&mut *tx, category_id).await?;
    let mut siblings = db::categories::list_siblings(&mut *tx, category_id).await?;
    let Some(index) = siblings.iter().position(|(id, _)| *id == category_id) else {
        return Err(crate::AppError::NotFound);
    };
    let neighbour = if up {
        index.checked_sub(1)
    } else {
        Some(index + 1).filter(|n| *n < siblings.len())
    };
    let Some(neighbour) = neighbour else {
        // Already first (or last): nothing to do.
        return Ok(Redirect::to(LIST_URL).into_response());
    };
    let (ids, positions): (Vec<i64>, Vec<i32>) = if siblings[index].1 != siblings[neighbour].1 {
        // Exchange the two positions; the other siblings keep theirs.
        let (a, b) = (siblings[index], siblings[neighbour]);
        (vec![a.0, b.0], vec![b.1, a.1])
    } else {
        // Equal positions (ordered by id): number all siblings in the new order.
        siblings.swap(index, neighbour);
        let count = i32::try_from(siblings.len()).unwrap_or(i32::MAX);
        (
            siblings.iter().map(|(id, _)| *id).collect(),
            (0..count).collect(),
        )
    };
    db::categories::set_positions(&mut *tx, &ids, &positions).await?;
    let details = format!("{}: {label}", category.name);
    let entry = (
        AuditAction::CategoryMoved,
        Target::Category(category_id),
        &*details,
    );
    let done = staff.finish(tx, entry, LIST_URL, Flash::Moved).await?;
    state.site.refresh(&state.db).await?;
    Ok(done)
}

/// Deletes an empty category; one with articles or sub-categories is refused on the list page.
pub(crate) async fn delete_category(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(category_id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
    let mut tx = state.db.begin().await?;
    db::categories::lock_tree(&mut *tx).await?;
    let category = db::categories::get(&mut *tx, category_id).await?;
    let dependents = db::categories::dependents(&mut *tx, category_id).await?;
    let refusal = if dependents.articles > 0 {
        Some(format!(
            "Không thể xóa chuyên mục đang có bài viết ({} bài). Hãy chuyển các bài sang chuyên mục khác trước.",
            format::count(dependents.articles)
        ))
    } else if dependents.children > 0 {
        Some(format!(
            "Không thể xóa chuyên mục đang có chuyên mục con ({} chuyên mục). Hãy chuyển hoặc xóa các chuyên mục con trước.",
            format::count(dependents.children)
        ))
    } else {
        None
    };
    if let Some(message) = refusal {
        drop(tx);
        let page = CategoriesPage {
            error: Some(format!("“{}”: {message}", category.name)),
            ..CategoriesPage::new(&state, layout, CategoryForm::default()).await?
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    db::categories::delete(&mut *tx, category_id).await?;
    let details = format!("{} ({})", category.name, category.slug);
    let entry = (
        AuditAction::CategoryDeleted,
        Target::Category(category_id),
        &*details,
    );
    let done = staff.finish(tx, entry, LIST_URL, Flash::Deleted).await?;
    state.site.refresh(&state.db).await?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(id: i64, parent_id: Option<i64>, position: i32) -> CategoryWithCount {
        CategoryWithCount {
            category_id: id,
            parent_id,
            name: format!("c{id}"),
            slug: format!("c{id}"),
            description: String::new(),
            position,
            article_count: 0,
        }
    }

    #[test]
    fn rows_follow_the_menu_depth_first() {
        // Already in (position, id) order, as the database returns them.
        let rows = tree_rows(vec![
            category(1, None, 0),
            category(3, Some(1), 0),
            category(5, Some(3), 0),
            category(4, None, 1),
            category(2, Some(1), 1),
        ]);
        let shape: Vec<_> = rows
            .iter()
            .map(|r| (r.category.category_id, r.depth, r.first, r.last))
            .collect();
        assert_eq!(
            shape,
            [
                (1, 0, true, false),
                (3, 1, true, false),
                (5, 2, true, true),
                (2, 1, false, true),
                (4, 0, false, true)
            ]
        );
        assert_eq!(rows[2].indent(), "— — ");
    }

    #[test]
    fn a_category_cannot_be_offered_as_its_own_parent_or_below_itself() {
        let rows = tree_rows(vec![
            category(1, None, 0),
            category(3, Some(1), 0),
            category(5, Some(3), 0),
            category(2, Some(1), 1),
            category(4, None, 1),
        ]);
        let ids =
            |options: Vec<ParentOption>| options.into_iter().map(|o| o.id).collect::<Vec<_>>();
        assert_eq!(ids(parent_options(&rows, "", Some(3))), [1, 2, 4]);
        assert_eq!(ids(parent_options(&rows, "", Some(1))), [4]);
        let options = parent_options(&rows, "2", None);
        assert_eq!(options.len(), 5);
        assert!(options.iter().all(|o| o.selected == (o.id == 2)));
    }

    #[test]
    fn the_slug_comes_from_the_name_unless_typed() {
        let mut errors = FieldErrors::default();
        let form = CategoryForm {
            name: " Văn hóa - Xã hội ".into(),
            ..CategoryForm::default()
        };
        let input = form.parse(&mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            (input.name.as_str(), input.slug.as_str()),
            ("Văn hóa - Xã hội", "van-hoa-xa-hoi")
        );
        assert_eq!(input.position, None);

        let form = CategoryForm {
            name: "!!!".into(),
            ..CategoryForm::default()
        };
        form.parse(&mut errors);
        assert_eq!(errors.get("slug").unwrap(), SLUG_UNDERIVABLE);

        let mut errors = FieldErrors::default();
        let form = CategoryForm {
            name: "Tin".into(),
            slug: "Tin Tức".into(),
            parent: "abc".into(),
            position: "-1".into(),
            ..CategoryForm::default()
        };
        form.parse(&mut errors);
        assert_eq!(errors.get("slug").unwrap(), SLUG_FORMAT);
        assert_eq!(errors.get("parent").unwrap(), PARENT_INVALID);
        assert!(errors.has("position"));
    }
}
