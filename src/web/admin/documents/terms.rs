//! The managed lists documents are filed under (loại văn bản, cơ quan ban hành, lĩnh vực):
//! one page with the three lists; add, rename, delete (refused while a document uses it).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        documents::{Term, TermKind},
    },
    error::{AppError, AppResult},
    text::slugify,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        form::{ConstraintExt, FieldErrors, Form, Unique, required},
    },
};

const TERMS_URL: &str = "/admin/documents/terms";
const NAME_MAX: usize = 200;
const NAME_TAKEN: &str = "Danh mục này đã có mục cùng tên.";

/// A name (or its slug) already in the list.
const UNIQUE: &[Unique] = &[
    Unique {
        constraint: "document_term_name_key",
        field: "name",
        message: NAME_TAKEN,
    },
    Unique {
        constraint: "document_term_slug_key",
        field: "name",
        message: NAME_TAKEN,
    },
];

#[derive(Template, WebTemplate)]
#[template(path = "admin/documents/terms.html")]
pub(crate) struct TermsPage {
    layout: AdminLayout,
    terms: Vec<Term>,
    /// The list whose form was refused, its typed name and its message; or the entry whose
    /// rename or deletion was refused.
    refused: Option<Refused>,
}

pub(crate) struct Refused {
    kind: Option<TermKind>,
    term_id: Option<i64>,
    name: String,
    message: String,
}

impl TermsPage {
    async fn new(
        state: &AppState,
        layout: AdminLayout,
        refused: Option<Refused>,
    ) -> AppResult<Self> {
        Ok(Self {
            layout: layout.page("Danh mục văn bản", "documents"),
            terms: db::documents::list_terms(&state.db).await?,
            refused,
        })
    }

    fn of(&self, kind: &TermKind) -> Vec<&Term> {
        self.terms
            .iter()
            .filter(|t| t.kind == kind.as_str())
            .collect()
    }

    /// The message for the add form of `kind`, and the name typed there.
    fn add_error(&self, kind: &TermKind) -> Option<(&str, &str)> {
        self.refused
            .as_ref()
            .filter(|r| r.kind == Some(*kind) && r.term_id.is_none())
            .map(|r| (r.message.as_str(), r.name.as_str()))
    }

    /// The message for an entry of a list, and the name typed for it.
    fn row_error(&self, id: &i64) -> Option<(&str, &str)> {
        self.refused
            .as_ref()
            .filter(|r| r.term_id == Some(*id))
            .map(|r| (r.message.as_str(), r.name.as_str()))
    }

    fn refused_page(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}

pub(crate) async fn list_terms(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<TermsPage> {
    layout.user.require(Capability::ManageDocuments)?;
    TermsPage::new(&state, layout, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TermForm {
    kind: String,
    name: String,
}

/// The name as stored and its slug, or the message to show.
fn parse_name(typed: &str, mut errors: FieldErrors) -> Result<(String, String), String> {
    let name = required(&mut errors, "name", typed, NAME_MAX);
    let slug = slugify(&name);
    if errors.is_empty() && slug.is_empty() {
        errors.add("name", "Tên cần có ít nhất một chữ cái hoặc chữ số.");
    }
    match errors.get("name").or(errors.get("kind")) {
        Some(message) => Err(message.clone()),
        None => Ok((name, slug)),
    }
}

pub(crate) async fn create_term(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(form, errors): Form<TermForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageDocuments)?;
    let kind = TermKind::parse(&form.kind).ok_or(AppError::NotFound)?;
    let refuse = |message: String| Refused {
        kind: Some(kind),
        term_id: None,
        name: form.name.clone(),
        message,
    };
    let (name, slug) = match parse_name(&form.name, errors) {
        Ok(parsed) => parsed,
        Err(message) => {
            let page = TermsPage::new(&state, layout, Some(refuse(message))).await?;
            return Ok(page.refused_page());
        }
    };
    let mut tx = state.db.begin().await?;
    let inserted = db::documents::insert_term(&mut *tx, kind, &name, &slug)
        .await
        .on_constraint(UNIQUE)?;
    let id = match inserted {
        Ok(id) => id,
        Err(errors) => {
            drop(tx);
            let message = errors.get("name").cloned().unwrap_or_default();
            let page = TermsPage::new(&state, layout, Some(refuse(message))).await?;
            return Ok(page.refused_page());
        }
    };
    let details = format!("{}: {name}", kind.label());
    let entry = (
        AuditAction::DocumentTermCreated,
        Target::DocumentTerm(id),
        &*details,
    );
    staff.finish(tx, entry, TERMS_URL, Flash::Created).await
}

pub(crate) async fn rename_term(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    Form(form, errors): Form<TermForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManageDocuments)?;
    let current = db::documents::get_term(&state.db, id).await?;
    let refuse = |message: String| Refused {
        kind: None,
        term_id: Some(id),
        name: form.name.clone(),
        message,
    };
    let (name, slug) = match parse_name(&form.name, errors) {
        Ok(parsed) => parsed,
        Err(message) => {
            let page = TermsPage::new(&state, layout, Some(refuse(message))).await?;
            return Ok(page.refused_page());
        }
    };
    if name == current.name {
        return Ok(Flash::Saved.redirect(TERMS_URL));
    }
    let mut tx = state.db.begin().await?;
    let renamed = db::documents::rename_term(&mut *tx, id, &name, &slug)
        .await
        .on_constraint(UNIQUE)?;
    if let Err(errors) = renamed {
        drop(tx);
        let message = errors.get("name").cloned().unwrap_or_default();
        let page = TermsPage::new(&state, layout, Some(refuse(message))).await?;
        return Ok(page.refused_page());
    }
    let details = format!("{} → {name}", current.name);
    let entry = (
        AuditAction::DocumentTermUpdated,
        Target::DocumentTerm(id),
        &*details,
    );
    staff.finish(tx, entry, TERMS_URL, Flash::Saved).await
}

pub(crate) async fn delete_term(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageDocuments)?;
    let mut tx = state.db.begin().await?;
    let term = db::documents::get_term(&mut *tx, id).await?;
    let deleted = db::documents::delete_term(&mut *tx, id).await;
    let in_use = matches!(&deleted, Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation());
    if in_use {
        drop(tx);
        let refused = Refused {
            kind: None,
            term_id: Some(id),
            name: term.name.clone(),
            message: "Không xóa được: còn văn bản thuộc mục này. Hãy chuyển các văn bản đó sang mục khác trước.".to_owned(),
        };
        let page = TermsPage::new(&state, layout, Some(refused)).await?;
        return Ok(page.refused_page());
    }
    deleted?;
    let details = format!(
        "{}: {}",
        TermKind::parse(&term.kind).map_or("", TermKind::label),
        term.name
    );
    let entry = (
        AuditAction::DocumentTermDeleted,
        Target::DocumentTerm(id),
        &*details,
    );
    staff.finish(tx, entry, TERMS_URL, Flash::Deleted).await
}
