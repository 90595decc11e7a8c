//! An article's revisions: the list, one revision, comparing two, and restoring one as the
//! newest version.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State, rejection::PathRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use sqlx::PgPool;

use super::{article_url, editable};
use crate::{
    AppState,
    db::{
        self,
        articles::{ArticleFields, EditableArticle},
        audit::{AuditAction, Target},
        revisions::{Revision, RevisionRow},
    },
    error::AppResult,
    web::{
        admin::{
            AdminLayout, Flash, Staff,
            revisions::{
                CompareLinks, ComparePage, CompareQuery, FieldDiff, History, RestoreForm, Revised,
                RevisionItem, RevisionsPage,
            },
        },
        extract::{IdParam, RevisionPath},
        filters,
        form::Form,
    },
};

impl From<RevisionRow> for RevisionItem {
    fn from(r: RevisionRow) -> Self {
        Self {
            revision_id: r.article_revision_id,
            version: r.version,
            title: r.title,
            status_class: r.status.as_str(),
            status_label: r.status.label(),
            editor_name: r.editor_name,
            created_at: r.created_at,
            body_length: r.body_length,
        }
    }
}

pub(crate) async fn list_revisions(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
) -> AppResult<RevisionsPage> {
    let article = editable(&state, &layout.user, id).await?;
    let revisions = db::revisions::list(&state.db, id).await?;
    Ok(RevisionsPage {
        layout: layout.page(format!("Lịch sử sửa: {}", article.title), "articles"),
        title: article.title,
        owner_url: article_url(id),
        back_label: "Quay lại bài viết",
        current_version: article.version,
        items: revisions.into_iter().map(RevisionItem::from).collect(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/revision.html")]
pub(crate) struct RevisionPage {
    layout: AdminLayout,
    article: EditableArticle,
    revision: Revision,
    /// The article was saved after the restore form was shown: nothing was restored.
    stale: bool,
}

impl RevisionPage {
    fn links(&self) -> CompareLinks {
        let base = format!("{}/revisions", article_url(self.article.article_id));
        CompareLinks::new(&base, self.revision.article_revision_id)
    }
}

pub(crate) async fn show_revision(
    State(state): State<AppState>,
    layout: AdminLayout,
    path: Result<Path<RevisionPath>, PathRejection>,
) -> AppResult<RevisionPage> {
    let (id, revision_id) = RevisionPath::ids(path)?;
    let article = editable(&state, &layout.user, id).await?;
    let revision = db::revisions::get(&state.db, id, revision_id).await?;
    Ok(RevisionPage {
        layout: layout.page(format!("Phiên bản {}", revision.version), "articles"),
        article,
        revision,
        stale: false,
    })
}

/// An article's history for the compare page.
struct ArticleHistory(EditableArticle);

impl History for ArticleHistory {
    type Text = ArticleFields;

    fn base_url(&self) -> String {
        format!("{}/revisions", article_url(self.0.article_id))
    }

    fn current(&self) -> (i32, ArticleFields) {
        (self.0.version, self.0.fields())
    }

    async fn revision(&self, db: &PgPool, id: i64) -> sqlx::Result<Revised<ArticleFields>> {
        let r = db::revisions::get(db, self.0.article_id, id).await?;
        Ok(Revised {
            text: r.fields(&self.0.fields()),
            revision_id: r.article_revision_id,
            version: r.version,
            created_at: r.created_at,
            editor_name: r.editor_name,
        })
    }

    async fn id_before(&self, db: &PgPool, version: i32) -> sqlx::Result<Option<i64>> {
        db::revisions::find_id_before(db, self.0.article_id, version).await
    }

    fn fields(old: Option<&ArticleFields>, new: &ArticleFields) -> Vec<FieldDiff> {
        let empty = ArticleFields::default();
        let old = old.unwrap_or(&empty);
        let cover = |f: &ArticleFields| f.cover_image.clone().unwrap_or_default();
        vec![
            FieldDiff::text("Tiêu đề", &old.title, &new.title, true),
            FieldDiff::text("Sapo", &old.sapo, &new.sapo, true),
            FieldDiff::body("Nội dung", &old.body_html, &new.body_html),
            FieldDiff::text("Tác giả", &old.byline, &new.byline, false),
            FieldDiff::text("Ảnh đại diện", &cover(old), &cover(new), false),
            FieldDiff::text(
                "Chú thích ảnh",
                &old.cover_caption,
                &new.cover_caption,
                false,
            ),
            FieldDiff::text("Mô tả ảnh", &old.cover_alt, &new.cover_alt, false),
        ]
    }
}

/// Two revisions, or one and the current text, side by side in one column of marks.
pub(crate) async fn compare_revisions(
    State(state): State<AppState>,
    layout: AdminLayout,
    IdParam(id): IdParam,
    query: CompareQuery,
) -> AppResult<ComparePage> {
    let article = editable(&state, &layout.user, id).await?;
    let layout = layout.page(format!("So sánh phiên bản: {}", article.title), "articles");
    ComparePage::new(&state.db, layout, &ArticleHistory(article), query).await
}

/// Makes an old revision's content the newest version (the history keeps everything in
/// between). The article keeps its workflow state and publication date, so this works in any
/// state; a restore from a page shown before someone else saved changes nothing (409, the
/// page again with a notice).
pub(crate) async fn restore_revision(
    State(state): State<AppState>,
    staff: Staff,
    layout: AdminLayout,
    path: Result<Path<RevisionPath>, PathRejection>,
    Form(form, _): Form<RestoreForm>,
) -> AppResult<Response> {
    let (id, revision_id) = RevisionPath::ids(path)?;
    let article = editable(&state, &staff, id).await?;
    let revision = db::revisions::get(&state.db, id, revision_id).await?;
    let expected_version = form.version()?;
    let fields = revision.fields(&article.fields());
    let mut tx = state.db.begin().await?;
    let saved = if expected_version == article.version {
        let status = article.status;
        db::articles::update_article(
            &mut tx,
            id,
            expected_version,
            &fields,
            status,
            staff.user_id,
        )
        .await?
    } else {
        None
    };
    if saved.is_none() {
        drop(tx);
        let page = RevisionPage {
            layout: layout.page(format!("Phiên bản {}", revision.version), "articles"),
            article: db::articles::get_editable(&state.db, id).await?,
            revision,
            stale: true,
        };
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let made = db::revisions::snapshot(&mut *tx, id, staff.user_id).await?;
    let details = format!("{} (từ phiên bản {})", fields.title, revision.version);
    let entry = (
        AuditAction::ArticleRestored,
        Target::ArticleRevision(id, made),
        &*details,
    );
    staff
        .finish(tx, entry, &article_url(id), Flash::Restored)
        .await
}
