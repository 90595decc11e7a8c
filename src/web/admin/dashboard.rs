//! The first page after login: what is waiting, what happened, one's own drafts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db::{self, articles::AdminArticle, audit::Entry},
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash},
        format,
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "admin/dashboard.html")]
pub struct DashboardPage {
    layout: AdminLayout,
    counts: db::articles::Counts,
    comments_waiting: i64,
    recent: Vec<Entry>,
    my_drafts: Vec<AdminArticle>,
}

impl DashboardPage {
    fn when(&self, entry: &Entry) -> String {
        format::datetime_short(entry.at)
    }

    fn action<'a>(&self, entry: &'a Entry) -> &'a str {
        crate::web::admin::audit::action_label(&entry.action).unwrap_or(&entry.action)
    }
}

pub async fn show_dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    flash: Flash,
) -> AppResult<DashboardPage> {
    let writes = user.can(Capability::WriteArticles);
    let user_id = user.user_id;
    let layout = AdminLayout::new(&state, user, "Tổng quan", "dashboard").with_flash(flash);
    // Moderators' menu already counted the waiting comments for this request.
    let comments_waiting = match layout.pending_comments {
        Some(pending) => pending,
        None => db::comments::count_pending(&state.db).await?,
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
        recent,
        my_drafts,
    })
}
