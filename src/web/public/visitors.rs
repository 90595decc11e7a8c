//! The footer's visitor counter image: a 1×1 transparent GIF whose every request counts a
//! visitor (see `crate::visitor_counter`). Never cached, by browsers or the page cache.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};

use crate::{
    AppState,
    web::{
        client::{ClientIp, UserAgent},
        public::reader_forms::no_store,
    },
};

pub(crate) const PIXEL_URL: &str = "/luot-truy-cap.gif";

/// The smallest transparent GIF: 1×1, one colour.
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

pub(crate) async fn count_visitor(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    UserAgent(agent): UserAgent,
) -> Response {
    // Counted only while the footer shows the counter; a failure costs one visitor, not the
    // image.
    if state.site.get().settings.show_visitor_counter
        && let Err(error) = state.visitors.record(&state.db, &ip, &agent).await
    {
        tracing::warn!(%error, "could not count a visitor");
    }
    no_store(([(header::CONTENT_TYPE, "image/gif")], PIXEL).into_response())
}
