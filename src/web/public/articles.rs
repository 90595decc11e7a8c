use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    AppState,
    db::{
        self,
        articles::{Article, ArticleCard},
        categories::Category,
    },
    error::{AppError, AppResult},
    web::{
        extract::SlugParam,
        format,
        layout::{Layout, article_url},
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
}

impl ArticlePage {
    fn views(&self) -> String {
        format::count(self.article.view_count)
    }
}

pub async fn show_article(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
) -> AppResult<Response> {
    let Some(mut article) = db::articles::find_published(&state.db, &slug).await? else {
        return match db::articles::find_renamed(&state.db, &slug).await? {
            Some(current) => Ok(moved_permanently(&article_url(&current))),
            None => Err(AppError::NotFound),
        };
    };
    state.views.record(article.article_id);
    article.view_count += state.views.pending(article.article_id);

    Ok(ArticlePage::build(&state, article, false)
        .await?
        .into_response())
}

impl ArticlePage {
    /// The article page as readers see it; `preview` marks a staff preview.
    pub async fn build(state: &AppState, article: Article, preview: bool) -> AppResult<Self> {
        let related =
            db::articles::list_related(&state.db, article.category_id, article.article_id, RELATED)
                .await?;
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
