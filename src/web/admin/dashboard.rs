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
    let counts = db::articles::counts(&state.db, None).await?;
    let comments_waiting = db::comments::count_pending(&state.db).await?;
    let recent = if writes {
        db::audit::list(&state.db, Some("article."), 10, 0).await?
    } else {
        Vec::new()
    };
    let my_drafts = if writes {
        db::articles::list_drafts_of(&state.db, user.user_id, 10).await?
    } else {
        Vec::new()
    };
    Ok(DashboardPage {
        layout: AdminLayout::new(&state, user, "Tổng quan", "dashboard").with_flash(flash),
        counts,
        comments_waiting,
        recent,
        my_drafts,
    })
}
