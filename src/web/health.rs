//! Health checks for load balancers, orchestrators and monitoring: `/healthz` (the process
//! runs) and `/readyz` (it can serve: database, change listener, media store).

use std::time::Duration;

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{AppState, db};

/// Longest a readiness check waits for the database or the media store.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);

/// `GET /healthz`: 200 `ok` while the process runs and answers (restart it when it does not).
pub(super) async fn alive() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 `ok` when the database answers, the change listener is connected and
/// the media store can be used; 503 with the first reason otherwise (send it no traffic).
pub(super) async fn ready(State(state): State<AppState>) -> Response {
    match not_ready(&state).await {
        None => (StatusCode::OK, "ok").into_response(),
        Some(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason).into_response(),
    }
}

async fn not_ready(state: &AppState) -> Option<&'static str> {
    // At once while the database watch already knows it does not answer.
    let database = !state.database.is_down()
        && tokio::time::timeout(CHECK_TIMEOUT, db::ping(&state.db))
            .await
            .is_ok_and(|answer| answer.is_ok());
    if !database {
        return Some("database unavailable");
    }
    if !state.page_cache.is_trusted() {
        return Some("not listening for changes");
    }
    match tokio::time::timeout(CHECK_TIMEOUT, state.media.check()).await {
        Ok(Ok(())) => None,
        Ok(Err(error)) => {
            tracing::warn!(%error, "the media store cannot be used");
            Some("media store unavailable")
        }
        Err(_) => Some("media store unavailable"),
    }
}
