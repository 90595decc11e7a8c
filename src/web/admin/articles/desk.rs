//! The editor's desk: the server-side autosave of the article form (a draft per user and
//! article that never changes the live article), the edit-lock hint's heartbeat, and the
//! preview of what is typed (also before the first save).

use axum::{
    Json,
    extract::{Multipart, State, rejection::JsonRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;

use super::{
    article_url, editable,
    editor::unreadable,
    form::{ArticleForm, check_draft},
};
use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db::{
        self,
        article_drafts::{DraftFields, DraftOf},
        articles::{Article, EditableArticle},
    },
    error::AppResult,
    web::{
        extract::IdParam,
        form::Form,
        format,
        public::articles::{ArticlePage, Preview},
    },
};

/// Largest autosave request: the longest body the form takes, escaped as JSON, and the rest.
pub(crate) const DRAFT_MAX_BYTES: usize = 4 * 1024 * 1024;
/// How often the editor says it still has an article open (`static/admin/desk.js`).
pub(crate) const HEARTBEAT_SECONDS: i32 = 30;
/// How long after its last heartbeat somebody still counts as having the article open: two
/// beats and some slack (a background tab's timers are slowed down).
const PRESENT_SECONDS: i32 = 2 * HEARTBEAT_SECONDS + 15;
/// How many drafts of new articles the "Viết bài mới" page offers back.
pub(super) const NEW_DRAFTS_OFFERED: i64 = 3;

/// What the editor's autosave sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DraftRequest {
    /// The article version the form was opened at (its hidden `version` field).
    version: String,
    /// A new article's form key (its hidden `draft_key` field).
    key: String,
    fields: DraftFields,
}

/// The answer to an autosave: when it was saved, and what the indicator says.
#[derive(Debug, Serialize)]
struct Saved {
    saved_at: String,
    label: String,
}

/// A refused autosave or heartbeat: its status and a message for the indicator.
fn refused(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Why an autosave is refused: its 4xx status and the message for the indicator.
type Refusal = (StatusCode, &'static str);

/// The request's fields, checked.
fn read_draft(
    payload: Result<Json<DraftRequest>, JsonRejection>,
) -> Result<(DraftRequest, DraftFields), Refusal> {
    let Json(mut request) = payload.map_err(|rejection| {
        let status = rejection.status();
        let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "Bản nháp quá lớn để tự lưu."
        } else {
            "Bản nháp gửi lên không đọc được."
        };
        (status, message)
    })?;
    let fields = check_draft(std::mem::take(&mut request.fields))
        .map_err(|message| (StatusCode::UNPROCESSABLE_ENTITY, message))?;
    Ok((request, fields))
}

fn saved(at: OffsetDateTime) -> Response {
    Json(Saved {
        saved_at: format::iso(at),
        label: format!("Đã lưu lúc {}", format::time_short(at)),
    })
    .into_response()
}

/// `POST /admin/articles/{id}/draft`: the autosaved copy of an article's form.
pub(crate) async fn save_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    payload: Result<Json<DraftRequest>, JsonRejection>,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    let (request, fields) = match read_draft(payload) {
        Ok(read) => read,
        Err((status, message)) => return Ok(refused(status, message)),
    };
    let base_version = match request.version.trim().parse::<i32>() {
        Ok(v) if (1..=article.version).contains(&v) => v,
        _ => {
            let message = "Bản nháp không ghi phiên bản bài hợp lệ.";
            return Ok(refused(StatusCode::BAD_REQUEST, message));
        }
    };
    let of = DraftOf::Article(id);
    let at = db::article_drafts::save(&state.db, user.user_id, of, base_version, &fields).await?;
    Ok(saved(at))
}

/// Whether `key` could be a new article form's key ([`new_draft_key`]).
fn is_draft_key(key: &str) -> bool {
    key.len() == 32 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new article form's key: 128 random bits.
pub(super) fn new_draft_key() -> String {
    crate::text::hex(&rand::random::<[u8; 16]>())
}

/// `POST /admin/articles/new/draft`: the autosaved copy of a new article's form.
pub(crate) async fn save_new_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    payload: Result<Json<DraftRequest>, JsonRejection>,
) -> AppResult<Response> {
    user.require(Capability::WriteArticles)?;
    let (request, fields) = match read_draft(payload) {
        Ok(read) => read,
        Err((status, message)) => return Ok(refused(status, message)),
    };
    if !is_draft_key(&request.key) {
        let message = "Bản nháp không có khóa hợp lệ.";
        return Ok(refused(StatusCode::BAD_REQUEST, message));
    }
    let of = DraftOf::New(&request.key);
    let at = db::article_drafts::save(&state.db, user.user_id, of, 0, &fields).await?;
    Ok(saved(at))
}

/// `POST /admin/articles/{id}/draft/delete` ("Bỏ bản nháp"): back to the article as saved.
pub(crate) async fn discard_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    editable(&state, &user, id).await?;
    db::article_drafts::delete(&state.db, user.user_id, DraftOf::Article(id)).await?;
    Ok(Redirect::to(&article_url(id)).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct KeyForm {
    key: String,
}

/// `POST /admin/articles/new/draft/delete` ("Bỏ bản nháp" of a new article).
pub(crate) async fn discard_new_draft(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form, errors): Form<KeyForm>,
) -> AppResult<Response> {
    user.require(Capability::WriteArticles)?;
    errors.refuse_any()?;
    db::article_drafts::delete(&state.db, user.user_id, DraftOf::New(&form.key)).await?;
    Ok(Redirect::to("/admin/articles/new").into_response())
}

/// "Đang được X sửa": who else has had the article open in the last minute or so.
pub(super) async fn edit_lock_hint(
    state: &AppState,
    article_id: i64,
    user_id: i64,
) -> AppResult<Option<String>> {
    let others =
        db::article_presence::list_others(&state.db, article_id, user_id, PRESENT_SECONDS).await?;
    Ok((!others.is_empty()).then(|| format!("Đang được {} sửa", others.join(", "))))
}

/// `POST /admin/articles/{id}/heartbeat`: the editor still has the article open; the answer
/// names who else has.
pub(crate) async fn heartbeat(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    editable(&state, &user, id).await?;
    db::article_presence::record(&state.db, id, user.user_id).await?;
    let hint = edit_lock_hint(&state, id, user.user_id).await?;
    Ok(Json(json!({ "hint": hint.unwrap_or_default() })).into_response())
}

/// What the form holds, as readers would see it: nothing is stored (a cover being uploaded is
/// not shown), the page says it is a preview and may not be kept by any cache.
async fn preview_typed(
    state: &AppState,
    multipart: Multipart,
    stored: Option<EditableArticle>,
) -> AppResult<Response> {
    let (mut form, _, _, screened) = ArticleForm::read(multipart).await.map_err(unreadable)?;
    let (fields, _) = form.parse(&state.site.get().categories, screened);
    let now = OffsetDateTime::now_utc();
    let article = Article {
        article_id: stored.as_ref().map_or(0, |a| a.article_id),
        slug: fields.slug,
        title: fields.title,
        sapo: fields.sapo,
        body_html: fields.body_html,
        cover_image: fields.cover_image,
        cover_widths: fields.cover_widths,
        cover_caption: fields.cover_caption,
        cover_alt: fields.cover_alt,
        byline: fields.byline,
        category_id: fields.category_id,
        published_at: fields
            .published_at
            .or(stored.as_ref().and_then(|a| a.published_at))
            .unwrap_or(now),
        updated_at: now,
        view_count: stored.as_ref().map_or(0, |a| a.view_count),
        comments_open: fields.comments_open,
    };
    let page = ArticlePage::build(state, article, Preview::Typed).await?;
    Ok(not_stored(page.into_response()))
}

/// A staff preview: never kept by a browser or a cache.
pub(super) fn not_stored(mut page: Response) -> Response {
    page.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    page
}

/// `POST /admin/articles/{id}/preview` ("Xem trước" with what is typed).
pub(crate) async fn preview_article_form(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    multipart: Multipart,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    preview_typed(&state, multipart, Some(article)).await
}

/// `POST /admin/articles/new/preview` ("Xem trước" before the first save).
pub(crate) async fn preview_new_article(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> AppResult<Response> {
    user.require(Capability::WriteArticles)?;
    preview_typed(&state, multipart, None).await
}

/// `?ban-nhap=…` on the editor: restore the autosaved draft (of a new article: the key).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DraftQuery {
    #[serde(rename = "ban-nhap")]
    pub restore: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_draft_keys_are_random_and_recognised() {
        let (a, b) = (new_draft_key(), new_draft_key());
        assert!(is_draft_key(&a) && is_draft_key(&b) && a != b);
        let upper = "0123456789ABCDEF0123456789abcdef";
        let long = format!("{a}0");
        for bad in ["", "abc", "g123456789abcdef0123456789abcdef", upper, &long] {
            assert!(!is_draft_key(bad), "{bad}");
        }
    }
}
