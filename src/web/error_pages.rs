//! Error responses as HTML pages in the site's layout.

use askama::Template;
use axum::{
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

use crate::{
    AppState,
    error::{ErrorPage, WaitedForDatabase},
    web::{filters, layout::Layout, public::comments::KeptComment},
};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    page: ErrorPage,
    /// A reader's comment that could not be posted, shown back.
    kept: Option<KeptComment>,
}

/// Turns responses marked with an [`ErrorPage`], and bare error statuses with no body of
/// their own, into the HTML error page in the layout.
pub(super) async fn error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let bare_error = (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE);
    let mut page = match response.extensions().get::<ErrorPage>() {
        Some(page) => *page,
        None if bare_error => ErrorPage::for_status(status),
        None => return response,
    };
    // No connection came free in time: a busy database, or one that just went away.
    if response.extensions().get::<WaitedForDatabase>().is_some() {
        state.database.suspect();
        if state.database.is_down() {
            page = ErrorPage::UNAVAILABLE;
        }
    }
    let kept = response.extensions().get::<KeptComment>().cloned();
    let layout = Layout::new(&state, page.heading);
    match (ErrorTemplate { layout, page, kept }).render() {
        Ok(html) => {
            let mut response = (page.status, Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            if page.status == StatusCode::SERVICE_UNAVAILABLE {
                let seconds = if page == ErrorPage::BUSY { "5" } else { "30" };
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
            }
            response
        }
        Err(error) => {
            tracing::error!(%error, "cannot render the error page");
            (page.status, page.message).into_response()
        }
    }
}
