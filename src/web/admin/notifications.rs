//! "Thông báo": each staff member's own workflow notices (see `crate::notices`), newest first,
//! with buttons to mark one or all of them read (plain forms: no script needed).

use askama::Template;
use askama_web::WebTemplate;
use axum::{extract::State, response::Response};
use serde::Deserialize;

use crate::{
    AppState,
    db::{self, notifications::Notification},
    error::{AppError, AppResult},
    notices::{self, NOTICES_URL},
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::{IdParam, PageParam},
        filters,
        form::Form,
        pager::Pager,
    },
};

const TITLE: &str = "Thông báo";
const PER_PAGE: u32 = 20;

/// A notice as the list shows it.
pub(crate) struct Item {
    pub notification: Notification,
    pub sentence: String,
    pub link: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/notifications.html")]
pub(crate) struct NotificationsPage {
    layout: AdminLayout,
    items: Vec<Item>,
    total: i64,
    pager: Pager,
    /// The newest notice there is: "mark all read" goes up to it and no further, so a notice
    /// that arrives meanwhile stays unread.
    newest: Option<i64>,
}

pub(crate) async fn list_notifications(
    State(state): State<AppState>,
    layout: AdminLayout,
    PageParam(page): PageParam,
) -> AppResult<NotificationsPage> {
    let user_id = layout.user.user_id;
    let total = db::notifications::count(&state.db, user_id, false).await?;
    let pager = Pager::new(NOTICES_URL, page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let offset = pager.offset(PER_PAGE);
    let notifications =
        db::notifications::list(&state.db, user_id, i64::from(PER_PAGE), offset).await?;
    let newest = if page == 1 {
        notifications.first().map(|n| n.notification_id)
    } else {
        db::notifications::list(&state.db, user_id, 1, 0)
            .await?
            .first()
            .map(|n| n.notification_id)
    };
    let items = notifications
        .into_iter()
        .map(|notification| Item {
            sentence: notices::sentence(&notification.notice),
            link: notices::link(&notification.notice),
            notification,
        })
        .collect();
    Ok(NotificationsPage {
        layout: layout.page(TITLE, "notices"),
        items,
        total,
        pager,
        newest,
    })
}

/// What the buttons send: the page to come back to; "mark all" also the newest notice shown.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReadForm {
    page: String,
    up_to: String,
}

impl ReadForm {
    /// The list page the button was on.
    fn back(&self) -> String {
        match self.page.parse::<u32>() {
            Ok(page) if page > 1 => format!("{NOTICES_URL}?trang={page}"),
            _ => NOTICES_URL.to_owned(),
        }
    }
}

pub(crate) async fn mark_read(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
    Form(form, errors): Form<ReadForm>,
) -> AppResult<Response> {
    errors.refuse_any()?;
    // Someone else's notice is as unknown as a missing one.
    if !db::notifications::mark_read(&state.db, staff.user_id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Flash::NoticeRead.redirect(&form.back()))
}

pub(crate) async fn mark_all_read(
    State(state): State<AppState>,
    staff: Staff,
    Form(form, errors): Form<ReadForm>,
) -> AppResult<Response> {
    errors.refuse_any()?;
    let up_to = form.up_to.parse::<i64>().ok();
    db::notifications::mark_all_read(&state.db, staff.user_id, up_to).await?;
    Ok(Flash::NoticesRead.redirect(NOTICES_URL))
}
