//! "Liên hệ": the agency's contacts (from the settings) and the form readers write to it with.
//! The form has the comment form's defences (captcha, honeypot, minimum time, a per-IP limit
//! checked with the insert under a lock, size limits, control characters refused); messages
//! land in the back office's "Hộp thư liên hệ" (`web::admin::contact`).
//!
//! The page carries a challenge of its own, so it is per reader: `no-store`, never cached.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::{
    AppState,
    captcha::Challenge,
    db::{
        self,
        contact_messages::{NewMessage, Sent},
    },
    error::{AppError, AppResult, ErrorPage},
    web::{
        CONTACT_URL,
        client::ClientIp,
        filters,
        form::{FieldErrors, Form, required},
        layout::Layout,
        public::reader_forms::{self, kind_of, no_store, stored_ip},
    },
};

const NAME_MAX: usize = 100;
const REPLY_TO_MAX: usize = 200;
const SUBJECT_MAX: usize = 200;
const CONTENT_MAX: usize = 5000;

const TOO_MANY: ErrorPage = ErrorPage {
    status: StatusCode::TOO_MANY_REQUESTS,
    heading: "Bạn gửi thư quá nhanh",
    message: "Bạn đã gửi nhiều thư trong ít phút. Xin vui lòng chờ một lát rồi gửi tiếp.",
};

/// The form as typed. `website` is a honeypot: hidden from people, filled by robots.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ContactForm {
    pub name: String,
    pub reply_to: String,
    pub subject: String,
    pub content: String,
    pub captcha: String,
    pub captcha_id: String,
    pub kind: String,
    pub website: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/contact.html")]
pub(crate) struct ContactPage {
    layout: Layout,
    form: ContactForm,
    errors: FieldErrors,
    challenge: Option<Challenge>,
    /// Just sent: the thanks instead of the form's message.
    sent: bool,
}

impl ContactPage {
    async fn new(
        state: &AppState,
        form: ContactForm,
        errors: FieldErrors,
        ip_key: &str,
        sent: bool,
    ) -> AppResult<Self> {
        let challenge = reader_forms::challenge(state, kind_of(&form.kind), ip_key).await?;
        let layout = Layout::new(state, "Liên hệ")
            .with_description("Địa chỉ, điện thoại, thư điện tử và mẫu gửi thư liên hệ.")
            .with_canonical(state, CONTACT_URL);
        Ok(Self {
            layout,
            form,
            errors,
            challenge: Some(challenge),
            sent,
        })
    }

    fn retention_days(&self) -> i32 {
        self.layout.site.settings.contact_retention_days
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ContactQuery {
    kieu: String,
    gui: String,
}

pub(crate) async fn contact_page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(query): Query<ContactQuery>,
) -> AppResult<Response> {
    let form = ContactForm {
        kind: query.kieu,
        ..ContactForm::default()
    };
    let sent = query.gui == "xong";
    let page = ContactPage::new(
        &state,
        form,
        FieldErrors::default(),
        &stored_ip(&state, &ip),
        sent,
    )
    .await?;
    Ok(no_store(page.into_response()))
}

/// An e-mail address or a phone number, loosely: readers write them in many ways.
fn is_reachable(value: &str) -> bool {
    let email = value.split_once('@').is_some_and(|(user, domain)| {
        !user.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !value.chars().any(char::is_whitespace);
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let phone = (8..=15).contains(&digits)
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || " +-.()".contains(c));
    email || phone
}

struct Checked {
    name: String,
    reply_to: String,
    subject: String,
    content: String,
}

fn validate(form: &ContactForm, errors: &mut FieldErrors) -> Checked {
    let reply_to = required(errors, "reply_to", &form.reply_to, REPLY_TO_MAX);
    if !reply_to.is_empty() && !errors.has("reply_to") && !is_reachable(&reply_to) {
        errors.add(
            "reply_to",
            "Hãy nhập một địa chỉ thư điện tử (ví dụ ten@example.vn) hoặc một số điện thoại.",
        );
    }
    Checked {
        name: required(errors, "name", &form.name, NAME_MAX),
        reply_to,
        subject: required(errors, "subject", &form.subject, SUBJECT_MAX),
        content: required(errors, "content", &form.content, CONTENT_MAX),
    }
}

pub(crate) async fn send_message(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    Form(form, mut errors): Form<ContactForm>,
) -> AppResult<Response> {
    let done = || Redirect::to(&format!("{CONTACT_URL}?gui=xong")).into_response();
    if !form.website.is_empty() {
        tracing::info!("honeypot filled: contact message dropped");
        return Ok(done());
    }
    let ip_key = stored_ip(&state, &ip);
    let limit = state.config.comment_limit;
    // A cheap refusal before the challenge is spent; `send` checks again, atomically.
    if db::contact_messages::count_recent_from(&state.db, &ip_key).await? >= limit {
        return Err(AppError::Page(TOO_MANY));
    }
    let checked = validate(&form, &mut errors);
    reader_forms::check_captcha(&state, &jar, &form.captcha_id, &form.captcha, &mut errors).await?;
    if !errors.is_empty() {
        let mut form = form;
        form.captcha.clear();
        form.captcha_id.clear();
        let page = ContactPage::new(&state, form, errors, &ip_key, false).await?;
        return Ok(no_store(
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        ));
    }
    let sent = db::contact_messages::send(
        &state.db,
        &NewMessage {
            sender_name: &checked.name,
            reply_to: &checked.reply_to,
            subject: &checked.subject,
            body: &checked.content,
            ip: &ip_key,
        },
        limit,
    )
    .await?;
    match sent {
        Sent::Stored(_) => Ok(done()),
        Sent::TooMany => Err(AppError::Page(TOO_MANY)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_or_a_phone_number_is_a_way_to_answer() {
        for good in [
            "ong.ba@example.vn",
            "0912 345 678",
            "+84 (214) 3.861.000",
            "0214-3861000",
        ] {
            assert!(is_reachable(good), "{good:?}");
        }
        for bad in [
            "ông Ba",
            "@example.vn",
            "ba@",
            "ba@localhost",
            "ba @example.vn",
            "12345",
            "0912 345 678 ext 2",
            "1234567890123456",
        ] {
            assert!(!is_reachable(bad), "{bad:?}");
        }
    }
}
