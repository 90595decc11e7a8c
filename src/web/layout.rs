//! What `templates/base.html` needs on every page: the site frame, the menu and the head.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::{
    AppState,
    assets::Assets,
    db::{categories::Category, visitors::VisitorCounts},
    site::Site,
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
    pub menu: Vec<MenuItem>,
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

pub(crate) struct MenuItem {
    pub category_id: i64,
    pub name: String,
    pub url: String,
    pub children: Vec<MenuItem>,
}

impl Layout {
    pub(crate) fn new(state: &AppState, title: impl Into<String>) -> Self {
        let site = state.site.get();
        let menu = site
            .categories
            .top_level()
            .map(|top| MenuItem {
                category_id: top.category_id,
                name: top.name.clone(),
                url: category_url(&top.slug),
                children: site
                    .categories
                    .children(top.category_id)
                    .map(|child| MenuItem {
                        category_id: child.category_id,
                        name: child.name.clone(),
                        url: category_url(&child.slug),
                        children: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
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
            menu,
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
    pub(crate) fn with_category_feed(mut self, category: &Category) -> Self {
        self.feeds.push(FeedLink {
            title: format!("{} - {}", category.name, self.site.settings.site_name),
            href: category_feed_url(&category.slug),
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

    pub(crate) fn is_section(&self, category_id: &i64) -> bool {
        self.section == Some(*category_id)
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

pub(crate) fn media_url(path: &str) -> String {
    format!("/media/{path}")
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
