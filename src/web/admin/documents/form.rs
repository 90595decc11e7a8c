//! The document form: read from the multipart body (fields and files), kept as typed, and
//! parsed (without I/O) into the fields to store or the messages to show beside them.

use axum::extract::{Multipart, multipart::MultipartError};

use crate::{
    db::documents::{Document, DocumentFields, Term, TermKind},
    sanitize,
    text::{SLUG_MAX_LEN, clean, is_slug, slugify},
    web::{
        admin::attachments::{Attachments, FILES_FIELD, FileUpload, read_upload},
        extract::parse_id,
        form::{FieldErrors, optional, required},
        format,
    },
};

const NUMBER_MAX: usize = 100;
const SIGNER_MAX: usize = 200;
const SUMMARY_MAX: usize = 2000;
const BODY_MAX: usize = 300_000;
pub(super) const SLUG_TAKEN: &str = "Đường dẫn này đã được dùng cho văn bản khác.";
const SLUG_FORMAT: &str =
    "Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 120 ký tự).";
const BAD_DATE: &str = "Ngày không hợp lệ: chọn một ngày từ năm 1900 đến năm 9999.";

/// The form as typed: every field kept as text, so a refused save shows it back unchanged.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocumentForm {
    pub number: String,
    pub type_id: String,
    pub issuer_id: String,
    pub field_id: String,
    pub signer: String,
    pub issued_on: String,
    pub effective_on: String,
    pub summary: String,
    pub body_html: String,
    pub in_force: bool,
    pub slug: String,
    pub files: Attachments,
}

impl DocumentForm {
    pub(super) fn of(d: &Document, file_ids: Vec<i64>) -> Self {
        Self {
            number: d.number.clone(),
            type_id: d.type_id.to_string(),
            issuer_id: d.issuer_id.to_string(),
            field_id: d.field_id.map(|id| id.to_string()).unwrap_or_default(),
            signer: d.signer.clone(),
            issued_on: format::date_input(d.issued_on),
            effective_on: d.effective_on.map(format::date_input).unwrap_or_default(),
            summary: d.summary.clone(),
            body_html: d.body_html.clone(),
            in_force: d.in_force,
            slug: d.slug.clone(),
            files: Attachments {
                file_ids,
                remove_files: Vec::new(),
            },
        }
    }

    /// The form, its new files, and the messages for fields that hold a control character.
    pub(super) async fn read(
        mut multipart: Multipart,
    ) -> Result<(Self, Vec<FileUpload>, FieldErrors), MultipartError> {
        let mut form = Self::default();
        let mut uploads = Vec::new();
        let mut screened = FieldErrors::default();
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == FILES_FIELD {
                uploads.extend(read_upload(field).await?);
                continue;
            }
            let value = field.text().await?;
            screened.screen(&name, &value);
            if form.files.read_field(&name, &value) {
                continue;
            }
            match name.as_str() {
                "number" => form.number = value,
                "type_id" => form.type_id = value,
                "issuer_id" => form.issuer_id = value,
                "field_id" => form.field_id = value,
                "signer" => form.signer = value,
                "issued_on" => form.issued_on = value,
                "effective_on" => form.effective_on = value,
                "summary" => form.summary = value,
                "body_html" => form.body_html = value,
                "in_force" => form.in_force = true,
                "slug" => form.slug = value,
                _ => {}
            }
        }
        Ok((form, uploads, screened))
    }

    /// Checks every field; the fields to store, and the messages to show (none when the
    /// fields may be stored). The form keeps what it will show back (the sanitised text, the
    /// slug made from the number and summary).
    pub(super) fn parse(
        &mut self,
        terms: &[Term],
        mut errors: FieldErrors,
    ) -> (DocumentFields, FieldErrors) {
        let number = required(&mut errors, "number", &self.number, NUMBER_MAX);
        let signer = optional(&mut errors, "signer", &self.signer, SIGNER_MAX);
        let summary = required(&mut errors, "summary", &self.summary, SUMMARY_MAX);

        let body_html = sanitize::body(&self.body_html);
        if body_html.chars().count() > BODY_MAX {
            errors.add("body_html", "Toàn văn quá dài.");
        }
        self.body_html = body_html.clone();

        let term = |value: &str, kind: TermKind| {
            parse_id(value.trim()).filter(|id| {
                terms
                    .iter()
                    .any(|t| t.document_term_id == *id && t.kind == kind.as_str())
            })
        };
        let type_id = term(&self.type_id, TermKind::Type);
        if type_id.is_none() {
            errors.add("type_id", "Vui lòng chọn loại văn bản.");
        }
        let issuer_id = term(&self.issuer_id, TermKind::Issuer);
        if issuer_id.is_none() {
            errors.add("issuer_id", "Vui lòng chọn cơ quan ban hành.");
        }
        let field_id = match self.field_id.trim() {
            "" => None,
            typed => {
                let found = term(typed, TermKind::Field);
                if found.is_none() {
                    errors.add("field_id", "Lĩnh vực không có trong danh mục.");
                }
                found
            }
        };

        let issued_on = match self.issued_on.trim() {
            "" => {
                errors.add("issued_on", "Vui lòng nhập ngày ban hành.");
                None
            }
            typed => format::parse_date(typed).or_else(|| {
                errors.add("issued_on", BAD_DATE);
                None
            }),
        };
        let effective_on = match self.effective_on.trim() {
            "" => None,
            typed => format::parse_date(typed).or_else(|| {
                errors.add("effective_on", BAD_DATE);
                None
            }),
        };
        if let (Some(issued), Some(effective)) = (issued_on, effective_on)
            && effective < issued
        {
            errors.add(
                "effective_on",
                "Ngày có hiệu lực không thể trước ngày ban hành.",
            );
        }

        let slug = match clean(&self.slug) {
            typed if typed.is_empty() => slugify(&format!("{number} {summary}")),
            typed => typed,
        };
        let slug = cut_slug(&slug);
        if !number.is_empty() && (!is_slug(&slug) || slug.len() > SLUG_MAX_LEN) {
            errors.add("slug", SLUG_FORMAT);
        }
        self.slug = slug.clone();

        let fields = DocumentFields {
            slug,
            number,
            type_id: type_id.unwrap_or_default(),
            issuer_id: issuer_id.unwrap_or_default(),
            field_id,
            signer,
            issued_on: issued_on.unwrap_or(time::Date::MIN),
            effective_on,
            summary,
            body_html,
            in_force: self.in_force,
        };
        (fields, errors)
    }
}

/// A slug made from a long summary, cut at a word to [`SLUG_MAX_LEN`].
fn cut_slug(slug: &str) -> String {
    if slug.len() <= SLUG_MAX_LEN {
        return slug.to_owned();
    }
    let cut = &slug[..SLUG_MAX_LEN];
    cut.rsplit_once('-')
        .map_or(cut, |(head, _)| head)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Vec<Term> {
        let term = |id, kind: TermKind, name: &str| Term {
            document_term_id: id,
            kind: kind.as_str().into(),
            name: name.into(),
            slug: slugify(name),
            uses: 0,
        };
        vec![
            term(1, TermKind::Type, "Nghị quyết"),
            term(2, TermKind::Issuer, "Huyện ủy"),
            term(3, TermKind::Field, "Kinh tế"),
        ]
    }

    fn typed() -> DocumentForm {
        DocumentForm {
            number: " 15-NQ/HU ".into(),
            type_id: "1".into(),
            issuer_id: "2".into(),
            field_id: "3".into(),
            issued_on: "2026-03-15".into(),
            effective_on: "2026-04-01".into(),
            summary: "Về phát triển kinh tế nông thôn".into(),
            body_html: "<p>Điều 1<script>x</script></p>".into(),
            in_force: true,
            ..DocumentForm::default()
        }
    }

    #[test]
    fn a_good_form_gives_clean_fields_and_a_slug() {
        let mut form = typed();
        let (fields, errors) = form.parse(&terms(), FieldErrors::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(fields.number, "15-NQ/HU");
        assert_eq!(fields.slug, "15-nq-hu-ve-phat-trien-kinh-te-nong-thon");
        assert_eq!(fields.body_html, "<p>Điều 1</p>");
        assert_eq!(fields.field_id, Some(3));
        assert_eq!(fields.issued_on.to_string(), "2026-03-15");
    }

    #[test]
    fn terms_must_be_of_their_list_and_dates_in_order() {
        let mut form = DocumentForm {
            type_id: "2".into(),
            issuer_id: "1".into(),
            field_id: "99".into(),
            effective_on: "2026-01-01".into(),
            ..typed()
        };
        let (_, errors) = form.parse(&terms(), FieldErrors::default());
        for field in ["type_id", "issuer_id", "field_id", "effective_on"] {
            assert!(errors.has(field), "{field}: {errors:?}");
        }
        let (_, errors) = DocumentForm::default().parse(&terms(), FieldErrors::default());
        for field in ["number", "summary", "issued_on", "type_id"] {
            assert!(errors.has(field), "{field}: {errors:?}");
        }
        let mut form = DocumentForm {
            issued_on: "15/03/2026".into(),
            ..typed()
        };
        assert!(
            form.parse(&terms(), FieldErrors::default())
                .1
                .has("issued_on")
        );
    }

    #[test]
    fn long_slugs_are_cut_at_a_hyphen() {
        let long = "nghi-quyet-".repeat(20);
        let cut = cut_slug(&long);
        assert!(cut.len() <= SLUG_MAX_LEN && is_slug(&cut), "{cut}");
        assert!(
            long.starts_with(&format!("{cut}-")),
            "cut at a hyphen: {cut}"
        );
    }
}
