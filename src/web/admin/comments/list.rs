//! The queue as a page: status tabs, the comments of the current view, the bulk form.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use time::OffsetDateTime;

use super::{
    Action, BACK_PARAM,
    view::{LIST_URL, PER_PAGE, View},
};
use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        comments::{CommentStatus, QueueArticle, QueuedComment, StatusCounts},
    },
    error::{AppError, AppResult},
    web::{admin::AdminLayout, filters, format, pager::Pager},
};

impl QueuedComment {
    /// Why the system filed it as spam, in words.
    pub(crate) fn flag_label(&self) -> Option<&str> {
        match self.flag.as_str() {
            "" => None,
            "links" => Some("Nhiều liên kết"),
            other => Some(other),
        }
    }

    /// Whether the status buttons offer `action` (not the status it already has).
    pub(crate) fn offers(&self, action: &str) -> bool {
        Action::parse(action).is_some_and(|a| a.status() != Some(self.status))
    }

    /// "Nguyễn Văn A, 27/11/2026 20:13": who set the status, and when.
    pub(crate) fn moderated(&self) -> Option<String> {
        who_and_when(self.moderator_name.as_deref(), self.moderated_at)
    }

    pub(crate) fn edited(&self) -> Option<String> {
        who_and_when(self.editor_name.as_deref(), self.edited_at)
    }

    pub(crate) fn replied(&self) -> Option<String> {
        who_and_when(self.replier_name.as_deref(), self.reply_at)
    }
}

/// "Nguyễn Văn A, 27/11/2026 20:13", or only the time when nobody is named; `None` for never.
fn who_and_when(name: Option<&str>, at: Option<OffsetDateTime>) -> Option<String> {
    let at = format::datetime_short(at?);
    Some(match name {
        Some(name) => format!("{name}, {at}"),
        None => at,
    })
}

/// A status tab above the list.
pub(crate) struct Tab {
    pub label: &'static str,
    pub url: String,
    pub count: i64,
    pub current: bool,
}

fn tabs(view: View, counts: &StatusCounts) -> Vec<Tab> {
    let statuses = CommentStatus::ALL.into_iter().map(Some).chain([None]);
    statuses
        .map(|status| Tab {
            label: status.map_or("Tất cả", CommentStatus::label),
            url: view.with_filter(status, view.filter.article_id).url(),
            count: status.map_or(counts.total(), |s| counts.of(s)),
            current: view.filter.status == status,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/comments/list.html")]
pub(crate) struct CommentsPage {
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
    pub(super) async fn load(
        state: &AppState,
        layout: AdminLayout,
        view: View,
        clamp: bool,
    ) -> AppResult<Self> {
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
            layout: layout.page("Bình luận", "comments"),
            comments,
            tabs: tabs(view, &counts),
            view,
            article,
            pager,
            total,
            error: None,
        })
    }

    /// The list shown again with why a bulk action was refused (422).
    pub(super) fn refused(self, reason: &'static str) -> Response {
        let page = Self {
            error: Some(reason),
            ..self
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
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
}

pub(super) fn edit_url(comment_id: i64, back: View) -> String {
    let url = format!("{LIST_URL}/{comment_id}");
    if back == View::default() {
        return url;
    }
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(BACK_PARAM, &back.url())
        .finish();
    format!("{url}?{query}")
}

pub(crate) async fn list_comments(
    State(state): State<AppState>,
    layout: AdminLayout,
    RawQuery(query): RawQuery,
) -> AppResult<CommentsPage> {
    layout.user.require(Capability::ModerateComments)?;
    let view = View::parse(query.as_deref().unwrap_or_default()).ok_or(AppError::NotFound)?;
    CommentsPage::load(&state, layout, view, false).await
}
