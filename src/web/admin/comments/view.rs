//! Which part of the queue is shown: a status (or all), maybe one article, a page; read from
//! the list's query string and from the `back` field of the action forms.

use crate::{
    db::comments::{CommentStatus, QueueFilter},
    web::{
        extract::{PAGE_PARAM, parse_id},
        pager::last_page,
    },
};

pub(super) const LIST_URL: &str = "/admin/comments";
pub(super) const PER_PAGE: u32 = 30;
/// `?trang-thai=pending|approved|rejected|spam|all` (pending when absent).
const STATUS_PARAM: &str = "trang-thai";
const ALL_STATUSES: &str = "all";
/// `?bai=<article id>`.
const ARTICLE_PARAM: &str = "bai";

/// A view of the queue: a status (or all of them), maybe one article, and a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct View {
    pub filter: QueueFilter,
    pub page: u32,
}

impl Default for View {
    fn default() -> Self {
        Self {
            filter: QueueFilter {
                status: Some(CommentStatus::Pending),
                article_id: None,
            },
            page: 1,
        }
    }
}

impl View {
    /// From the list's query string; `None` when a parameter is malformed or repeated (other
    /// parameters, such as `msg`, are not the view's).
    pub(super) fn parse(query: &str) -> Option<Self> {
        let (mut status, mut article, mut page) = (None, None, None);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                STATUS_PARAM => &mut status,
                ARTICLE_PARAM => &mut article,
                PAGE_PARAM => &mut page,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return None;
            }
        }
        let status = match status.as_deref() {
            None | Some("") => Some(CommentStatus::Pending),
            Some(ALL_STATUSES) => None,
            Some(value) => Some(CommentStatus::parse(value)?),
        };
        let article_id = match article.as_deref() {
            None | Some("") => None,
            Some(value) => Some(parse_id(value)?),
        };
        let page = match page.as_deref() {
            None => 1,
            Some(value) => parse_id(value).and_then(|page| u32::try_from(page).ok())?,
        };
        Some(Self {
            filter: QueueFilter { status, article_id },
            page,
        })
    }

    /// From the `back` field of a form: the view the moderator came from, or the default one
    /// for anything that is not a URL of the list (so an action never redirects elsewhere).
    pub(super) fn from_back(back: &str) -> Self {
        match back.strip_prefix(LIST_URL) {
            Some("") => Self::default(),
            Some(rest) => rest
                .strip_prefix('?')
                .and_then(Self::parse)
                .unwrap_or_default(),
            None => Self::default(),
        }
    }

    pub(super) fn at_page(self, page: u32) -> Self {
        Self { page, ..self }
    }

    pub(super) fn with_filter(
        self,
        status: Option<CommentStatus>,
        article_id: Option<i64>,
    ) -> Self {
        Self {
            filter: QueueFilter { status, article_id },
            page: 1,
        }
    }

    /// The last page that exists when the view holds `total` comments.
    pub(super) fn clamped(self, total: i64) -> Self {
        self.at_page(self.page.min(last_page(total, PER_PAGE)))
    }

    /// Its URL, with only what differs from the default view.
    pub(super) fn url(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        match self.filter.status {
            Some(CommentStatus::Pending) => {}
            Some(status) => {
                query.append_pair(STATUS_PARAM, status.as_str());
            }
            None => {
                query.append_pair(STATUS_PARAM, ALL_STATUSES);
            }
        }
        if let Some(id) = self.filter.article_id {
            query.append_pair(ARTICLE_PARAM, &id.to_string());
        }
        if self.page > 1 {
            query.append_pair(PAGE_PARAM, &self.page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            LIST_URL.to_owned()
        } else {
            format!("{LIST_URL}?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(status: Option<CommentStatus>, article_id: Option<i64>, page: u32) -> View {
        View {
            filter: QueueFilter { status, article_id },
            page,
        }
    }

    #[test]
    fn the_queue_shows_pending_comments_unless_asked_otherwise() {
        assert_eq!(View::parse(""), Some(View::default()));
        assert_eq!(View::parse("trang-thai=&msg=saved"), Some(View::default()));
        assert_eq!(
            View::parse("trang-thai=spam&bai=12&trang=3"),
            Some(view(Some(CommentStatus::Spam), Some(12), 3))
        );
        assert_eq!(View::parse("trang-thai=all"), Some(view(None, None, 1)));
        for bad in [
            "trang-thai=bogus",
            "trang-thai=pending&trang-thai=spam",
            "bai=0",
            "bai=abc",
            "bai=-1",
            "trang=0",
            "trang=",
            "trang=99999999999",
        ] {
            assert_eq!(View::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn view_urls_leave_out_the_defaults_and_read_back_the_same() {
        assert_eq!(View::default().url(), "/admin/comments");
        for v in [
            View::default(),
            view(None, None, 1),
            view(Some(CommentStatus::Approved), Some(7), 2),
            view(Some(CommentStatus::Pending), Some(7), 1),
        ] {
            assert_eq!(View::from_back(&v.url()), v, "{}", v.url());
        }
        assert_eq!(
            view(Some(CommentStatus::Rejected), Some(7), 2).url(),
            "/admin/comments?trang-thai=rejected&bai=7&trang=2"
        );
    }

    #[test]
    fn back_only_leads_to_the_list() {
        for elsewhere in [
            "https://evil.example/admin/comments",
            "//evil.example",
            "/admin/commentsx",
            "/admin/comments/5",
            "/admin/users",
            "/admin/comments?trang-thai=bogus",
            "",
        ] {
            assert_eq!(View::from_back(elsewhere), View::default(), "{elsewhere:?}");
        }
    }

    #[test]
    fn a_view_past_its_last_page_moves_back() {
        let v = view(None, None, 4);
        assert_eq!(v.clamped(0).page, 1);
        assert_eq!(v.clamped(61).page, 3);
        assert_eq!(v.clamped(1000).page, 4);
    }
}
