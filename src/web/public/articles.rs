use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use serde::Deserialize;

use crate::{
    AppState,
    captcha::Challenge,
    db::{
        self,
        articles::{Article, ArticleCard},
        categories::Category,
        comments::PublicComment,
    },
    error::{AppError, AppResult},
    web::{
        extract::SlugParam,
        form::FieldErrors,
        format,
        layout::{Layout, article_url},
        public::comments::CommentForm,
    },
};

const RELATED: i64 = 6;

#[derive(Template, WebTemplate)]
#[template(path = "public/article.html")]
pub struct ArticlePage {
    layout: Layout,
    article: Article,
    breadcrumb: Vec<Category>,
    related: Vec<ArticleCard>,
    /// A staff preview of an article readers cannot see yet.
    preview: bool,
    comments: Vec<PublicComment>,
    /// "Your comment is waiting for moderation", after a post.
    comment_sent: bool,
    form: CommentForm,
    errors: FieldErrors,
    challenge: Option<Challenge>,
}

impl ArticlePage {
    fn views(&self) -> String {
        format::count(self.article.view_count)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleQuery {
    #[serde(rename = "binh-luan")]
    comment: String,
}

pub async fn show_article(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    Query(query): Query<ArticleQuery>,
) -> AppResult<Response> {
    let Some(mut article) = db::articles::find_published(&state.db, &slug).await? else {
        return match db::articles::find_renamed(&state.db, &slug).await? {
            Some(current) => Ok(moved_permanently(&article_url(&current))),
            None => Err(AppError::NotFound),
        };
    };
    state.views.record(article.article_id);
    article.view_count += state.views.pending(article.article_id);

    let mut page = ArticlePage::build(&state, article, false).await?;
    page.comment_sent = query.comment == "cho-duyet";
    Ok(page.into_response())
}

impl ArticlePage {
    /// The article page as readers see it; `preview` marks a staff preview.
    pub async fn build(state: &AppState, article: Article, preview: bool) -> AppResult<Self> {
        let (related, comments) = tokio::try_join!(
            db::articles::list_related(&state.db, article.category_id, article.article_id, RELATED),
            db::comments::list_approved(&state.db, article.article_id),
        )?;
        let site = state.site.get();
        let breadcrumb = site
            .categories
            .path(article.category_id)
            .into_iter()
            .cloned()
            .collect();
        let layout = Layout::new(state, article.title.clone())
            .with_description(article.sapo.clone())
            .with_canonical(state, &article.url())
            .in_section(article.category_id);
        Ok(Self {
            layout,
            article,
            breadcrumb,
            related,
            preview,
            comments,
            comment_sent: false,
            form: CommentForm::default(),
            errors: FieldErrors::default(),
            challenge: None,
        })
    }
}

/// A 301: the address search engines and old links should forget.
fn moved_permanently(location: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}
