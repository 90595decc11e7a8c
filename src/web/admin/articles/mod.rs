//! Articles in the back office: the list, the editor, the workflow (draft → pending review →
//! published / scheduled → archived), preview, revisions and the no-lost-edits conflict page;
//! the desk around the editor (server-side autosave, edit-lock hint, preview of what is typed).

pub(crate) mod desk;
pub(crate) mod editor;
pub(crate) mod featured;
mod form;
pub(crate) mod list;
pub(crate) mod revisions;
pub(crate) mod uploads;
pub(crate) mod workflow;

use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db::{
        self,
        articles::{EditableArticle, Status},
    },
    error::{AppError, AppResult},
};

/// Whether `user` may publish (or schedule) an article written by `author_id`.
fn can_publish(state: &AppState, user: &CurrentUser, author_id: Option<i64>) -> bool {
    user.can(Capability::EditAllArticles)
        || (user.can(Capability::WriteArticles)
            && author_id == Some(user.user_id)
            && state.site.get().settings.reporters_publish_directly)
}

/// Whether `user` may open and save `article`: editors any; a reporter their own drafts and
/// pending articles, and their published ones when reporters publish directly.
fn can_edit(state: &AppState, user: &CurrentUser, article: &EditableArticle) -> bool {
    if user.can(Capability::EditAllArticles) {
        return true;
    }
    let own = user.can(Capability::WriteArticles) && article.author_id == Some(user.user_id);
    own && (matches!(article.status, Status::Draft | Status::Pending)
        || can_publish(state, user, article.author_id))
}

/// The article, when `user` may open it; 403 otherwise.
async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<EditableArticle> {
    user.require(Capability::WriteArticles)?;
    let article = db::articles::get_editable(&state.db, id).await?;
    if can_edit(state, user, &article) {
        Ok(article)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The editor's URL.
fn article_url(id: i64) -> String {
    format!("/admin/articles/{id}")
}
