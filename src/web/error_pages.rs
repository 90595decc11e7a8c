//! Error responses as HTML pages in the site's layout.

use askama::Template;
use axum::{
    extract::{Request, State},
    http::{HeaderValue, header},
    middleware::Next,
    response::{Html, IntoResponse, Response},
};

use crate::{
    AppState,
    error::ErrorPage,
    web::{filters, layout::Layout},
};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    page: ErrorPage,
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
