//! An article's revisions: the list, one revision, and restoring one as the newest version.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State, rejection::PathRejection},
    response::{IntoResponse, Redirect, Response},
};

use super::{article_url, editable};
use crate::{
    AppState,
    db::{
        self,
        articles::EditableArticle,
        audit::{AuditAction, Target},
        revisions::{Revision, RevisionRow},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::{IdParam, RevisionPath},
        filters,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/revisions.html")]
pub(crate) struct RevisionsPage {
    layout: AdminLayout,
    article: EditableArticle,
    revisions: Vec<RevisionRow>,
}

pub(crate) async fn list_revisions(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<RevisionsPage> {
    let article = editable(&state, &layout.user, id).await?;
    let revisions = db::revisions::list(&state.db, id).await?;
    Ok(RevisionsPage {
        layout: layout.page(format!("Lịch sử sửa: {}", article.title), "articles"),
        article,
        revisions,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/revision.html")]
pub(crate) struct RevisionPage {
    layout: AdminLayout,
    article: EditableArticle,
    revision: Revision,
}

pub(crate) async fn show_revision(
    State(state): State<AppState>,
    layout: AdminLayout,
    path: Result<Path<RevisionPath>, PathRejection>,
) -> AppResult<RevisionPage> {
    let (id, revision_id) = RevisionPath::ids(path)?;
    let article = editable(&state, &layout.user, id).await?;
    let revision = db::revisions::get(&state.db, id, revision_id).await?;
    Ok(RevisionPage {
        layout: layout.page(format!("Phiên bản {}", revision.version), "articles"),
        article,
        revision,
    })
}

/// Makes an old revision the newest version (the history keeps everything in between).
pub(crate) async fn restore_revision(
    State(state): State<AppState>,
    staff: Staff,
    path: Result<Path<RevisionPath>, PathRejection>,
) -> AppResult<Response> {
    let (id, revision_id) = RevisionPath::ids(path)?;
    let article = editable(&state, &staff, id).await?;
    let revision = db::revisions::get(&state.db, id, revision_id).await?;
    let fields = revision.fields(&article.slug, article.category_id);
    let mut tx = state.db.begin().await?;
    let saved = db::articles::update_article(
        &mut tx,
        id,
        article.version,
        &fields,
        article.status,
        staff.user_id,
    )
    .await?;
    if saved.is_none() {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("{}/revisions", article_url(id))).into_response());
    }
    db::revisions::snapshot(&mut *tx, id, staff.user_id).await?;
    let details = format!("phiên bản {}", revision.version);
    let entry = (AuditAction::ArticleRestored, Target::Article(id), &*details);
    staff
        .finish(tx, entry, &article_url(id), Flash::Restored)
        .await
}
