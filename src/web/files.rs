//! Files served by the site: its own `static/` and uploaded media (`/media/…`).

use axum::{
    Router,
    body::Body,
    extract::{Path, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio_util::io::ReaderStream;
use tower_http::{services::ServeDir, set_header::SetResponseHeaderLayer};

use crate::{AppState, config::MediaStoreKind, error::AppError, media::storage::validate_key};

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

/// Uploaded media. From the local directory: as files, cached for a day by browsers and
/// proxies. From a bucket: streamed by [`stored_media`]. With `TOASOAN_MEDIA_PUBLIC_URL`:
/// redirected there.
pub(super) fn media_files(state: &AppState) -> Router<AppState> {
    let config = &state.config;
    let router = if config.media_store == MediaStoreKind::Local && config.media_public_url.is_none()
    {
        Router::new()
            .fallback_service(ServeDir::new(&config.media_dir))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ))
    } else {
        Router::new().route("/{*key}", get(stored_media))
    };
    router.layer(middleware::from_fn(refuse_long_names))
}

/// Media keys never name other content (images by their hash, files by random names), so
/// what is served under one may be kept for a year.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/media/{key}` from the store: streamed with the store's ETag (304 when the browser has
/// it), or a permanent redirect to `TOASOAN_MEDIA_PUBLIC_URL/{key}`. Attached files
/// (`files/…`) are not media: they are served from `/tai-lieu/{id}/…` only.
async fn stored_media(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if validate_key(&key).is_err() || key.starts_with("files/") {
        return Err(AppError::NotFound);
    }
    if let Some(public) = &state.config.media_public_url {
        let location = HeaderValue::from_str(&format!("{public}/{key}"))
            .map_err(|error| AppError::Unexpected(error.into()))?;
        let headers = [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        ];
        return Ok((StatusCode::MOVED_PERMANENTLY, headers).into_response());
    }
    let stored = match state.media.open(&key).await {
        Ok(stored) => stored,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(AppError::NotFound);
        }
        Err(error) => return Err(AppError::Unexpected(error.into())),
    };
    let etag = stored
        .etag
        .as_deref()
        .and_then(|etag| HeaderValue::from_str(etag).ok());
    let mut response = match &etag {
        Some(etag) if if_none_match(&headers, etag) => StatusCode::NOT_MODIFIED.into_response(),
        _ => {
            let content_type = mime_guess::from_path(&key).first_or_octet_stream();
            let headers = [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_str(content_type.as_ref())
                        .map_err(|error| AppError::Unexpected(error.into()))?,
                ),
                (header::CONTENT_LENGTH, HeaderValue::from(stored.len)),
            ];
            (headers, Body::from_stream(ReaderStream::new(stored.reader))).into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Whether `If-None-Match` names `etag` (or `*`); weak and strong tags compare alike.
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    let bare = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let wanted = bare(etag.to_str().unwrap_or_default());
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || bare(tag) == wanted)
}
