//! What `templates/base.html` needs on every page: the site frame, the menu and the head.

use std::sync::Arc;

use time::OffsetDateTime;

use crate::{AppState, assets::Assets, site::Site, web::format};

pub struct Layout {
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
    pub today: String,
}

pub struct MenuItem {
    pub category_id: i64,
    pub name: String,
    pub url: String,
    pub children: Vec<MenuItem>,
}

impl Layout {
    pub fn new(state: &AppState, title: impl Into<String>) -> Self {
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
        let description = site.settings.tagline.clone();
        Self {
            site,
            assets: state.assets.clone(),
            title: title.into(),
            description,
            canonical: None,
            section: None,
            menu,
            today: format::date_long(OffsetDateTime::now_utc()),
        }
    }

    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    pub fn with_canonical(mut self, state: &AppState, path: &str) -> Self {
        self.canonical = Some(format!("{}{path}", state.config.base_url));
        self
    }

    pub fn in_section(mut self, category_id: i64) -> Self {
        self.section = self
            .site
            .categories
            .root_of(category_id)
            .map(|c| c.category_id);
        self
    }

    /// `<title>`: "Page - Site", or just the site name on the home page.
    pub fn full_title(&self) -> String {
        let site_name = &self.site.settings.site_name;
        if self.title.is_empty() || &self.title == site_name {
            site_name.clone()
        } else {
            format!("{} - {site_name}", self.title)
        }
    }

    pub fn asset(&self, name: &str) -> String {
        self.assets.url(name)
    }

    /// The agency's phone number as a `tel:` target (digits and `+` only).
    pub fn phone_href(&self) -> String {
        let phone = &self.site.settings.agency_phone;
        phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }

    pub fn is_section(&self, category_id: &i64) -> bool {
        self.section == Some(*category_id)
    }
}

pub fn category_url(slug: &str) -> String {
    format!("/chuyen-muc/{slug}")
}

pub fn article_url(slug: &str) -> String {
    format!("/bai-viet/{slug}")
}

pub fn media_url(path: &str) -> String {
    format!("/media/{path}")
}
