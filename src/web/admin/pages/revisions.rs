//! A page's revisions: the list, one revision, and restoring one as the newest version.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State, rejection::PathRejection},
    response::Response,
};

use super::write;
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::AuditAction,
        page_revisions::{PageRevision, PageRevisionRow},
        pages::{EditablePage, PageFields},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::{IdParam, RevisionPath},
        filters,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/pages/revisions.html")]
pub(crate) struct RevisionsPage {
    layout: AdminLayout,
    page: EditablePage,
    revisions: Vec<PageRevisionRow>,
}

pub(crate) async fn list_revisions(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<RevisionsPage> {
    layout.user.require(Capability::ManagePages)?;
    let page = db::pages::get_editable(&state.db, id).await?;
    let revisions = db::page_revisions::list(&state.db, id).await?;
    Ok(RevisionsPage {
        layout: layout.page(format!("Lịch sử sửa: {}", page.title), "pages"),
        page,
        revisions,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pages/revision.html")]
pub(crate) struct RevisionPage {
    layout: AdminLayout,
    page: EditablePage,
    revision: PageRevision,
}

pub(crate) async fn show_revision(
    State(state): State<AppState>,
    layout: AdminLayout,
    path: Result<Path<RevisionPath>, PathRejection>,
) -> AppResult<RevisionPage> {
    layout.user.require(Capability::ManagePages)?;
    let (id, revision_id) = RevisionPath::ids(path)?;
    let page = db::pages::get_editable(&state.db, id).await?;
    let revision = db::page_revisions::get(&state.db, id, revision_id).await?;
    Ok(RevisionPage {
        layout: layout.page(format!("Phiên bản {}", revision.version), "pages"),
        page,
        revision,
    })
}

/// Makes an old revision's text the newest version (the history keeps everything between).
pub(crate) async fn restore_revision(
    State(state): State<AppState>,
    staff: Staff,
    path: Result<Path<RevisionPath>, PathRejection>,
) -> AppResult<Response> {
    staff.require(Capability::ManagePages)?;
    let (id, revision_id) = RevisionPath::ids(path)?;
    let mut tx = state.db.begin().await?;
    db::pages::lock_pages(&mut *tx).await?;
    let current = db::pages::get_editable(&mut *tx, id).await?;
    let revision = db::page_revisions::get(&mut *tx, id, revision_id).await?;
    let fields = revision.fields(&PageFields::from(&current));
    write(
        &staff,
        tx,
        &current,
        &fields,
        (AuditAction::PageRestored, Flash::Restored),
    )
    .await
}
