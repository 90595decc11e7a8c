//! What `templates/base.html` needs on every page: the site frame, the menu and the head.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::{
    AppState,
    assets::Assets,
    db::{
        categories::Category,
        menu::{MenuName, MenuTarget},
        pages::{Language, PageLink},
        visitors::VisitorCounts,
    },
    site::Site,
    web::{
        CONTACT_URL, DOCUMENTS_URL, format,
        ui::{self, UiText},
    },
};

/// Longest `<meta name="description">`: search engines show about this much.
pub(crate) const DESCRIPTION_MAX: usize = 160;

pub(crate) struct Layout {
    pub site: Arc<Site>,
    assets: Arc<Assets>,
    /// The page's own title; `<title>` adds the site name.
    pub title: String,
    pub description: String,
    /// Absolute canonical URL, when the page has one.
    pub canonical: Option<String>,
    /// The top-level category the page belongs to (highlighted in the menu).
    pub section: Option<i64>,
    /// The page shown and its ancestors (their menu entries are highlighted).
    pub pages_here: Vec<i64>,
    pub menu: Vec<MenuItem>,
    pub footer_links: Vec<MenuItem>,
    /// The page's language, and the words of the frame in it.
    pub language: Language,
    pub ui: &'static UiText,
    /// The page in each language (`<link rel="alternate" hreflang>`), when it has a counterpart.
    pub alternates: Vec<Alternate>,
    /// Now, for the date in the top bar.
    pub today: OffsetDateTime,
    /// `TOASOAN_BASE_URL`, for the absolute URLs of the page's head.
    pub base_url: String,
    /// `og:type`: `website`, or `article` on an article page.
    pub og_type: &'static str,
    /// The image shared with the page (`og:image`, `twitter:image`), when it has one.
    pub image: Option<ShareImage>,
    /// RSS feeds announced with `<link rel="alternate">`: the site's, then the section's.
    pub feeds: Vec<FeedLink>,
    /// The footer's visitor counter, when the settings show it.
    pub visitors: Option<VisitorCounts>,
}

/// An image for link previews: an absolute URL and its text alternative.
pub(crate) struct ShareImage {
    pub url: String,
    pub alt: String,
}

pub(crate) struct FeedLink {
    pub title: String,
    pub href: String,
}

pub(crate) struct Alternate {
    pub lang: &'static str,
    pub href: String,
}

pub(crate) struct MenuItem {
    /// The category the entry leads to, if it does (highlighted on its pages).
    pub category_id: Option<i64>,
    /// The page the entry leads to, if it does (highlighted on it and on its child pages).
    pub page_id: Option<i64>,
    pub name: String,
    pub url: String,
    pub children: Vec<MenuItem>,
}

/// The main menu as arranged in the back office; until one is, the categories (two levels).
fn main_menu(site: &Site) -> Vec<MenuItem> {
    if site.menu_items(MenuName::Main, None).next().is_none() {
        return site
            .categories
            .top_level()
            .map(|top| MenuItem {
                children: site
                    .categories
                    .children(top.category_id)
                    .map(|child| category_item(child, Vec::new()))
                    .collect(),
                ..category_item(top, Vec::new())
            })
            .collect();
    }
    menu_entries(site, MenuName::Main, None)
}

fn category_item(category: &Category, children: Vec<MenuItem>) -> MenuItem {
    MenuItem {
        category_id: Some(category.category_id),
        page_id: None,
        name: category.name.clone(),
        url: category_url(&category.slug),
        children,
    }
}

/// The entries of `menu` under `parent` that lead somewhere (an entry for a draft page is not
/// shown), with their children.
fn menu_entries(site: &Site, menu: MenuName, parent: Option<i64>) -> Vec<MenuItem> {
    site.menu_items(menu, parent)
        .filter_map(|item| {
            let children = if parent.is_none() {
                menu_entries(site, menu, Some(item.menu_item_id))
            } else {
                Vec::new()
            };
            let name = |fallback: &str| {
                if item.label.is_empty() {
                    fallback.to_owned()
                } else {
                    item.label.clone()
                }
            };
            let (name, url, category_id) = match item.target {
                MenuTarget::Category => {
                    let category = site.categories.get(item.category_id?)?;
                    (
                        name(&category.name),
                        category_url(&category.slug),
                        Some(category.category_id),
                    )
                }
                MenuTarget::Page => {
                    let page = site.page(item.page_id?)?;
                    (name(&page.title), page_url(&page.slug), None)
                }
                MenuTarget::Documents => (name(""), DOCUMENTS_URL.to_owned(), None),
                MenuTarget::Contact => (name(""), CONTACT_URL.to_owned(), None),
                MenuTarget::Url => (name(""), item.url.clone(), None),
            };
            Some(MenuItem {
                category_id,
                page_id: item.page_id,
                name,
                url,
                children,
            })
        })
        .collect()
}

impl Layout {
    pub(crate) fn new(state: &AppState, title: impl Into<String>) -> Self {
        let site = state.site.get();
        let menu = main_menu(&site);
        let footer_links = menu_entries(&site, MenuName::Footer, None);
        let description = summary(&site.settings.tagline, DESCRIPTION_MAX);
        let feeds = vec![FeedLink {
            title: site.settings.site_name.clone(),
            href: "/rss.xml".to_owned(),
        }];
        let visitors = site
            .settings
            .show_visitor_counter
            .then(|| state.visitors.counts());
        Self {
            site,
            assets: state.assets.clone(),
            title: title.into(),
            description,
            canonical: None,
            section: None,
            pages_here: Vec::new(),
            menu,
            footer_links,
            language: Language::Vi,
            ui: ui::text(Language::Vi),
            alternates: Vec::new(),
            today: OffsetDateTime::now_utc(),
            base_url: state.config.base_url.clone(),
            og_type: "website",
            image: None,
            feeds,
            visitors,
        }
    }

    /// The page's description, cut to [`DESCRIPTION_MAX`] characters at a word boundary.
    pub(crate) fn with_description(mut self, description: impl AsRef<str>) -> Self {
        self.description = summary(description.as_ref(), DESCRIPTION_MAX);
        self
    }

    /// A page in `language`: `<html lang>` and the frame's words follow it.
    pub(crate) fn in_language(mut self, language: Language) -> Self {
        self.language = language;
        self.ui = ui::text(language);
        self
    }

    /// `hreflang` links for a page and its published counterpart in the other language (none
    /// without one).
    pub(crate) fn with_counterpart(
        mut self,
        page: &PageLink,
        counterpart: Option<&PageLink>,
    ) -> Self {
        if let Some(other) = counterpart {
            let mut pair = [page, other];
            pair.sort_by_key(|p| p.language.as_str());
            self.alternates = pair
                .into_iter()
                .map(|p| Alternate {
                    lang: p.language.as_str(),
                    href: self.absolute(&page_url(&p.slug)),
                })
                .collect();
        }
        self
    }

    /// Today, as the top bar shows it in the page's language.
    pub(crate) fn today_text(&self) -> String {
        match self.language {
            Language::Vi => format::date_long(self.today),
            Language::En => format::date_long_en(self.today),
        }
    }

    /// Marks the page as an article for link previews (`og:type`).
    pub(crate) fn with_article_type(mut self) -> Self {
        self.og_type = "article";
        self
    }

    /// The image link previews show; `path` is site-relative (`/media/…`).
    pub(crate) fn with_image(mut self, path: &str, alt: impl Into<String>) -> Self {
        self.image = Some(ShareImage {
            url: self.absolute(path),
            alt: alt.into(),
        });
        self
    }

    /// Announces the category's own RSS feed besides the site's.
    pub(crate) fn with_category_feed(self, category: &Category) -> Self {
        let title = format!("{} - {}", category.name, self.site.settings.site_name);
        self.with_feed(title, category_feed_url(&category.slug))
    }

    /// Announces another RSS feed besides the site's.
    pub(crate) fn with_feed(mut self, title: String, href: impl Into<String>) -> Self {
        self.feeds.push(FeedLink {
            title,
            href: href.into(),
        });
        self
    }

    pub(crate) fn with_canonical(mut self, state: &AppState, path: &str) -> Self {
        self.canonical = Some(format!("{}{path}", state.config.base_url));
        self
    }

    pub(crate) fn in_section(mut self, category_id: i64) -> Self {
        self.section = self
            .site
            .categories
            .root_of(category_id)
            .map(|c| c.category_id);
        self
    }

    /// `<title>`: "Page - Site", or just the site name on the home page.
    pub(crate) fn full_title(&self) -> String {
        let site_name = &self.site.settings.site_name;
        if self.title.is_empty() || &self.title == site_name {
            site_name.clone()
        } else {
            format!("{} - {site_name}", self.title)
        }
    }

    /// The page's own title for link previews (`og:title`): without the site name.
    pub(crate) fn share_title(&self) -> &str {
        if self.title.is_empty() {
            &self.site.settings.site_name
        } else {
            &self.title
        }
    }

    /// `twitter:card`: a large image when the page has one.
    pub(crate) fn twitter_card(&self) -> &'static str {
        if self.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        }
    }

    /// A site-relative path (`/media/…`) as an absolute URL under `TOASOAN_BASE_URL`.
    pub(crate) fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The site's logo, absolute (structured data names it as the publisher's).
    pub(crate) fn logo_url(&self) -> String {
        self.absolute(LOGO_PATH)
    }

    pub(crate) fn asset(&self, name: &str) -> String {
        self.assets.url(name)
    }

    /// The agency's phone number as a `tel:` target (digits and `+` only).
    pub(crate) fn phone_href(&self) -> String {
        let phone = &self.site.settings.agency_phone;
        phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }

    /// Marks the page and its ancestors (ids) as where the reader is, for the menu.
    pub(crate) fn at_pages(mut self, ids: Vec<i64>) -> Self {
        self.pages_here = ids;
        self
    }

    /// Whether the menu entry leads to where the reader is: the page's section, the page
    /// itself or one of its ancestors.
    pub(crate) fn is_active(&self, item: &MenuItem) -> bool {
        (self.section.is_some() && self.section == item.category_id)
            || item.page_id.is_some_and(|id| self.pages_here.contains(&id))
    }
}

/// The logo under a stable address (no fingerprint): other sites keep this URL.
const LOGO_PATH: &str = "/static/img/logo.svg";

pub(crate) fn category_url(slug: &str) -> String {
    format!("/chuyen-muc/{slug}")
}

fn category_feed_url(slug: &str) -> String {
    format!("/chuyen-muc/{slug}/rss.xml")
}

pub(crate) fn article_url(slug: &str) -> String {
    format!("/bai-viet/{slug}")
}

/// A page, at the top level of the site (its slug never names a reserved first segment, see
/// `web::RESERVED_SEGMENTS`).
pub(crate) fn page_url(slug: &str) -> String {
    format!("/{slug}")
}

/// The list of English pages.
pub(crate) const ENGLISH_URL: &str = "/en";

/// The print-friendly version of any public page: its address plus `/ban-in`.
pub(crate) fn print_url(path: &str) -> String {
    format!("{}/{PRINT_SEGMENT}", path.trim_end_matches('/'))
}

/// The last path segment of every print-friendly address.
pub(crate) const PRINT_SEGMENT: &str = "ban-in";

/// Where stored media are served (`web::files`): the one place their URLs are made. With
/// `TOASOAN_MEDIA_PUBLIC_URL` these answer with a redirect there.
pub(crate) const MEDIA_PREFIX: &str = "/media";

/// The URL of a stored media key.
pub(crate) fn media_url(key: &str) -> String {
    format!("{MEDIA_PREFIX}/{key}")
}

/// `text` with its whitespace collapsed, cut to at most `max` characters at a word boundary
/// ("…" marks the cut; a single word longer than `max` is cut inside).
fn summary(text: &str, max: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let whole = words.join(" ");
    if whole.chars().count() <= max {
        return whole;
    }
    let mut out = String::new();
    for word in words {
        let needed = out.chars().count() + usize::from(!out.is_empty()) + word.chars().count();
        if needed + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        out = whole.chars().take(max.saturating_sub(1)).collect();
    }
    // A cut after a comma or a colon reads better without it.
    let trimmed = out.trim_end_matches([',', ';', ':', '-', '–']).trim_end();
    format!("{trimmed}…")
}

/// A value as JSON for an inline `<script>` (JSON-LD): `<`, `>` and `&` are written as
/// `\u003c`, `\u003e`, `\u0026`, so no text can close the element or start a comment, and
/// the result stays valid JSON (those characters only ever occur inside strings).
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    let json = value.to_string();
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_with_its_spaces_collapsed() {
        assert_eq!(summary("  Tin   ngắn\n gọn ", 160), "Tin ngắn gọn");
        assert_eq!(summary("", 160), "");
    }

    #[test]
    fn long_text_is_cut_at_a_word_boundary() {
        let text = "Sáng nay, Hội đồng nhân dân huyện Bảo Thắng khai mạc kỳ họp thứ mười, \
                    bàn về kế hoạch phát triển kinh tế xã hội năm tới và nhiều nội dung quan trọng khác \
                    của địa phương trong bối cảnh mới.";
        let cut = summary(text, 160);
        assert!(cut.chars().count() <= 160, "{cut}");
        assert!(cut.ends_with('…'), "{cut}");
        let kept = cut.trim_end_matches('…');
        assert!(text.starts_with(kept), "{cut}");
        // Whole words only: the next character of the source is a space.
        assert_eq!(text[kept.len()..].chars().next(), Some(' '));
        assert_eq!(summary("một hai ba bốn", 9), "một hai…");
        assert_eq!(summary("một, hai ba", 8), "một…");
    }

    #[test]
    fn one_long_word_is_cut_inside() {
        assert_eq!(summary("Ngoạiiiiiiii", 5), "Ngoạ…");
    }

    #[test]
    fn script_json_cannot_close_the_script() {
        let value = serde_json::json!({ "headline": "</script><!-- & \u{2028} \"Đà\"" });
        let out = script_json(&value);
        assert!(
            !out.contains('<') && !out.contains('>') && !out.contains('&'),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, value);
    }
}
