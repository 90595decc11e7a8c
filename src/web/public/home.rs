use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::{
    AppState,
    db::{self, articles::ArticleCard},
    error::AppResult,
    web::{
        filters,
        layout::{Layout, category_url},
    },
};

const LATEST: i64 = 9;
const PER_CATEGORY: usize = 4;
const MOST_READ: i64 = 6;

pub(crate) struct CategoryBlock {
    pub name: String,
    pub url: String,
    pub articles: Vec<ArticleCard>,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/home.html")]
pub(crate) struct HomePage {
    layout: Layout,
    lead: Option<ArticleCard>,
    latest: Vec<ArticleCard>,
    blocks: Vec<CategoryBlock>,
    most_read: Vec<ArticleCard>,
}

pub(crate) async fn show_home(State(state): State<AppState>) -> AppResult<HomePage> {
    let site = state.site.get();
    let tops: Vec<i64> = site
        .categories
        .top_level()
        .map(|top| top.category_id)
        .collect();
    let (latest, grouped, most_read) = tokio::try_join!(
        db::articles::list_latest(&state.db, LATEST),
        // One spare per block: the lead story is left out of its category's block.
        db::articles::list_latest_per_group(
            &state.db,
            &tops,
            i64::try_from(PER_CATEGORY + 1).unwrap_or(i64::MAX)
        ),
        db::articles::list_most_read(&state.db, MOST_READ),
    )?;

    let mut latest = latest.into_iter();
    let lead = latest.next();
    let lead_id = lead.as_ref().map(|a| a.article_id);
    let blocks = site
        .categories
        .top_level()
        .map(|top| CategoryBlock {
            name: top.name.clone(),
            url: category_url(&top.slug),
            articles: grouped
                .iter()
                .filter(|g| g.group_id == top.category_id && Some(g.card.article_id) != lead_id)
                .take(PER_CATEGORY)
                .map(|g| g.card.clone())
                .collect(),
        })
        .filter(|block| !block.articles.is_empty())
        .collect();

    let layout = Layout::new(&state, site.settings.site_name.clone())
        .with_description(home_description(
            &site.settings.site_name,
            &site.settings.tagline,
        ))
        .with_canonical(&state, "/");
    Ok(HomePage {
        layout,
        lead,
        latest: latest.collect(),
        blocks,
        most_read,
    })
}

/// The home page's description: the site's name and its tagline.
fn home_description(site_name: &str, tagline: &str) -> String {
    if tagline.trim().is_empty() {
        format!("{site_name}: tin tức, sự kiện và thông báo mới nhất.")
    } else {
        format!("{site_name} - {tagline}")
    }
}
