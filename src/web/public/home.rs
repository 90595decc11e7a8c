use askama::Template;
use askama_web::WebTemplate;

use crate::web::readers::Readers;
use crate::{
    AppState,
    db::{self, articles::ArticleCard},
    error::AppResult,
    web::{
        filters,
        layout::{Layout, category_url},
    },
};

/// The newest articles shown, the lead story included when it is the newest.
const LATEST: usize = 9;
const PER_CATEGORY: usize = 4;
const MOST_READ: i64 = 6;
/// The lead story and the featured strip, when editors feature articles.
const FEATURED: usize = 5;

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
    /// "Tin nổi bật" after the lead story.
    featured: Vec<ArticleCard>,
    latest: Vec<ArticleCard>,
    blocks: Vec<CategoryBlock>,
    most_read: Vec<ArticleCard>,
    most_read_days: i32,
}

/// The lead story and the featured strip: the featured articles in their order, or (none
/// featured) the newest article alone. The rest of `latest` follows as "Tin mới".
fn lead_and_featured(
    featured: Vec<ArticleCard>,
    latest: Vec<ArticleCard>,
) -> (Option<ArticleCard>, Vec<ArticleCard>, Vec<ArticleCard>) {
    let mut leading = if featured.is_empty() {
        latest.first().cloned().into_iter().collect()
    } else {
        featured
    }
    .into_iter();
    let lead = leading.next();
    let strip: Vec<ArticleCard> = leading.collect();
    let shown = |a: &ArticleCard| {
        lead.iter()
            .chain(&strip)
            .any(|s| s.article_id == a.article_id)
    };
    let rest = latest
        .into_iter()
        .filter(|a| !shown(a))
        .take(LATEST - 1)
        .collect();
    (lead, strip, rest)
}

pub(crate) async fn show_home(Readers(state): Readers) -> AppResult<HomePage> {
    let site = state.site.get();
    let tops: Vec<i64> = site
        .categories
        .top_level()
        .map(|top| top.category_id)
        .collect();
    let most_read_days = site.settings.most_read_days;
    let (featured, latest, grouped, most_read) = tokio::try_join!(
        db::articles::list_featured(&state.db, count(FEATURED)),
        // Room for the featured ones, which "Tin mới" leaves out.
        db::articles::list_latest(&state.db, count(LATEST + FEATURED)),
        // One spare per block: the lead story is left out of its category's block.
        db::articles::list_latest_per_group(&state.db, &tops, count(PER_CATEGORY + 1)),
        most_read(&state, most_read_days),
    )?;

    let (lead, featured, latest) = lead_and_featured(featured, latest);
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
        featured,
        latest,
        blocks,
        most_read,
        most_read_days,
    })
}

/// "Đọc nhiều": the published articles of the current ranking.
async fn most_read(state: &AppState, days: i32) -> Result<Vec<ArticleCard>, sqlx::Error> {
    let ids = state.views.most_read(&state.db, days).await?;
    db::articles::list_published_by_ids(&state.db, &ids, MOST_READ).await
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The home page's description: the site's name and its tagline.
fn home_description(site_name: &str, tagline: &str) -> String {
    if tagline.trim().is_empty() {
        format!("{site_name}: tin tức, sự kiện và thông báo mới nhất.")
    } else {
        format!("{site_name} - {tagline}")
    }
}
