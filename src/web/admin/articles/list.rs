//! The list of articles, filtered by status, category, author and title.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use crate::{
    AppState,
    auth::Capability,
    db::{
        self,
        articles::{AdminArticle, ArticleFilter, Status},
        users::User,
    },
    error::{AppError, AppResult},
    site::Site,
    web::{admin::AdminLayout, extract::PageParam, filters, pager::Pager},
};

const PER_PAGE: u32 = 20;
const LIST_URL: &str = "/admin/articles";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ListQuery {
    #[serde(rename = "trang-thai")]
    status: String,
    #[serde(rename = "chuyen-muc")]
    category: String,
    #[serde(rename = "tac-gia")]
    author: String,
    q: String,
}

impl ListQuery {
    /// The list URL for these filters (the pager adds `trang`).
    fn url(&self) -> String {
        let mut url = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("trang-thai", &self.status),
            ("chuyen-muc", &self.category),
            ("tac-gia", &self.author),
            ("q", &self.q),
        ] {
            if !value.is_empty() {
                url.append_pair(key, value);
            }
        }
        let query = url.finish();
        if query.is_empty() {
            LIST_URL.to_owned()
        } else {
            format!("{LIST_URL}?{query}")
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/articles/list.html")]
pub(crate) struct ArticleListPage {
    layout: AdminLayout,
    site: Arc<Site>,
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

    fn status_url(&self, status: Option<Status>) -> String {
        match status {
            Some(s) => format!("{LIST_URL}?trang-thai={}", s.as_str()),
            None => LIST_URL.to_owned(),
        }
    }
}

pub(crate) async fn list_articles(
    State(state): State<AppState>,
    layout: AdminLayout,
    Query(query): Query<ListQuery>,
    PageParam(page): PageParam,
) -> AppResult<ArticleListPage> {
    let user = &layout.user;
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
    let pager = Pager::new(query.url(), page, total, PER_PAGE).ok_or(AppError::NotFound)?;
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
        layout: layout.page("Bài viết", "articles"),
        articles,
        counts,
        query,
        status,
        authors,
        pager,
        total,
    })
}
