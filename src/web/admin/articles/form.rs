//! The editor's form: read from the multipart body, kept as typed, and parsed (without I/O)
//! into the fields to store or the messages to show beside them.

use axum::extract::{Multipart, multipart::MultipartError};

use unicode_normalization::UnicodeNormalization;

use crate::{
    db::{
        article_drafts::DraftFields,
        articles::{ArticleFields, EditableArticle},
    },
    media, sanitize,
    site::CategoryTree,
    text::{SLUG_MAX_LEN, clean, has_control, is_slug, slugify},
    web::{
        admin::attachments::{Attachments, FILES_FIELD, FileUpload, read_upload},
        form::{FieldErrors, optional, required},
        format,
    },
};

const TITLE_MAX: usize = 300;
const SAPO_MAX: usize = 2000;
const BODY_MAX: usize = 300_000;
const CAPTION_MAX: usize = 300;
const BYLINE_MAX: usize = 200;
/// Longest value of the fields that hold an id, a key, a list of widths or a time.
const SHORT_MAX: usize = 300;
/// Most attached files a draft keeps.
const FILES_MAX: usize = 100;

pub(super) const SLUG_FORMAT: &str =
    "Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 120 ký tự).";
pub(super) const SLUG_TAKEN: &str = "Đường dẫn này đã được dùng cho bài khác.";

/// The form as typed: every field kept as text, so a refused save shows it back unchanged.
#[derive(Debug, Clone, Default)]
pub(crate) struct ArticleForm {
    pub title: String,
    pub slug: String,
    pub sapo: String,
    pub body_html: String,
    pub category_id: String,
    pub byline: String,
    pub cover_image: String,
    pub cover_widths: String,
    pub cover_caption: String,
    pub cover_alt: String,
    pub remove_cover: bool,
    pub comments_open: bool,
    pub published_at: String,
    pub version: String,
    pub action: String,
    /// "Tài liệu đính kèm".
    pub files: Attachments,
    /// A new article's form: the random key its autosaved draft is kept under.
    pub draft_key: String,
}

/// A cover image sent with the form.
pub(super) struct Upload {
    pub bytes: Vec<u8>,
    /// The uploader's file name, as the library lists it.
    pub name: String,
}

impl ArticleForm {
    pub(super) fn from_article(a: &EditableArticle) -> Self {
        Self {
            title: a.title.clone(),
            slug: a.slug.clone(),
            sapo: a.sapo.clone(),
            body_html: a.body_html.clone(),
            category_id: a.category_id.to_string(),
            byline: a.byline.clone(),
            cover_image: a.cover_image.clone().unwrap_or_default(),
            cover_widths: join_widths(&a.cover_widths),
            cover_caption: a.cover_caption.clone(),
            cover_alt: a.cover_alt.clone(),
            remove_cover: false,
            comments_open: a.comments_open,
            published_at: a
                .published_at
                .map(format::datetime_input)
                .unwrap_or_default(),
            version: a.version.to_string(),
            action: String::new(),
            files: Attachments::default(),
            draft_key: String::new(),
        }
    }

    /// The form as an autosaved draft left it; `version`: the one the draft was based on.
    pub(super) fn from_draft(d: DraftFields, version: String, draft_key: String) -> Self {
        Self {
            title: d.title,
            slug: d.slug,
            sapo: d.sapo,
            body_html: d.body_html,
            category_id: d.category_id,
            byline: d.byline,
            cover_image: d.cover_image,
            cover_widths: d.cover_widths,
            cover_caption: d.cover_caption,
            cover_alt: d.cover_alt,
            remove_cover: d.remove_cover,
            comments_open: d.comments_open,
            published_at: d.published_at,
            version,
            action: String::new(),
            files: Attachments {
                file_ids: d.file_ids,
                remove_files: Vec::new(),
            },
            draft_key,
        }
    }

    /// What an autosaved draft of this form holds.
    pub(super) fn draft_fields(&self) -> DraftFields {
        DraftFields {
            title: self.title.clone(),
            slug: self.slug.clone(),
            sapo: self.sapo.clone(),
            body_html: self.body_html.clone(),
            category_id: self.category_id.clone(),
            byline: self.byline.clone(),
            cover_image: self.cover_image.clone(),
            cover_widths: self.cover_widths.clone(),
            cover_caption: self.cover_caption.clone(),
            cover_alt: self.cover_alt.clone(),
            remove_cover: self.remove_cover,
            comments_open: self.comments_open,
            published_at: self.published_at.clone(),
            file_ids: self.files.kept(),
        }
    }

    /// The form, its new cover, its new attached files, and the messages for fields that
    /// hold a control character.
    pub(super) async fn read(
        mut multipart: Multipart,
    ) -> Result<(Self, Option<Upload>, Vec<FileUpload>, FieldErrors), MultipartError> {
        let mut form = Self::default();
        let mut upload = None;
        let mut files = Vec::new();
        let mut screened = FieldErrors::default();
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "cover" {
                let file_name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await?;
                if !bytes.is_empty() {
                    upload = Some(Upload {
                        bytes: bytes.to_vec(),
                        name: file_name,
                    });
                }
                continue;
            }
            if name == FILES_FIELD {
                files.extend(read_upload(field).await?);
                continue;
            }
            let value = field.text().await?;
            screened.screen(&name, &value);
            if form.files.read_field(&name, &value) {
                continue;
            }
            match name.as_str() {
                "title" => form.title = value,
                "slug" => form.slug = value,
                "sapo" => form.sapo = value,
                "body_html" => form.body_html = value,
                "category_id" => form.category_id = value,
                "byline" => form.byline = value,
                "cover_image" => form.cover_image = value,
                "cover_widths" => form.cover_widths = value,
                "cover_caption" => form.cover_caption = value,
                "cover_alt" => form.cover_alt = value,
                "remove_cover" => form.remove_cover = true,
                "comments_open" => form.comments_open = true,
                "published_at" => form.published_at = value,
                "version" => form.version = value,
                "action" => form.action = value,
                "draft_key" => form.draft_key = value,
                _ => {}
            }
        }
        Ok((form, upload, files, screened))
    }

    /// A cover just stored for this form replaces the one it had.
    pub(super) fn set_cover(&mut self, saved: &media::SavedImage) {
        self.cover_image = saved.path.clone();
        self.cover_widths = join_widths(&saved.widths);
        self.remove_cover = false;
    }

    /// Checks every field; the fields to store, and the messages to show (none when the
    /// fields may be stored). The form keeps what it will show back: the sanitised body, the
    /// slug derived from the title. `errors`: those found while reading the form.
    pub(super) fn parse(
        &mut self,
        categories: &CategoryTree,
        mut errors: FieldErrors,
    ) -> (ArticleFields, FieldErrors) {
        let title = required(&mut errors, "title", &self.title, TITLE_MAX);
        let sapo = optional(&mut errors, "sapo", &self.sapo, SAPO_MAX);
        let byline = optional(&mut errors, "byline", &self.byline, BYLINE_MAX);
        let cover_caption = optional(
            &mut errors,
            "cover_caption",
            &self.cover_caption,
            CAPTION_MAX,
        );
        let cover_alt = optional(&mut errors, "cover_alt", &self.cover_alt, CAPTION_MAX);

        let body_html = sanitize::body(&self.body_html);
        if body_html.chars().count() > BODY_MAX {
            errors.add("body_html", "Nội dung bài quá dài.");
        }
        // What is shown back is what would be stored.
        self.body_html = body_html.clone();

        let slug = match clean(&self.slug) {
            typed if typed.is_empty() => slugify(&title),
            typed => typed,
        };
        if !title.is_empty() && (!is_slug(&slug) || slug.len() > SLUG_MAX_LEN) {
            errors.add("slug", SLUG_FORMAT);
        }
        self.slug = slug.clone();

        let category_id = self
            .category_id
            .parse::<i64>()
            .ok()
            .filter(|id| categories.get(*id).is_some());
        if category_id.is_none() {
            errors.add("category_id", "Vui lòng chọn chuyên mục.");
        }

        let published_at = match self.published_at.trim() {
            "" => None,
            typed => format::parse_datetime_input(typed).or_else(|| {
                errors.add(
                    "published_at",
                    "Thời điểm không hợp lệ: nhập ngày giờ từ năm 1900 đến năm 9999.",
                );
                None
            }),
        };

        if self.remove_cover {
            self.cover_image.clear();
            self.cover_widths.clear();
        }
        let cover_image = Some(self.cover_image.trim().to_owned())
            .filter(|path| !path.is_empty() && media::storage::validate_key(path).is_ok());
        let cover_widths = if cover_image.is_some() {
            parse_widths(&self.cover_widths)
        } else {
            Vec::new()
        };

        let fields = ArticleFields {
            slug,
            title,
            sapo,
            body_html,
            cover_image,
            cover_widths,
            cover_caption,
            cover_alt,
            byline,
            category_id: category_id.unwrap_or_default(),
            comments_open: self.comments_open,
            published_at,
        };
        (fields, errors)
    }
}

/// An autosaved draft as it may be stored, or why not: no control characters, no field longer
/// than the form takes. Texts are kept as typed (NFC), the body sanitised like a save, a cover
/// key that could not be a stored image's dropped.
pub(super) fn check_draft(mut d: DraftFields) -> Result<DraftFields, &'static str> {
    let limits: [(&mut String, usize); 11] = [
        (&mut d.title, TITLE_MAX),
        (&mut d.slug, SHORT_MAX),
        (&mut d.sapo, SAPO_MAX),
        (&mut d.body_html, BODY_MAX),
        (&mut d.category_id, SHORT_MAX),
        (&mut d.byline, BYLINE_MAX),
        (&mut d.cover_image, SHORT_MAX),
        (&mut d.cover_widths, SHORT_MAX),
        (&mut d.cover_caption, CAPTION_MAX),
        (&mut d.cover_alt, CAPTION_MAX),
        (&mut d.published_at, SHORT_MAX),
    ];
    for (text, max) in limits {
        if has_control(text) {
            return Err("Bản nháp có ký tự điều khiển không hợp lệ.");
        }
        *text = text.nfc().collect();
        if text.chars().count() > max {
            return Err("Bản nháp có mục dài quá mức cho phép.");
        }
    }
    if d.file_ids.len() > FILES_MAX {
        return Err("Bản nháp có quá nhiều tệp đính kèm.");
    }
    d.body_html = sanitize::body(&d.body_html);
    if !d.cover_image.is_empty() && media::storage::validate_key(&d.cover_image).is_err() {
        d.cover_image.clear();
        d.cover_widths.clear();
    }
    Ok(d)
}

fn join_widths(widths: &[i32]) -> String {
    widths
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn parse_widths(text: &str) -> Vec<i32> {
    text.split(',')
        .filter_map(|w| w.trim().parse().ok())
        .filter(|w| (1..=10_000).contains(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::categories::Category;

    fn categories() -> CategoryTree {
        CategoryTree::new(vec![Category {
            category_id: 3,
            parent_id: None,
            name: "Tin tức".into(),
            slug: "tin-tuc".into(),
            description: String::new(),
            position: 0,
        }])
    }

    fn typed() -> ArticleForm {
        ArticleForm {
            title: "  Bảo Thắng đón Tết ".into(),
            body_html: "<p>Xuân về<script>alert(1)</script></p>".into(),
            category_id: "3".into(),
            ..ArticleForm::default()
        }
    }

    #[test]
    fn a_good_form_gives_cleaned_fields_and_a_slug_from_the_title() {
        let mut form = typed();
        let (fields, errors) = form.parse(&categories(), FieldErrors::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(fields.title, "Bảo Thắng đón Tết");
        assert_eq!(fields.slug, "bao-thang-don-tet");
        assert_eq!(fields.category_id, 3);
        assert_eq!(fields.body_html, "<p>Xuân về</p>");
        assert_eq!(
            form.slug, "bao-thang-don-tet",
            "the form shows the slug back"
        );
        assert_eq!(form.body_html, "<p>Xuân về</p>", "and the body as stored");
    }

    #[test]
    fn each_wrong_field_gets_its_message() {
        let mut form = ArticleForm {
            title: "Tin".into(),
            slug: "Có Dấu".into(),
            category_id: "99".into(),
            published_at: "mai".into(),
            sapo: "x".repeat(SAPO_MAX + 1),
            ..ArticleForm::default()
        };
        let (_, errors) = form.parse(&categories(), FieldErrors::default());
        for field in ["slug", "category_id", "published_at", "sapo"] {
            assert!(errors.has(field), "{field}: {errors:?}");
        }
        let (_, errors) = ArticleForm::default().parse(&categories(), FieldErrors::default());
        assert!(errors.has("title") && !errors.has("slug"));
    }

    #[test]
    fn covers_are_kept_unless_removed_and_only_safe_keys_count() {
        let mut form = ArticleForm {
            cover_image: "2026/11/anh.jpg".into(),
            cover_widths: "480, 960,abc,0".into(),
            ..typed()
        };
        let (fields, _) = form.parse(&categories(), FieldErrors::default());
        assert_eq!(fields.cover_image.as_deref(), Some("2026/11/anh.jpg"));
        assert_eq!(fields.cover_widths, [480, 960]);

        form.remove_cover = true;
        let (fields, _) = form.parse(&categories(), FieldErrors::default());
        assert_eq!(fields.cover_image, None);
        assert!(form.cover_image.is_empty());

        let mut form = ArticleForm {
            cover_image: "../../etc/passwd".into(),
            ..typed()
        };
        assert_eq!(
            form.parse(&categories(), FieldErrors::default())
                .0
                .cover_image,
            None
        );
    }
}
