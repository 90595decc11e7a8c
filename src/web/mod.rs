//! Every URL of the application, and the layers around them: read this file to know the app.

pub mod admin;
pub mod caching;
pub mod client;
pub mod extract;
pub mod form;
pub mod format;
pub mod layout;
pub mod pager;
pub mod public;

use std::time::Duration;

use askama::Template;
use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, csrf::CsrfLayer,
    services::ServeDir, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    AppState,
    auth::CurrentUser,
    error::{AppError, ErrorPage},
    web::layout::Layout,
};

/// Largest comment form a reader may send (the fields allow about 4,300 characters).
const COMMENT_BODY_LIMIT: usize = 32 * 1024;

/// How long any request may take before it is answered with an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn router(state: AppState) -> Router {
    let media = Router::new()
        .fallback_service(ServeDir::new(&state.config.media_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ));

    let staff = admin::routes(&state)
        .route_layer(middleware::from_extractor_with_state::<CurrentUser, _>(
            state.clone(),
        ));

    Router::new()
        .route(
            "/admin/login",
            get(admin::login::login_form).post(admin::login::login),
        )
        .route("/admin/logout", post(admin::login::logout))
        .nest("/admin", staff)
        .route("/", get(public::home::show_home))
        .route("/chuyen-muc/{slug}", get(public::categories::show_category))
        .route("/bai-viet/{slug}", get(public::articles::show_article))
        .route(
            "/bai-viet/{slug}/binh-luan",
            get(public::comments::comment_form)
                .post(public::comments::create_comment)
                .layer(DefaultBodyLimit::max(COMMENT_BODY_LIMIT)),
        )
        .route("/ma-kiem-tra.png", get(public::comments::new_captcha_image))
        .route(
            "/ma-kiem-tra/{file}",
            get(public::comments::show_captcha_image),
        )
        .merge(public::search::routes())
        .merge(public::feeds::routes())
        .route("/healthz", get(health))
        .nest_service("/static", static_files())
        .nest("/media", media)
        .fallback(|| async { AppError::NotFound })
        .layer(CatchPanicLayer::custom(|_| {
            ErrorPage::INTERNAL.into_response()
        }))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(csrf_layer(&state.config.base_url))
        // Inside `error_pages` (whose pages say `no-store`) and `CompressionLayer` (so the
        // ETag names the content whatever the encoding: it is weak).
        .layer(middleware::from_fn(caching::http_caching))
        .layer(middleware::from_fn_with_state(state.clone(), error_pages))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Refuses state-changing requests that a browser says come from another site (`Sec-Fetch-Site`,
/// or an `Origin` that is neither this site's base URL nor its `Host`); they get a 403 page.
fn csrf_layer(base_url: &str) -> CsrfLayer {
    let origin = url::Url::parse(base_url).map(|url| url.origin().ascii_serialization());
    let layer = CsrfLayer::new();
    match origin
        .ok()
        .map(|origin| layer.clone().add_trusted_origin(&origin))
    {
        Some(Ok(layer)) => layer,
        _ => layer,
    }
}

/// `static/` with a year of caching for fingerprinted URLs (`?v=`) and an hour otherwise.
fn static_files() -> Router {
    async fn cache_control(request: Request, next: Next) -> Response {
        let fingerprinted = request.uri().query().is_some_and(|q| q.starts_with("v="));
        let mut response = next.run(request).await;
        if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
            let value = if fingerprinted {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=3600"
            };
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
        }
        response
    }
    Router::new()
        .fallback_service(ServeDir::new(crate::assets::STATIC_DIR))
        .layer(middleware::from_fn(cache_control))
}

/// `GET /healthz`: 200 `ok` when the database answers, 503 otherwise.
async fn health(State(state): State<AppState>) -> Response {
    let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.db);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    page: ErrorPage,
}

/// Turns responses marked with an [`ErrorPage`], and bare error statuses with no body of
/// their own, into the HTML error page in the layout.
async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let bare_error = (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE);
    let page = match response.extensions().get::<ErrorPage>() {
        Some(page) => *page,
        None if bare_error => ErrorPage::for_status(status),
        None => return response,
    };
    let layout = Layout::new(&state, page.heading);
    match (ErrorTemplate { layout, page }).render() {
        Ok(html) => {
            let mut response = (page.status, Html(html)).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => {
            tracing::error!(%error, "cannot render the error page");
            (page.status, page.message).into_response()
        }
    }
}
