//! Correcting a comment (the reader's original text is kept) and answering it as the
//! editorial office.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{Action, BACK_PARAM, moderate::apply, redirect_back, view::View};
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        audit::{AuditAction, Target},
        comments::{CommentStatus, QueuedComment},
    },
    error::AppResult,
    web::{
        admin::{AdminLayout, Flash, Staff},
        extract::IdParam,
        filters,
        form::{FieldErrors, Form, optional, required},
    },
};

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 4000;
const REPLY_MAX: usize = 4000;

/// The edit form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CommentForm {
    title: String,
    content: String,
    reply: String,
    /// "Duyệt luôn": approve while saving.
    approve: Option<String>,
    back: String,
}

impl CommentForm {
    fn of(comment: &QueuedComment) -> Self {
        Self {
            title: comment.title.clone(),
            content: comment.body.clone(),
            reply: comment.reply.clone(),
            approve: None,
            back: String::new(),
        }
    }
}

/// Browsers send line breaks in a textarea as CRLF; we store LF.
fn lines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/comments/edit.html")]
pub(crate) struct CommentPage {
    layout: AdminLayout,
    comment: QueuedComment,
    form: CommentForm,
    errors: FieldErrors,
    /// The list to return to.
    back: String,
}

impl CommentPage {
    fn new(
        layout: AdminLayout,
        comment: QueuedComment,
        form: CommentForm,
        errors: FieldErrors,
        back: View,
    ) -> Self {
        Self {
            layout: layout.page("Sửa bình luận", "comments"),
            comment,
            form,
            errors,
            back: back.url(),
        }
    }

    fn is_approved(&self) -> bool {
        self.comment.status == CommentStatus::Approved
    }

    fn edits_articles(&self) -> bool {
        self.layout.user.can(Capability::EditAllArticles)
    }
}

pub(crate) async fn edit_comment(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(comment_id): IdParam,
    RawQuery(query): RawQuery,
) -> AppResult<CommentPage> {
    layout.user.require(Capability::ModerateComments)?;
    let back = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == BACK_PARAM)
        .map(|(_, value)| View::from_back(&value))
        .unwrap_or_default();
    let comment = db::comments::get_queued(&state.db, comment_id).await?;
    let form = CommentForm::of(&comment);
    Ok(CommentPage::new(
        layout,
        comment,
        form,
        FieldErrors::default(),
        back,
    ))
}

/// Saves a correction and the reply, and approves when asked; each change has its audit entry.
pub(crate) async fn update_comment(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(comment_id): IdParam,
    Form(form, mut errors): Form<CommentForm>,
) -> AppResult<Response> {
    staff.require(Capability::ModerateComments)?;
    let back = View::from_back(&form.back);
    let title = required(&mut errors, "title", &form.title, TITLE_MAX);
    let body = required(&mut errors, "content", &lines(&form.content), BODY_MAX);
    let reply = optional(&mut errors, "reply", &lines(&form.reply), REPLY_MAX);

    let mut tx = state.db.begin().await?;
    let current = db::comments::get_for_update(&mut *tx, comment_id).await?;
    if !errors.is_empty() {
        drop(tx);
        let comment = db::comments::get_queued(&state.db, comment_id).await?;
        let page = CommentPage::new(layout, comment, form, errors, back);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }

    let target = Target::Comment(comment_id);
    let changed: Vec<&str> = [
        ("title", title != current.title),
        ("body", body != lines(&current.body)),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if !changed.is_empty() {
        db::comments::update_text(&mut *tx, comment_id, &title, &body, staff.user_id).await?;
        let details = format!("{title}: {}", changed.join(", "));
        staff
            .log(&mut *tx, AuditAction::CommentEdited, target, &details)
            .await?;
    }
    if reply != current.reply {
        db::comments::set_reply(&mut *tx, comment_id, &reply, staff.user_id).await?;
        let details = if reply.is_empty() {
            format!("{title}: gỡ câu trả lời")
        } else {
            title.clone()
        };
        staff
            .log(&mut *tx, AuditAction::CommentReplied, target, &details)
            .await?;
    }
    let approve = form.approve.is_some() && current.status != CommentStatus::Approved;
    if approve {
        apply(&mut tx, &staff, &[comment_id], Action::Approve).await?;
    }
    tx.commit().await?;
    let flash = if approve {
        Flash::CommentSavedApproved
    } else {
        Flash::CommentSaved
    };
    redirect_back(&state, back, flash).await
}
