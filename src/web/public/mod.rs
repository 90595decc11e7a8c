//! Reader pages.

pub(crate) mod articles;
pub(crate) mod categories;
pub(crate) mod comments;
pub(crate) mod contact;
pub(crate) mod documents;
pub(crate) mod feeds;
pub(crate) mod home;
pub(crate) mod pages;
pub(crate) mod reader_forms;
pub(crate) mod search;
pub mod sitemaps;
pub(crate) mod visitors;

use crate::{
    db::articles::{Article, ArticleCard},
    media,
    web::layout::{Layout, MEDIA_PREFIX, article_url, category_url, media_url},
};

/// What templates ask of anything published.
macro_rules! published_helpers {
    ($ty:ty) => {
        impl $ty {
            pub(crate) fn url(&self) -> String {
                article_url(&self.slug)
            }

            pub(crate) fn cover_url(&self) -> Option<String> {
                self.cover_image.as_deref().map(media_url)
            }

            /// The responsive variants of the cover, for `srcset` ("" when there are none).
            pub(crate) fn cover_srcset(&self) -> String {
                self.cover_image
                    .as_deref()
                    .map(|path| media::srcset(path, &self.cover_widths, MEDIA_PREFIX))
                    .unwrap_or_default()
            }
        }
    };
}
published_helpers!(ArticleCard);
published_helpers!(Article);

impl ArticleCard {
    /// The smallest variant of the cover, for thumbnails.
    pub(crate) fn thumb_url(&self) -> Option<String> {
        let path = self.cover_image.as_deref()?;
        let smallest = self
            .cover_widths
            .first()
            .and_then(|w| media::variant_path(path, *w));
        Some(media_url(smallest.as_deref().unwrap_or(path)))
    }
}

impl Layout {
    /// The name and URL of a category, for labels on cards.
    pub(crate) fn category_link(&self, category_id: &i64) -> Option<(String, String)> {
        self.site
            .categories
            .get(*category_id)
            .map(|c| (c.name.clone(), category_url(&c.slug)))
    }
}
