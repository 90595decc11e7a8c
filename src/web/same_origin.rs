//! Refusing state-changing requests from other sites (cross-site request forgery).
//!
//! An unsafe request (anything but GET, HEAD, OPTIONS) is refused with a 403 page when:
//! - `Sec-Fetch-Site` says it comes from another origin, or its `Origin` is neither this site's
//!   base URL nor its `Host` (tower-http's [`CsrfLayer`]);
//! - it carries neither of those headers but a `Referer` naming another site (an old browser,
//!   or a page that stripped `Origin`);
//! - it carries no evidence of where it comes from at all and goes to `/admin` (login and the
//!   back office), unless `TOASOAN_ALLOW_ORIGINLESS` lets non-browser clients in.
//!
//! The readers' comment form without any of these headers is accepted: its defences (captcha,
//! limits) do not rely on the reader's session.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::csrf::{CsrfLayer, ProtectionError};
use url::Url;

use crate::{config::Config, error::ErrorPage};

/// The check of `Sec-Fetch-Site` and `Origin`.
pub(super) fn csrf_layer(config: &Config) -> CsrfLayer<fn(ProtectionError) -> Response> {
    let layer = CsrfLayer::new().with_rejection_response(
        (|_| ErrorPage::CROSS_SITE.into_response()) as fn(ProtectionError) -> Response,
    );
    layer
        .clone()
        .add_trusted_origin(origin_of(&config.base_url))
        .unwrap_or(layer)
}

/// What the [`referer_check`] middleware compares requests with.
#[derive(Clone)]
pub(super) struct SameOrigin {
    /// This site's origin (`https://host[:port]`), from the base URL.
    origin: String,
    allow_originless: bool,
}

impl SameOrigin {
    pub(super) fn new(config: &Config) -> Self {
        Self {
            origin: origin_of(&config.base_url),
            allow_originless: config.allow_originless,
        }
    }
}

/// The part of the check [`CsrfLayer`] leaves out: requests without `Origin` and
/// `Sec-Fetch-Site` (which it lets through).
pub(super) async fn referer_check(
    State(site): State<SameOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if is_refused(
        &site,
        request.method(),
        request.uri().path(),
        request.headers(),
    ) {
        return ErrorPage::CROSS_SITE.into_response();
    }
    next.run(request).await
}

fn is_refused(site: &SameOrigin, method: &Method, path: &str, headers: &HeaderMap) -> bool {
    let present = |name: &str| headers.get(name).is_some_and(|value| !value.is_empty());
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || present("origin")
        || present("sec-fetch-site")
    {
        return false;
    }
    match headers.get(header::REFERER) {
        Some(referer) => !names_this_site(site, referer.to_str().ok(), headers),
        None => is_back_office(path) && !site.allow_originless,
    }
}

/// Whether a `Referer` is a page of this site: its origin is the base URL's, or its host
/// (and port) is the request's `Host`, as [`CsrfLayer`] accepts for `Origin`.
fn names_this_site(site: &SameOrigin, referer: Option<&str>, headers: &HeaderMap) -> bool {
    let Some(url) = referer.and_then(|referer| Url::parse(referer).ok()) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    if url.origin().ascii_serialization() == site.origin {
        return true;
    }
    let authority = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return false,
    };
    headers
        .get(header::HOST)
        .is_some_and(|host| host.as_bytes() == authority.as_bytes())
}

/// Login, logout and every back-office action.
fn is_back_office(path: &str) -> bool {
    path == "/admin" || path.starts_with("/admin/")
}

/// `https://host[:port]` of the base URL (validated by [`Config`]).
fn origin_of(base_url: &str) -> String {
    Url::parse(base_url).map_or_else(|_| String::new(), |url| url.origin().ascii_serialization())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn refused(path: &str, headers: &[(&str, &str)]) -> bool {
        let site = SameOrigin {
            origin: "https://baothang.example.vn".into(),
            allow_originless: false,
        };
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            let name = header::HeaderName::from_bytes(name.as_bytes()).unwrap();
            map.insert(name, HeaderValue::from_str(value).unwrap());
        }
        is_refused(&site, &Method::POST, path, &map)
    }

    #[test]
    fn a_referer_is_accepted_only_when_it_is_a_page_of_this_site() {
        let page = "https://baothang.example.vn/admin/articles/7";
        assert!(!refused("/admin/articles/7", &[("referer", page)]));
        for foreign in [
            "https://baothang.example.vn.evil.example/",
            "http://baothang.example.vn/admin",
            "https://baothang.example.vn:8443/admin",
            "about:blank",
            "not a url",
        ] {
            assert!(
                refused("/admin/articles/7", &[("referer", foreign)]),
                "{foreign}"
            );
            assert!(
                refused("/bai-viet/x/binh-luan", &[("referer", foreign)]),
                "{foreign}"
            );
        }
        // Reached by its Host rather than its base URL.
        let local = [
            ("host", "127.0.0.1:3000"),
            ("referer", "http://127.0.0.1:3000/admin"),
        ];
        assert!(!refused("/admin/login", &local));
    }

    #[test]
    fn without_any_evidence_only_the_back_office_refuses() {
        assert!(refused("/admin/login", &[]));
        assert!(refused("/admin", &[]));
        assert!(!refused("/administration", &[]));
        assert!(!refused("/bai-viet/x/binh-luan", &[]));
        // `Origin` and `Sec-Fetch-Site` are tower-http's to judge.
        assert!(!refused(
            "/admin/login",
            &[("origin", "https://evil.example")]
        ));
        assert!(!refused(
            "/admin/login",
            &[("sec-fetch-site", "same-origin")]
        ));
    }
}
