//! Pages ("Trang") in the back office: the list, the editor (the same rich-text editor and
//! sanitiser as articles), revisions, the conflict page and deleting. Editors and admins.

mod form;
mod revisions;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use self::form::{PageForm, UNIQUE, check};
pub(crate) use self::revisions::{
    compare_revisions, list_revisions, restore_revision, show_revision,
};
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        pages::{EditablePage, Language, PageFields, PageRow, PageStatus},
    },
    error::{AppError, AppResult, ErrorPage},
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        filters,
        form::{ConstraintExt, FieldErrors, Form},
        layout::page_url,
    },
};

const LIST_URL: &str = "/admin/pages";

/// The editor's URL.
fn page_admin_url(id: i64) -> String {
    format!("{LIST_URL}/{id}")
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pages/list.html")]
pub(crate) struct PagesPage {
    layout: AdminLayout,
    pages: Vec<PageRow>,
    /// Why an action on the list was refused.
    error: Option<String>,
}

impl PagesPage {
    async fn new(state: &AppState, layout: AdminLayout, error: Option<String>) -> AppResult<Self> {
        Ok(Self {
            layout: layout.page("Trang", "pages"),
            pages: db::pages::list_all(&state.db).await?,
            error,
        })
    }
}

pub(crate) async fn list_pages(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<PagesPage> {
    layout.user.require(Capability::ManagePages)?;
    PagesPage::new(&state, layout, None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pages/form.html")]
pub(crate) struct PageFormPage {
    layout: AdminLayout,
    page: Option<EditablePage>,
    form: PageForm,
    errors: FieldErrors,
    /// Every other page (parents and counterparts to choose from).
    others: Vec<PageRow>,
    /// The largest image upload, for the editor's check before sending.
    max_upload_bytes: usize,
}

impl PageFormPage {
    async fn new(
        state: &AppState,
        layout: AdminLayout,
        page: Option<EditablePage>,
        form: PageForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let id = page.as_ref().map(|p| p.page_id);
        let others = db::pages::list_all(&state.db)
            .await?
            .into_iter()
            .filter(|p| Some(p.page_id) != id)
            .collect();
        let title = match &page {
            Some(p) => format!("Sửa trang: {}", p.title),
            None => "Trang mới".to_owned(),
        };
        Ok(Self {
            layout: layout.page(title, "pages"),
            page,
            form,
            errors,
            others,
            max_upload_bytes: state.config.max_upload_bytes,
        })
    }

    /// The form shown again with what was wrong (422).
    fn refused(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }

    fn action_url(&self) -> String {
        match &self.page {
            Some(p) => page_admin_url(p.page_id),
            None => LIST_URL.to_owned(),
        }
    }

    /// Per user and page: newsroom computers are shared.
    fn autosave_key(&self) -> String {
        let user = self.layout.user.user_id;
        match &self.page {
            Some(p) => format!("u{user}-page-{}", p.page_id),
            None => format!("u{user}-page-new"),
        }
    }

    fn languages(&self) -> [Language; 2] {
        Language::ALL
    }

    fn statuses(&self) -> [PageStatus; 2] {
        PageStatus::ALL
    }

    fn public_url(&self) -> Option<String> {
        self.page
            .as_ref()
            .filter(|p| p.status == PageStatus::Published)
            .map(|p| page_url(&p.slug))
    }
}

pub(crate) async fn new_page(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<PageFormPage> {
    layout.user.require(Capability::ManagePages)?;
    let form = PageForm {
        language: Language::Vi.as_str().to_owned(),
        ..PageForm::default()
    };
    PageFormPage::new(&state, layout, None, form, FieldErrors::default()).await
}

pub(crate) async fn edit_page(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<PageFormPage> {
    layout.user.require(Capability::ManagePages)?;
    let page = db::pages::get_editable(&state.db, id).await?;
    let form = PageForm::of(&page);
    PageFormPage::new(&state, layout, Some(page), form, FieldErrors::default()).await
}

pub(crate) async fn create_page(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    Form(mut form, mut errors): Form<PageForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManagePages)?;
    let fields = form.parse(&mut errors);
    let mut tx = state.db.begin().await?;
    db::pages::lock_pages(&mut *tx).await?;
    check(
        &fields,
        &db::pages::list_all(&mut *tx).await?,
        None,
        &mut errors,
    );
    if !errors.is_empty() {
        drop(tx);
        return Ok(PageFormPage::new(&state, layout, None, form, errors)
            .await?
            .refused());
    }
    let inserted = db::pages::insert(&mut *tx, &fields, Some(staff.user_id))
        .await
        .on_constraint(UNIQUE)?;
    let id = match inserted {
        Ok(id) => id,
        Err(errors) => {
            drop(tx);
            return Ok(PageFormPage::new(&state, layout, None, form, errors)
                .await?
                .refused());
        }
    };
    db::pages::link_counterparts(&mut *tx, id, fields.counterpart_id).await?;
    let revision = db::page_revisions::snapshot(&mut *tx, id, Some(staff.user_id)).await?;
    let details = details(&fields);
    let target = Target::PageRevision(id, revision);
    let entry = (AuditAction::PageCreated, target, &*details);
    staff
        .finish(tx, entry, &page_admin_url(id), Flash::Created)
        .await
}

/// What the audit log says of a save.
fn details(fields: &PageFields) -> String {
    format!(
        "{} (/{}, {})",
        fields.title,
        fields.slug,
        fields.status.label()
    )
}

pub(crate) async fn update_page(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    Form(mut form, mut errors): Form<PageForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManagePages)?;
    let Ok(expected_version) = form.version.trim().parse::<i32>() else {
        return Err(AppError::Page(ErrorPage::for_status(
            StatusCode::BAD_REQUEST,
        )));
    };
    let fields = form.parse(&mut errors);
    let mut tx = state.db.begin().await?;
    db::pages::lock_pages(&mut *tx).await?;
    let current = db::pages::get_editable(&mut *tx, id).await?;
    // A stale form is a conflict whatever else is wrong with it: show both texts.
    if expected_version != current.version {
        drop(tx);
        return conflict(&state, layout, current, form, errors).await;
    }
    check(
        &fields,
        &db::pages::list_all(&mut *tx).await?,
        Some(id),
        &mut errors,
    );
    if !errors.is_empty() {
        drop(tx);
        return Ok(
            PageFormPage::new(&state, layout, Some(current), form, errors)
                .await?
                .refused(),
        );
    }
    let entry = (AuditAction::PageUpdated, Flash::Saved);
    write(&staff, tx, &current, &fields, entry).await
}

/// Saves checked fields over `current` (read under the page lock, so its version is still the
/// latest): the new version, the counterpart links, a revision, the audit entry; then back to
/// the editor.
async fn write(
    staff: &Staff,
    mut tx: sqlx::PgTransaction<'_>,
    current: &EditablePage,
    fields: &PageFields,
    (action, flash): (AuditAction, Flash),
) -> AppResult<Response> {
    let id = current.page_id;
    db::pages::update(&mut *tx, id, current.version, fields, staff.user_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    db::pages::link_counterparts(&mut *tx, id, fields.counterpart_id).await?;
    let revision = db::page_revisions::snapshot(&mut *tx, id, Some(staff.user_id)).await?;
    let details = details(fields);
    let entry = (action, Target::PageRevision(id, revision), &*details);
    staff.finish(tx, entry, &page_admin_url(id), flash).await
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pages/conflict.html")]
pub(crate) struct ConflictPage {
    layout: AdminLayout,
    inner: PageFormPage,
    saved: EditablePage,
    saved_by: String,
}

/// The page shown when the page changed since the form was opened: the user's text in an
/// editable form (now based on the newer version) beside the text saved meanwhile.
async fn conflict(
    state: &AppState,
    layout: AdminLayout,
    saved: EditablePage,
    mut form: PageForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    form.version = saved.version.to_string();
    let saved_by = db::page_revisions::list(&state.db, saved.page_id)
        .await?
        .into_iter()
        .next()
        .and_then(|r| r.editor_name)
        .unwrap_or_default();
    let frame = layout
        .clone()
        .page("Trang vừa được người khác sửa", "pages");
    let inner = PageFormPage::new(state, layout, Some(saved.clone()), form, errors).await?;
    let page = ConflictPage {
        layout: frame,
        inner,
        saved,
        saved_by,
    };
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// Deletes a page; one that a menu leads to is refused on the list page (the menu would lose
/// the entry without anyone deciding it).
pub(crate) async fn delete_page(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::ManagePages)?;
    let mut tx = state.db.begin().await?;
    db::pages::lock_pages(&mut *tx).await?;
    db::menu::lock_menus(&mut *tx).await?;
    let page = db::pages::get_editable(&mut *tx, id).await?;
    if db::menu::count_for_page(&mut *tx, id).await? > 0 {
        drop(tx);
        let message = format!(
            "“{}”: không thể xóa trang đang có trong menu. Hãy bỏ mục menu dẫn tới trang trước.",
            page.title
        );
        let list = PagesPage::new(&state, layout, Some(message)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, list).into_response());
    }
    db::pages::delete(&mut *tx, id).await?;
    let details = format!("{} (/{})", page.title, page.slug);
    let entry = (AuditAction::PageDeleted, Target::Page(id), &*details);
    staff.finish(tx, entry, LIST_URL, Flash::Deleted).await
}
