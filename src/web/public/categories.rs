use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use moka::future::Cache;

use crate::web::readers::Readers;
use crate::{
    AppState,
    db::{
        self,
        articles::{ArticleCard, ListingKey},
        categories::Category,
    },
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
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
    PageParam(page): PageParam,
) -> AppResult<CategoryPage> {
    let site = state.site.get();
    let category = site.categories.by_slug(&slug).ok_or(AppError::NotFound)?;
    let url = category_url(&category.slug);

    let total = db::articles::count_in_category(&state.db, category.category_id).await?;
    let pager = Pager::new(url.clone(), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let articles = state
        .page_starts
        .list_page(&state, category.category_id, pager.offset(PER_PAGE))
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

/// Pages deeper than this are found from their start (see [`PageStarts`]); shallower ones by
/// skipping entries of the listing's index from the top (cheap for a thousand).
const SKIP_AT_MOST: i64 = 1000;

/// Where every page of the long category listings starts, so that any page of any category is
/// found by one short index scan however deep it lies. Computed per category on first need,
/// kept while no change has been heard of since (`PageCache::generation`), unused while
/// changes cannot be heard of.
pub struct PageStarts {
    starts: Cache<(u64, i64), Arc<Vec<ListingKey>>>,
}

impl PageStarts {
    pub(crate) fn new() -> Self {
        Self {
            starts: Cache::builder().max_capacity(256).build(),
        }
    }

    /// The category's page of `PER_PAGE` articles that starts `offset` articles in.
    async fn list_page(
        &self,
        state: &AppState,
        category_id: i64,
        offset: i64,
    ) -> sqlx::Result<Vec<ArticleCard>> {
        let per_page = i64::from(PER_PAGE);
        let starts = match state.page_cache.generation() {
            // A failure here (the database gone, say) shows in the query below.
            Some(generation) if offset > SKIP_AT_MOST => self
                .starts
                .try_get_with((generation, category_id), async {
                    db::articles::list_page_starts(&state.db, category_id, per_page)
                        .await
                        .map(Arc::new)
                })
                .await
                .ok(),
            _ => None,
        };
        let start = starts.and_then(|starts| {
            usize::try_from(offset / per_page)
                .ok()
                .and_then(|page| starts.get(page).copied())
        });
        let skip = if start.is_some() { 0 } else { offset };
        db::articles::list_in_category(&state.db, category_id, start, skip, per_page).await
    }
}
