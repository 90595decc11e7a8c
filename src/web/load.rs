//! Honest answers on a bad day: while the database does not answer, pages that need it fail
//! at once with the maintenance page; heavy public pages (search, sitemaps) take a few
//! database connections at most, and beyond that the reader is told to retry.

use std::time::Duration;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{AppState, error::AppError};

/// How long a heavy page waits for a turn before answering "busy".
const HEAVY_WAIT: Duration = Duration::from_secs(1);

/// Refuses at once (503, maintenance) while the database is known not to answer.
pub(super) async fn require_database(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if state.database.is_down() {
        return AppError::Unavailable.into_response();
    }
    next.run(request).await
}

/// Runs a heavy page when one of its few turns is free (503, busy, otherwise).
pub(super) async fn heavy_page(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(HEAVY_WAIT, state.heavy_pages.acquire()).await {
        Ok(Ok(_turn)) => next.run(request).await,
        _ => AppError::Busy.into_response(),
    }
}
