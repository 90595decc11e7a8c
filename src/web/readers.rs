//! Readers' pages read from the replica when there is one and it is current (see
//! `crate::replica`): [`read_from_replica`] chooses the pool for a request of the public
//! router, and the [`Readers`] extractor hands the handler the application state with that
//! pool as `db`. A page that failed on the replica is rendered again from the primary. Writes
//! (captchas, comments, visitors, contact messages) and the back office take `State` and use
//! the primary.

use std::convert::Infallible;

use axum::{
    body::Body,
    extract::{FromRequestParts, Request, State},
    http::{Method, request::Parts},
    middleware::Next,
    response::Response,
};
use sqlx::PgPool;

use crate::{AppState, error::QueryFailed};

/// The pool a request of the public router reads from (none: the primary).
#[derive(Clone)]
struct ReadFrom(PgPool);

/// The application state as a readers' page sees it: `db` is where it reads.
pub(crate) struct Readers(pub(crate) AppState);

impl FromRequestParts<AppState> for Readers {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let mut state = state.clone();
        if let Some(ReadFrom(pool)) = parts.extensions.get::<ReadFrom>() {
            state.db = pool.clone();
        }
        Ok(Self(state))
    }
}

/// Reads a GET or HEAD from the replica while it is current; a page that fails there (a
/// query error, a lost connection) is rendered again from the primary.
pub(super) async fn read_from_replica(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let replica = state.replica.as_deref();
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    let Some((replica, pool)) = replica
        .filter(|_| reading)
        .and_then(|replica| Some((replica, replica.pool()?)))
    else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let mut on_replica = Request::from_parts(parts.clone(), body);
    on_replica.extensions_mut().insert(ReadFrom(pool.clone()));
    let response = next.clone().run(on_replica).await;
    if response.extensions().get::<QueryFailed>().is_none() {
        return response;
    }
    tracing::warn!(path = %parts.uri.path(), "a page failed on the read replica: reading from the primary");
    replica.failed();
    // A GET's body is empty.
    next.run(Request::from_parts(parts, Body::empty())).await
}
