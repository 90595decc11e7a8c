//! Articles in the back office: the list, the editor, the workflow (draft → pending review →
//! published / scheduled → archived), preview, revisions and the no-lost-edits conflict page.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form, Json, Router,
    extract::{DefaultBodyLimit, Multipart, Query, State, multipart::MultipartError},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{Capability, CurrentUser},
    db::{
        self,
        articles::{AdminArticle, ArticleFields, ArticleFilter, EditableArticle, Status},
        revisions::{Revision, RevisionRow},
        users::User,
    },
    error::{AppError, AppResult, ErrorPage},
    media::{self, ImageError},
    sanitize,
    text::{clean, is_slug, slugify},
    web::{
        admin::{AdminLayout, Flash, with_message},
        client::ClientIp,
        extract::{IdParam, PageParam},
        form::{FieldErrors, optional, required},
        format,
        pager::Pager,
        public::articles::ArticlePage,
    },
};

/// `max_upload`: the configured image limit; forms may carry a little more than the image.
pub fn routes(max_upload: usize) -> Router<AppState> {
    let uploads = Router::new()
        .route("/articles", get(list_articles).post(create_article))
        .route("/articles/{id}", get(edit_article).post(update_article))
        .route("/media", post(upload_image))
        // Over the image limit (so an oversize image gets a message beside the field, with
        // the rest of the form kept) but bounded.
        .layer(DefaultBodyLimit::max(max_upload + 4 * 1024 * 1024));
    Router::new()
        .route("/articles/new", get(new_article))
        .route("/articles/{id}/preview", get(preview_article))
        .route("/articles/{id}/approve", post(approve_article))
        .route("/articles/{id}/return", post(return_article))
        .route("/articles/{id}/unpublish", post(unpublish_article))
        .route("/articles/{id}/delete", post(delete_article))
        .route("/articles/{id}/revisions", get(list_revisions))
        .route("/articles/{id}/revisions/{revision}", get(show_revision))
        .route(
            "/articles/{id}/revisions/{revision}/restore",
            post(restore_revision),
        )
        .merge(uploads)
}

const PER_PAGE: u32 = 20;
const TITLE_MAX: usize = 300;
const SAPO_MAX: usize = 2000;
const BODY_MAX: usize = 300_000;
const CAPTION_MAX: usize = 300;
const BYLINE_MAX: usize = 200;

// ---------------------------------------------------------------------------------------------
// Who may do what to an article.

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

async fn editable(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<EditableArticle> {
    user.require(Capability::WriteArticles)?;
    let article = db::articles::get_editable(&state.db, id).await?;
    if can_edit(state, user, &article) {
        Ok(article)
    } else {
        Err(AppError::Forbidden)
    }
}

// ---------------------------------------------------------------------------------------------
// The list.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    #[serde(rename = "trang-thai")]
    status: String,
    #[serde(rename = "chuyen-muc")]
    category: String,
    #[serde(rename = "tac-gia")]
    author: String,
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/list.html")]
pub struct ArticleListPage {
    layout: AdminLayout,
    site: std::sync::Arc<crate::site::Site>,
    articles: Vec<AdminArticle>,
    counts: db::articles::Counts,
    query: ListQuery,
    status: Option<Status>,
    authors: Vec<User>,
    pager: Pager,
    total: i64,
}

impl ArticleListPage {
    fn category_name(&self, id: &i64) -> String {
        self.site
            .categories
            .get(*id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    fn updated(&self, a: &AdminArticle) -> String {
        format::datetime_short(a.updated_at)
    }

    fn published(&self, a: &AdminArticle) -> String {
        a.published_at
            .map(format::datetime_short)
            .unwrap_or_default()
    }

    fn status_url(&self, status: Option<Status>) -> String {
        match status {
            Some(s) => format!("/admin/articles?trang-thai={}", s.as_str()),
            None => "/admin/articles".to_owned(),
        }
    }
}

pub async fn list_articles(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
    PageParam(page): PageParam,
    flash: Flash,
) -> AppResult<ArticleListPage> {
    user.require(Capability::WriteArticles)?;
    let site = state.site.get();
    // Reporters see their own articles; editors everybody's.
    let own_only = !user.can(Capability::EditAllArticles);
    let status = Status::parse(&query.status);
    let filter = ArticleFilter {
        status,
        category_ids: query
            .category
            .parse::<i64>()
            .ok()
            .filter(|id| site.categories.get(*id).is_some())
            .map(|id| site.categories.subtree_ids(id)),
        author_id: if own_only {
            Some(user.user_id)
        } else {
            query.author.parse().ok()
        },
        title: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
    };
    let total = db::articles::count_admin(&state.db, &filter).await?;
    let base = list_url(&query);
    let pager = Pager::new(base, page, total, PER_PAGE).ok_or(AppError::NotFound)?;
    let articles = db::articles::list_admin(
        &state.db,
        &filter,
        i64::from(PER_PAGE),
        pager.offset(PER_PAGE),
    )
    .await?;
    let counts = db::articles::counts(&state.db, own_only.then_some(user.user_id)).await?;
    let authors = if own_only {
        Vec::new()
    } else {
        db::users::list(&state.db).await?
    };
    Ok(ArticleListPage {
        site,
        layout: AdminLayout::new(&state, user, "Bài viết", "articles").with_flash(flash),
        articles,
        counts,
        query,
        status,
        authors,
        pager,
        total,
    })
}

/// The list URL for the current filters (the pager adds `trang`).
fn list_url(query: &ListQuery) -> String {
    let mut url = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in [
        ("trang-thai", &query.status),
        ("chuyen-muc", &query.category),
        ("tac-gia", &query.author),
        ("q", &query.q),
    ] {
        if !value.is_empty() {
            url.append_pair(key, value);
        }
    }
    let query = url.finish();
    if query.is_empty() {
        "/admin/articles".to_owned()
    } else {
        format!("/admin/articles?{query}")
    }
}

// ---------------------------------------------------------------------------------------------
// The editor form.

/// The form as typed: every field kept as text, so a refused save shows it back unchanged.
#[derive(Debug, Clone, Default)]
pub struct ArticleForm {
    pub title: String,
    pub slug: String,
    pub sapo: String,
    pub body_html: String,
    pub category_id: String,
    pub byline: String,
    pub cover_image: String,
    pub cover_widths: String,
    pub cover_caption: String,
    pub cover_alt: String,
    pub remove_cover: bool,
    pub comments_open: bool,
    pub published_at: String,
    pub version: String,
    pub action: String,
}

/// A cover image sent with the form.
struct Upload {
    bytes: Vec<u8>,
}

impl ArticleForm {
    fn from_article(a: &EditableArticle) -> Self {
        Self {
            title: a.title.clone(),
            slug: a.slug.clone(),
            sapo: a.sapo.clone(),
            body_html: a.body_html.clone(),
            category_id: a.category_id.to_string(),
            byline: a.byline.clone(),
            cover_image: a.cover_image.clone().unwrap_or_default(),
            cover_widths: join_widths(&a.cover_widths),
            cover_caption: a.cover_caption.clone(),
            cover_alt: a.cover_alt.clone(),
            remove_cover: false,
            comments_open: a.comments_open,
            published_at: a
                .published_at
                .map(format::datetime_input)
                .unwrap_or_default(),
            version: a.version.to_string(),
            action: String::new(),
        }
    }

    async fn read(mut multipart: Multipart) -> Result<(Self, Option<Upload>), MultipartError> {
        let mut form = Self::default();
        let mut upload = None;
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "cover" {
                let bytes = field.bytes().await?;
                if !bytes.is_empty() {
                    upload = Some(Upload {
                        bytes: bytes.to_vec(),
                    });
                }
                continue;
            }
            let value = field.text().await?;
            match name.as_str() {
                "title" => form.title = value,
                "slug" => form.slug = value,
                "sapo" => form.sapo = value,
                "body_html" => form.body_html = value,
                "category_id" => form.category_id = value,
                "byline" => form.byline = value,
                "cover_image" => form.cover_image = value,
                "cover_widths" => form.cover_widths = value,
                "cover_caption" => form.cover_caption = value,
                "cover_alt" => form.cover_alt = value,
                "remove_cover" => form.remove_cover = true,
                "comments_open" => form.comments_open = true,
                "published_at" => form.published_at = value,
                "version" => form.version = value,
                "action" => form.action = value,
                _ => {}
            }
        }
        Ok((form, upload))
    }

    /// Checks everything; the fields to store, or the messages to show beside the fields.
    async fn validate(
        &mut self,
        state: &AppState,
        article_id: Option<i64>,
        upload: Option<Upload>,
    ) -> AppResult<Result<ArticleFields, FieldErrors>> {
        let mut errors = FieldErrors::default();
        let title = required(&mut errors, "title", &self.title, TITLE_MAX);
        let sapo = optional(&mut errors, "sapo", &self.sapo, SAPO_MAX);
        let byline = optional(&mut errors, "byline", &self.byline, BYLINE_MAX);
        let cover_caption = optional(
            &mut errors,
            "cover_caption",
            &self.cover_caption,
            CAPTION_MAX,
        );
        let cover_alt = optional(&mut errors, "cover_alt", &self.cover_alt, CAPTION_MAX);

        let body_html = sanitize::body(&self.body_html);
        if body_html.chars().count() > BODY_MAX {
            errors.add("body_html", "Nội dung bài quá dài.");
        }
        // What is shown back is what would be stored.
        self.body_html = body_html.clone();

        let slug = match clean(&self.slug) {
            typed if typed.is_empty() => slugify(&title),
            typed => typed,
        };
        if !title.is_empty() && (!is_slug(&slug) || slug.len() > crate::text::SLUG_MAX_LEN) {
            errors.add(
                "slug",
                "Đường dẫn chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 120 ký tự).",
            );
        } else if !slug.is_empty() && db::articles::slug_taken(&state.db, &slug, article_id).await?
        {
            errors.add("slug", "Đường dẫn này đã được dùng cho bài khác.");
        }
        self.slug = slug.clone();

        let site = state.site.get();
        let category_id = self
            .category_id
            .parse::<i64>()
            .ok()
            .filter(|id| site.categories.get(*id).is_some());
        if category_id.is_none() {
            errors.add("category_id", "Vui lòng chọn chuyên mục.");
        }

        let published_at = match self.published_at.trim() {
            "" => None,
            typed => match format::parse_datetime_input(typed) {
                Some(at) => Some(at),
                None => {
                    errors.add("published_at", "Thời điểm không hợp lệ.");
                    None
                }
            },
        };

        // The cover: a new upload replaces the current one; it is stored even when another
        // field is wrong, so the reporter does not have to pick the file again.
        if self.remove_cover {
            self.cover_image.clear();
            self.cover_widths.clear();
        }
        if let Some(upload) = upload {
            match media::save_image(
                &*state.media,
                upload.bytes,
                state.upload_limits(),
                OffsetDateTime::now_utc(),
            )
            .await
            {
                Ok(saved) => {
                    self.cover_image = saved.path;
                    self.cover_widths = join_widths(&saved.widths);
                    self.remove_cover = false;
                }
                Err(ImageError::Storage(error)) => return Err(AppError::Unexpected(error.into())),
                Err(error) => errors.add("cover", error.message()),
            }
        }
        let cover_image = Some(self.cover_image.trim().to_owned())
            .filter(|path| !path.is_empty() && crate::media::storage::validate_key(path).is_ok());
        let cover_widths = if cover_image.is_some() {
            parse_widths(&self.cover_widths)
        } else {
            Vec::new()
        };

        if !errors.is_empty() {
            return Ok(Err(errors));
        }
        Ok(Ok(ArticleFields {
            slug,
            title,
            sapo,
            body_html,
            cover_image,
            cover_widths,
            cover_caption,
            cover_alt,
            byline,
            category_id: category_id.unwrap_or_default(),
            comments_open: self.comments_open,
            published_at,
        }))
    }
}

fn join_widths(widths: &[i32]) -> String {
    widths
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_widths(text: &str) -> Vec<i32> {
    text.split(',')
        .filter_map(|w| w.trim().parse().ok())
        .filter(|w| (1..=10_000).contains(w))
        .collect()
}

/// What the buttons at the bottom of the editor ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Save,
    Submit,
    Publish,
    Schedule,
}

impl Action {
    fn parse(value: &str) -> Action {
        match value {
            "submit" => Action::Submit,
            "publish" => Action::Publish,
            "schedule" => Action::Schedule,
            _ => Action::Save,
        }
    }
}

/// The status after a save, or the message that refuses it.
fn next_status(
    action: Action,
    current: Option<Status>,
    may_publish: bool,
    fields: &mut ArticleFields,
    errors: &mut FieldErrors,
) -> Option<Status> {
    let now = OffsetDateTime::now_utc();
    match action {
        Action::Save => Some(current.unwrap_or(Status::Draft)),
        Action::Submit => Some(Status::Pending),
        Action::Publish | Action::Schedule if !may_publish => {
            errors.add(
                "action",
                "Bài của bạn cần biên tập viên duyệt: hãy bấm \"Gửi duyệt\".",
            );
            None
        }
        Action::Publish => match fields.published_at {
            Some(at) if at > now => Some(Status::Scheduled),
            Some(_) => Some(Status::Published),
            None => {
                fields.published_at = Some(now);
                Some(Status::Published)
            }
        },
        Action::Schedule => match fields.published_at {
            Some(at) if at > now => Some(Status::Scheduled),
            _ => {
                errors.add("published_at", "Hãy chọn thời điểm đăng trong tương lai.");
                None
            }
        },
    }
}

/// The audit action for a status change, if any.
fn status_action(before: Option<Status>, after: Status) -> Option<&'static str> {
    match (before, after) {
        (Some(b), a) if b == a => None,
        (_, Status::Published) => Some("article.published"),
        (_, Status::Scheduled) => Some("article.scheduled"),
        (_, Status::Pending) => Some("article.submitted"),
        (Some(Status::Published), Status::Archived) => Some("article.unpublished"),
        _ => None,
    }
}

fn flash_for(status: Status, before: Option<Status>) -> &'static str {
    match status {
        s if Some(s) == before => "saved",
        Status::Published => "published",
        Status::Scheduled => "scheduled",
        Status::Pending => "submitted",
        _ => "saved",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/form.html")]
pub struct ArticleFormPage {
    layout: AdminLayout,
    site: std::sync::Arc<crate::site::Site>,
    article: Option<EditableArticle>,
    form: ArticleForm,
    errors: FieldErrors,
    may_publish: bool,
    may_review: bool,
}

impl ArticleFormPage {
    fn new(
        state: &AppState,
        user: CurrentUser,
        article: Option<EditableArticle>,
        form: ArticleForm,
        errors: FieldErrors,
    ) -> Self {
        let author = article.as_ref().map_or(Some(user.user_id), |a| a.author_id);
        let may_publish = can_publish(state, &user, author);
        let may_review = user.can(Capability::EditAllArticles);
        let title = match &article {
            Some(a) => format!("Sửa bài: {}", a.title),
            None => "Viết bài mới".to_owned(),
        };
        Self {
            layout: AdminLayout::new(state, user, title, "articles"),
            site: state.site.get(),
            article,
            form,
            errors,
            may_publish,
            may_review,
        }
    }

    /// Categories for the select, indented by depth, in menu order.
    fn category_options(&self) -> Vec<(i64, String)> {
        let tree = &self.site.categories;
        let mut options = Vec::new();
        for top in tree.top_level() {
            options.push((top.category_id, top.name.clone()));
            for child in tree.children(top.category_id) {
                options.push((child.category_id, format!("— {}", child.name)));
            }
        }
        options
    }

    fn is_selected(&self, id: &i64) -> bool {
        self.form.category_id == id.to_string()
    }

    fn cover_preview(&self) -> Option<String> {
        let path = self.form.cover_image.trim();
        if path.is_empty() {
            return None;
        }
        let widths = parse_widths(&self.form.cover_widths);
        let small = widths.first().and_then(|w| media::variant_path(path, *w));
        Some(format!("/media/{}", small.as_deref().unwrap_or(path)))
    }

    fn action_url(&self) -> String {
        match &self.article {
            Some(a) => format!("/admin/articles/{}", a.article_id),
            None => "/admin/articles".to_owned(),
        }
    }

    /// Per user and article: newsroom computers are shared.
    fn autosave_key(&self) -> String {
        let user = self.layout.user.user_id;
        match &self.article {
            Some(a) => format!("u{user}-article-{}", a.article_id),
            None => format!("u{user}-article-new"),
        }
    }
}

pub async fn new_article(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<ArticleFormPage> {
    user.require(Capability::WriteArticles)?;
    let settings = &state.site.get().settings;
    let form = ArticleForm {
        byline: user.display_name.clone(),
        comments_open: settings.comments_open_default,
        ..ArticleForm::default()
    };
    Ok(ArticleFormPage::new(
        &state,
        user,
        None,
        form,
        FieldErrors::default(),
    ))
}

pub async fn edit_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    flash: Flash,
) -> AppResult<ArticleFormPage> {
    let article = editable(&state, &user, id).await?;
    let form = ArticleForm::from_article(&article);
    let mut page = ArticleFormPage::new(&state, user, Some(article), form, FieldErrors::default());
    page.layout = page.layout.with_flash(flash);
    Ok(page)
}

/// A multipart form that could not be read: the body was cut (too large) or malformed.
fn unreadable(error: MultipartError) -> AppError {
    tracing::info!(%error, "unreadable article form");
    AppError::Page(ErrorPage::for_status(error.status()))
}

pub async fn create_article(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    multipart: Multipart,
) -> AppResult<Response> {
    user.require(Capability::WriteArticles)?;
    let (mut form, upload) = ArticleForm::read(multipart).await.map_err(unreadable)?;
    let action = Action::parse(&form.action);
    let may_publish = can_publish(&state, &user, Some(user.user_id));
    let (mut fields, mut errors) = match form.validate(&state, None, upload).await? {
        Ok(fields) => (fields, FieldErrors::default()),
        Err(errors) => (ArticleFields::default(), errors),
    };
    let status = if errors.is_empty() {
        next_status(action, None, may_publish, &mut fields, &mut errors)
    } else {
        None
    };
    let Some(status) = status else {
        let page = ArticleFormPage::new(&state, user, None, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let mut tx = state.db.begin().await?;
    let id = db::articles::insert_article(&mut *tx, &fields, user.user_id, status).await?;
    db::revisions::snapshot(&mut *tx, id, user.user_id).await?;
    let target = Some(("article", id));
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        "article.created",
        target,
        &fields.title,
    )
    .await?;
    if let Some(action) = status_action(None, status) {
        db::audit::record(&mut *tx, user.actor(&ip), action, target, &fields.title).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&with_message(
        &format!("/admin/articles/{id}"),
        flash_for(status, None),
    ))
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/conflict.html")]
pub struct ConflictPage {
    layout: AdminLayout,
    inner: ArticleFormPage,
    saved: EditableArticle,
    saved_by: String,
}

impl ConflictPage {
    fn saved_at(&self) -> String {
        format::datetime_long(self.saved.updated_at)
    }
}

pub async fn update_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    ClientIp(ip): ClientIp,
    multipart: Multipart,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    let (mut form, upload) = ArticleForm::read(multipart).await.map_err(unreadable)?;
    let action = Action::parse(&form.action);
    let may_publish = can_publish(&state, &user, article.author_id);
    let (mut fields, mut errors) = match form.validate(&state, Some(id), upload).await? {
        Ok(fields) => (fields, FieldErrors::default()),
        Err(errors) => (ArticleFields::default(), errors),
    };
    // A published or scheduled article whose time was cleared keeps the time it had.
    if fields.published_at.is_none()
        && matches!(article.status, Status::Published | Status::Scheduled)
    {
        fields.published_at = article.published_at;
    }
    let Ok(expected_version) = form.version.trim().parse::<i32>() else {
        return Err(AppError::Page(ErrorPage::for_status(
            StatusCode::BAD_REQUEST,
        )));
    };
    let status = if errors.is_empty() {
        next_status(
            action,
            Some(article.status),
            may_publish,
            &mut fields,
            &mut errors,
        )
    } else {
        None
    };
    // A stale form is a conflict whatever else is wrong with it: show both texts.
    if expected_version != article.version {
        return conflict(&state, user, article, form, errors).await;
    }
    let Some(status) = status else {
        let page = ArticleFormPage::new(&state, user, Some(article), form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };

    let mut tx = state.db.begin().await?;
    let saved =
        db::articles::update_article(&mut tx, id, expected_version, &fields, status, user.user_id)
            .await?;
    if saved.is_none() {
        // Someone saved between our read and our write: nothing was written.
        tx.rollback().await?;
        let latest = db::articles::get_editable(&state.db, id).await?;
        return conflict(&state, user, latest, form, errors).await;
    }
    db::revisions::snapshot(&mut *tx, id, user.user_id).await?;
    if let Some(audit) = status_action(Some(article.status), status) {
        db::audit::record(
            &mut *tx,
            user.actor(&ip),
            audit,
            Some(("article", id)),
            &fields.title,
        )
        .await?;
    }
    tx.commit().await?;
    let flash = flash_for(status, Some(article.status));
    Ok(Redirect::to(&with_message(&format!("/admin/articles/{id}"), flash)).into_response())
}

/// The page shown when the article changed since the form was opened: the user's text in an
/// editable form (now based on the newer version) beside the text saved meanwhile.
async fn conflict(
    state: &AppState,
    user: CurrentUser,
    saved: EditableArticle,
    mut form: ArticleForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    form.version = saved.version.to_string();
    let saved_by = db::revisions::list(&state.db, saved.article_id)
        .await?
        .into_iter()
        .next()
        .and_then(|r| r.editor_name)
        .unwrap_or_default();
    let layout = AdminLayout::new(
        state,
        user.clone(),
        "Bài viết vừa được người khác sửa",
        "articles",
    );
    let inner = ArticleFormPage::new(state, user, Some(saved.clone()), form, errors);
    let page = ConflictPage {
        layout,
        inner,
        saved,
        saved_by,
    };
    Ok((StatusCode::CONFLICT, page).into_response())
}

// ---------------------------------------------------------------------------------------------
// Workflow steps from the editor's side panel.

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    note: String,
}

/// Approve a pending article: it goes out now (or at its scheduled time).
pub async fn approve_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    ClientIp(ip): ClientIp,
) -> AppResult<Response> {
    user.require(Capability::EditAllArticles)?;
    let article = db::articles::get_editable(&state.db, id).await?;
    let now = OffsetDateTime::now_utc();
    let (status, at, audit, flash) = match article.published_at {
        Some(at) if at > now => (Status::Scheduled, at, "article.scheduled", "scheduled"),
        Some(at) if article.status == Status::Archived => {
            (Status::Published, at, "article.published", "published")
        }
        _ => (Status::Published, now, "article.published", "published"),
    };
    let mut tx = state.db.begin().await?;
    db::articles::set_status(&mut *tx, id, status, Some(at), "", user.user_id).await?;
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        audit,
        Some(("article", id)),
        &article.title,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&with_message(&format!("/admin/articles/{id}"), flash)).into_response())
}

/// Send a pending article back to its author with a note.
pub async fn return_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    ClientIp(ip): ClientIp,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    user.require(Capability::EditAllArticles)?;
    let note: String = clean(&form.note).chars().take(2000).collect();
    let mut tx = state.db.begin().await?;
    if !db::articles::set_status(&mut *tx, id, Status::Draft, None, &note, user.user_id).await? {
        return Err(AppError::NotFound);
    }
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        "article.returned",
        Some(("article", id)),
        &note,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&with_message(&format!("/admin/articles/{id}"), "returned")).into_response())
}

/// Take a published or scheduled article off the site (it is kept, as archived).
pub async fn unpublish_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    ClientIp(ip): ClientIp,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    if !can_publish(&state, &user, article.author_id) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::articles::set_status(&mut *tx, id, Status::Archived, None, "", user.user_id).await?;
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        "article.unpublished",
        Some(("article", id)),
        &article.title,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&with_message(
        &format!("/admin/articles/{id}"),
        "unpublished",
    ))
    .into_response())
}

/// Delete for good: editors any article, a reporter their own draft.
pub async fn delete_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
    ClientIp(ip): ClientIp,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    if !user.can(Capability::EditAllArticles) && article.status != Status::Draft {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.db.begin().await?;
    db::articles::delete(&mut *tx, id).await?;
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        "article.deleted",
        Some(("article", id)),
        &article.title,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&with_message("/admin/articles", "deleted")).into_response())
}

/// The article exactly as readers will see it, whatever its status (staff only).
pub async fn preview_article(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
) -> AppResult<Response> {
    let article = editable(&state, &user, id).await?;
    let mut page = ArticlePage::build(&state, article.as_published(), true)
        .await?
        .into_response();
    page.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(page)
}

// ---------------------------------------------------------------------------------------------
// Revisions.

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/revisions.html")]
pub struct RevisionsPage {
    layout: AdminLayout,
    article: EditableArticle,
    revisions: Vec<RevisionRow>,
}

impl RevisionsPage {
    fn when(&self, r: &RevisionRow) -> String {
        format::datetime_short(r.created_at)
    }
}

pub async fn list_revisions(
    State(state): State<AppState>,
    user: CurrentUser,
    IdParam(id): IdParam,
) -> AppResult<RevisionsPage> {
    let article = editable(&state, &user, id).await?;
    let revisions = db::revisions::list(&state.db, id).await?;
    Ok(RevisionsPage {
        layout: AdminLayout::new(
            &state,
            user,
            format!("Lịch sử sửa: {}", article.title),
            "articles",
        ),
        article,
        revisions,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/revision.html")]
pub struct RevisionPage {
    layout: AdminLayout,
    article: EditableArticle,
    revision: Revision,
}

impl RevisionPage {
    fn when(&self) -> String {
        format::datetime_long(self.revision.created_at)
    }
}

#[derive(Debug, Deserialize)]
pub struct RevisionPath {
    id: String,
    revision: String,
}

impl RevisionPath {
    fn ids(&self) -> AppResult<(i64, i64)> {
        match (self.id.parse(), self.revision.parse()) {
            (Ok(id), Ok(revision)) => Ok((id, revision)),
            _ => Err(AppError::NotFound),
        }
    }
}

pub async fn show_revision(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<axum::extract::Path<RevisionPath>, axum::extract::rejection::PathRejection>,
) -> AppResult<RevisionPage> {
    let (id, revision_id) = path.map_err(|_| AppError::NotFound)?.ids()?;
    let article = editable(&state, &user, id).await?;
    let revision = db::revisions::get(&state.db, id, revision_id).await?;
    Ok(RevisionPage {
        layout: AdminLayout::new(
            &state,
            user,
            format!("Phiên bản {}", revision.version),
            "articles",
        ),
        article,
        revision,
    })
}

/// Makes an old revision the newest version (the history keeps everything in between).
pub async fn restore_revision(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientIp(ip): ClientIp,
    path: Result<axum::extract::Path<RevisionPath>, axum::extract::rejection::PathRejection>,
) -> AppResult<Response> {
    let (id, revision_id) = path.map_err(|_| AppError::NotFound)?.ids()?;
    let article = editable(&state, &user, id).await?;
    let revision = db::revisions::get(&state.db, id, revision_id).await?;
    let fields = revision.fields(&article.slug, article.category_id);
    let mut tx = state.db.begin().await?;
    let saved = db::articles::update_article(
        &mut tx,
        id,
        article.version,
        &fields,
        article.status,
        user.user_id,
    )
    .await?;
    if saved.is_none() {
        tx.rollback().await?;
        return Ok(Redirect::to(&format!("/admin/articles/{id}/revisions")).into_response());
    }
    db::revisions::snapshot(&mut *tx, id, user.user_id).await?;
    let details = format!("phiên bản {}", revision.version);
    db::audit::record(
        &mut *tx,
        user.actor(&ip),
        "article.restored",
        Some(("article", id)),
        &details,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&with_message(&format!("/admin/articles/{id}"), "restored")).into_response())
}

// ---------------------------------------------------------------------------------------------
// Images for the body, uploaded by the editor.

pub async fn upload_image(
    State(state): State<AppState>,
    user: CurrentUser,
    mut multipart: Multipart,
) -> AppResult<Response> {
    user.require(Capability::WriteArticles)?;
    let refuse = |status: StatusCode, message: String| {
        Ok((status, Json(serde_json::json!({ "error": message }))).into_response())
    };
    let mut bytes = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("image") => match field.bytes().await {
                Ok(data) => bytes = Some(data.to_vec()),
                Err(error) => return refuse(error.status(), "Không đọc được tệp tải lên.".into()),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => return refuse(error.status(), "Không đọc được tệp tải lên.".into()),
        }
    }
    let Some(bytes) = bytes else {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "Hãy chọn một ảnh.".into());
    };
    match media::save_image(
        &*state.media,
        bytes,
        state.upload_limits(),
        OffsetDateTime::now_utc(),
    )
    .await
    {
        Ok(saved) => Ok(Json(serde_json::json!({
            "src": format!("/media/{}", saved.path),
            "srcset": media::srcset(&saved.path, &saved.widths, "/media"),
            "width": saved.width,
            "height": saved.height,
        }))
        .into_response()),
        Err(ImageError::Storage(error)) => Err(AppError::Unexpected(error.into())),
        Err(error) => refuse(StatusCode::UNPROCESSABLE_ENTITY, error.message()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_keeps_the_status_and_publishing_needs_the_right() {
        let mut errors = FieldErrors::default();
        let mut fields = ArticleFields::default();
        assert_eq!(
            next_status(
                Action::Save,
                Some(Status::Published),
                false,
                &mut fields,
                &mut errors
            ),
            Some(Status::Published)
        );
        assert_eq!(
            next_status(Action::Save, None, false, &mut fields, &mut errors),
            Some(Status::Draft)
        );
        assert_eq!(
            next_status(Action::Publish, None, false, &mut fields, &mut errors),
            None
        );
        assert!(errors.has("action"));

        let mut errors = FieldErrors::default();
        assert_eq!(
            next_status(Action::Publish, None, true, &mut fields, &mut errors),
            Some(Status::Published)
        );
        assert!(
            fields.published_at.is_some(),
            "publishing now sets the time"
        );
        fields.published_at = Some(OffsetDateTime::now_utc() + time::Duration::hours(2));
        assert_eq!(
            next_status(Action::Publish, None, true, &mut fields, &mut errors),
            Some(Status::Scheduled)
        );
        fields.published_at = None;
        assert_eq!(
            next_status(Action::Schedule, None, true, &mut fields, &mut errors),
            None
        );
        assert!(errors.has("published_at"));
    }
}
