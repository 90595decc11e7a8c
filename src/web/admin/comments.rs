//! The comment moderation queue: readers' comments newest first, by status and by article;
//! approve, reject, file as spam or delete them one at a time or many at once; correct a
//! comment (the reader's original text is kept) and answer it as the editorial office.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form, Router,
    extract::{RawForm, RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db::{
        self,
        comments::{CommentStatus, QueueArticle, QueueFilter, QueuedComment, StatusCounts},
    },
    error::{AppError, AppResult},
    web::{
        admin::{AdminLayout, Flash, with_message},
        client::ClientIp,
        extract::{IdParam, PAGE_PARAM},
        form::{FieldErrors, optional, required},
        format,
        pager::Pager,
    },
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/comments", get(list_comments))
        .route("/comments/bulk", post(moderate_comments))
        .route("/comments/{id}", get(edit_comment).post(update_comment))
        .route("/comments/{id}/approve", post(approve_comment))
        .route("/comments/{id}/reject", post(reject_comment))
        .route("/comments/{id}/spam", post(mark_comment_spam))
        .route("/comments/{id}/delete", post(delete_comment))
}

const LIST_URL: &str = "/admin/comments";
const PER_PAGE: u32 = 30;
/// Most comments one bulk action may name.
const BULK_MAX: usize = 200;
const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 4000;
const REPLY_MAX: usize = 4000;

/// `?trang-thai=pending|approved|rejected|spam|all` (pending when absent).
const STATUS_PARAM: &str = "trang-thai";
const ALL_STATUSES: &str = "all";
/// `?bai=<article id>`.
const ARTICLE_PARAM: &str = "bai";
/// The queue an action returns to, in forms and in the link to the edit page.
const BACK_PARAM: &str = "back";

const NOTHING_SELECTED: &str = "Hãy đánh dấu ít nhất một bình luận trước khi chọn thao tác.";
const TOO_MANY: &str = "Mỗi lần chỉ xử lý được tối đa 200 bình luận.";
const BAD_SELECTION: &str = "Danh sách bình luận đã chọn không hợp lệ. Hãy tải lại trang.";
const NO_ACTION: &str = "Hãy chọn một thao tác: duyệt, từ chối, thư rác hoặc xóa.";

/// What a moderator does to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
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

    fn audit_action(self) -> &'static str {
        match self {
            Self::Approve => "comment.approved",
            Self::Reject => "comment.rejected",
            Self::Spam => "comment.spam",
            Self::Delete => "comment.deleted",
        }
    }

    /// The flash message after it.
    fn message(self) -> &'static str {
        match self {
            Self::Approve => "comment-approved",
            Self::Reject => "comment-rejected",
            Self::Spam => "comment-spam",
            Self::Delete => "comment-deleted",
        }
    }
}

/// A positive id as the URL extractors accept it: plain decimal digits, fitting an `i64`.
fn parse_id(value: &str) -> Option<i64> {
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|id| *id >= 1)
}

// ---------------------------------------------------------------------------------------------
// Which part of the queue is shown.

/// A view of the queue: a status (or all of them), maybe one article, and a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct View {
    filter: QueueFilter,
    page: u32,
}

impl Default for View {
    fn default() -> Self {
        Self {
            filter: QueueFilter {
                status: Some(CommentStatus::Pending),
                article_id: None,
            },
            page: 1,
        }
    }
}

impl View {
    /// From the list's query string; `None` when a parameter is malformed or repeated (other
    /// parameters, such as `msg`, are not the view's).
    fn parse(query: &str) -> Option<Self> {
        let (mut status, mut article, mut page) = (None, None, None);
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                STATUS_PARAM => &mut status,
                ARTICLE_PARAM => &mut article,
                PAGE_PARAM => &mut page,
                _ => continue,
            };
            if slot.replace(value.into_owned()).is_some() {
                return None;
            }
        }
        let status = match status.as_deref() {
            None | Some("") => Some(CommentStatus::Pending),
            Some(ALL_STATUSES) => None,
            Some(value) => Some(CommentStatus::parse(value)?),
        };
        let article_id = match article.as_deref() {
            None | Some("") => None,
            Some(value) => Some(parse_id(value)?),
        };
        let page = match page.as_deref() {
            None => 1,
            Some(value) => parse_id(value).and_then(|page| u32::try_from(page).ok())?,
        };
        Some(Self {
            filter: QueueFilter { status, article_id },
            page,
        })
    }

    /// From the `back` field of a form: the view the moderator came from, or the default one
    /// for anything that is not a URL of the list (so an action never redirects elsewhere).
    fn from_back(back: &str) -> Self {
        match back.strip_prefix(LIST_URL) {
            Some("") => Self::default(),
            Some(rest) => rest
                .strip_prefix('?')
                .and_then(Self::parse)
                .unwrap_or_default(),
            None => Self::default(),
        }
    }

    fn at_page(self, page: u32) -> Self {
        Self { page, ..self }
    }

    fn with_filter(self, status: Option<CommentStatus>, article_id: Option<i64>) -> Self {
        Self {
            filter: QueueFilter { status, article_id },
            page: 1,
        }
    }

    /// The last page that exists when the view holds `total` comments.
    fn clamped(self, total: i64) -> Self {
        let per_page = i64::from(PER_PAGE);
        let last = u32::try_from(((total + per_page - 1) / per_page).max(1)).unwrap_or(u32::MAX);
        self.at_page(self.page.min(last))
    }

    /// Its URL, with only what differs from the default view.
    fn url(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        match self.filter.status {
            Some(CommentStatus::Pending) => {}
            Some(status) => {
                query.append_pair(STATUS_PARAM, status.as_str());
            }
            None => {
                query.append_pair(STATUS_PARAM, ALL_STATUSES);
            }
        }
        if let Some(id) = self.filter.article_id {
            query.append_pair(ARTICLE_PARAM, &id.to_string());
        }
        if self.page > 1 {
            query.append_pair(PAGE_PARAM, &self.page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            LIST_URL.to_owned()
        } else {
            format!("{LIST_URL}?{query}")
        }
    }
}

/// After an action: back to the view the moderator came from, on a page that still exists
/// (acting on the last comments of the last page empties it).
async fn redirect_back(state: &AppState, view: View, message: &'static str) -> AppResult<Response> {
    let view = if view.page > 1 {
        view.clamped(db::comments::count_queue(&state.db, &view.filter).await?)
    } else {
        view
    };
    Ok(Redirect::to(&with_message(&view.url(), message)).into_response())
}

// ---------------------------------------------------------------------------------------------
// How a comment is shown.

impl QueuedComment {
    pub fn created(&self) -> String {
        format::datetime_short(self.created_at)
    }

    pub fn created_iso(&self) -> String {
        format::iso(self.created_at)
    }

    /// Why the system filed it as spam, in words.
    pub fn flag_label(&self) -> Option<&str> {
        match self.flag.as_str() {
            "" => None,
            "links" => Some("Nhiều liên kết"),
            other => Some(other),
        }
    }

    /// Whether the status buttons offer `action` (not the status it already has).
    pub fn offers(&self, action: &str) -> bool {
        Action::parse(action).is_some_and(|a| a.status() != Some(self.status))
    }

    /// "Nguyễn Văn A, 27/11/2026 20:13": who set the status, and when.
    pub fn moderated(&self) -> Option<String> {
        let at = format::datetime_short(self.moderated_at?);
        Some(match &self.moderator_name {
            Some(name) => format!("{name}, {at}"),
            None => at,
        })
    }

    pub fn edited(&self) -> Option<String> {
        let at = format::datetime_short(self.edited_at?);
        Some(match &self.editor_name {
            Some(name) => format!("{name}, {at}"),
            None => at,
        })
    }

    pub fn replied(&self) -> Option<String> {
        let at = format::datetime_short(self.reply_at?);
        Some(match &self.replier_name {
            Some(name) => format!("{name}, {at}"),
            None => at,
        })
    }
}

/// A status tab above the list.
pub struct Tab {
    pub label: &'static str,
    pub url: String,
    pub count: String,
    pub current: bool,
}

fn tabs(view: View, counts: &StatusCounts) -> Vec<Tab> {
    let statuses = CommentStatus::ALL.into_iter().map(Some).chain([None]);
    statuses
        .map(|status| Tab {
            label: status.map_or("Tất cả", CommentStatus::label),
            url: view.with_filter(status, view.filter.article_id).url(),
            count: format::count(status.map_or(counts.total(), |s| counts.of(s))),
            current: view.filter.status == status,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list.

#[derive(Template, WebTemplate)]
#[template(path = "admin/comments/list.html")]
pub struct CommentsPage {
    layout: AdminLayout,
    comments: Vec<QueuedComment>,
    tabs: Vec<Tab>,
    view: View,
    /// The article the list is filtered by.
    article: Option<QueueArticle>,
    pager: Pager,
    total: i64,
    /// Why a bulk action was refused.
    error: Option<&'static str>,
}

impl CommentsPage {
    /// `clamp`: show the last page when `view` lies past it, instead of a 404.
    async fn load(state: &AppState, user: CurrentUser, view: View, clamp: bool) -> AppResult<Self> {
        let article = match view.filter.article_id {
            Some(id) => Some(
                db::comments::find_queue_article(&state.db, id)
                    .await?
                    .ok_or(AppError::NotFound)?,
            ),
            None => None,
        };
        let counts = db::comments::count_by_status(&state.db, view.filter.article_id).await?;
        let total = view
            .filter
            .status
            .map_or(counts.total(), |status| counts.of(status));
        let view = if clamp { view.clamped(total) } else { view };
        let pager = Pager::new(view.at_page(1).url(), view.page, total, PER_PAGE)
            .ok_or(AppError::NotFound)?;
        let comments = db::comments::list_queue(
            &state.db,
            &view.filter,
            i64::from(PER_PAGE),
            pager.offset(PER_PAGE),
        )
        .await?;
        Ok(Self {
            layout: AdminLayout::new(state, user, "Bình luận", "comments"),
            comments,
            tabs: tabs(view, &counts),
            view,
            article,
            pager,
            total,
            error: None,
        })
    }

    /// Where actions return: this view.
    fn back(&self) -> String {
        self.view.url()
    }

    /// The same status, every article.
    fn all_articles_url(&self) -> String {
        self.view.with_filter(self.view.filter.status, None).url()
    }

    /// The same status, only this comment's article.
    fn article_url(&self, comment: &QueuedComment) -> String {
        self.view
            .with_filter(self.view.filter.status, Some(comment.article_id))
            .url()
    }

    fn edit_url(&self, comment: &QueuedComment) -> String {
        edit_url(comment.comment_id, self.view)
    }

    /// Only editors may open the article editor.
    fn edits_articles(&self) -> bool {
        self.layout.user.can(Capability::EditAllArticles)
    }

    fn total_text(&self) -> String {
        format::count(self.total)
    }
}

fn edit_url(comment_id: i64, back: View) -> String {
    let url = format!("{LIST_URL}/{comment_id}");
    if back == View::default() {
        return url;
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(BACK_PARAM, &back.url())
        .finish();
    format!("{url}?{query}")
}

pub async fn list_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(query): RawQuery,
    flash: Flash,
) -> AppResult<CommentsPage> {
    user.require(Capability::ModerateComments)?;
    let view = View::parse(query.as_deref().unwrap_or_default()).ok_or(AppError::NotFound)?;
    let mut page = CommentsPage::load(&state, user, view, false).await?;
    page.layout = page.layout.with_flash(flash);
    Ok(page)
}

// ---------------------------------------------------------------------------------------------
// Approve, reject, spam, delete.

/// The hidden field of the action buttons.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    back: String,
}

pub async fn approve_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(comment_id): IdParam,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.require(Capability::ModerateComments)?;
    moderate_one(&state, &user, &ip, comment_id, Action::Approve, &form.back).await
}

pub async fn reject_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(comment_id): IdParam,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.require(Capability::ModerateComments)?;
    moderate_one(&state, &user, &ip, comment_id, Action::Reject, &form.back).await
}

pub async fn mark_comment_spam(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(comment_id): IdParam,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.require(Capability::ModerateComments)?;
    moderate_one(&state, &user, &ip, comment_id, Action::Spam, &form.back).await
}

pub async fn delete_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(comment_id): IdParam,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    user.require(Capability::ModerateComments)?;
    moderate_one(&state, &user, &ip, comment_id, Action::Delete, &form.back).await
}

/// Applies `action` to those of `ids` it changes, with one audit entry, in the caller's
/// transaction; returns (id, title) of the comments changed.
async fn apply(
    tx: &mut sqlx::PgConnection,
    user: &CurrentUser,
    ip: &str,
    ids: &[i64],
    action: Action,
) -> sqlx::Result<Vec<(i64, String)>> {
    let changed = match action.status() {
        Some(status) => db::comments::set_status(&mut *tx, ids, status, user.user_id).await?,
        None => db::comments::delete_many(&mut *tx, ids).await?,
    };
    let (target, details) = match changed.as_slice() {
        [] => return Ok(changed),
        [(id, title)] => (Some(("comment", *id)), title.clone()),
        many => {
            let ids: Vec<String> = many.iter().map(|(id, _)| id.to_string()).collect();
            (
                None,
                format!("{} bình luận (mã {})", many.len(), ids.join(", ")),
            )
        }
    };
    db::audit::record(
        &mut *tx,
        user.actor(ip),
        action.audit_action(),
        target,
        &details,
    )
    .await?;
    Ok(changed)
}

/// One comment: a 404 when it does not exist; nothing changes (and nothing is logged) when it
/// already has the status.
async fn moderate_one(
    state: &AppState,
    user: &CurrentUser,
    ip: &str,
    comment_id: i64,
    action: Action,
    back: &str,
) -> AppResult<Response> {
    let mut tx = state.db.begin().await?;
    db::comments::get_for_update(&mut *tx, comment_id).await?;
    apply(&mut tx, user, ip, &[comment_id], action).await?;
    tx.commit().await?;
    redirect_back(state, View::from_back(back), action.message()).await
}

/// The bulk form: `ids` repeated (the ticked rows), `action`, `back`.
#[derive(Debug, Default)]
struct BulkForm {
    ids: Vec<String>,
    action: String,
    back: String,
}

impl BulkForm {
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (key, value) in url::form_urlencoded::parse(body) {
            match key.as_ref() {
                "ids" => form.ids.push(value.into_owned()),
                "action" => form.action = value.into_owned(),
                BACK_PARAM => form.back = value.into_owned(),
                _ => {}
            }
        }
        form
    }

    /// The distinct ids, in order, and the action; or why they are refused.
    fn validate(&self) -> Result<(Vec<i64>, Action), &'static str> {
        if self.ids.is_empty() {
            return Err(NOTHING_SELECTED);
        }
        let mut ids = Vec::with_capacity(self.ids.len().min(BULK_MAX));
        for value in &self.ids {
            let id = parse_id(value).ok_or(BAD_SELECTION)?;
            if !ids.contains(&id) {
                if ids.len() == BULK_MAX {
                    return Err(TOO_MANY);
                }
                ids.push(id);
            }
        }
        let action = Action::parse(&self.action).ok_or(NO_ACTION)?;
        Ok((ids, action))
    }
}

/// `POST /admin/comments/bulk`: one action on the ticked comments. Ids that no longer exist
/// (deleted meanwhile) are skipped; a refused form shows the list again with the reason.
pub async fn moderate_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    user.require(Capability::ModerateComments)?;
    let form = BulkForm::parse(&body);
    let view = View::from_back(&form.back);
    let (ids, action) = match form.validate() {
        Ok(valid) => valid,
        Err(reason) => {
            let page = CommentsPage {
                error: Some(reason),
                ..CommentsPage::load(&state, user, view, true).await?
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.db.begin().await?;
    let changed = apply(&mut tx, &user, &ip, &ids, action).await?;
    tx.commit().await?;
    let message = if changed.is_empty() {
        "comment-unchanged"
    } else {
        action.message()
    };
    redirect_back(&state, view, message).await
}

// ---------------------------------------------------------------------------------------------
// Correct and answer.

/// The edit form as typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommentForm {
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
pub struct CommentPage {
    layout: AdminLayout,
    comment: QueuedComment,
    form: CommentForm,
    errors: FieldErrors,
    /// The list to return to.
    back: String,
}

impl CommentPage {
    fn new(
        state: &AppState,
        user: CurrentUser,
        comment: QueuedComment,
        form: CommentForm,
        errors: FieldErrors,
        back: View,
    ) -> Self {
        Self {
            layout: AdminLayout::new(state, user, "Sửa bình luận", "comments"),
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

pub async fn edit_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(comment_id): IdParam,
    RawQuery(query): RawQuery,
) -> AppResult<CommentPage> {
    user.require(Capability::ModerateComments)?;
    let back = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == BACK_PARAM)
        .map(|(_, value)| View::from_back(&value))
        .unwrap_or_default();
    let comment = db::comments::get_queued(&state.db, comment_id).await?;
    let form = CommentForm::of(&comment);
    Ok(CommentPage::new(
        &state,
        user,
        comment,
        form,
        FieldErrors::default(),
        back,
    ))
}

/// Saves a correction and the reply, and approves when asked; each change has its audit entry.
pub async fn update_comment(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    IdParam(comment_id): IdParam,
    Form(form): Form<CommentForm>,
) -> AppResult<Response> {
    user.require(Capability::ModerateComments)?;
    let back = View::from_back(&form.back);
    let mut errors = FieldErrors::default();
    let title = required(&mut errors, "title", &form.title, TITLE_MAX);
    let body = required(&mut errors, "content", &lines(&form.content), BODY_MAX);
    let reply = optional(&mut errors, "reply", &lines(&form.reply), REPLY_MAX);

    let mut tx = state.db.begin().await?;
    let current = db::comments::get_for_update(&mut *tx, comment_id).await?;
    if !errors.is_empty() {
        drop(tx);
        let comment = db::comments::get_queued(&state.db, comment_id).await?;
        let page = CommentPage::new(&state, user, comment, form, errors, back);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }

    let target = Some(("comment", comment_id));
    let changed: Vec<&str> = [
        ("title", title != current.title),
        ("body", body != lines(&current.body)),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    if !changed.is_empty() {
        db::comments::update_text(&mut *tx, comment_id, &title, &body, user.user_id).await?;
        let details = format!("{title}: {}", changed.join(", "));
        db::audit::record(
            &mut *tx,
            user.actor(&ip),
            "comment.edited",
            target,
            &details,
        )
        .await?;
    }
    if reply != current.reply {
        db::comments::set_reply(&mut *tx, comment_id, &reply, user.user_id).await?;
        let details = if reply.is_empty() {
            format!("{title}: gỡ câu trả lời")
        } else {
            title.clone()
        };
        db::audit::record(
            &mut *tx,
            user.actor(&ip),
            "comment.replied",
            target,
            &details,
        )
        .await?;
    }
    let approve = form.approve.is_some() && current.status != CommentStatus::Approved;
    if approve {
        apply(&mut tx, &user, &ip, &[comment_id], Action::Approve).await?;
    }
    tx.commit().await?;
    let message = if approve {
        "comment-saved-approved"
    } else {
        "comment-saved"
    };
    redirect_back(&state, back, message).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(status: Option<CommentStatus>, article_id: Option<i64>, page: u32) -> View {
        View {
            filter: QueueFilter { status, article_id },
            page,
        }
    }

    #[test]
    fn the_queue_shows_pending_comments_unless_asked_otherwise() {
        assert_eq!(View::parse(""), Some(View::default()));
        assert_eq!(View::parse("trang-thai=&msg=saved"), Some(View::default()));
        assert_eq!(
            View::parse("trang-thai=spam&bai=12&trang=3"),
            Some(view(Some(CommentStatus::Spam), Some(12), 3))
        );
        assert_eq!(View::parse("trang-thai=all"), Some(view(None, None, 1)));
        for bad in [
            "trang-thai=bogus",
            "trang-thai=pending&trang-thai=spam",
            "bai=0",
            "bai=abc",
            "bai=-1",
            "trang=0",
            "trang=",
            "trang=99999999999",
        ] {
            assert_eq!(View::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn view_urls_leave_out_the_defaults_and_read_back_the_same() {
        assert_eq!(View::default().url(), "/admin/comments");
        for v in [
            View::default(),
            view(None, None, 1),
            view(Some(CommentStatus::Approved), Some(7), 2),
            view(Some(CommentStatus::Pending), Some(7), 1),
        ] {
            assert_eq!(View::from_back(&v.url()), v, "{}", v.url());
        }
        assert_eq!(
            view(Some(CommentStatus::Rejected), Some(7), 2).url(),
            "/admin/comments?trang-thai=rejected&bai=7&trang=2"
        );
    }

    #[test]
    fn back_only_leads_to_the_list() {
        for elsewhere in [
            "https://evil.example/admin/comments",
            "//evil.example",
            "/admin/commentsx",
            "/admin/comments/5",
            "/admin/users",
            "/admin/comments?trang-thai=bogus",
            "",
        ] {
            assert_eq!(View::from_back(elsewhere), View::default(), "{elsewhere:?}");
        }
    }

    #[test]
    fn a_view_past_its_last_page_moves_back() {
        let v = view(None, None, 4);
        assert_eq!(v.clamped(0).page, 1);
        assert_eq!(v.clamped(61).page, 3);
        assert_eq!(v.clamped(1000).page, 4);
    }

    #[test]
    fn bulk_forms_need_ids_and_a_known_action() {
        let form = BulkForm::parse(b"ids=3&ids=1&ids=3&action=approve&back=%2Fadmin%2Fcomments");
        assert_eq!(form.validate(), Ok((vec![3, 1], Action::Approve)));
        assert_eq!(form.back, "/admin/comments");
        assert_eq!(
            BulkForm::parse(b"action=approve").validate(),
            Err(NOTHING_SELECTED)
        );
        for bad in ["ids=1&ids=x", "ids=0", "ids=-2", "ids=1e3", "ids="] {
            let body = format!("{bad}&action=spam");
            assert_eq!(
                BulkForm::parse(body.as_bytes()).validate(),
                Err(BAD_SELECTION),
                "{bad}"
            );
        }
        assert_eq!(
            BulkForm::parse(b"ids=1&action=publish").validate(),
            Err(NO_ACTION)
        );
        assert_eq!(BulkForm::parse(b"ids=1").validate(), Err(NO_ACTION));
        let many: String = (1..=201).map(|id| format!("ids={id}&")).collect();
        assert_eq!(
            BulkForm::parse(format!("{many}action=delete").as_bytes()).validate(),
            Err(TOO_MANY)
        );
        let enough: String = (1..=200).map(|id| format!("ids={id}&ids={id}&")).collect();
        let (ids, _) = BulkForm::parse(format!("{enough}action=delete").as_bytes())
            .validate()
            .unwrap();
        assert_eq!(ids.len(), 200);
    }
}
