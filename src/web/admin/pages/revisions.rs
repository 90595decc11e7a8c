//! A page's revisions: the list, one revision, comparing two, and restoring one as the newest
//! version.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use sqlx::PgPool;

use super::{page_admin_url, write};
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
        admin::{
            AdminLayout, Flash, Staff,
            revisions::{
                CompareLinks, ComparePage, CompareQuery, FieldDiff, History, RestoreForm, Revised,
                RevisionItem, RevisionsPage,
            },
        },
        extract::{IdParam, RevisionPath},
        filters,
        form::Form,
    },
};

impl From<PageRevisionRow> for RevisionItem {
    fn from(r: PageRevisionRow) -> Self {
        Self {
            revision_id: r.page_revision_id,
            version: r.version,
            title: r.title,
            status_class: r.status.as_str(),
            status_label: r.status.label(),
            editor_name: r.editor_name,
            created_at: r.created_at,
            body_length: r.body_length,
        }
    }
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
        title: page.title,
        owner_url: page_admin_url(id),
        back_label: "Quay lại trang",
        current_version: page.version,
        items: revisions.into_iter().map(RevisionItem::from).collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/pages/revision.html")]
pub(crate) struct RevisionPage {
    layout: AdminLayout,
    page: EditablePage,
    revision: PageRevision,
    /// The page was saved after the restore form was shown: nothing was restored.
    stale: bool,
}

impl RevisionPage {
    fn links(&self) -> CompareLinks {
        let base = format!("{}/revisions", page_admin_url(self.page.page_id));
        CompareLinks::new(&base, self.revision.page_revision_id)
    }
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
        stale: false,
    })
}

/// A page's history for the compare page.
struct PageHistory(EditablePage);

impl History for PageHistory {
    type Text = PageFields;

    fn base_url(&self) -> String {
        format!("{}/revisions", page_admin_url(self.0.page_id))
    }

    fn current(&self) -> (i32, PageFields) {
        (self.0.version, PageFields::from(&self.0))
    }

    async fn revision(&self, db: &PgPool, id: i64) -> sqlx::Result<Revised<PageFields>> {
        let r = db::page_revisions::get(db, self.0.page_id, id).await?;
        Ok(Revised {
            text: r.fields(&PageFields::from(&self.0)),
            revision_id: r.page_revision_id,
            version: r.version,
            created_at: r.created_at,
            editor_name: r.editor_name,
        })
    }

    async fn id_before(&self, db: &PgPool, version: i32) -> sqlx::Result<Option<i64>> {
        db::page_revisions::find_id_before(db, self.0.page_id, version).await
    }

    fn fields(old: Option<&PageFields>, new: &PageFields) -> Vec<FieldDiff> {
        let (title, body) = old.map_or(("", ""), |o| (&*o.title, &*o.body_html));
        vec![
            FieldDiff::text("Tiêu đề", title, &new.title, true),
            FieldDiff::body("Nội dung", body, &new.body_html),
        ]
    }
}

/// Two revisions, or one and the current text.
pub(crate) async fn compare_revisions(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
    query: CompareQuery,
) -> AppResult<ComparePage> {
    layout.user.require(Capability::ManagePages)?;
    let page = db::pages::get_editable(&state.db, id).await?;
    let layout = layout.page(format!("So sánh phiên bản: {}", page.title), "pages");
    ComparePage::new(&state.db, layout, &PageHistory(page), query).await
}

/// Makes an old revision's text the newest version (the history keeps everything between);
/// from a page shown before someone else saved, nothing changes (409, the page again).
pub(crate) async fn restore_revision(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    path: Result<Path<RevisionPath>, PathRejection>,
    Form(form, _): Form<RestoreForm>,
) -> AppResult<Response> {
    staff.require(Capability::ManagePages)?;
    let (id, revision_id) = RevisionPath::ids(path)?;
    let mut tx = state.db.begin().await?;
    db::pages::lock_pages(&mut *tx).await?;
    let current = db::pages::get_editable(&mut *tx, id).await?;
    let revision = db::page_revisions::get(&mut *tx, id, revision_id).await?;
    if form.version()? != current.version {
        drop(tx);
        let page = RevisionPage {
            layout: layout.page(format!("Phiên bản {}", revision.version), "pages"),
            page: current,
            revision,
            stale: true,
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
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
