//! RSS feeds, sitemaps and robots.txt: what feed readers and search engines fetch.
//!
//! Every URL in them is absolute, built on `TOASOAN_BASE_URL`. Text goes through askama's
//! escaping (`.xml` templates escape `& < > " '` as numeric references, which XML accepts) after
//! [`xml_text`] has dropped the few characters XML 1.0 cannot carry at all.

use std::{borrow::Cow, path::PathBuf};

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use time::{OffsetDateTime, format_description::well_known::Rfc2822};

use crate::{
    AppState,
    db::{
        self,
        feeds::{FeedArticle, SitemapArticle},
    },
    error::{AppError, AppResult},
    media,
    site::Site,
    web::{
        extract::SlugParam,
        format,
        layout::{article_url, category_url, media_url},
    },
};

/// Items in an RSS feed.
pub const FEED_SIZE: i64 = 50;

/// URLs in one sitemap file (the sitemaps.org limit); beyond it `/sitemap.xml` becomes an index
/// of `/sitemap-{n}.xml` pages.
pub const SITEMAP_PAGE: usize = 50_000;

/// How far back the Google News sitemap goes, and how many articles it may list at most
/// (Google's rules for news sitemaps).
pub const NEWS_HOURS: i32 = 48;
pub const NEWS_MAX: i64 = 1000;

/// Cover variant offered as the feed enclosure when it exists (the largest one otherwise).
const ENCLOSURE_WIDTH: i32 = 960;

/// Date part of the items' `tag:` URIs (RFC 4151): fixed, so an item's id never changes.
const TAG_DATE: &str = "2026";

const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
const XML_TYPE: &str = "application/xml; charset=utf-8";
const TEXT_TYPE: &str = "text/plain; charset=utf-8";

/// A document with its content type.
struct Document {
    content_type: &'static str,
    body: String,
}

impl IntoResponse for Document {
    fn into_response(self) -> Response {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            )],
            self.body,
        )
            .into_response()
    }
}

// ---------------------------------------------------------------------------------------------
// RSS 2.0

#[derive(Template)]
#[template(path = "feeds/rss.xml")]
struct RssFeed {
    title: String,
    link: String,
    description: String,
    last_build_date: Option<String>,
    self_url: String,
    items: Vec<RssItem>,
}

struct RssItem {
    title: String,
    link: String,
    guid: String,
    pub_date: String,
    /// HTML (RSS readers render `description` as HTML): the sapo, escaped once here and once
    /// more by the template.
    description: String,
    category: Option<String>,
    enclosure: Option<Enclosure>,
}

struct Enclosure {
    url: String,
    length: u64,
    mime: &'static str,
}

/// `GET /rss.xml`: the newest articles of the whole site.
pub async fn show_site_feed(State(state): State<AppState>) -> AppResult<Response> {
    let site = state.site.get();
    let base = &state.config.base_url;
    let settings = &site.settings;
    let description = if settings.tagline.trim().is_empty() {
        settings.site_name.clone()
    } else {
        settings.tagline.clone()
    };
    let articles = db::feeds::list_feed_articles(&state.db, None, FEED_SIZE).await?;
    let feed = RssFeed {
        title: xml_text(&settings.site_name).into_owned(),
        link: format!("{base}/"),
        description: xml_text(&description).into_owned(),
        last_build_date: None,
        self_url: format!("{base}/rss.xml"),
        items: Vec::new(),
    };
    rss(&state, &site, feed, articles).await
}

/// `GET /chuyen-muc/{slug}/rss.xml`: the newest articles of a category and its sub-categories.
pub async fn show_category_feed(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
) -> AppResult<Response> {
    let site = state.site.get();
    let category = site.categories.by_slug(&slug).ok_or(AppError::NotFound)?;
    let ids = site.categories.subtree_ids(category.category_id);
    let base = &state.config.base_url;
    let site_name = &site.settings.site_name;
    let description = if category.description.trim().is_empty() {
        format!("Tin bài chuyên mục {} - {site_name}", category.name)
    } else {
        category.description.clone()
    };
    let url = category_url(&category.slug);
    let articles = db::feeds::list_feed_articles(&state.db, Some(&ids), FEED_SIZE).await?;
    let feed = RssFeed {
        title: xml_text(&format!("{} - {site_name}", category.name)).into_owned(),
        link: format!("{base}{url}"),
        description: xml_text(&description).into_owned(),
        last_build_date: None,
        self_url: format!("{base}{url}/rss.xml"),
        items: Vec::new(),
    };
    rss(&state, &site, feed, articles).await
}

/// Fills in the items of `feed` and renders it.
async fn rss(
    state: &AppState,
    site: &Site,
    mut feed: RssFeed,
    articles: Vec<FeedArticle>,
) -> AppResult<Response> {
    let base = &state.config.base_url;
    let enclosures = enclosures(state.config.media_dir.clone(), &articles).await?;
    let tag_authority = url::Url::parse(base)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default();
    // The feed changes when an article in it is published or edited: stable between requests.
    feed.last_build_date = articles
        .iter()
        .map(|a| a.updated_at.max(a.published_at))
        .max()
        .map(rfc2822);
    feed.items = articles
        .into_iter()
        .zip(enclosures)
        .map(|(a, enclosure)| RssItem {
            title: xml_text(&a.title).into_owned(),
            link: format!("{base}{}", article_url(&a.slug)),
            // Not the URL: a renamed article (its slug changes) stays the same item for readers.
            guid: format!("tag:{tag_authority},{TAG_DATE}:bai-viet/{}", a.article_id),
            pub_date: rfc2822(a.published_at),
            description: html_escape(&xml_text(&a.sapo)),
            category: site
                .categories
                .get(a.category_id)
                .map(|c| xml_text(&c.name).into_owned()),
            enclosure: enclosure.map(|(key, length)| Enclosure {
                url: format!("{base}{}", media_url(&key)),
                length,
                mime: image_type(&key).unwrap_or("image/jpeg"),
            }),
        })
        .collect();
    Ok(Document {
        content_type: RSS_TYPE,
        body: feed.render()?,
    }
    .into_response())
}

/// The cover file offered with each article, and its size in bytes: the 960-pixel variant when
/// there is one, else the largest; `None` when the article has no cover or the file is missing
/// (an enclosure must state the real length).
async fn enclosures(
    media_dir: PathBuf,
    articles: &[FeedArticle],
) -> AppResult<Vec<Option<(String, u64)>>> {
    let candidates: Vec<Vec<String>> = articles.iter().map(enclosure_candidates).collect();
    // One blocking task for all the `stat`s, rather than one per file.
    tokio::task::spawn_blocking(move || {
        candidates
            .into_iter()
            .map(|keys| {
                keys.into_iter().find_map(|key| {
                    media::storage::validate_key(&key).ok()?;
                    let meta = std::fs::metadata(media_dir.join(&key)).ok()?;
                    meta.is_file().then_some((key, meta.len()))
                })
            })
            .collect()
    })
    .await
    .map_err(|error| AppError::Unexpected(anyhow::anyhow!("enclosure sizes: {error}")))
}

/// Media keys to try for an article's enclosure, in order of preference.
fn enclosure_candidates(article: &FeedArticle) -> Vec<String> {
    let Some(cover) = article.cover_image.as_deref() else {
        return Vec::new();
    };
    let mut keys = Vec::with_capacity(2);
    if article.cover_widths.contains(&ENCLOSURE_WIDTH)
        && let Some(key) = media::variant_path(cover, ENCLOSURE_WIDTH)
        && key != cover
    {
        keys.push(key);
    }
    keys.push(cover.to_owned());
    keys.retain(|key| image_type(key).is_some());
    keys
}

/// The MIME type of an image, from its extension.
fn image_type(key: &str) -> Option<&'static str> {
    let (_, ext) = key.rsplit_once('.')?;
    match ext.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "webp" => Some("image/webp"),
        "gif" => Some("image/gif"),
        _ => None,
    }
}

/// RFC 2822 in Vietnam's time: "Fri, 27 Nov 2026 20:13:00 +0700".
fn rfc2822(at: OffsetDateTime) -> String {
    let local = at.to_offset(format::VIETNAM);
    local
        .replace_nanosecond(0)
        .unwrap_or(local)
        .format(&Rfc2822)
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Sitemaps

#[derive(Template)]
#[template(path = "feeds/sitemap.xml")]
struct UrlSet {
    urls: Vec<SitemapUrl>,
}

struct SitemapUrl {
    loc: String,
    /// W3C datetime, seconds precision.
    lastmod: Option<String>,
}

#[derive(Template)]
#[template(path = "feeds/sitemap_index.xml")]
struct SitemapIndex {
    pages: Vec<String>,
}

/// `GET /sitemap.xml`: every public URL, or an index of sitemap pages when there are too many.
pub async fn show_sitemap(State(state): State<AppState>) -> AppResult<Response> {
    let body = render_sitemap(&state, SITEMAP_PAGE).await?;
    Ok(Document {
        content_type: XML_TYPE,
        body,
    }
    .into_response())
}

/// `GET /sitemap-{n}.xml`: page `n` (from 1) of the sitemap.
pub async fn show_sitemap_page(
    State(state): State<AppState>,
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
    let total = fixed_url_count(&site) + article_count(state).await?;
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
    let fixed_count = fixed_url_count(&site);
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
            fixed_urls(state, &site)
                .await?
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

/// How many URLs [`fixed_urls`] gives: the home page and every category page.
fn fixed_url_count(site: &Site) -> usize {
    1 + site
        .categories
        .top_level()
        .map(|top| site.categories.subtree_ids(top.category_id).len())
        .sum::<usize>()
}

async fn article_count(state: &AppState) -> AppResult<usize> {
    let count = db::articles::count_published(&state.db, None).await?;
    Ok(usize::try_from(count).unwrap_or(0))
}

/// The home page, then the categories in menu order (each parent before its children), with
/// the time an article last appeared on them.
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
    Ok(urls)
}

// ---------------------------------------------------------------------------------------------
// Google News sitemap

#[derive(Template)]
#[template(path = "feeds/news_sitemap.xml")]
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
pub async fn show_news_sitemap(State(state): State<AppState>) -> AppResult<Response> {
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
pub async fn show_robots(State(state): State<AppState>) -> Response {
    let base = &state.config.base_url;
    Document {
        content_type: TEXT_TYPE,
        body: format!(
            "{ROBOTS_RULES}\nSitemap: {base}/sitemap.xml\nSitemap: {base}/sitemap-news.xml\n"
        ),
    }
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// Text

/// `text` without the characters XML 1.0 cannot carry, even escaped (control characters other
/// than tab, line feed and carriage return; U+FFFE, U+FFFF).
fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

/// Plain text as HTML (for `description`, which readers render as HTML).
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn pub_dates_are_rfc_2822_in_vietnam_time() {
        assert_eq!(
            rfc2822(datetime!(2026-11-27 13:13:45.5 UTC)),
            "Fri, 27 Nov 2026 20:13:45 +0700"
        );
    }

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

    #[test]
    fn text_loses_only_what_xml_cannot_carry() {
        assert_eq!(xml_text("Lào Cai & <Phố Lu>"), "Lào Cai & <Phố Lu>");
        assert_eq!(xml_text("a\u{0}b\u{b}c\td\u{FFFF}"), "abc\td");
        assert_eq!(html_escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }

    #[test]
    fn the_960_variant_is_preferred_for_the_enclosure() {
        let article = |cover: Option<&str>, widths: Vec<i32>| FeedArticle {
            article_id: 1,
            slug: "a".into(),
            title: "A".into(),
            sapo: String::new(),
            cover_image: cover.map(str::to_owned),
            cover_widths: widths,
            category_id: 1,
            published_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        };
        assert_eq!(
            enclosure_candidates(&article(Some("2026/11/ab-1600.jpg"), vec![480, 960, 1600])),
            ["2026/11/ab-960.jpg", "2026/11/ab-1600.jpg"]
        );
        assert_eq!(
            enclosure_candidates(&article(Some("2026/11/ab-800.png"), vec![480, 800])),
            ["2026/11/ab-800.png"]
        );
        assert_eq!(
            enclosure_candidates(&article(Some("demo/le-hoi.jpg"), vec![])),
            ["demo/le-hoi.jpg"]
        );
        assert!(enclosure_candidates(&article(None, vec![])).is_empty());
    }
}
