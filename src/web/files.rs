//! Files served from disk: the site's own `static/` and uploaded `media/`.

use axum::{
    Router,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::{AppState, error::AppError};

/// Longest file name a file system takes (`NAME_MAX`); none of ours comes near it.
const NAME_MAX: usize = 255;

/// A path with a segment longer than any file name is a 404 here: the file system would refuse
/// it (`ENAMETOOLONG`), which `ServeDir` passes on as a 500.
async fn refuse_long_names(request: Request, next: Next) -> Response {
    let too_long = request
        .uri()
        .path()
        .split('/')
        .any(|segment| segment.len() > NAME_MAX);
    if too_long {
        return AppError::NotFound.into_response();
    }
    next.run(request).await
}

/// `static/` (and the embedded editor bundle) with a year of caching for fingerprinted URLs (`?v=`) and an hour otherwise.
pub(super) fn static_files() -> Router {
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
        .route(
            &format!("/{}", crate::assets::EDITOR_PATH),
            get(editor_bundle),
        )
        .fallback_service(ServeDir::new(crate::assets::STATIC_DIR))
        .layer(middleware::from_fn(refuse_long_names))
        .layer(middleware::from_fn(cache_control))
}

/// The body editor, compiled into the binary (see `build.rs`).
async fn editor_bundle() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        crate::assets::EDITOR_BUNDLE,
    )
}

/// Uploaded media, cached for a day by browsers and proxies.
pub(super) fn media_files(state: &AppState) -> Router<AppState> {
    Router::new()
        .fallback_service(ServeDir::new(&state.config.media_dir))
        .layer(middleware::from_fn(refuse_long_names))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ))
}
