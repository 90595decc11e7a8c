//! "Hộp thư liên hệ": the messages readers send from `/lien-he`, for admins and editors. A
//! message is new, read, answered or archived; every change of state is in the audit log.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        contact_messages::{ContactState, Message},
    },
    error::{AppError, AppResult},
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::{IdParam, PageParam},
        filters,
        form::Form,
        pager::Pager,
    },
};

const LIST_URL: &str = "/admin/contact";
const TITLE: &str = "Hộp thư liên hệ";
const PER_PAGE: u32 = 30;
/// The state filter's query parameter.
const STATE_PARAM: &str = "trang-thai";

/// A filter tab above the list.
pub(crate) struct Tab {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/contact/list.html")]
pub(crate) struct InboxPage {
    layout: AdminLayout,
    tabs: Vec<Tab>,
    messages: Vec<Message>,
    total: i64,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct InboxQuery {
    #[serde(rename = "trang-thai")]
    state: String,
}

fn list_url(state: Option<ContactState>) -> String {
    match state {
        Some(s) => format!("{LIST_URL}?{STATE_PARAM}={}", s.as_str()),
        None => LIST_URL.to_owned(),
    }
}

pub(crate) async fn list_messages(
    State(state): State<AppState>,
    layout: AdminLayout,
    Query(query): Query<InboxQuery>,
    PageParam(page): PageParam,
) -> AppResult<InboxPage> {
    layout.user.require(Capability::ReadContactMessages)?;
    // An unknown state is a 404, like any malformed URL.
    let filter = match query.state.as_str() {
        "" => None,
        name => Some(ContactState::parse(name).ok_or(AppError::NotFound)?),
    };
    let total = db::contact_messages::count(&state.db, filter).await?;
    let pager = Pager::new(list_url(filter), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let messages = db::contact_messages::list(
        &state.db,
        filter,
        i64::from(PER_PAGE),
        pager.offset(PER_PAGE),
    )
    .await?;
    let tabs = [None]
        .into_iter()
        .chain(ContactState::ALL.map(Some))
        .map(|s| Tab {
            label: s.map_or("Tất cả", ContactState::label),
            url: list_url(s),
            current: s == filter,
        })
        .collect();
    Ok(InboxPage {
        layout: layout.page(TITLE, "contact"),
        tabs,
        messages,
        total,
        pager,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/contact/message.html")]
pub(crate) struct MessagePage {
    layout: AdminLayout,
    message: Message,
}

impl MessagePage {
    /// The states the buttons offer: every one but the current.
    fn other_states(&self) -> Vec<ContactState> {
        ContactState::ALL
            .into_iter()
            .filter(|s| *s != self.message.state)
            .collect()
    }

    /// A `mailto:` link when the sender left an e-mail address.
    fn mailto(&self) -> Option<String> {
        self.message.reply_to.contains('@').then(|| {
            let subject: String = url::form_urlencoded::byte_serialize(
                format!("Re: {}", self.message.subject).as_bytes(),
            )
            .collect();
            format!(
                "mailto:{}?subject={}",
                self.message.reply_to,
                subject.replace('+', "%20")
            )
        })
    }
}

pub(crate) async fn show_message(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<MessagePage> {
    layout.user.require(Capability::ReadContactMessages)?;
    let message = db::contact_messages::get(&state.db, id).await?;
    Ok(MessagePage {
        layout: layout.page(format!("Thư: {}", message.subject), "contact"),
        message,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct StateForm {
    state: String,
}

pub(crate) async fn change_state(
    State(state): State<AppState>,
    staff: Staff,
    IdParam(id): IdParam,
    Form(form, screened): Form<StateForm>,
) -> AppResult<Response> {
    staff.require(Capability::ReadContactMessages)?;
    screened.refuse_any()?;
    let new = ContactState::parse(&form.state).ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin().await?;
    let old = db::contact_messages::set_state(&mut *tx, id, new)
        .await?
        .ok_or(AppError::NotFound)?;
    let details = format!("{} → {}", old.label(), new.label());
    staff
        .finish(
            tx,
            (
                AuditAction::ContactStateChanged,
                Target::ContactMessage(id),
                &details,
            ),
            &format!("{LIST_URL}/{id}"),
            Flash::MessageStateChanged,
        )
        .await
}
