//! Workflow steps: what the editor's buttons do to an article's status, and the actions of
//! the side panel (approve, return with a note, unpublish, delete, preview).

use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{article_url, can_publish, desk::not_stored, editable};
use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db::{
        self,
        articles::{ArticleFields, Status},
        audit::{AuditAction, Target},
    },
    error::{AppError, AppResult},
    notices::{self, ArticleRef},
    text::clean,
    web::{
        admin::{Flash, Staff},
        extract::IdParam,
        form::{FieldErrors, Form},
        public::articles::{ArticlePage, Preview},
    },
};

/// What the buttons at the bottom of the editor ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Save,
    Submit,
    Publish,
    Schedule,
}

impl Action {
    pub(super) fn parse(value: &str) -> Action {
        match value {
            "submit" => Action::Submit,
            "publish" => Action::Publish,
            "schedule" => Action::Schedule,
            _ => Action::Save,
        }
    }
}

/// The status after a save, or the message that refuses it.
pub(super) fn next_status(
    action: Action,
    current: Option<Status>,
    may_publish: bool,
    fields: &mut ArticleFields,
    errors: &mut FieldErrors,
) -> Option<Status> {
    let now = OffsetDateTime::now_utc();
    match action {
        Action::Save => Some(current.unwrap_or(Status::Draft)),
        Action::Submit => Some(Status::Pending),
        Action::Publish | Action::Schedule if !may_publish => {
            errors.add(
                "action",
                "Bài của bạn cần biên tập viên duyệt: hãy bấm \"Gửi duyệt\".",
            );
            None
        }
        Action::Publish => match fields.published_at {
            Some(at) if at > now => Some(Status::Scheduled),
            Some(_) => Some(Status::Published),
            None => {
                fields.published_at = Some(now);
                Some(Status::Published)
            }
        },
        Action::Schedule => match fields.published_at {
            Some(at) if at > now => Some(Status::Scheduled),
            _ => {
                errors.add("published_at", "Hãy chọn thời điểm đăng trong tương lai.");
                None
            }
        },
    }
}

/// The audit action for a status change, if any.
pub(super) fn status_action(before: Option<Status>, after: Status) -> Option<AuditAction> {
    match (before, after) {
        (Some(b), a) if b == a => None,
        (_, Status::Published) => Some(AuditAction::ArticlePublished),
        (_, Status::Scheduled) => Some(AuditAction::ArticleScheduled),
        (_, Status::Pending) => Some(AuditAction::ArticleSubmitted),
        (Some(Status::Published), Status::Archived) => Some(AuditAction::ArticleUnpublished),
        _ => None,
    }
}

/// The confirmation after a save.
pub(super) fn flash_for(status: Status, before: Option<Status>) -> Flash {
    match status {
        s if Some(s) == before => Flash::Saved,
        Status::Published => Flash::Published,
        Status::Scheduled => Flash::Scheduled,
        Status::Pending => Flash::Submitted,
        _ => Flash::Saved,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct NoteForm {
    note: String,
}

/// Approve a pending article: it goes out now (or at its scheduled time).
pub(crate) async fn approve_article(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    staff.require(Capability::EditAllArticles)?;
    let article = db::articles::get_editable(&state.db, id).await?;
    let now = OffsetDateTime::now_utc();
    let (status, at, action, flash) = match article.published_at {
        Some(at) if at > now => (
            Status::Scheduled,
            at,
            AuditAction::ArticleScheduled,
            Flash::Scheduled,
        ),
        Some(at) if article.status == Status::Archived => (
            Status::Published,
            at,
            AuditAction::ArticlePublished,
            Flash::Published,
        ),
        _ => (
            Status::Published,
            now,
            AuditAction::ArticlePublished,
            Flash::Published,
        ),
    };
    let mut tx = state.db.begin().await?;
    db::articles::set_status(&mut *tx, id, status, Some(at), "", staff.user_id).await?;
    let notified = ArticleRef {
        article_id: id,
        title: &article.title,
        author_id: article.author_id,
    };
    let change = (Some(article.status), status);
    notices::status_changed(&mut tx, &state, &staff, notified, change, Some(at)).await?;
    let entry = (action, Target::Article(id), &*article.title);
    staff.finish(tx, entry, &article_url(id), flash).await
}

/// Send a pending article back to its author with a note.
pub(crate) async fn return_article(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
    Form(form, errors): Form<NoteForm>,
) -> AppResult<Response> {
    staff.require(Capability::EditAllArticles)?;
    errors.refuse_any()?;
    let note: String = clean(&form.note).chars().take(2000).collect();
    let article = db::articles::get_editable(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    if !db::articles::set_status(&mut *tx, id, Status::Draft, None, &note, staff.user_id).await? {
        return Err(AppError::NotFound);
    }
    let notified = ArticleRef {
        article_id: id,
        title: &article.title,
        author_id: article.author_id,
    };
    notices::returned(&mut tx, &state, &staff, notified, &note).await?;
    let entry = (AuditAction::ArticleReturned, Target::Article(id), &*note);
    staff
        .finish(tx, entry, &article_url(id), Flash::Returned)
        .await
}

/// Take a published or scheduled article off the site (it is kept, as archived).
pub(crate) async fn unpublish_article(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    let article = editable(&state, &staff, id).await?;
    if !can_publish(&state, &staff, article.author_id) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::articles::set_status(&mut *tx, id, Status::Archived, None, "", staff.user_id).await?;
    let entry = (
        AuditAction::ArticleUnpublished,
        Target::Article(id),
        &*article.title,
    );
    staff
        .finish(tx, entry, &article_url(id), Flash::Unpublished)
        .await
}

/// Delete for good: editors any article, a reporter their own draft.
pub(crate) async fn delete_article(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    let article = editable(&state, &staff, id).await?;
    if !staff.can(Capability::EditAllArticles) && article.status != Status::Draft {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::articles::delete(&mut *tx, id).await?;
    let entry = (
        AuditAction::ArticleDeleted,
        Target::Article(id),
        &*article.title,
    );
    staff
        .finish(tx, entry, "/admin/articles", Flash::Deleted)
        .await
}

/// The article exactly as readers will see it, whatever its status (staff only).
pub(crate) async fn preview_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    let page = ArticlePage::build(&state, article.as_published(), Preview::Saved).await?;
    Ok(not_stored(page.into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_keeps_the_status_and_publishing_needs_the_right() {
        let mut errors = FieldErrors::default();
        let mut fields = ArticleFields::default();
        assert_eq!(
            next_status(
                Action::Save,
                Some(Status::Published),
                false,
                &mut fields,
                &mut errors
            ),
            Some(Status::Published)
        );
        assert_eq!(
            next_status(Action::Save, None, false, &mut fields, &mut errors),
            Some(Status::Draft)
        );
        assert_eq!(
            next_status(Action::Publish, None, false, &mut fields, &mut errors),
            None
        );
        assert!(errors.has("action"));

        let mut errors = FieldErrors::default();
        assert_eq!(
            next_status(Action::Publish, None, true, &mut fields, &mut errors),
            Some(Status::Published)
        );
        assert!(
            fields.published_at.is_some(),
            "publishing now sets the time"
        );
        fields.published_at = Some(OffsetDateTime::now_utc() + time::Duration::hours(2));
        assert_eq!(
            next_status(Action::Publish, None, true, &mut fields, &mut errors),
            Some(Status::Scheduled)
        );
        fields.published_at = None;
        assert_eq!(
            next_status(Action::Schedule, None, true, &mut fields, &mut errors),
            None
        );
        assert!(errors.has("published_at"));
    }

    #[test]
    fn status_changes_are_audited_and_confirmed() {
        use Status::*;
        assert_eq!(status_action(Some(Draft), Draft), None);
        assert_eq!(
            status_action(None, Published),
            Some(AuditAction::ArticlePublished)
        );
        assert_eq!(
            status_action(Some(Draft), Pending),
            Some(AuditAction::ArticleSubmitted)
        );
        assert_eq!(flash_for(Published, Some(Published)), Flash::Saved);
        assert_eq!(flash_for(Scheduled, Some(Draft)), Flash::Scheduled);
    }
}
