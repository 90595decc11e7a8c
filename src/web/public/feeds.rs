//! RSS feeds: what feed readers fetch; and what every XML document we serve shares
//! ([`Document`], [`xml_text`]). Sitemaps and robots.txt are in [`super::sitemaps`].
//!
//! Every URL in them is absolute, built on `TOASOAN_BASE_URL`. Text goes through askama's
//! escaping (`.xml` templates escape `& < > " '` as numeric references, which XML accepts) after
//! [`xml_text`] has dropped the few characters XML 1.0 cannot carry at all.

use std::borrow::Cow;

use askama::Template;
use axum::{
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use time::{OffsetDateTime, format_description::well_known::Rfc2822};

use crate::web::readers::Readers;
use crate::{
    AppState,
    db::{self, feeds::FeedArticle},
    error::{AppError, AppResult},
    media,
    site::Site,
    text::escape_html,
    web::{
        DOCUMENTS_URL,
        extract::SlugParam,
        format,
        layout::{article_url, category_url, media_url},
        public::documents::{DOCUMENTS_FEED_URL, document_url},
    },
};

/// Items in an RSS feed.
const FEED_SIZE: i64 = 50;

/// Cover variant offered as the feed enclosure when it exists (the largest one otherwise).
const ENCLOSURE_WIDTH: i32 = 960;

/// Date part of the items' `tag:` URIs (RFC 4151): fixed, so an item's id never changes.
const TAG_DATE: &str = "2026";

const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";

/// A document with its content type.
pub(super) struct Document {
    pub(super) content_type: &'static str,
    pub(super) body: String,
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
#[template(path = "public/feeds/rss.xml")]
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
pub(crate) async fn show_site_feed(Readers(state): Readers) -> AppResult<Response> {
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
pub(crate) async fn show_category_feed(
    Readers(state): Readers,
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

/// `GET /van-ban/rss.xml`: the newest documents of the library, newest issued first.
pub(crate) async fn show_document_feed(Readers(state): Readers) -> AppResult<Response> {
    let site = state.site.get();
    let base = &state.config.base_url;
    let site_name = &site.settings.site_name;
    let documents = db::documents::list(
        &state.db,
        &db::documents::DocumentFilter::default(),
        0,
        FEED_SIZE,
    )
    .await?;
    let tag_authority = tag_authority(base);
    let feed = RssFeed {
        title: xml_text(&format!("Văn bản - {site_name}")).into_owned(),
        link: format!("{base}{DOCUMENTS_URL}"),
        description: xml_text(&format!("Văn bản chỉ đạo, điều hành của {site_name}")).into_owned(),
        last_build_date: documents.iter().map(|d| d.updated_at).max().map(rfc2822),
        self_url: format!("{base}{DOCUMENTS_FEED_URL}"),
        items: documents
            .into_iter()
            .map(|d| RssItem {
                title: xml_text(&format!("{} số {}", d.type_name, d.number)).into_owned(),
                link: format!("{base}{}", document_url(&d.slug)),
                guid: format!(
                    "tag:{tag_authority},{TAG_DATE}:van-ban/{}",
                    d.legal_document_id
                ),
                pub_date: rfc2822(d.issued_on.midnight().assume_offset(format::VIETNAM)),
                description: escape_html(&xml_text(&d.summary)),
                category: Some(xml_text(&d.issuer_name).into_owned()),
                enclosure: None,
            })
            .collect(),
    };
    Ok(Document {
        content_type: RSS_TYPE,
        body: feed.render()?,
    }
    .into_response())
}

/// The host of the base URL, the authority of the items' `tag:` URIs.
fn tag_authority(base: &str) -> String {
    url::Url::parse(base)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Fills in the items of `feed` and renders it.
async fn rss(
    state: &AppState,
    site: &Site,
    mut feed: RssFeed,
    articles: Vec<FeedArticle>,
) -> AppResult<Response> {
    let base = &state.config.base_url;
    let enclosures = enclosures(&*state.media, &articles).await;
    let tag_authority = tag_authority(base);
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
            description: escape_html(&xml_text(&a.sapo)),
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
/// (an enclosure must state the real length). The store is asked about all of them at once.
async fn enclosures(
    store: &dyn media::MediaStore,
    articles: &[FeedArticle],
) -> Vec<Option<(String, u64)>> {
    let enclosure = |keys: Vec<String>| async move {
        for key in keys {
            if let Ok(length) = store.len(&key).await {
                return Some((key, length));
            }
        }
        None
    };
    futures_util::future::join_all(articles.iter().map(enclosure_candidates).map(enclosure)).await
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
// Text

/// `text` without the characters XML 1.0 cannot carry, even escaped (control characters other
/// than tab, line feed and carriage return; U+FFFE, U+FFFF).
pub(super) fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
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
    fn text_loses_only_what_xml_cannot_carry() {
        assert_eq!(xml_text("Lào Cai & <Phố Lu>"), "Lào Cai & <Phố Lu>");
        assert_eq!(xml_text("a\u{0}b\u{b}c\td\u{FFFF}"), "abc\td");
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
