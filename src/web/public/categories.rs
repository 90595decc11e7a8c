use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::{
    AppState,
    db::{self, articles::ArticleCard, categories::Category},
    error::{AppError, AppResult},
    web::{
        extract::{PageParam, SlugParam},
        filters,
        layout::{Layout, category_url},
        pager::Pager,
    },
};

pub(crate) const PER_PAGE: u32 = 10;

#[derive(Template, WebTemplate)]
#[template(path = "public/category.html")]
pub(crate) struct CategoryPage {
    layout: Layout,
    category: Category,
    breadcrumb: Vec<Category>,
    subcategories: Vec<Category>,
    articles: Vec<ArticleCard>,
    pager: Pager,
}

pub(crate) async fn show_category(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    PageParam(page): PageParam,
) -> AppResult<CategoryPage> {
    let site = state.site.get();
    let category = site.categories.by_slug(&slug).ok_or(AppError::NotFound)?;
    let url = category_url(&category.slug);

    let total = db::articles::count_in_category(&state.db, category.category_id).await?;
    let pager = Pager::new(url.clone(), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let articles = db::articles::list_in_category(
        &state.db,
        category.category_id,
        i64::from(PER_PAGE),
        pager.offset(PER_PAGE),
        total,
    )
    .await?;

    let title = if page > 1 {
        format!("{} - Trang {page}", category.name)
    } else {
        category.name.clone()
    };
    let description = if category.description.is_empty() {
        format!(
            "Tin bài mới nhất của chuyên mục {} trên {}.",
            category.name, site.settings.site_name
        )
    } else {
        category.description.clone()
    };
    let layout = Layout::new(&state, title)
        .with_description(description)
        .with_canonical(&state, &pager.url(&page))
        .with_category_feed(category)
        .in_section(category.category_id);
    let mut breadcrumb: Vec<Category> = site
        .categories
        .path(category.category_id)
        .into_iter()
        .cloned()
        .collect();
    breadcrumb.pop(); // the category itself is the heading
    Ok(CategoryPage {
        layout,
        category: category.clone(),
        breadcrumb,
        subcategories: site
            .categories
            .children(category.category_id)
            .cloned()
            .collect(),
        articles,
        pager,
    })
}
