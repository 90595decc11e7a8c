//! Page numbers for listings: "Trang trước", 1 … 4 5 [6] 7 8 … 20, "Trang sau".

use crate::web::extract::PAGE_PARAM;

#[derive(Debug)]
pub(crate) struct Pager {
    pub current: u32,
    pub last: u32,
    base: String,
}

/// One entry of the page list.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PageLink {
    Page(u32),
    Gap,
}

/// The number of the last page of `total_items` (1 when there are none).
pub(crate) fn last_page(total_items: i64, per_page: u32) -> u32 {
    let per_page = i64::from(per_page.max(1));
    u32::try_from(((total_items + per_page - 1) / per_page).max(1)).unwrap_or(u32::MAX)
}

impl Pager {
    /// `None` when `current` lies past the last page (page 1 always exists, even empty).
    pub(crate) fn new(
        base: impl Into<String>,
        current: u32,
        total_items: i64,
        per_page: u32,
    ) -> Option<Self> {
        let last = last_page(total_items, per_page);
        (current <= last).then(|| Self {
            current,
            last,
            base: base.into(),
        })
    }

    /// Zero-based offset of the first item of the current page.
    pub(crate) fn offset(&self, per_page: u32) -> i64 {
        i64::from(self.current - 1) * i64::from(per_page)
    }

    pub(crate) fn url(&self, page: &u32) -> String {
        if *page == 1 {
            self.base.clone()
        } else {
            let separator = if self.base.contains('?') { '&' } else { '?' };
            format!("{}{separator}{PAGE_PARAM}={page}", self.base)
        }
    }

    pub(crate) fn previous(&self) -> Option<u32> {
        (self.current > 1).then(|| self.current - 1)
    }

    pub(crate) fn next(&self) -> Option<u32> {
        (self.current < self.last).then(|| self.current + 1)
    }

    /// The first and last page, and two on each side of the current one.
    pub(crate) fn links(&self) -> Vec<PageLink> {
        let mut links = Vec::new();
        let low = self.current.saturating_sub(2).max(1);
        let high = (self.current + 2).min(self.last);
        if low > 1 {
            links.push(PageLink::Page(1));
            if low > 2 {
                links.push(PageLink::Gap);
            }
        }
        links.extend((low..=high).map(PageLink::Page));
        if high < self.last {
            if high < self.last - 1 {
                links.push(PageLink::Gap);
            }
            links.push(PageLink::Page(self.last));
        }
        links
    }
}

#[cfg(test)]
mod tests {
    use super::{PageLink::*, *};

    #[test]
    fn past_the_end_is_none_but_an_empty_first_page_exists() {
        assert!(Pager::new("/c", 1, 0, 10).is_some());
        assert!(Pager::new("/c", 2, 10, 10).is_none());
        assert_eq!(Pager::new("/c", 2, 11, 10).unwrap().last, 2);
    }

    #[test]
    fn links_show_a_window_with_gaps() {
        let pager = Pager::new("/c", 6, 200, 10).unwrap();
        assert_eq!(
            pager.links(),
            [
                Page(1),
                Gap,
                Page(4),
                Page(5),
                Page(6),
                Page(7),
                Page(8),
                Gap,
                Page(20)
            ]
        );
        let pager = Pager::new("/c", 1, 30, 10).unwrap();
        assert_eq!(pager.links(), [Page(1), Page(2), Page(3)]);
        assert_eq!(pager.previous(), None);
        assert_eq!(pager.next(), Some(2));
    }

    #[test]
    fn first_page_url_has_no_query() {
        let pager = Pager::new("/chuyen-muc/tin-tuc", 2, 30, 10).unwrap();
        assert_eq!(pager.url(&1), "/chuyen-muc/tin-tuc");
        assert_eq!(pager.url(&3), "/chuyen-muc/tin-tuc?trang=3");
        assert_eq!(pager.offset(10), 10);
        let filtered = Pager::new("/admin/articles?trang-thai=draft", 1, 30, 10).unwrap();
        assert_eq!(filtered.url(&2), "/admin/articles?trang-thai=draft&trang=2");
    }
}
