//! `/metrics` (Prometheus text, see `crate::metrics`) and the request metrics. Served on its own
//! listener (`TOASOAN_METRICS_ADDR`, see `web::metrics_router`) and/or on the main one to a scraper that
//! sends `Authorization: Bearer` with `TOASOAN_METRICS_TOKEN`; a 404 otherwise.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{AppState, error::AppError, metrics};

/// The route of requests that matched none (so that the paths people try never become labels).
const UNMATCHED: &str = "unmatched";

/// The outermost layer: counts every answer (a page from the page cache too) and its time, by
/// the route template that [`remember_route`] left on the response.
pub(crate) async fn record_requests(request: Request, next: Next) -> Response {
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str);
    metrics::request(method, route, response.status().as_u16(), started.elapsed());
    response
}

/// Inside the router: leaves the matched route template on the response, for
/// [`record_requests`] (and the page cache, which keeps it with the page).
pub(crate) async fn remember_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// Methods as labels: the usual ones by name, anything else as one.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics` on the main listener: only with the configured bearer token.
pub(super) async fn show_metrics_with_token(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return AppError::NotFound.into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests of equal length, compared in constant time: the time says nothing of the token.
    let (presented, expected) = (Sha256::digest(presented.trim()), Sha256::digest(token));
    let same: bool = presented[..].ct_eq(&expected[..]).into();
    if !same {
        // Plain text for the scraper (a bare status would get the HTML error page).
        let challenge = [(header::WWW_AUTHENTICATE, "Bearer")];
        return (StatusCode::UNAUTHORIZED, challenge, "bearer token needed\n").into_response();
    }
    show_metrics(State(state)).await
}

/// `GET /metrics` on the metrics listener (its address is its protection).
pub(super) async fn show_metrics(State(state): State<AppState>) -> Response {
    let body = metrics::render(&state).await;
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
