//! Sitemaps and robots.txt: what search engines fetch to find every public page.
//!
//! Every URL in them is absolute, built on `TOASOAN_BASE_URL`; titles go through
//! [`xml_text`] as in the RSS feeds.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::{IntoResponse, Response},
};

use super::feeds::{Document, xml_text};
use crate::web::readers::Readers;
use crate::{
    AppState,
    db::{self, feeds::SitemapArticle, pages::Language},
    error::{AppError, AppResult},
    site::Site,
    web::{
        CONTACT_URL, DOCUMENTS_URL, format,
        layout::{ENGLISH_URL, article_url, category_url, page_url},
        public::documents::document_url,
    },
};

/// URLs in one sitemap file (the sitemaps.org limit); beyond it `/sitemap.xml` becomes an index
/// of `/sitemap-{n}.xml` pages.
pub const SITEMAP_PAGE: usize = 50_000;

/// How far back the Google News sitemap goes, and how many articles it may list at most
/// (Google's rules for news sitemaps).
const NEWS_HOURS: i32 = 48;
const NEWS_MAX: i64 = 1000;

const XML_TYPE: &str = "application/xml; charset=utf-8";
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

// ---------------------------------------------------------------------------------------------
// Sitemaps

#[derive(Template)]
#[template(path = "public/sitemaps/sitemap.xml")]
struct UrlSet {
    urls: Vec<SitemapUrl>,
}

struct SitemapUrl {
    loc: String,
    /// W3C datetime, seconds precision.
    lastmod: Option<String>,
}

#[derive(Template)]
#[template(path = "public/sitemaps/sitemap_index.xml")]
struct SitemapIndex {
    pages: Vec<String>,
}

/// `GET /sitemap.xml`: every public URL, or an index of sitemap pages when there are too many.
pub(crate) async fn show_sitemap(Readers(state): Readers) -> AppResult<Response> {
    let body = render_sitemap(&state, SITEMAP_PAGE).await?;
    Ok(Document {
        content_type: XML_TYPE,
        body,
    }
    .into_response())
}

/// `GET /sitemap-{n}.xml`: page `n` (from 1) of the sitemap.
pub(crate) async fn show_sitemap_page(
    Readers(state): Readers,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let page = parse_sitemap_file(&file).ok_or(AppError::NotFound)?;
    let body = render_sitemap_page(&state, page, SITEMAP_PAGE).await?;
    Ok(Document {
        content_type: XML_TYPE,
        body,
    }
    .into_response())
}

/// "3.xml" → 3: plain digits without a leading zero, at least 1.
fn parse_sitemap_file(file: &str) -> Option<usize> {
    let digits = file.strip_suffix(".xml")?;
    if digits.is_empty()
        || digits.len() > 9
        || digits.starts_with('0')
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
}

/// The site's sitemap with pages of at most `page_size` URLs: a `urlset` of everything when it
/// fits in one page, else a `sitemapindex` of `/sitemap-{n}.xml`.
pub async fn render_sitemap(state: &AppState, page_size: usize) -> AppResult<String> {
    let page_size = page_size.max(1);
    let site = state.site.get();
    let total = fixed_urls(state, &site).await?.len() + article_count(state).await?;
    let pages = total.div_ceil(page_size);
    if pages <= 1 {
        return render_sitemap_page(state, 1, page_size).await;
    }
    let base = &state.config.base_url;
    let index = SitemapIndex {
        pages: (1..=pages)
            .map(|n| format!("{base}/sitemap-{n}.xml"))
            .collect(),
    };
    Ok(index.render()?)
}

/// Page `page` (from 1) of the sitemap with pages of `page_size` URLs: the home page and the
/// categories come first, then the published articles; a page past the end is a 404.
pub async fn render_sitemap_page(
    state: &AppState,
    page: usize,
    page_size: usize,
) -> AppResult<String> {
    let page_size = page_size.max(1);
    let site = state.site.get();
    let fixed = fixed_urls(state, &site).await?;
    let fixed_count = fixed.len();
    let total = fixed_count + article_count(state).await?;
    let pages = total.div_ceil(page_size).max(1);
    if page == 0 || page > pages {
        return Err(AppError::NotFound);
    }
    let start = (page - 1) * page_size;
    let end = start.saturating_add(page_size).min(total);

    let mut urls = Vec::with_capacity(end.saturating_sub(start));
    if start < fixed_count {
        urls.extend(
            fixed
                .into_iter()
                .skip(start)
                .take(end.min(fixed_count) - start),
        );
    }
    let limit = end.saturating_sub(start.max(fixed_count));
    if limit > 0 {
        let offset = start.saturating_sub(fixed_count);
        let articles = db::feeds::list_sitemap_articles(
            &state.db,
            i64::try_from(limit).unwrap_or(i64::MAX),
            i64::try_from(offset).unwrap_or(i64::MAX),
        )
        .await?;
        let base = &state.config.base_url;
        urls.extend(
            articles
                .into_iter()
                .map(|SitemapArticle { slug, updated_at }| SitemapUrl {
                    loc: format!("{base}{}", article_url(&slug)),
                    lastmod: Some(format::iso(updated_at)),
                }),
        );
    }
    Ok(UrlSet { urls }.render()?)
}

fn has_english(site: &Site) -> bool {
    site.pages.iter().any(|p| p.language == Language::En)
}

async fn article_count(state: &AppState) -> AppResult<usize> {
    let count = db::articles::count_published(&state.db).await?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// The home page, then the categories in menu order (each parent before its children), with
/// the time an article last appeared on them; then the pages, the list of English pages, the
/// contact page, the documents library and every document.
async fn fixed_urls(state: &AppState, site: &Site) -> AppResult<Vec<SitemapUrl>> {
    let activity = db::feeds::list_category_activity(&state.db).await?;
    let last_in = |id: i64| {
        activity
            .iter()
            .find(|a| a.category_id == id)
            .and_then(|a| a.last_published)
    };
    let base = &state.config.base_url;
    let mut urls = vec![SitemapUrl {
        loc: format!("{base}/"),
        lastmod: activity
            .iter()
            .filter_map(|a| a.last_published)
            .max()
            .map(format::iso),
    }];
    for top in site.categories.top_level() {
        // subtree_ids lists the category first, then its descendants breadth-first.
        for id in site.categories.subtree_ids(top.category_id) {
            let Some(category) = site.categories.get(id) else {
                continue;
            };
            let lastmod = site
                .categories
                .subtree_ids(id)
                .into_iter()
                .filter_map(last_in)
                .max()
                .map(format::iso);
            urls.push(SitemapUrl {
                loc: format!("{base}{}", category_url(&category.slug)),
                lastmod,
            });
        }
    }
    for page in &site.pages {
        urls.push(SitemapUrl {
            loc: format!("{base}{}", page_url(&page.slug)),
            lastmod: Some(format::iso(page.updated_at)),
        });
    }
    if has_english(site) {
        urls.push(SitemapUrl {
            loc: format!("{base}{ENGLISH_URL}"),
            lastmod: None,
        });
    }
    urls.push(SitemapUrl {
        loc: format!("{base}{CONTACT_URL}"),
        lastmod: None,
    });
    let documents = db::documents::list_for_sitemap(&state.db).await?;
    urls.push(SitemapUrl {
        loc: format!("{base}{DOCUMENTS_URL}"),
        lastmod: documents.iter().map(|(_, at)| *at).max().map(format::iso),
    });
    urls.extend(documents.into_iter().map(|(slug, at)| SitemapUrl {
        loc: format!("{base}{}", document_url(&slug)),
        lastmod: Some(format::iso(at)),
    }));
    Ok(urls)
}

// ---------------------------------------------------------------------------------------------
// Google News sitemap

#[derive(Template)]
#[template(path = "public/sitemaps/news_sitemap.xml")]
struct NewsSitemap {
    publication: String,
    items: Vec<NewsItem>,
}

struct NewsItem {
    loc: String,
    date: String,
    title: String,
}

/// `GET /sitemap-news.xml`: the articles of the last 48 hours, for Google News.
pub(crate) async fn show_news_sitemap(Readers(state): Readers) -> AppResult<Response> {
    let site = state.site.get();
    let base = &state.config.base_url;
    let articles = db::feeds::list_news_articles(&state.db, NEWS_HOURS, NEWS_MAX).await?;
    let sitemap = NewsSitemap {
        publication: xml_text(&site.settings.site_name).into_owned(),
        items: articles
            .into_iter()
            .map(|a| NewsItem {
                loc: format!("{base}{}", article_url(&a.slug)),
                date: format::iso(a.published_at),
                title: xml_text(&a.title).into_owned(),
            })
            .collect(),
    };
    Ok(Document {
        content_type: XML_TYPE,
        body: sitemap.render()?,
    }
    .into_response())
}

// ---------------------------------------------------------------------------------------------
// robots.txt

/// Crawlers may read everything but the back office, the comment forms and the captcha images.
const ROBOTS_RULES: &str = "User-agent: *
Disallow: /admin
Disallow: /bai-viet/*/binh-luan
Disallow: /ma-kiem-tra
";

/// `GET /robots.txt`: the rules, and where the sitemaps are.
pub(crate) async fn show_robots(State(state): State<AppState>) -> Response {
    let base = &state.config.base_url;
    Document {
        content_type: TEXT_TYPE,
        body: format!(
            "{ROBOTS_RULES}\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
        ),
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_page_files_are_plain_positive_numbers() {
        assert_eq!(parse_sitemap_file("1.xml"), Some(1));
        assert_eq!(parse_sitemap_file("12.xml"), Some(12));
        for bad in [
            "", ".xml", "0.xml", "01.xml", "-1.xml", "1", "1.xml.gz", "a.xml", "news.xml",
        ] {
            assert_eq!(parse_sitemap_file(bad), None, "{bad:?}");
        }
    }
}
