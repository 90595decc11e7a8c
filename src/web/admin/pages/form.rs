//! The page form: kept as typed, parsed (without I/O) into the fields to store, then checked
//! against the other pages.

use serde::Deserialize;

use crate::{
    db::pages::{EditablePage, Language, PageFields, PageRow, PageStatus},
    sanitize,
    text::{SLUG_MAX_LEN, clean, is_slug, slugify},
    web::{
        form::{FieldErrors, Unique, required},
        is_reserved_segment,
    },
};

const TITLE_MAX: usize = 300;
const BODY_MAX: usize = 300_000;

const SLUG_FORMAT: &str =
    "Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 120 ký tự).";
const SLUG_UNDERIVABLE: &str = "Tiêu đề này không tạo được đường dẫn, hãy tự nhập đường dẫn.";
pub(super) const SLUG_TAKEN: &str = "Đường dẫn này đã được dùng cho trang khác.";
const SLUG_RESERVED: &str = "Đường dẫn này trùng với một địa chỉ sẵn có của trang web \
     (ví dụ /admin, /bai-viet, /van-ban, /en): hãy chọn đường dẫn khác.";
const PARENT_INVALID: &str = "Trang cha không hợp lệ.";
const PARENT_LOOP: &str = "Không thể đặt trang vào trong chính nó hoặc trang con của nó.";
const COUNTERPART_INVALID: &str = "Hãy chọn một trang viết bằng ngôn ngữ kia.";

/// A slug taken by a page saved since the form was checked.
pub(super) const UNIQUE: &[Unique] = &[Unique {
    constraint: "page_slug_key",
    field: "slug",
    message: SLUG_TAKEN,
}];

/// The form as typed: a refused save shows it back unchanged.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PageForm {
    pub title: String,
    pub slug: String,
    pub body_html: String,
    /// "" or the parent page's id.
    pub parent: String,
    /// "vi" or "en".
    pub language: String,
    /// "" or the id of the same page in the other language.
    pub counterpart: String,
    /// "draft" or "published".
    pub status: String,
    pub version: String,
}

impl PageForm {
    pub(super) fn of(page: &EditablePage) -> Self {
        Self {
            title: page.title.clone(),
            slug: page.slug.clone(),
            body_html: page.body_html.clone(),
            parent: id_text(page.parent_id),
            language: page.language.as_str().to_owned(),
            counterpart: id_text(page.counterpart_id),
            status: page.status.as_str().to_owned(),
            version: page.version.to_string(),
        }
    }

    /// Checks every field on its own; the form keeps what it will show back (the sanitised
    /// body, the slug derived from the title).
    pub(super) fn parse(&mut self, errors: &mut FieldErrors) -> PageFields {
        let title = required(errors, "title", &self.title, TITLE_MAX);
        let body_html = sanitize::body(&self.body_html);
        if body_html.chars().count() > BODY_MAX {
            errors.add("body_html", "Nội dung trang quá dài.");
        }
        self.body_html = body_html.clone();

        let slug = match clean(&self.slug) {
            typed if typed.is_empty() => slugify(&title),
            typed => typed,
        };
        if slug.is_empty() {
            if !title.is_empty() {
                errors.add("slug", SLUG_UNDERIVABLE);
            }
        } else if !is_slug(&slug) || slug.len() > SLUG_MAX_LEN {
            errors.add("slug", SLUG_FORMAT);
        } else if is_reserved_segment(&slug) {
            errors.add("slug", SLUG_RESERVED);
        }
        self.slug = slug.clone();

        let parent_id = parse_optional_id(errors, "parent", &self.parent, PARENT_INVALID);
        let counterpart_id = parse_optional_id(
            errors,
            "counterpart",
            &self.counterpart,
            COUNTERPART_INVALID,
        );
        let language = Language::parse(&self.language).unwrap_or_default();
        let status = PageStatus::parse(&self.status).unwrap_or_default();
        PageFields {
            slug,
            title,
            body_html,
            parent_id,
            language,
            counterpart_id,
            status,
        }
    }
}

/// The checks that need the other pages (`pages`: all of them, read under the lock);
/// `editing`: the page being saved.
pub(super) fn check(
    fields: &PageFields,
    pages: &[PageRow],
    editing: Option<i64>,
    errors: &mut FieldErrors,
) {
    if !errors.has("slug")
        && pages
            .iter()
            .any(|p| p.slug == fields.slug && Some(p.page_id) != editing)
    {
        errors.add("slug", SLUG_TAKEN);
    }
    if let Some(parent_id) = fields.parent_id {
        // Up from the parent: reaching the page itself would close a loop.
        let mut current = Some(parent_id);
        let mut steps = 0;
        while let Some(id) = current {
            if Some(id) == editing || steps > pages.len() {
                errors.add("parent", PARENT_LOOP);
                break;
            }
            let Some(page) = pages.iter().find(|p| p.page_id == id) else {
                if id == parent_id {
                    errors.add("parent", PARENT_INVALID);
                }
                break;
            };
            current = page.parent_id;
            steps += 1;
        }
    }
    if let Some(counterpart_id) = fields.counterpart_id {
        let fits = pages.iter().any(|p| {
            p.page_id == counterpart_id
                && Some(p.page_id) != editing
                && p.language != fields.language
        });
        if !fits {
            errors.add("counterpart", COUNTERPART_INVALID);
        }
    }
}

fn id_text(id: Option<i64>) -> String {
    id.map(|id| id.to_string()).unwrap_or_default()
}

fn parse_optional_id(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    message: &str,
) -> Option<i64> {
    match value.trim() {
        "" => None,
        typed => {
            let id = typed.parse::<i64>().ok().filter(|id| *id > 0);
            if id.is_none() {
                errors.add(field, message);
            }
            id
        }
    }
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn row(page_id: i64, slug: &str, parent_id: Option<i64>, language: Language) -> PageRow {
        PageRow {
            page_id,
            slug: slug.into(),
            title: slug.into(),
            parent_id,
            language,
            status: PageStatus::Published,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            editor_name: None,
        }
    }

    #[test]
    fn the_slug_comes_from_the_title_and_reserved_ones_are_refused() {
        let mut form = PageForm {
            title: " Giới thiệu chung ".into(),
            body_html: "<p>Huyện<script>x()</script></p>".into(),
            ..PageForm::default()
        };
        let mut errors = FieldErrors::default();
        let fields = form.parse(&mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(fields.slug, "gioi-thieu-chung");
        assert_eq!(fields.body_html, "<p>Huyện</p>");
        assert_eq!(fields.status, PageStatus::Draft);

        for slug in ["admin", "van-ban", "sitemap-2", "en", "Có Dấu"] {
            let mut form = PageForm {
                title: "Trang".into(),
                slug: slug.into(),
                ..PageForm::default()
            };
            let mut errors = FieldErrors::default();
            form.parse(&mut errors);
            assert!(errors.has("slug"), "{slug}");
            assert_eq!(form.slug, slug, "the slug is shown back");
        }
    }

    #[test]
    fn parents_may_not_loop_and_counterparts_are_in_the_other_language() {
        let pages = [
            row(1, "gioi-thieu", None, Language::Vi),
            row(2, "co-cau", Some(1), Language::Vi),
            row(3, "introduction", None, Language::En),
        ];
        let fields = |parent_id, counterpart_id| PageFields {
            slug: "gioi-thieu".into(),
            parent_id,
            counterpart_id,
            ..PageFields::default()
        };
        let mut errors = FieldErrors::default();
        check(&fields(Some(2), Some(3)), &pages, Some(1), &mut errors);
        assert_eq!(errors.get("parent").unwrap(), PARENT_LOOP);
        assert!(!errors.has("counterpart") && !errors.has("slug"));

        let mut errors = FieldErrors::default();
        check(&fields(Some(9), Some(2)), &pages, None, &mut errors);
        assert_eq!(errors.get("slug").unwrap(), SLUG_TAKEN);
        assert_eq!(errors.get("parent").unwrap(), PARENT_INVALID);
        assert_eq!(errors.get("counterpart").unwrap(), COUNTERPART_INVALID);
    }
}
