//! The first page after login: what is waiting, what happened, one's own drafts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::{
    AppState,
    auth::Capability,
    db::{self, articles::AdminArticle, audit::Entry},
    error::AppResult,
    web::{admin::AdminLayout, filters},
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub(crate) struct DashboardPage {
    layout: AdminLayout,
    counts: db::articles::Counts,
    comments_waiting: i64,
    /// Text questions given instead of the captcha image in the last week (moderators).
    text_questions: i64,
    recent: Vec<Entry>,
    my_drafts: Vec<AdminArticle>,
}

impl DashboardPage {
    fn action<'a>(&self, entry: &'a Entry) -> &'a str {
        entry.label().unwrap_or(&entry.action)
    }
}

pub(crate) async fn show_dashboard(
    State(state): State<AppState>,
    layout: AdminLayout,
) -> AppResult<DashboardPage> {
    let writes = layout.user.can(Capability::WriteArticles);
    let moderates = layout.user.can(Capability::ModerateComments);
    let user_id = layout.user.user_id;
    let layout = layout.page("Tổng quan", "dashboard");
    // Moderators' menu already counted the waiting comments for this request.
    let comments_waiting = match layout.pending_comments {
        Some(pending) => pending,
        None => db::comments::count_pending(&state.db).await?,
    };
    let text_questions = if moderates {
        db::captchas::count_question_uses(&state.db, 7).await?
    } else {
        0
    };
    let (counts, recent, my_drafts) = if writes {
        tokio::try_join!(
            db::articles::counts(&state.db, None),
            db::audit::list(&state.db, Some("article."), 10, 0),
            db::articles::list_drafts_of(&state.db, user_id, 10),
        )?
    } else {
        Default::default()
    };
    Ok(DashboardPage {
        layout,
        counts,
        comments_waiting,
        text_questions,
        recent,
        my_drafts,
    })
}
