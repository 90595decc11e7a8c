//! RSS feeds, sitemaps and robots.txt. (being written)

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
