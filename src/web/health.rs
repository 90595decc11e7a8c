//! `/healthz` for load balancers and monitoring.

use std::time::Duration;

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use crate::{AppState, db};

/// `GET /healthz`: 200 `ok` when the database answers, 503 otherwise (at once while the
/// server already knows it does not).
pub(super) async fn health(State(state): State<AppState>) -> Response {
    if state.database.is_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response();
    }
    match tokio::time::timeout(Duration::from_secs(1), db::ping(&state.db)).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}
