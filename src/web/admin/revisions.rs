//! What the revisions of articles and pages share: the list with its compare form, the compare
//! page (two revisions, or one and the current text, field by field with `<ins>`/`<del>`:
//! see [`crate::diff`]), and the restore form's version check.

use askama::Template;
use askama_web::WebTemplate;
use axum::{extract::FromRequestParts, http::StatusCode, http::request::Parts};
use serde::Deserialize;
use sqlx::PgPool;
use time::OffsetDateTime;

use crate::{
    diff,
    error::{AppError, AppResult, ErrorPage},
    web::{admin::AdminLayout, extract::parse_id, filters},
};

/// The compare page's query parameters: `?tu=` (from) and `?den=` (to).
const FROM_PARAM: &str = "tu";
const TO_PARAM: &str = "den";
/// Their value for the text as it is now.
const CURRENT: &str = "hien-tai";

/// One side of a comparison, as the URL names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pick {
    Current,
    Revision(i64),
}

/// `?tu=…&den=…`: each a revision id or `hien-tai`. Without `den`, the current text; without
/// `tu`, the revision before `den` (what that save changed). Anything else is a 404.
pub(crate) struct CompareQuery {
    from: Option<Pick>,
    to: Pick,
}

impl<S: Send + Sync> FromRequestParts<S> for CompareQuery {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let pick = |name: &str| -> Result<Option<Pick>, AppError> {
            let mut values = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(key, _)| key == name)
                .map(|(_, value)| value);
            match (values.next(), values.next()) {
                (None, _) => Ok(None),
                (Some(value), None) if value.is_empty() => Ok(None),
                (Some(value), None) if value == CURRENT => Ok(Some(Pick::Current)),
                (Some(value), None) => parse_id(&value)
                    .map(|id| Some(Pick::Revision(id)))
                    .ok_or(AppError::NotFound),
                (Some(_), Some(_)) => Err(AppError::NotFound),
            }
        };
        Ok(Self {
            from: pick(FROM_PARAM)?,
            to: pick(TO_PARAM)?.unwrap_or(Pick::Current),
        })
    }
}

/// The compare page's URL: the revisions list's URL `base` and two sides (`from` `None`: the
/// revision before `to`).
pub(crate) fn compare_url(base: &str, from: Option<Pick>, to: Pick) -> String {
    let value = |pick: Pick| match pick {
        Pick::Current => CURRENT.to_owned(),
        Pick::Revision(id) => id.to_string(),
    };
    match from {
        Some(from) => format!(
            "{base}/compare?{FROM_PARAM}={}&{TO_PARAM}={}",
            value(from),
            value(to)
        ),
        None => format!("{base}/compare?{TO_PARAM}={}", value(to)),
    }
}

/// The compare links of a revision's own page.
pub(crate) struct CompareLinks {
    /// What the save that made it changed.
    pub changes: String,
    /// From it to the current text.
    pub against_current: String,
}

impl CompareLinks {
    /// The links of revision `revision_id` of the history whose list is at `base`.
    pub(crate) fn new(base: &str, revision_id: i64) -> Self {
        let revision = Pick::Revision(revision_id);
        Self {
            changes: compare_url(base, None, revision),
            against_current: compare_url(base, Some(revision), Pick::Current),
        }
    }
}

/// A stored revision and its text.
pub(crate) struct Revised<T> {
    pub revision_id: i64,
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub editor_name: Option<String>,
    pub text: T,
}

/// An article's or a page's history, as the compare page reads it.
pub(crate) trait History {
    /// What is compared (the editor's fields).
    type Text;
    /// The revisions list's URL, `/admin/articles/{id}/revisions`.
    fn base_url(&self) -> String;
    /// The text as it is now, and its version.
    fn current(&self) -> (i32, Self::Text);
    /// One of its revisions (`RowNotFound`, a 404, when it is another's).
    async fn revision(&self, db: &PgPool, revision_id: i64) -> sqlx::Result<Revised<Self::Text>>;
    /// The id of the newest revision older than `version`.
    async fn id_before(&self, db: &PgPool, version: i32) -> sqlx::Result<Option<i64>>;
    /// The fields compared, from `old` (`None`: nothing before) to `new`.
    fn fields(old: Option<&Self::Text>, new: &Self::Text) -> Vec<FieldDiff>;
}

/// One field compared.
pub(crate) struct FieldDiff {
    pub label: &'static str,
    /// Escaped text with `<ins>`/`<del>` marks, built by [`crate::diff`].
    pub html: String,
    pub changed: bool,
    /// Changed, but nothing the comparison shows: only the formatting.
    pub formatting_only: bool,
    /// Shown even when unchanged (title, sapo, body); other fields only when they changed.
    always: bool,
}

impl FieldDiff {
    /// A plain-text field, shown always (`always`) or only when it changed.
    pub(crate) fn text(label: &'static str, old: &str, new: &str, always: bool) -> Self {
        Self {
            label,
            html: diff::text(old, new),
            changed: old != new,
            formatting_only: false,
            always,
        }
    }

    /// A sanitised HTML body.
    pub(crate) fn body(label: &'static str, old: &str, new: &str) -> Self {
        let html = diff::body(old, new);
        Self {
            label,
            formatting_only: diff::changed_without_marks(old, new, &html),
            changed: old != new,
            html,
            always: true,
        }
    }
}

/// A side of a comparison as the page names it.
pub(crate) struct Side {
    pub label: String,
    pub at: Option<OffsetDateTime>,
    pub editor_name: Option<String>,
    /// The revision's own page.
    pub url: Option<String>,
}

impl Side {
    fn of<T>(base: &str, revised: &Revised<T>) -> Self {
        Self {
            label: format!("Phiên bản {}", revised.version),
            at: Some(revised.created_at),
            editor_name: revised.editor_name.clone(),
            url: Some(format!("{base}/{}", revised.revision_id)),
        }
    }

    fn named(label: &str) -> Self {
        Self {
            label: label.to_owned(),
            at: None,
            editor_name: None,
            url: None,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/revisions/compare.html")]
pub(crate) struct ComparePage {
    layout: AdminLayout,
    base_url: String,
    from: Side,
    to: Side,
    fields: Vec<FieldDiff>,
}

impl ComparePage {
    /// The comparison `query` asks for in `history`.
    pub(crate) async fn new<H: History>(
        db: &PgPool,
        layout: AdminLayout,
        history: &H,
        query: CompareQuery,
    ) -> AppResult<Self> {
        let base = history.base_url();
        let (current_version, current) = history.current();
        let (to, to_version, new) = match query.to {
            Pick::Current => (Side::named("Bản hiện tại"), current_version, current),
            Pick::Revision(id) => {
                let revised = history.revision(db, id).await?;
                (Side::of(&base, &revised), revised.version, revised.text)
            }
        };
        let from = match query.from {
            Some(pick) => Some(pick),
            None => history.id_before(db, to_version).await?.map(Pick::Revision),
        };
        let old = match from {
            Some(Pick::Current) => Some((Side::named("Bản hiện tại"), history.current().1)),
            Some(Pick::Revision(id)) => {
                let revised = history.revision(db, id).await?;
                Some((Side::of(&base, &revised), revised.text))
            }
            None => None,
        };
        let (from, old) = match old {
            Some((side, text)) => (side, Some(text)),
            None => (Side::named("Chưa có gì (trước phiên bản đầu tiên)"), None),
        };
        Ok(Self {
            layout,
            fields: H::fields(old.as_ref(), &new),
            base_url: base,
            from,
            to,
        })
    }

    fn sides(&self) -> [(&'static str, &Side); 2] {
        [("Từ", &self.from), ("đến", &self.to)]
    }

    fn shown(&self) -> impl Iterator<Item = &FieldDiff> {
        self.fields.iter().filter(|f| f.always || f.changed)
    }

    fn unchanged(&self) -> bool {
        self.fields.iter().all(|f| !f.changed)
    }
}

/// A row of the revisions list.
pub(crate) struct RevisionItem {
    pub revision_id: i64,
    pub version: i32,
    pub title: String,
    pub status_class: &'static str,
    pub status_label: &'static str,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub body_length: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/revisions/list.html")]
pub(crate) struct RevisionsPage {
    pub layout: AdminLayout,
    /// What the revisions are of: its title, its editor's URL and what to call the way back.
    pub title: String,
    pub owner_url: String,
    pub back_label: &'static str,
    pub current_version: i32,
    /// Newest first.
    pub items: Vec<RevisionItem>,
}

impl RevisionsPage {
    fn base_url(&self) -> String {
        format!("{}/revisions", self.owner_url)
    }

    /// What that save changed.
    fn changes_url(&self, item: &RevisionItem) -> String {
        compare_url(&self.base_url(), None, Pick::Revision(item.revision_id))
    }

    /// The form's default "from": the revision before the newest, so that "So sánh" shows
    /// what the last save changed.
    fn default_from(&self, index: &usize) -> bool {
        *index == 1.min(self.items.len().saturating_sub(1))
    }
}

/// The restore button's form: the version of the article or page the user saw, so that a
/// restore never silently undoes a save made since.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RestoreForm {
    version: String,
}

impl RestoreForm {
    /// The version the form names; a form without one is a 400.
    pub(crate) fn version(&self) -> AppResult<i32> {
        self.version
            .trim()
            .parse()
            .map_err(|_| AppError::Page(ErrorPage::for_status(StatusCode::BAD_REQUEST)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_urls_name_both_sides_or_only_the_newer() {
        let base = "/admin/articles/7/revisions";
        assert_eq!(
            compare_url(base, Some(Pick::Revision(3)), Pick::Current),
            "/admin/articles/7/revisions/compare?tu=3&den=hien-tai"
        );
        assert_eq!(
            compare_url(base, None, Pick::Revision(9)),
            "/admin/articles/7/revisions/compare?den=9"
        );
    }
}
