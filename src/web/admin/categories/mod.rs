//! Categories: the tree of sections in the site menu — create, rename, nest, reorder, delete.

mod form;
mod tree;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use self::{
    form::{CategoryForm, UNIQUE},
    tree::{ParentOption, TreeRow, parent_options, tree_rows},
};
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        categories::Category,
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        filters,
        form::{ConstraintExt, FieldErrors, Form},
        format,
    },
};

const LIST_URL: &str = "/admin/categories";

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
    Form(form, mut errors): Form<CategoryForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
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
    staff.finish(tx, entry, LIST_URL, Flash::Created).await
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
    Form(form, mut errors): Form<CategoryForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
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
    staff.finish(tx, entry, LIST_URL, Flash::Saved).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MoveForm {
    /// "up" or "down".
    direction: String,
}

/// Swaps a category with its previous ("up") or next ("down") sibling in the menu.
pub(crate) async fn move_category(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(category_id): IdParam,
    Form(form, errors): Form<MoveForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageCategories)?;
    errors.refuse_any()?;
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
    staff.finish(tx, entry, LIST_URL, Flash::Moved).await
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
    staff.finish(tx, entry, LIST_URL, Flash::Deleted).await
}
