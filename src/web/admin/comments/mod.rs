//! The comment moderation queue: readers' comments newest first, by status and by article;
//! approve, reject, file as spam or delete them one at a time or many at once; correct a
//! comment (the reader's original text is kept) and answer it as the editorial office.

pub(crate) mod edit;
pub(crate) mod list;
pub(crate) mod moderate;
mod view;

use axum::response::Response;

use self::view::View;
use crate::{
    AppState,
    db::{self, audit::AuditAction, comments::CommentStatus},
    error::AppResult,
    web::admin::Flash,
};

/// The queue an action returns to, in forms and in the link to the edit page.
const BACK_PARAM: &str = "back";

/// What a moderator does to a comment (`/admin/comments/{id}/{action}`, the bulk form's
/// `action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Approve,
    Reject,
    Spam,
    Delete,
}

impl Action {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "approve" => Some(Self::Approve),
            "reject" => Some(Self::Reject),
            "spam" => Some(Self::Spam),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }

    /// The status it sets; `None` for a deletion.
    fn status(self) -> Option<CommentStatus> {
        match self {
            Self::Approve => Some(CommentStatus::Approved),
            Self::Reject => Some(CommentStatus::Rejected),
            Self::Spam => Some(CommentStatus::Spam),
            Self::Delete => None,
        }
    }

    fn audit_action(self) -> AuditAction {
        match self {
            Self::Approve => AuditAction::CommentApproved,
            Self::Reject => AuditAction::CommentRejected,
            Self::Spam => AuditAction::CommentSpam,
            Self::Delete => AuditAction::CommentDeleted,
        }
    }

    /// The confirmation after it.
    fn flash(self) -> Flash {
        match self {
            Self::Approve => Flash::CommentApproved,
            Self::Reject => Flash::CommentRejected,
            Self::Spam => Flash::CommentSpam,
            Self::Delete => Flash::CommentDeleted,
        }
    }
}

/// After an action: back to the view the moderator came from, on a page that still exists
/// (acting on the last comments of the last page empties it).
async fn redirect_back(state: &AppState, view: View, flash: Flash) -> AppResult<Response> {
    let view = if view.page > 1 {
        view.clamped(db::comments::count_queue(&state.db, &view.filter).await?)
    } else {
        view
    };
    Ok(flash.redirect(&view.url()))
}
