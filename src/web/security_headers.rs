//! The security headers every response carries: a Content-Security-Policy that lets pages load
//! only the site's own scripts, styles and images, and the usual browser protections.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, header},
    middleware::Next,
    response::Response,
};

use crate::{assets::Assets, config::Config};

/// How long browsers keep to https once told (`Strict-Transport-Security`): a year.
const HSTS: &str = "max-age=31536000";

/// The headers, built once at start.
pub(super) fn security_headers(config: &Config, assets: &Assets) -> Arc<HeaderMap> {
    let mut headers = HeaderMap::new();
    let policy = content_security_policy(config, assets);
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    let fixed = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    Arc::new(headers)
}

/// The policy: everything from this origin only; no plugins, no `<base>` elsewhere, forms
/// posted here only, no framing; images also as `data:` URLs; the one inline script is the
/// back office's import map, allowed by its hash; images also from
/// `TOASOAN_MEDIA_PUBLIC_URL`'s origin (a CDN or a bucket), where `/media/…` redirects.
fn content_security_policy(config: &Config, assets: &Assets) -> String {
    let images = match config.media_public_origin() {
        Some(origin) => format!("img-src 'self' data: {origin}"),
        None => "img-src 'self' data:".to_owned(),
    };
    let directives = [
        "default-src 'self'".to_owned(),
        format!("script-src 'self' {}", assets.import_map_source()),
        images,
        "object-src 'none'".to_owned(),
        "base-uri 'self'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ];
    directives.join("; ")
}

/// Adds the headers to every response.
pub(super) async fn add_security_headers(
    State(headers): State<Arc<HeaderMap>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    for (name, value) in headers.iter() {
        response.headers_mut().insert(name, value.clone());
    }
    response
}
