//! The editor pages: a new article, an article to edit, saving either, and the conflict page
//! shown when somebody else saved in between.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Multipart, Query, State, multipart::MultipartError},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use super::{
    article_url, can_publish,
    desk::{self, DraftQuery},
    editable,
    form::{ArticleForm, SLUG_TAKEN, Upload, parse_widths},
    workflow::{Action, flash_for, next_status, status_action},
};
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        article_drafts::{Draft, DraftOf},
        articles::{ArticleFields, EditableArticle, Status},
        audit::{AuditAction, Target},
        media_files::FileLink,
    },
    error::{AppError, AppResult, ErrorPage},
    media::{self, library},
    notices::{self, ArticleRef},
    site::Site,
    web::{
        admin::{AdminLayout, Staff, attachments::FileUpload},
        extract::IdParam,
        filters,
        form::{ConstraintExt, FieldErrors, Unique, unreadable_status},
        layout::media_url,
    },
};

/// A slug taken by an article saved since the form was checked.
const UNIQUE: &[Unique] = &[Unique {
    constraint: "article_slug_key",
    field: "slug",
    message: SLUG_TAKEN,
}];

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/form.html")]
pub(crate) struct ArticleFormPage {
    layout: AdminLayout,
    site: Arc<Site>,
    article: Option<EditableArticle>,
    form: ArticleForm,
    errors: FieldErrors,
    may_publish: bool,
    may_review: bool,
    /// The largest image upload, for the editor's check before sending.
    max_upload_bytes: usize,
    /// The attached files of `form.files`, in order.
    files: Vec<FileLink>,
    max_file_bytes: usize,
    /// Autosaved drafts offered back ("Khôi phục bản nháp lưu lúc …").
    draft_offers: Vec<DraftOffer>,
    /// The form shows a draft just restored.
    restored: Option<RestoredDraft>,
    /// "Đang được X sửa", from the others' last heartbeats.
    lock_hint: Option<String>,
}

/// An autosaved draft the editor offers back.
pub(crate) struct DraftOffer {
    saved_at: OffsetDateTime,
    /// A new article's draft: its title, and the key its form had.
    new: Option<(String, String)>,
    restore_url: String,
    discard_url: String,
    /// When the article was last saved, if that was after the version the draft started from.
    live_changed: Option<OffsetDateTime>,
}

/// A draft whose fields the form shows.
pub(crate) struct RestoredDraft {
    saved_at: OffsetDateTime,
    live_changed: Option<OffsetDateTime>,
}

/// When `article` was saved, if that was after the version `draft` was based on.
fn changed_since(article: &EditableArticle, draft: &Draft) -> Option<OffsetDateTime> {
    (draft.base_version != Some(article.version)).then_some(article.updated_at)
}

impl ArticleFormPage {
    async fn new(
        state: &AppState,
        layout: AdminLayout,
        article: Option<EditableArticle>,
        form: ArticleForm,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let user = &layout.user;
        let author = article.as_ref().map_or(Some(user.user_id), |a| a.author_id);
        let may_publish = can_publish(state, user, author);
        let may_review = user.can(Capability::EditAllArticles);
        let title = match &article {
            Some(a) => format!("Sửa bài: {}", a.title),
            None => "Viết bài mới".to_owned(),
        };
        let files = db::media_files::list_by_ids(&state.db, &form.files.file_ids).await?;
        Ok(Self {
            layout: layout.page(title, "articles"),
            site: state.site.get(),
            article,
            form,
            errors,
            may_publish,
            may_review,
            max_upload_bytes: state.config.max_upload_bytes,
            files,
            max_file_bytes: state.config.max_file_bytes,
            draft_offers: Vec::new(),
            restored: None,
            lock_hint: None,
        })
    }

    /// Where the form's autosave goes.
    fn draft_url(&self) -> String {
        match &self.article {
            Some(a) => format!("{}/draft", article_url(a.article_id)),
            None => "/admin/articles/new/draft".to_owned(),
        }
    }

    /// Where "Xem trước" sends what is typed.
    fn preview_url(&self) -> String {
        match &self.article {
            Some(a) => format!("{}/preview", article_url(a.article_id)),
            None => "/admin/articles/new/preview".to_owned(),
        }
    }

    /// An autosaved draft of this article waits for an answer: the autosave would replace it.
    fn draft_pending(&self) -> bool {
        self.article.is_some() && !self.draft_offers.is_empty()
    }

    /// A published article: its primary button reads "Cập nhật" and keeps it published.
    fn is_published(&self) -> bool {
        self.article
            .as_ref()
            .is_some_and(|a| a.status == Status::Published)
    }

    fn max_file_size(&self) -> String {
        media::format_size(self.max_file_bytes)
    }

    /// The form shown again with what was wrong (422).
    fn refused(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
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
        Some(media_url(small.as_deref().unwrap_or(path)))
    }

    fn action_url(&self) -> String {
        match &self.article {
            Some(a) => article_url(a.article_id),
            None => "/admin/articles".to_owned(),
        }
    }

    /// The heartbeat's address, for an article that exists.
    fn heartbeat_url(&self) -> Option<String> {
        self.article
            .as_ref()
            .map(|a| format!("{}/heartbeat", article_url(a.article_id)))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/conflict.html")]
pub(crate) struct ConflictPage {
    layout: AdminLayout,
    inner: ArticleFormPage,
    saved: EditableArticle,
    saved_by: String,
}

/// "Viết bài mới": an empty form under a new draft key, or (`?ban-nhap=KEY`) the autosaved
/// draft of that key; the user's other drafts of new articles are offered back.
pub(crate) async fn new_article(
    State(state): State<AppState>,
    layout: AdminLayout,
    Query(query): Query<DraftQuery>,
) -> AppResult<ArticleFormPage> {
    layout.user.require(Capability::WriteArticles)?;
    let user_id = layout.user.user_id;
    let restoring = match query.restore.as_str() {
        "" => None,
        key => db::article_drafts::find(&state.db, user_id, DraftOf::New(key)).await?,
    };
    let (form, restored) = match restoring {
        Some(draft) => {
            let restored = RestoredDraft {
                saved_at: draft.saved_at,
                live_changed: None,
            };
            let form = ArticleForm::from_draft(draft.fields, String::new(), query.restore);
            (form, Some(restored))
        }
        None => {
            let settings = &state.site.get().settings;
            let form = ArticleForm {
                byline: layout.user.display_name.clone(),
                comments_open: settings.comments_open_default,
                draft_key: desk::new_draft_key(),
                ..ArticleForm::default()
            };
            (form, None)
        }
    };
    let offers = db::article_drafts::list_new(&state.db, user_id, desk::NEW_DRAFTS_OFFERED)
        .await?
        .into_iter()
        .filter(|d| d.new_key != form.draft_key)
        .map(|d| DraftOffer {
            saved_at: d.saved_at,
            restore_url: format!("/admin/articles/new?ban-nhap={}", d.new_key),
            discard_url: "/admin/articles/new/draft/delete".to_owned(),
            new: Some((d.title, d.new_key)),
            live_changed: None,
        })
        .collect();
    let mut page = ArticleFormPage::new(&state, layout, None, form, FieldErrors::default()).await?;
    page.draft_offers = offers;
    page.restored = restored;
    Ok(page)
}

/// The editor of an article: its saved fields, with the user's autosaved draft offered back
/// when it differs, or (`?ban-nhap=…`) that draft's fields based on the version it started
/// from (so saving it over a newer version shows the conflict page).
pub(crate) async fn edit_article(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
    Query(query): Query<DraftQuery>,
) -> AppResult<ArticleFormPage> {
    let article = editable(&state, &layout.user, id).await?;
    let user_id = layout.user.user_id;
    let mut form = ArticleForm::from_article(&article);
    form.files.file_ids = db::article_files::list(&state.db, id)
        .await?
        .into_iter()
        .map(|f| f.media_file_id)
        .collect();
    let draft = db::article_drafts::find(&state.db, user_id, DraftOf::Article(id))
        .await?
        // A draft that holds what the article holds has nothing to offer.
        .filter(|d| d.base_version != Some(article.version) || d.fields != form.draft_fields());
    let lock_hint = desk::edit_lock_hint(&state, id, user_id).await?;
    let mut restored = None;
    let mut offers = Vec::new();
    if let Some(draft) = draft {
        let live_changed = changed_since(&article, &draft);
        if query.restore.is_empty() {
            offers.push(DraftOffer {
                saved_at: draft.saved_at,
                new: None,
                restore_url: format!("{}?ban-nhap=khoi-phuc", article_url(id)),
                discard_url: format!("{}/draft/delete", article_url(id)),
                live_changed,
            });
        } else {
            let version = draft
                .base_version
                .map_or(form.version.clone(), |v| v.to_string());
            restored = Some(RestoredDraft {
                saved_at: draft.saved_at,
                live_changed,
            });
            form = ArticleForm::from_draft(draft.fields, version, String::new());
        }
    }
    let mut page =
        ArticleFormPage::new(&state, layout, Some(article), form, FieldErrors::default()).await?;
    page.draft_offers = offers;
    page.restored = restored;
    page.lock_hint = lock_hint;
    Ok(page)
}

/// A multipart form that could not be read: the body was cut (too large) or malformed.
pub(super) fn unreadable(error: MultipartError) -> AppError {
    AppError::Page(ErrorPage::for_status(unreadable_status(&error)))
}

/// Everything that can be checked before saving: the new cover and files are stored first (so
/// a form refused for another field keeps them), then the fields are parsed and the slug
/// looked up among other articles' current and former slugs.
async fn check(
    state: &AppState,
    staff: &Staff,
    form: &mut ArticleForm,
    (upload, files): (Option<Upload>, Vec<FileUpload>),
    screened: FieldErrors,
    article_id: Option<i64>,
) -> AppResult<(ArticleFields, FieldErrors)> {
    let mut cover_error = None;
    if let Some(upload) = upload {
        let now = OffsetDateTime::now_utc();
        match media::save_image(&*state.media, upload.bytes, state.upload_limits(), now).await {
            Ok(saved) => {
                library::register_upload(&state.db, &saved, &upload.name, staff.user_id, now)
                    .await?;
                form.set_cover(&saved);
            }
            Err(error) => {
                error.log_if_ours();
                cover_error = Some(error.message());
            }
        }
    }
    let files_error = form.files.store(state, staff.user_id, files).await?;
    let (fields, mut errors) = form.parse(&state.site.get().categories, screened);
    if let Some(message) = cover_error {
        errors.add("cover", message);
    }
    if let Some(message) = files_error {
        errors.add("files", message);
    }
    if !errors.has("slug")
        && !fields.slug.is_empty()
        && db::articles::slug_taken(&state.db, &fields.slug, article_id).await?
    {
        errors.add("slug", SLUG_TAKEN);
    }
    Ok((fields, errors))
}

pub(crate) async fn create_article(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    multipart: Multipart,
) -> AppResult<Response> {
    staff.require(Capability::WriteArticles)?;
    let (mut form, upload, files, screened) =
        ArticleForm::read(multipart).await.map_err(unreadable)?;
    let action = Action::parse(&form.action);
    let may_publish = can_publish(&state, &staff, Some(staff.user_id));
    let uploads = (upload, files);
    let (mut fields, mut errors) =
        check(&state, &staff, &mut form, uploads, screened, None).await?;
    let status = if errors.is_empty() {
        next_status(action, None, may_publish, &mut fields, &mut errors)
    } else {
        None
    };
    let Some(status) = status else {
        return Ok(ArticleFormPage::new(&state, layout, None, form, errors)
            .await?
            .refused());
    };

    let mut tx = state.db.begin().await?;
    let inserted = db::articles::insert_article(&mut *tx, &fields, staff.user_id, status)
        .await
        .on_constraint(UNIQUE)?;
    let id = match inserted {
        Ok(id) => id,
        Err(errors) => {
            drop(tx);
            return Ok(ArticleFormPage::new(&state, layout, None, form, errors)
                .await?
                .refused());
        }
    };
    let revision = db::revisions::snapshot(&mut *tx, id, staff.user_id).await?;
    db::article_files::set(&mut tx, id, &form.files.kept()).await?;
    // Saved: the form's autosaved draft is no longer needed.
    let draft = DraftOf::New(&form.draft_key);
    db::article_drafts::delete(&mut *tx, staff.user_id, draft).await?;
    let target = Target::ArticleRevision(id, revision);
    staff
        .log(&mut *tx, AuditAction::ArticleCreated, target, &fields.title)
        .await?;
    if let Some(action) = status_action(None, status) {
        staff.log(&mut *tx, action, target, &fields.title).await?;
    }
    let article = ArticleRef {
        article_id: id,
        title: &fields.title,
        author_id: Some(staff.user_id),
    };
    let change = (None, status);
    notices::status_changed(
        &mut tx,
        &state,
        &staff,
        article,
        change,
        fields.published_at,
    )
    .await?;
    tx.commit().await?;
    Ok(flash_for(status, None).redirect(&article_url(id)))
}

pub(crate) async fn update_article(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    IdParam(id): IdParam,
    multipart: Multipart,
) -> AppResult<Response> {
    let article = editable(&state, &staff, id).await?;
    let (mut form, upload, files, screened) =
        ArticleForm::read(multipart).await.map_err(unreadable)?;
    let action = Action::parse(&form.action);
    let may_publish = can_publish(&state, &staff, article.author_id);
    let uploads = (upload, files);
    let (mut fields, mut errors) =
        check(&state, &staff, &mut form, uploads, screened, Some(id)).await?;
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
        return conflict(&state, layout, article, form, errors).await;
    }
    let Some(status) = status else {
        return Ok(
            ArticleFormPage::new(&state, layout, Some(article), form, errors)
                .await?
                .refused(),
        );
    };

    let mut tx = state.db.begin().await?;
    let saved = db::articles::update_article(
        &mut tx,
        id,
        expected_version,
        &fields,
        status,
        staff.user_id,
    )
    .await
    .on_constraint(UNIQUE)?;
    let saved = match saved {
        Ok(saved) => saved,
        Err(errors) => {
            drop(tx);
            return Ok(
                ArticleFormPage::new(&state, layout, Some(article), form, errors)
                    .await?
                    .refused(),
            );
        }
    };
    if saved.is_none() {
        // Someone saved between our read and our write: nothing was written.
        tx.rollback().await?;
        let latest = db::articles::get_editable(&state.db, id).await?;
        return conflict(&state, layout, latest, form, errors).await;
    }
    let revision = db::revisions::snapshot(&mut *tx, id, staff.user_id).await?;
    db::article_files::set(&mut tx, id, &form.files.kept()).await?;
    // Saved: the user's autosaved draft of the article is no longer needed.
    db::article_drafts::delete(&mut *tx, staff.user_id, DraftOf::Article(id)).await?;
    // A workflow step is logged as such; a plain edit of what readers see (or are scheduled
    // to see) as an edit: who changed the text, from where, and the revision it made.
    let action = status_action(Some(article.status), status).or(matches!(
        status,
        Status::Published | Status::Scheduled
    )
    .then_some(AuditAction::ArticleEdited));
    if let Some(action) = action {
        let target = Target::ArticleRevision(id, revision);
        staff.log(&mut *tx, action, target, &fields.title).await?;
    }
    let notified = ArticleRef {
        article_id: id,
        title: &fields.title,
        author_id: article.author_id,
    };
    let change = (Some(article.status), status);
    notices::status_changed(
        &mut tx,
        &state,
        &staff,
        notified,
        change,
        fields.published_at,
    )
    .await?;
    tx.commit().await?;
    Ok(flash_for(status, Some(article.status)).redirect(&article_url(id)))
}

/// The page shown when the article changed since the form was opened: the user's text in an
/// editable form (now based on the newer version) beside the text saved meanwhile.
async fn conflict(
    state: &AppState,
    layout: AdminLayout,
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
    let frame = layout
        .clone()
        .page("Bài viết vừa được người khác sửa", "articles");
    let inner = ArticleFormPage::new(state, layout, Some(saved.clone()), form, errors).await?;
    let page = ConflictPage {
        layout: frame,
        inner,
        saved,
        saved_by,
    };
    Ok((StatusCode::CONFLICT, page).into_response())
}
