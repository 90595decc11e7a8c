//! The documents library ("Văn bản"): list, create, edit (with files) and delete documents;
//! the managed lists they are filed under are in [`terms`].

mod form;
pub(crate) mod terms;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Multipart, State, multipart::MultipartError},
    http::StatusCode,
    response::{IntoResponse, Response},
};

use self::form::{DocumentForm, SLUG_TAKEN};
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        documents::{Document, DocumentFields, DocumentFilter, DocumentRow, Term, TermKind},
        media_files::FileLink,
    },
    error::{AppError, AppResult, ErrorPage},
    media,
    web::{
        admin::{AdminLayout, Flash, Staff, attachments::FileUpload},
        extract::{IdParam, PageParam},
        form::{ConstraintExt, FieldErrors, Unique, unreadable_status},
        format,
        pager::Pager,
    },
};

const LIST_URL: &str = "/admin/documents";
const PER_PAGE: u32 = 20;

/// A slug taken by a document saved since the form was checked.
const UNIQUE: &[Unique] = &[Unique {
    constraint: "legal_document_slug_key",
    field: "slug",
    message: SLUG_TAKEN,
}];

fn document_url(id: i64) -> String {
    format!("{LIST_URL}/{id}")
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/documents/list.html")]
pub(crate) struct DocumentListPage {
    layout: AdminLayout,
    documents: Vec<DocumentRow>,
    pager: Pager,
    total: i64,
}

impl DocumentListPage {
    fn date(&self, date: &time::Date) -> String {
        format::date_short(*date)
    }
}

pub(crate) async fn list_documents(
    State(state): State<AppState>,
    layout: AdminLayout,
    PageParam(page): PageParam,
) -> AppResult<DocumentListPage> {
    layout.user.require(Capability::ManageDocuments)?;
    let offset = i64::from(page - 1) * i64::from(PER_PAGE);
    let documents = db::documents::list(
        &state.db,
        &DocumentFilter::default(),
        offset,
        i64::from(PER_PAGE),
    )
    .await?;
    let total = documents.first().map_or(0, |d| d.total);
    if documents.is_empty() && page > 1 {
        return Err(AppError::NotFound);
    }
    let pager = Pager::new(LIST_URL, page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    Ok(DocumentListPage {
        layout: layout.page("Văn bản", "documents"),
        documents,
        pager,
        total,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/documents/form.html")]
pub(crate) struct DocumentFormPage {
    layout: AdminLayout,
    document: Option<Document>,
    form: DocumentForm,
    errors: FieldErrors,
    terms: Vec<Term>,
    /// The files of `form.file_ids`, in order.
    files: Vec<FileLink>,
    max_file_bytes: usize,
}

impl DocumentFormPage {
    async fn new(
        state: &AppState,
        layout: AdminLayout,
        document: Option<Document>,
        form: DocumentForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let title = match &document {
            Some(d) => format!("Sửa văn bản: {}", d.number),
            None => "Thêm văn bản".to_owned(),
        };
        let files = db::media_files::list_by_ids(&state.db, &form.files.file_ids).await?;
        Ok(Self {
            layout: layout.page(title, "documents"),
            document,
            form,
            errors,
            terms: db::documents::list_terms(&state.db).await?,
            files,
            max_file_bytes: state.config.max_file_bytes,
        })
    }

    fn refused(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    fn options(&self, kind: TermKind) -> Vec<&Term> {
        self.terms
            .iter()
            .filter(|t| t.kind == kind.as_str())
            .collect()
    }

    fn is_selected(&self, kind: TermKind, id: &i64) -> bool {
        let value = match kind {
            TermKind::Type => &self.form.type_id,
            TermKind::Issuer => &self.form.issuer_id,
            TermKind::Field => &self.form.field_id,
        };
        value.trim() == id.to_string()
    }

    fn action_url(&self) -> String {
        match &self.document {
            Some(d) => document_url(d.legal_document_id),
            None => LIST_URL.to_owned(),
        }
    }

    fn max_file_size(&self) -> String {
        media::format_size(self.max_file_bytes)
    }
}

pub(crate) async fn new_document(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<DocumentFormPage> {
    layout.user.require(Capability::ManageDocuments)?;
    let form = DocumentForm {
        in_force: true,
        ..DocumentForm::default()
    };
    DocumentFormPage::new(&state, layout, None, form, FieldErrors::default()).await
}

async fn get_document(state: &AppState, id: i64) -> AppResult<Document> {
    db::documents::get(&state.db, Some(id), None)
        .await?
        .ok_or(AppError::NotFound)
}

pub(crate) async fn edit_document(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<DocumentFormPage> {
    layout.user.require(Capability::ManageDocuments)?;
    let document = get_document(&state, id).await?;
    let files = db::documents::list_files(&state.db, id).await?;
    let form = DocumentForm::of(&document, files.iter().map(|f| f.media_file_id).collect());
    DocumentFormPage::new(&state, layout, Some(document), form, FieldErrors::default()).await
}

/// A multipart form that could not be read: the body was cut (too large) or malformed.
fn unreadable(error: MultipartError) -> AppError {
    AppError::Page(ErrorPage::for_status(unreadable_status(&error)))
}

/// Everything that can be checked before saving: the new files are stored and registered
/// first (so a form refused for another field keeps them), then the fields are parsed and the
/// slug looked up.
async fn check(
    state: &AppState,
    staff: &Staff,
    form: &mut DocumentForm,
    uploads: Vec<FileUpload>,
    screened: FieldErrors,
    document_id: Option<i64>,
) -> AppResult<(DocumentFields, FieldErrors)> {
    let file_error = form.files.store(state, staff.user_id, uploads).await?;
    let terms = db::documents::list_terms(&state.db).await?;
    let (fields, mut errors) = form.parse(&terms, screened);
    if let Some(message) = file_error {
        errors.add("files", message);
    }
    if !errors.has("slug")
        && !fields.slug.is_empty()
        && db::documents::slug_taken(&state.db, &fields.slug, document_id).await?
    {
        errors.add("slug", SLUG_TAKEN);
    }
    Ok((fields, errors))
}

pub(crate) async fn create_document(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    multipart: Multipart,
) -> AppResult<Response> {
    staff.require(Capability::ManageDocuments)?;
    let (mut form, uploads, screened) = DocumentForm::read(multipart).await.map_err(unreadable)?;
    let (fields, errors) = check(&state, &staff, &mut form, uploads, screened, None).await?;
    if !errors.is_empty() {
        let page = DocumentFormPage::new(&state, layout, None, form, errors).await?;
        return Ok(page.refused());
    }
    let mut tx = state.db.begin().await?;
    let inserted = db::documents::insert(&mut *tx, &fields, Some(staff.user_id))
        .await
        .on_constraint(UNIQUE)?;
    let id = match inserted {
        Ok(id) => id,
        Err(errors) => {
            drop(tx);
            let page = DocumentFormPage::new(&state, layout, None, form, errors).await?;
            return Ok(page.refused());
        }
    };
    db::documents::set_files(&mut tx, id, &form.files.kept()).await?;
    let entry = (
        AuditAction::DocumentCreated,
        Target::Document(id),
        &*fields.number,
    );
    staff
        .finish(tx, entry, &document_url(id), Flash::Created)
        .await
}

pub(crate) async fn update_document(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    multipart: Multipart,
) -> AppResult<Response> {
    staff.require(Capability::ManageDocuments)?;
    let document = get_document(&state, id).await?;
    let (mut form, uploads, screened) = DocumentForm::read(multipart).await.map_err(unreadable)?;
    let (fields, errors) = check(&state, &staff, &mut form, uploads, screened, Some(id)).await?;
    if !errors.is_empty() {
        let page = DocumentFormPage::new(&state, layout, Some(document), form, errors).await?;
        return Ok(page.refused());
    }
    let mut tx = state.db.begin().await?;
    let updated = db::documents::update(&mut *tx, id, &fields)
        .await
        .on_constraint(UNIQUE)?;
    match updated {
        Ok(true) => {}
        Ok(false) => return Err(AppError::NotFound),
        Err(errors) => {
            drop(tx);
            let page = DocumentFormPage::new(&state, layout, Some(document), form, errors).await?;
            return Ok(page.refused());
        }
    }
    db::documents::set_files(&mut tx, id, &form.files.kept()).await?;
    let entry = (
        AuditAction::DocumentUpdated,
        Target::Document(id),
        &*fields.number,
    );
    staff
        .finish(tx, entry, &document_url(id), Flash::Saved)
        .await
}

pub(crate) async fn delete_document(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManageDocuments)?;
    let mut tx = state.db.begin().await?;
    let number = db::documents::delete(&mut *tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = (AuditAction::DocumentDeleted, Target::Document(id), &*number);
    staff.finish(tx, entry, LIST_URL, Flash::Deleted).await
}
