//! The print-friendly frame: any public page's address plus `/ban-in` (see
//! [`layout::print_url`]) shows its content alone — the site's name, the text, and the address
//! it came from — without menu, footer, comments or scripts. Articles, pages and documents use it; every
//! printable kind of content does the same with its own `{% block content %}`.

use std::sync::Arc;

use crate::{
    AppState,
    assets::Assets,
    db::pages::Language,
    site::Site,
    web::ui::{self, UiText},
};

pub(crate) struct PrintFrame {
    pub site: Arc<Site>,
    assets: Arc<Assets>,
    pub ui: &'static UiText,
    pub title: String,
    /// The page printed (site-relative), for the link back.
    pub path: String,
    /// Its absolute address, printed under the text (and the canonical URL).
    pub source: String,
    base_url: String,
}

impl PrintFrame {
    /// The frame for printing the page at `path` (site-relative), titled `title`.
    pub(crate) fn new(
        state: &AppState,
        language: Language,
        title: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        let path = path.into();
        Self {
            site: state.site.get(),
            assets: state.assets.clone(),
            ui: ui::text(language),
            title: title.into(),
            source: format!("{}{path}", state.config.base_url),
            path,
            base_url: state.config.base_url.clone(),
        }
    }

    /// The absolute address of a site-relative `path` (links printed on paper).
    pub(crate) fn absolute(&self, path: impl std::fmt::Display) -> String {
        format!("{}{path}", self.base_url)
    }

    pub(crate) fn asset(&self, name: &str) -> String {
        self.assets.url(name)
    }
}
