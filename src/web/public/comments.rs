//! Readers' comments: the form under each article, the captcha images, and posting.
//!
//! The article page itself stays the same for every reader (so it can be cached): its form
//! loads the captcha image from `/ma-kiem-tra.png`, which creates a challenge and names it in a
//! short-lived cookie. A form shown again after an error, or the text-question variant for
//! readers who cannot see the image, carries the challenge id in a hidden field instead.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

use crate::{
    AppState,
    captcha::{self, Challenge, Kind},
    db::{
        self,
        articles::Article,
        comments::{CommentStatus, NewComment, Posted},
    },
    error::{AppError, AppResult, ErrorPage},
    metrics, notices,
    web::{
        client::{ClientIp, UserAgent},
        cookies,
        extract::SlugParam,
        filters,
        form::{FieldErrors, Form, required},
        layout::{Layout, article_url},
        public::reader_forms::{self, KindQuery, kind_of, no_store, stored_ip},
    },
};

/// More links than this and the comment is filed as spam for review.
const MAX_LINKS: usize = 3;
pub(crate) const NAME_MAX: usize = 100;
pub(crate) const TITLE_MAX: usize = 200;
const CONTENT_MAX: usize = 4000;

pub(crate) const TOO_MANY: ErrorPage = ErrorPage {
    status: StatusCode::TOO_MANY_REQUESTS,
    heading: "Bạn gửi bình luận quá nhanh",
    message: "Bạn đã gửi nhiều bình luận trong ít phút. Xin vui lòng chờ một lát rồi gửi tiếp.",
};
const CLOSED: ErrorPage = ErrorPage {
    status: StatusCode::FORBIDDEN,
    heading: "Bài viết đã đóng bình luận",
    message: "Bài viết này không nhận thêm bình luận.",
};

/// The form as typed. `website` is a honeypot: hidden from people, filled by robots.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CommentForm {
    pub name: String,
    pub title: String,
    pub content: String,
    pub captcha: String,
    pub captcha_id: String,
    pub kind: String,
    pub website: String,
}

/// A new image challenge: the PNG, and a cookie naming it for the form.
pub(crate) async fn new_captcha_image(
    State(state): State<AppState>,
    jar: CookieJar,
) -> AppResult<Response> {
    let (challenge, png) = captcha::issue_image(&state.db).await?;
    let cookie = cookies::captcha(challenge.captcha_id, state.config.is_https());
    Ok((jar.add(cookie), png_response(png)).into_response())
}

/// The image of a challenge named in a form (`/ma-kiem-tra/{id}.png`).
pub(crate) async fn show_captcha_image(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let id = file.strip_suffix(".png").ok_or(AppError::NotFound)?;
    let valid = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        return Err(AppError::NotFound);
    }
    let png = captcha::image(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(png_response(png))
}

fn png_response(png: Vec<u8>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, "image/png")], png).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The comment form on a page of its own, with its challenge in the page: after an error, for
/// a new code ("Đổi mã khác") and for the text question.
#[derive(Template, WebTemplate)]
#[template(path = "public/comment.html")]
pub(crate) struct CommentPage {
    layout: Layout,
    article: Article,
    form: CommentForm,
    errors: FieldErrors,
    challenge: Option<Challenge>,
}

impl CommentPage {
    /// `ip_key`: the reader's address as stored (text questions are limited per IP).
    async fn new(
        state: &AppState,
        article: Article,
        form: CommentForm,
        errors: FieldErrors,
        kind: Kind,
        ip_key: &str,
    ) -> AppResult<Self> {
        let challenge = reader_forms::challenge(state, kind, ip_key).await?;
        let layout = Layout::new(state, format!("Gửi bình luận: {}", article.title))
            .in_section(article.category_id);
        Ok(Self {
            layout,
            article,
            form,
            errors,
            challenge: Some(challenge),
        })
    }
}

async fn commentable(state: &AppState, slug: &str) -> AppResult<Article> {
    let article = db::articles::find_published(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    if article.comments_open {
        Ok(article)
    } else {
        Err(AppError::Page(CLOSED))
    }
}

pub(crate) async fn comment_form(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    ClientIp(ip): ClientIp,
    Query(query): Query<KindQuery>,
) -> AppResult<Response> {
    let article = commentable(&state, &slug).await?;
    let page = CommentPage::new(
        &state,
        article,
        CommentForm::default(),
        FieldErrors::default(),
        kind_of(&query.kieu),
        &stored_ip(&state, &ip),
    )
    .await?;
    Ok(no_store(page.into_response()))
}

/// Links in a text, with or without a scheme (`http://a.vn`, `www.a.vn`, `a.vn/x`).
fn count_links(text: &str) -> usize {
    let mut finder = linkify::LinkFinder::new();
    finder
        .kinds(&[linkify::LinkKind::Url])
        .url_must_have_scheme(false)
        .url_can_be_iri(false);
    finder.links(text).count()
}

/// A comment that could not be posted (the database is gone, the server failed): the error
/// page shows it back in a form, to copy or to send again, with no database needed.
#[derive(Debug, Clone)]
pub(crate) struct KeptComment {
    pub action: String,
    pub name: String,
    pub title: String,
    pub content: String,
    pub kind: String,
}

pub(crate) async fn create_comment(
    State(state): State<AppState>,
    SlugParam(slug): SlugParam,
    ClientIp(ip): ClientIp,
    UserAgent(agent): UserAgent,
    jar: CookieJar,
    form: Result<Form<CommentForm>, AppError>,
) -> Response {
    let (form, errors) = match form {
        Ok(Form(form, errors)) => (form, errors),
        Err(error) => return error.into_response(),
    };
    let kept = KeptComment {
        action: format!("{}/binh-luan", article_url(&slug)),
        name: form.name.clone(),
        title: form.title.clone(),
        content: form.content.clone(),
        kind: form.kind.clone(),
    };
    match post_comment(&state, slug, ip, agent, jar, form, errors).await {
        Ok(response) => response,
        Err(error) => {
            let mut response = error.into_response();
            response.extensions_mut().insert(kept);
            response
        }
    }
}

async fn post_comment(
    state: &AppState,
    slug: String,
    ip: String,
    agent: String,
    jar: CookieJar,
    form: CommentForm,
    mut errors: FieldErrors,
) -> AppResult<Response> {
    // This route is not behind `require_database`: it answers an outage itself, so that the
    // reader's text comes back.
    if state.database.is_down() {
        return Err(AppError::Unavailable);
    }
    let article = commentable(state, &slug).await?;
    let done = || {
        Redirect::to(&format!(
            "{}?binh-luan=cho-duyet#binh-luan",
            article_url(&slug)
        ))
        .into_response()
    };

    if !form.website.is_empty() {
        tracing::info!(
            article = article.article_id,
            "honeypot filled: comment dropped"
        );
        metrics::comment("honeypot");
        return Ok(done());
    }
    let ip_key = stored_ip(state, &ip);
    // A cheap refusal before the challenge is spent; `post` checks again, atomically.
    if db::comments::count_recent_from(&state.db, &ip_key).await? >= state.config.comment_limit {
        metrics::comment("limited");
        return Err(AppError::Page(TOO_MANY));
    }

    let name = required(&mut errors, "name", &form.name, NAME_MAX);
    let title = required(&mut errors, "title", &form.title, TITLE_MAX);
    let content = required(&mut errors, "content", &form.content, CONTENT_MAX);

    reader_forms::check_captcha(state, &jar, &form.captcha_id, &form.captcha, &mut errors).await?;
    if !errors.is_empty() {
        metrics::comment("invalid");
        return refuse(state, article, form, errors, &ip_key).await;
    }

    // Every field is shown publicly: links in any of them count.
    let spam = [&name, &title, &content]
        .into_iter()
        .map(|text| count_links(text))
        .sum::<usize>()
        > MAX_LINKS;
    let posted = db::comments::post(
        &state.db,
        &NewComment {
            article_id: article.article_id,
            author_name: &name,
            title: &title,
            body: &content,
            status: if spam {
                CommentStatus::Spam
            } else {
                CommentStatus::Pending
            },
            flag: if spam { "links" } else { "" },
            ip: &ip_key,
            user_agent: &agent,
        },
        state.config.comment_limit,
    )
    .await?;
    match posted {
        Posted::Stored(_) => {
            metrics::comment(if spam { "spam" } else { "pending" });
            if !spam {
                // The comment is in: a notice that cannot be written is only logged.
                if let Err(error) = notices::comment_waiting(state).await {
                    tracing::warn!(%error, "could not tell the moderators about a comment");
                }
            }
            Ok(done())
        }
        Posted::TooMany => {
            metrics::comment("limited");
            Err(AppError::Page(TOO_MANY))
        }
        Posted::Duplicate => {
            metrics::comment("duplicate");
            errors.add("content", "Bình luận này đã được gửi trước đó.");
            refuse(state, article, form, errors, &ip_key).await
        }
    }
}

/// The form again with its errors and the reader's input (a new challenge of the same kind).
async fn refuse(
    state: &AppState,
    article: Article,
    mut form: CommentForm,
    errors: FieldErrors,
    ip_key: &str,
) -> AppResult<Response> {
    form.captcha.clear();
    let kind = kind_of(&form.kind);
    let page = CommentPage::new(state, article, form, errors, kind, ip_key).await?;
    Ok(no_store(
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_counted_in_any_case_with_or_without_a_scheme() {
        assert_eq!(count_links("xem http://a.vn và HTTPS://b.vn, www.c.vn"), 3);
        assert_eq!(count_links("vào a.vn/x hoặc shop.example.com/giam-gia."), 2);
        assert_eq!(count_links("không có liên kết, v.v. và 3.5 điểm"), 0);
    }
}
