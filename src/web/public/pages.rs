//! Pages ("Trang") as readers see them: `/{slug}`, its print version, and `/en`, the list of
//! English pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::web::readers::Readers;
use crate::{
    AppState,
    db::{
        self,
        pages::{Language, Page, PageLink},
    },
    error::{AppError, AppResult},
    web::{
        extract::SlugParam,
        filters,
        layout::{ENGLISH_URL, Layout, page_url, print_url},
        print::PrintFrame,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "public/page.html")]
pub(crate) struct PagePage {
    layout: Layout,
    page: Page,
    /// The published pages above this one, from the top.
    ancestors: Vec<PageLink>,
    /// The same page in the other language, when linked and published.
    counterpart: Option<PageLink>,
}

impl PagePage {
    fn print_url(&self) -> String {
        print_url(&page_url(&self.page.slug))
    }
}

async fn published(state: &AppState, slug: &str) -> AppResult<Page> {
    db::pages::find_published(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// `/{slug}`: a published page.
pub(crate) async fn show_page(
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
) -> AppResult<PagePage> {
    let page = published(&state, &slug).await?;
    let site = state.site.get();
    let link = page.link();
    let ancestors: Vec<PageLink> = site.page_ancestors(&link).into_iter().cloned().collect();
    let here = ancestors
        .iter()
        .map(|p| p.page_id)
        .chain([page.page_id])
        .collect();
    let counterpart = page
        .counterpart_id
        .and_then(|id| site.page(id))
        .filter(|other| other.language != page.language)
        .cloned();
    // In the page's language (the site's tagline is Vietnamese).
    let layout = Layout::new(&state, page.title.clone())
        .with_description(&page.title)
        .in_language(page.language)
        .with_canonical(&state, &page_url(&page.slug))
        .with_counterpart(&link, counterpart.as_ref())
        .at_pages(here);
    Ok(PagePage {
        layout,
        page,
        ancestors,
        counterpart,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/page_print.html")]
pub(crate) struct PagePrintPage {
    frame: PrintFrame,
    page: Page,
}

/// `/{slug}/ban-in`: the page alone, for paper.
pub(crate) async fn print_page(
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
) -> AppResult<PagePrintPage> {
    let page = published(&state, &slug).await?;
    let frame = PrintFrame::new(&state, page.language, &page.title, page_url(&page.slug));
    Ok(PagePrintPage { frame, page })
}

/// The title of `/en`.
const ENGLISH_TITLE: &str = "English information";

#[derive(Template, WebTemplate)]
#[template(path = "public/english.html")]
pub(crate) struct EnglishPage {
    layout: Layout,
    pages: Vec<PageLink>,
}

/// `/en`: the English pages, by title.
pub(crate) async fn list_english_pages(State(state): State<AppState>) -> EnglishPage {
    let layout = Layout::new(&state, ENGLISH_TITLE)
        .with_description(ENGLISH_TITLE)
        .in_language(Language::En)
        .with_canonical(&state, ENGLISH_URL);
    // The snapshot lists pages by title already.
    let pages: Vec<PageLink> = layout
        .site
        .pages
        .iter()
        .filter(|p| p.language == Language::En)
        .cloned()
        .collect();
    EnglishPage { layout, pages }
}
