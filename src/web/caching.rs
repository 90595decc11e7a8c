//! HTTP caching: who may keep a copy of a response, and revalidation with `ETag`.
//!
//! Public pages, feeds and sitemaps (`GET`/`HEAD`, `200`) may be kept by browsers and by a shared
//! cache (nginx, a CDN) for a minute: `Cache-Control: public, max-age=60`. Each gets a weak
//! `ETag`, a hash of its uncompressed body, and a matching `If-None-Match` is answered
//! `304 Not Modified` without a body. The tag is weak because it names the content, not the
//! bytes: `CompressionLayer` (outside this layer) sends the same page gzip- or br-encoded, and
//! the view counter of an article, between [`IGNORE_START`] and [`IGNORE_END`], is left out of
//! the hash (a new count does not make a new version of the page).
//!
//! Never public: anything under `/admin` (`private, no-store`), any response that sets a cookie,
//! the comment pages and captcha images (their handlers say `no-store`), error pages (the
//! `error_pages` middleware says `no-store`), an article shown with the "comment received"
//! notice (`?binh-luan=…`, `no-store`), and every response to a request that carries the staff
//! session cookie (`private, no-cache`: the browser may keep it but revalidates each time).
//! A `Cache-Control` a handler set itself (static files, media, `no-store` pages) is kept as it
//! is, with the handler's own validators.

use axum::{
    body::{Body, HttpBody},
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use sha2::{Digest, Sha256};

use crate::{auth::session, error::ErrorPage};

/// Public pages, feeds and sitemaps: any cache may keep them for a minute.
const PUBLIC: &str = "public, max-age=60";
/// Public pages seen by a logged-in staff member: their browser only, checked every time.
const PRIVATE_REVALIDATE: &str = "private, no-cache";
/// The back office and anything that sets a cookie.
const PRIVATE_NO_STORE: &str = "private, no-store";
/// Pages meant for one reader at one moment (the comment notice).
const NO_STORE: &str = "no-store";

/// Marks the start of a part of an HTML page that is left out of its `ETag`.
const IGNORE_START: &str = "<!--etag-ignore-->";
/// Marks the end of a part left out of the `ETag`.
const IGNORE_END: &str = "<!--/etag-ignore-->";

/// Bodies up to this size are hashed; larger or streamed ones go out without an `ETag`.
const MAX_HASHED: u64 = 8 * 1024 * 1024;

/// What to do with a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    /// Touch nothing.
    Keep,
    /// Set this `Cache-Control`, no validator.
    Set(&'static str),
    /// Set this `Cache-Control`, add an `ETag` and answer `If-None-Match`.
    Validate(&'static str),
}

/// What the policy needs to know about the request.
struct RequestFacts {
    method: Method,
    path: String,
    query: Option<String>,
    staff: bool,
    if_none_match: Option<String>,
}

impl RequestFacts {
    fn of(request: &Request) -> Self {
        let headers = request.headers();
        Self {
            method: request.method().clone(),
            path: request.uri().path().to_owned(),
            query: request.uri().query().map(str::to_owned),
            staff: CookieJar::from_headers(headers)
                .get(session::COOKIE)
                .is_some(),
            if_none_match: if_none_match(headers),
        }
    }
}

/// The middleware (in `web::router`, inside `CompressionLayer` and `error_pages`).
pub(crate) async fn http_caching(request: Request, next: Next) -> Response {
    let facts = RequestFacts::of(&request);
    let response = next.run(request).await;
    match policy(&facts, response.status(), response.headers()) {
        Policy::Keep => response,
        Policy::Set(value) => with_cache_control(response, value),
        Policy::Validate(value) => validate(&facts, with_cache_control(response, value)).await,
    }
}

fn policy(request: &RequestFacts, status: StatusCode, headers: &HeaderMap) -> Policy {
    if headers.contains_key(header::CACHE_CONTROL) {
        return Policy::Keep; // the handler knows best (static files, media, no-store pages)
    }
    let path = request.path.as_str();
    if path == "/admin" || path.starts_with("/admin/") || headers.contains_key(header::SET_COOKIE) {
        return Policy::Set(PRIVATE_NO_STORE);
    }
    let readable = matches!(request.method, Method::GET | Method::HEAD);
    if !readable || status != StatusCode::OK || !cacheable_type(path, headers) {
        return Policy::Keep;
    }
    if is_per_reader(path, request.query.as_deref()) {
        return Policy::Set(NO_STORE);
    }
    if request.staff {
        Policy::Validate(PRIVATE_REVALIDATE)
    } else {
        Policy::Validate(PUBLIC)
    }
}

/// HTML pages, feeds, sitemaps and `robots.txt`.
fn cacheable_type(path: &str, headers: &HeaderMap) -> bool {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "text/html"
        | "application/rss+xml"
        | "application/atom+xml"
        | "application/xml"
        | "text/xml" => true,
        "text/plain" => path == "/robots.txt",
        _ => false,
    }
}

/// Pages that differ from one reader to the next, whatever their handler says.
fn is_per_reader(path: &str, query: Option<&str>) -> bool {
    let comment_page = path.starts_with("/bai-viet/")
        && (path.ends_with("/binh-luan") || path.ends_with("/binh-luan/"));
    let captcha = path == "/ma-kiem-tra.png" || path.starts_with("/ma-kiem-tra/");
    // `?binh-luan=cho-duyet`: "your comment is waiting for moderation", after a post.
    let comment_notice = query.is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "binh-luan")
    });
    comment_page || captcha || comment_notice
}

fn with_cache_control(mut response: Response, value: &'static str) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

/// Adds the `ETag` (unless the handler gave one) and `Vary`, and answers a matching
/// `If-None-Match` with `304`.
async fn validate(request: &RequestFacts, response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    if !vary_names(&parts.headers, "accept-encoding") {
        // CompressionLayer adds it too (once), but not to a 304, which must carry it.
        parts
            .headers
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }

    let (etag, body) = match parts.headers.get(header::ETAG).cloned() {
        Some(etag) => (etag, body),
        None => {
            let small = body
                .size_hint()
                .exact()
                .is_some_and(|size| size <= MAX_HASHED);
            if !small {
                return Response::from_parts(parts, body);
            }
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                tracing::error!(path = %request.path, "cannot read a response body to hash it");
                return ErrorPage::INTERNAL.into_response();
            };
            let html = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.starts_with("text/html"));
            let etag = weak_etag(&bytes, html);
            parts.headers.insert(header::ETAG, etag.clone());
            (etag, Body::from(bytes))
        }
    };

    let client_is_current = request
        .if_none_match
        .as_deref()
        .zip(etag.to_str().ok())
        .is_some_and(|(condition, etag)| none_match_fails(condition, etag));
    if !client_is_current {
        return Response::from_parts(parts, body);
    }
    // RFC 9110 §15.4.5: a 304 carries the validators and caching fields of the 200, no body.
    let mut not_modified = Response::new(Body::empty());
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
        for value in parts.headers.get_all(&name) {
            not_modified.headers_mut().append(&name, value.clone());
        }
    }
    not_modified
}

fn vary_names(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|field| field.trim().eq_ignore_ascii_case(name) || field.trim() == "*")
}

/// `W/"…"`: the first 128 bits of the SHA-256 of the body (for HTML, without the parts between
/// [`IGNORE_START`] and [`IGNORE_END`]).
fn weak_etag(body: &[u8], html: bool) -> HeaderValue {
    let mut hasher = Sha256::new();
    match std::str::from_utf8(body) {
        Ok(text) if html => {
            for part in kept_parts(text) {
                hasher.update(part.as_bytes());
            }
        }
        _ => hasher.update(body),
    }
    let digest = hasher.finalize();
    let hex = crate::text::hex(&digest[..16]);
    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a valid header value")
}

/// The text outside the ignored parts (an unclosed marker ignores the rest).
fn kept_parts(mut text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    while let Some(start) = text.find(IGNORE_START) {
        parts.push(&text[..start]);
        let rest = &text[start + IGNORE_START.len()..];
        match rest.find(IGNORE_END) {
            Some(end) => text = &rest[end + IGNORE_END.len()..],
            None => return parts,
        }
    }
    parts.push(text);
    parts
}

/// The request's `If-None-Match` conditions, all fields joined.
pub(crate) fn if_none_match(headers: &HeaderMap) -> Option<String> {
    let fields = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>();
    (!fields.is_empty()).then(|| fields.join(", "))
}

/// Whether `If-None-Match: condition` fails for `etag`, i.e. the client's copy is current
/// (RFC 9110 §13.1.2: weak comparison, `*` matches any current representation).
pub(crate) fn none_match_fails(condition: &str, etag: &str) -> bool {
    let opaque = |tag: &str| {
        tag.trim()
            .strip_prefix("W/")
            .unwrap_or(tag.trim())
            .to_owned()
    };
    let ours = opaque(etag);
    condition
        .split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(method: Method, uri: &str, staff: bool) -> RequestFacts {
        let (path, query) = match uri.split_once('?') {
            Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
            None => (uri.to_owned(), None),
        };
        RequestFacts {
            method,
            path,
            query,
            staff,
            if_none_match: None,
        }
    }

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), HeaderValue::from_static(value)))
            .collect()
    }

    fn html() -> HeaderMap {
        headers(&[(header::CONTENT_TYPE, "text/html; charset=utf-8")])
    }

    #[test]
    fn public_pages_and_feeds_are_public() {
        for uri in [
            "/",
            "/chuyen-muc/tin-tuc?trang=2",
            "/bai-viet/a",
            "/tim-kiem?q=lua",
        ] {
            let policy = policy(&facts(Method::GET, uri, false), StatusCode::OK, &html());
            assert_eq!(policy, Policy::Validate(PUBLIC), "{uri}");
        }
        let rss = headers(&[(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")]);
        let head = facts(Method::HEAD, "/rss.xml", false);
        assert_eq!(
            policy(&head, StatusCode::OK, &rss),
            Policy::Validate(PUBLIC)
        );
        let robots = headers(&[(header::CONTENT_TYPE, "text/plain; charset=utf-8")]);
        let get = |uri| facts(Method::GET, uri, false);
        assert_eq!(
            policy(&get("/robots.txt"), StatusCode::OK, &robots),
            Policy::Validate(PUBLIC)
        );
        assert_eq!(
            policy(&get("/healthz"), StatusCode::OK, &robots),
            Policy::Keep
        );
    }

    #[test]
    fn nothing_private_is_public() {
        let get = |uri| facts(Method::GET, uri, false);
        assert_eq!(
            policy(&get("/admin/articles"), StatusCode::OK, &html()),
            Policy::Set(PRIVATE_NO_STORE)
        );
        assert_eq!(
            policy(
                &get("/admin/login"),
                StatusCode::SEE_OTHER,
                &HeaderMap::new()
            ),
            Policy::Set(PRIVATE_NO_STORE)
        );
        assert_eq!(
            policy(&get("/bai-viet/a/binh-luan"), StatusCode::OK, &html()),
            Policy::Set(NO_STORE)
        );
        assert_eq!(
            policy(
                &get("/bai-viet/a?binh-luan=cho-duyet"),
                StatusCode::OK,
                &html()
            ),
            Policy::Set(NO_STORE)
        );
        let mut cookie = html();
        cookie.insert(header::SET_COOKIE, HeaderValue::from_static("a=b"));
        assert_eq!(
            policy(&get("/"), StatusCode::OK, &cookie),
            Policy::Set(PRIVATE_NO_STORE)
        );
        assert_eq!(
            policy(&facts(Method::GET, "/", true), StatusCode::OK, &html()),
            Policy::Validate(PRIVATE_REVALIDATE)
        );
        assert_eq!(
            policy(&get("/khong-co"), StatusCode::NOT_FOUND, &html()),
            Policy::Keep
        );
        assert_eq!(
            policy(&facts(Method::POST, "/", false), StatusCode::OK, &html()),
            Policy::Keep
        );
    }

    #[test]
    fn a_handlers_own_cache_control_is_kept() {
        let mut set = html();
        set.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for uri in ["/", "/admin/articles/1/preview"] {
            let policy = policy(&facts(Method::GET, uri, true), StatusCode::OK, &set);
            assert_eq!(policy, Policy::Keep, "{uri}");
        }
    }

    #[test]
    fn the_etag_ignores_the_marked_parts_only() {
        let page = |views: &str| {
            format!("<p>Bài</p><p>{IGNORE_START}Lượt xem: {views}{IGNORE_END}</p><p>Hết</p>")
        };
        assert_eq!(
            weak_etag(page("1").as_bytes(), true),
            weak_etag(page("1.234").as_bytes(), true)
        );
        assert_ne!(
            weak_etag(page("1").as_bytes(), true),
            weak_etag(page("1").replace("Hết", "Hết.").as_bytes(), true)
        );
        // Not HTML: every byte counts.
        assert_ne!(
            weak_etag(page("1").as_bytes(), false),
            weak_etag(page("2").as_bytes(), false)
        );
        let tag = weak_etag(b"x", false);
        let tag = tag.to_str().unwrap();
        assert!(
            tag.starts_with("W/\"") && tag.ends_with('"') && tag.len() == 36,
            "{tag}"
        );
        assert_eq!(kept_parts("a<!--etag-ignore-->b"), ["a"]);
    }

    #[test]
    fn if_none_match_uses_weak_comparison() {
        let etag = r#"W/"abc""#;
        assert!(none_match_fails(r#"W/"abc""#, etag));
        assert!(none_match_fails(r#""abc""#, etag));
        assert!(none_match_fails(r#""x", W/"abc""#, etag));
        assert!(none_match_fails("*", etag));
        assert!(!none_match_fails(r#"W/"abd""#, etag));
        assert!(!none_match_fails("", etag));
    }
}
