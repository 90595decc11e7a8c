use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::Query,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};

use serde::Deserialize;
use serde_json::json;

use crate::web::readers::Readers;
use crate::{
    AppState,
    captcha::Challenge,
    db::{
        self,
        articles::{Article, ArticleCard},
        categories::Category,
        comments::PublicComment,
        media_files::FileLink,
        pages::Language,
    },
    error::{AppError, AppResult},
    web::{
        extract::SlugParam,
        filters,
        form::FieldErrors,
        format,
        layout::{Layout, article_url, media_url, print_url, script_json},
        page_cache::ArticleView,
        print::PrintFrame,
        public::comments::CommentForm,
    },
};

const RELATED: i64 = 6;

/// Zalo's web share page (no SDK): it takes the address in `url`.
const ZALO_SHARE: &str = "https://sp.zalo.me/share_to_zalo?url=";
const FACEBOOK_SHARE: &str = "https://www.facebook.com/sharer/sharer.php?u=";

/// Whether an article page is a staff preview (with a banner saying so), and of what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Preview {
    /// The page readers see.
    No,
    /// The article as saved, which readers may not see yet.
    Saved,
    /// What the editor's form holds, not saved.
    Typed,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/article.html")]
pub(crate) struct ArticlePage {
    layout: Layout,
    article: Article,
    breadcrumb: Vec<Category>,
    related: Vec<ArticleCard>,
    /// Whether this is a staff preview, and of what.
    preview: Preview,
    comments: Vec<PublicComment>,
    /// "Your comment is waiting for moderation", after a post.
    comment_sent: bool,
    form: CommentForm,
    errors: FieldErrors,
    challenge: Option<Challenge>,
    /// The absolute address of the article (canonical, printed, shared).
    permalink: String,
    /// The article's category, for `article:section` and its feed.
    section: Option<Category>,
    /// `NewsArticle` structured data, ready for a `<script>` element.
    json_ld: String,
    /// "Tài liệu đính kèm".
    attachments: Vec<FileLink>,
}

impl ArticlePage {
    /// `article:modified_time`: the last edit, never before publication.
    fn modified_at(&self) -> time::OffsetDateTime {
        modified_at(&self.article)
    }

    fn facebook_share_url(&self) -> String {
        format!("{FACEBOOK_SHARE}{}", url_component(&self.permalink))
    }

    fn print_url(&self) -> String {
        print_url(&self.article.url())
    }

    fn zalo_share_url(&self) -> String {
        format!("{ZALO_SHARE}{}", url_component(&self.permalink))
    }
}

/// What describes the article: its sapo, or its title when it has none.
fn description(article: &Article) -> &str {
    if article.sapo.trim().is_empty() {
        &article.title
    } else {
        &article.sapo
    }
}

fn modified_at(article: &Article) -> time::OffsetDateTime {
    article.updated_at.max(article.published_at)
}

/// Percent-encodes everything but letters, digits and `*-._` (for a query value).
fn url_component(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The `NewsArticle` of an article page (schema.org, as search engines read it).
fn news_article(layout: &Layout, article: &Article, section: Option<&Category>) -> String {
    let site_name = &layout.site.settings.site_name;
    let permalink = layout.absolute(&article.url());
    let author = if article.byline.trim().is_empty() {
        json!({ "@type": "Organization", "name": site_name })
    } else {
        json!({ "@type": "Person", "name": article.byline })
    };
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": description(article),
        "datePublished": format::iso(article.published_at),
        "dateModified": format::iso(modified_at(article)),
        "author": author,
        "publisher": {
            "@type": "Organization",
            "name": site_name,
            "logo": { "@type": "ImageObject", "url": layout.logo_url() },
        },
        "mainEntityOfPage": permalink,
        "url": permalink,
        "inLanguage": "vi",
    });
    if let Some(path) = &article.cover_image {
        doc["image"] = json!([layout.absolute(&media_url(path))]);
    }
    if let Some(section) = section {
        doc["articleSection"] = json!(section.name);
    }
    script_json(&doc)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ArticleQuery {
    #[serde(rename = "binh-luan")]
    comment: String,
}

pub(crate) async fn show_article(
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
    Query(query): Query<ArticleQuery>,
) -> AppResult<Response> {
    let Some(mut article) = db::articles::find_published(&state.db, &slug).await? else {
        return match db::articles::find_renamed(&state.db, &slug).await? {
            Some(current) => Ok(moved_permanently(&article_url(&current))),
            None => Err(AppError::NotFound),
        };
    };
    let article_id = article.article_id;
    state.views.record(article_id);
    article.view_count += state.views.pending(article_id);

    let mut page = ArticlePage::build(&state, article, Preview::No).await?;
    page.comment_sent = query.comment == "cho-duyet";
    let mut response = page.into_response();
    // A copy served from the page cache counts as a view too.
    response.extensions_mut().insert(ArticleView(article_id));
    Ok(response)
}

impl ArticlePage {
    /// The article page as readers see it; `preview` marks a staff preview.
    pub(crate) async fn build(
        state: &AppState,
        article: Article,
        preview: Preview,
    ) -> AppResult<Self> {
        let (related, comments, attachments) = tokio::try_join!(
            db::articles::list_related(&state.db, article.category_id, article.article_id, RELATED),
            db::comments::list_approved(&state.db, article.article_id),
            db::article_files::list(&state.db, article.article_id),
        )?;
        let site = state.site.get();
        let breadcrumb = site
            .categories
            .path(article.category_id)
            .into_iter()
            .cloned()
            .collect();
        let section = site.categories.get(article.category_id).cloned();
        let mut layout = Layout::new(state, article.title.clone())
            .with_description(description(&article))
            .with_canonical(state, &article.url())
            .with_article_type()
            .in_section(article.category_id);
        if let Some(path) = &article.cover_image {
            // The stored path names the largest variant.
            layout = layout.with_image(&media_url(path), article.cover_alt.clone());
        }
        if let Some(section) = &section {
            layout = layout.with_category_feed(section);
        }
        let json_ld = news_article(&layout, &article, section.as_ref());
        let permalink = layout.absolute(&article.url());
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
            permalink,
            section,
            json_ld,
            attachments,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "public/article_print.html")]
pub(crate) struct ArticlePrintPage {
    frame: PrintFrame,
    article: Article,
}

/// `/bai-viet/{slug}/ban-in`: the article alone, for paper.
pub(crate) async fn print_article(
    Readers(state): Readers,
    SlugParam(slug): SlugParam,
) -> AppResult<Response> {
    let Some(article) = db::articles::find_published(&state.db, &slug).await? else {
        return match db::articles::find_renamed(&state.db, &slug).await? {
            Some(current) => Ok(moved_permanently(&print_url(&article_url(&current)))),
            None => Err(AppError::NotFound),
        };
    };
    let frame = PrintFrame::new(&state, Language::Vi, &article.title, article.url());
    Ok(ArticlePrintPage { frame, article }.into_response())
}

/// A 301: the address search engines and old links should forget.
fn moved_permanently(location: &str) -> Response {
    (
        StatusCode::MOVED_PERMANENTLY,
        [(header::LOCATION, location)],
    )
        .into_response()
}
