//! The page cache: public responses (pages, feeds, sitemaps, robots.txt) kept in memory,
//! already compressed (br, gzip and identity) with their `ETag`, and served without touching
//! the database or compressing anything.
//!
//! A response is kept when the HTTP caching policy made it public (`web::caching`): `200`,
//! `Cache-Control: public, max-age=60`, no cookie set. Requests from logged-in staff neither
//! read nor fill it; per-reader pages are never public. The key is the path and the query
//! with its parameters sorted. Concurrent misses for one key render it once (the others
//! wait for that render). The content is never stale: every write that readers could see
//! clears the cache, on this instance at once (see [`clear_after_write`]) and on every instance
//! through PostgreSQL `NOTIFY` (`crate::changes`); while this instance cannot hear those
//! notifications it neither reads nor fills the cache. Entries also expire after
//! [`TIME_TO_LIVE`], so the view counts they show are at most that old.

use std::{
    io::Write,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use moka::{future::Cache, notification::RemovalCause};

use crate::{AppState, auth::session, metrics, web::caching};

/// How long an entry lives at most: the view counts on a page are at most this old.
pub const TIME_TO_LIVE: Duration = Duration::from_secs(10);
/// Largest body kept (a full sitemap is about 8 MB).
const MAX_BODY: usize = 32 * 1024 * 1024;
/// Brotli quality for stored pages: most of the gain of 11 for a fraction of the time.
const BROTLI_QUALITY: u32 = 5;

/// Marks the response of an article page, so that a view served from the cache is counted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArticleView(pub i64);

/// A response as stored: its headers, and its body in each encoding.
#[derive(Debug)]
struct CachedPage {
    headers: HeaderMap,
    identity: Bytes,
    gzip: Bytes,
    br: Bytes,
    article: Option<i64>,
    /// The route template it was rendered for, for the request metrics.
    route: Option<MatchedPath>,
}

/// What the server keeps; see the module.
pub struct PageCache {
    pages: Option<Cache<String, Arc<CachedPage>>>,
    /// Bumped by every clear and part of every key: a page whose render began before a
    /// change is stored under a key no later request asks for.
    generation: AtomicU64,
    /// Whether invalidations reach this instance (the listener is connected).
    trusted: AtomicBool,
    hits: AtomicU64,
    renders: AtomicU64,
}

impl PageCache {
    /// A cache of at most `max_bytes` (0: no cache).
    pub fn new(max_bytes: u64) -> Self {
        let pages = (max_bytes > 0).then(|| {
            Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|key: &String, page: &Arc<CachedPage>| {
                    let size = key.len() + page.identity.len() + page.gzip.len() + page.br.len();
                    u32::try_from(size).unwrap_or(u32::MAX)
                })
                .time_to_live(TIME_TO_LIVE)
                .eviction_listener(|_, _, cause| metrics::page_cache_eviction(cause_name(cause)))
                .build()
        });
        Self {
            pages,
            generation: AtomicU64::new(0),
            trusted: AtomicBool::new(true),
            hits: AtomicU64::new(0),
            renders: AtomicU64::new(0),
        }
    }

    /// Forgets every page: something readers see has changed.
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Some(pages) = &self.pages {
            pages.invalidate_all();
        }
    }

    /// Whether invalidations reach this instance; while they do not, the cache is emptied and
    /// left unused.
    pub fn set_trusted(&self, trusted: bool) {
        if !trusted {
            self.clear();
        }
        self.trusted.store(trusted, Ordering::SeqCst);
    }

    /// Whether invalidations reach this instance (so the cache is in use).
    pub fn is_trusted(&self) -> bool {
        self.trusted.load(Ordering::SeqCst)
    }

    /// The number of changes this instance has heard of, while it hears of them: data
    /// derived from the database under one generation is current as long as it lasts.
    pub fn generation(&self) -> Option<u64> {
        self.is_trusted()
            .then(|| self.generation.load(Ordering::SeqCst))
    }

    /// Responses served from the cache, and pages rendered to fill it.
    pub fn counts(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.renders.load(Ordering::Relaxed),
        )
    }

    /// Pages kept and the bytes they take (for `/metrics`).
    pub async fn size(&self) -> (u64, u64) {
        match &self.pages {
            Some(pages) => {
                pages.run_pending_tasks().await;
                (pages.entry_count(), pages.weighted_size())
            }
            None => (0, 0),
        }
    }

    fn usable(&self) -> Option<&Cache<String, Arc<CachedPage>>> {
        self.pages
            .as_ref()
            .filter(|_| self.trusted.load(Ordering::SeqCst))
    }
}

/// The middleware (in `web::router`, inside `CompressionLayer`, outside `error_pages` and the
/// HTTP caching policy).
pub(crate) async fn page_cache(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(pages) = state.page_cache.usable() else {
        return next.run(request).await;
    };
    if !eligible(&request) {
        return next.run(request).await;
    }
    let key = format!(
        "{}:{}",
        state.page_cache.generation.load(Ordering::SeqCst),
        key(&request)
    );
    let answer = Answer::of(&request);
    if let Some(page) = pages.get(&key).await {
        return served(&state, &page, &answer);
    }
    metrics::page_cache_miss();

    // A miss: render it as a plain GET (so that a full body is kept) once for every request
    // waiting on this key.
    let (mut parts, _) = request.into_parts();
    parts.method = Method::GET;
    parts.headers.remove(header::IF_NONE_MATCH);
    let own_response = Mutex::new(None);
    let rendered_here = AtomicBool::new(false);
    let render = async {
        rendered_here.store(true, Ordering::Relaxed);
        let request = Request::from_parts(parts.clone(), Body::empty());
        let response = next.clone().run(request).await;
        match CachedPage::of(response).await {
            Ok(page) => {
                state.page_cache.renders.fetch_add(1, Ordering::Relaxed);
                Ok(Arc::new(page))
            }
            Err(response) => {
                *own_response.lock().expect("not poisoned") = Some(response);
                Err(())
            }
        }
    };
    match pages.try_get_with(key, render).await {
        Ok(page) if rendered_here.load(Ordering::Relaxed) => page.respond(&answer),
        Ok(page) => served(&state, &page, &answer),
        Err(_) => match own_response.into_inner().expect("not poisoned") {
            Some(response) => response,
            // Another request's render was not kept (an error page, say): render our own.
            None => next.run(Request::from_parts(parts, Body::empty())).await,
        },
    }
}

/// A page from the cache, counted as a view of its article.
fn served(state: &AppState, page: &CachedPage, answer: &Answer) -> Response {
    state.page_cache.hits.fetch_add(1, Ordering::Relaxed);
    metrics::page_cache_hit();
    if let Some(article_id) = page.article {
        state.views.record(article_id);
    }
    page.respond(answer)
}

fn cause_name(cause: RemovalCause) -> &'static str {
    match cause {
        RemovalCause::Size => "size",
        RemovalCause::Expired => "expired",
        RemovalCause::Explicit => "explicit",
        RemovalCause::Replaced => "replaced",
    }
}

/// `GET` or `HEAD` of a page (not a file, not the health check, not the visitor counter's
/// image) by someone without a staff session.
fn eligible(request: &Request) -> bool {
    let path = request.uri().path();
    matches!(*request.method(), Method::GET | Method::HEAD)
        && !path.starts_with("/static/")
        && !path.starts_with("/media/")
        && !path.starts_with("/tai-lieu/")
        && !path.starts_with("/admin")
        && !matches!(path, "/healthz" | "/readyz" | "/metrics")
        && path != crate::web::public::visitors::PIXEL_URL
        && CookieJar::from_headers(request.headers())
            .get(session::COOKIE)
            .is_none()
}

/// The path, and the query's parameters in sorted order.
fn key(request: &Request) -> String {
    let uri = request.uri();
    let mut pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
    if pairs.is_empty() {
        return uri.path().to_owned();
    }
    pairs.sort();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{}?{query}", uri.path())
}

/// How a request wants its answer.
struct Answer {
    encoding: Encoding,
    head: bool,
    if_none_match: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Answer {
    fn of(request: &Request) -> Self {
        let headers = request.headers();
        let accepted = |name: &str| {
            headers
                .get_all(header::ACCEPT_ENCODING)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .any(|item| {
                    let mut fields = item.split(';');
                    let coding = fields.next().unwrap_or_default().trim();
                    let refused = fields.any(|field| {
                        field
                            .trim()
                            .strip_prefix("q=")
                            .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
                    });
                    coding.eq_ignore_ascii_case(name) && !refused
                })
        };
        let encoding = if accepted("br") {
            Encoding::Brotli
        } else if accepted("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        };
        Self {
            encoding,
            head: request.method() == Method::HEAD,
            if_none_match: caching::if_none_match(headers),
        }
    }
}

/// Headers of a kept response that go out again.
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::CACHE_CONTROL,
    header::ETAG,
    header::CONTENT_LANGUAGE,
];

impl CachedPage {
    /// The response, compressed, when it may be kept; the response itself otherwise.
    async fn of(response: Response) -> Result<Self, Response> {
        let headers = response.headers();
        let public = headers
            .get(header::CACHE_CONTROL)
            .is_some_and(|value| value.as_bytes().starts_with(b"public"));
        if response.status() != StatusCode::OK
            || !public
            || headers.contains_key(header::SET_COOKIE)
            || headers.contains_key(header::CONTENT_ENCODING)
        {
            return Err(response);
        }
        let (parts, body) = response.into_parts();
        let article = parts.extensions.get::<ArticleView>().map(|view| view.0);
        let route = parts.extensions.get::<MatchedPath>().cloned();
        let identity = match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "cannot read a response to keep it");
                return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
            }
        };
        let mut kept = HeaderMap::new();
        for name in KEPT_HEADERS {
            if let Some(value) = parts.headers.get(&name) {
                kept.insert(name, value.clone());
            }
        }
        let (gzip, br) = tokio::task::spawn_blocking({
            let identity = identity.clone();
            move || (gzip(&identity), brotli(&identity))
        })
        .await
        .expect("compression does not panic");
        Ok(Self {
            headers: kept,
            identity,
            gzip,
            br,
            article,
            route,
        })
    }

    fn respond(&self, answer: &Answer) -> Response {
        let etag = self.headers.get(header::ETAG);
        let current = answer
            .if_none_match
            .as_deref()
            .zip(etag.and_then(|etag| etag.to_str().ok()))
            .is_some_and(|(condition, etag)| caching::none_match_fails(condition, etag));
        let mut response = if current {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            for name in [header::ETAG, header::CACHE_CONTROL] {
                if let Some(value) = self.headers.get(&name) {
                    response.headers_mut().insert(name, value.clone());
                }
            }
            response
        } else {
            let (body, coding) = match answer.encoding {
                Encoding::Brotli => (&self.br, Some("br")),
                Encoding::Gzip => (&self.gzip, Some("gzip")),
                Encoding::Identity => (&self.identity, None),
            };
            let length = body.len();
            let body = if answer.head {
                Body::empty()
            } else {
                Body::from(body.clone())
            };
            let mut response = Response::new(body);
            *response.headers_mut() = self.headers.clone();
            if let Some(coding) = coding {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
            }
            response
                .headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            response
        };
        response
            .headers_mut()
            .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(route) = &self.route {
            response.extensions_mut().insert(route.clone());
        }
        response
    }
}

fn gzip(bytes: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("writing to memory");
    Bytes::from(encoder.finish().expect("writing to memory"))
}

fn brotli(bytes: &[u8]) -> Bytes {
    let mut out = Vec::new();
    {
        let mut encoder = brotli::CompressorWriter::new(&mut out, 64 * 1024, BROTLI_QUALITY, 22);
        encoder.write_all(bytes).expect("writing to memory");
    }
    Bytes::from(out)
}

/// After a change made through this instance (a successful unsafe request to the back
/// office), the menu and the pages are read again at once, without waiting for the
/// notification that tells the other instances.
pub(crate) async fn clear_after_write(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let response = next.run(request).await;
    let changed = response.status().is_success() || response.status().is_redirection();
    if unsafe_method && changed {
        if let Err(error) = state.site.refresh(&state.db).await {
            tracing::warn!(%error, "could not re-read the menu and settings after a change");
        }
        state.page_cache.clear();
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.body(Body::empty()).unwrap()
    }

    #[test]
    fn keys_sort_the_query() {
        assert_eq!(
            key(&request("/tim-kiem?q=bao+thang&trang=2", &[])),
            key(&request("/tim-kiem?trang=2&q=bao%20thang", &[]))
        );
        assert_eq!(key(&request("/", &[])), "/");
        assert_ne!(
            key(&request("/chuyen-muc/a?trang=2", &[])),
            key(&request("/chuyen-muc/a", &[]))
        );
    }

    #[test]
    fn the_best_accepted_encoding_is_chosen() {
        let encoding =
            |value: &str| Answer::of(&request("/", &[("accept-encoding", value)])).encoding;
        assert_eq!(encoding("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(encoding("gzip"), Encoding::Gzip);
        assert_eq!(encoding("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(encoding("identity"), Encoding::Identity);
        assert_eq!(Answer::of(&request("/", &[])).encoding, Encoding::Identity);
    }

    #[test]
    fn staff_and_files_do_not_use_the_cache() {
        assert!(eligible(&request("/bai-viet/x", &[])));
        assert!(!eligible(&request(
            "/bai-viet/x",
            &[("cookie", "toasoan_session=abc")]
        )));
        assert!(!eligible(&request("/static/site.css", &[])));
        assert!(!eligible(&request("/tai-lieu/3/nghi-quyet.pdf", &[])));
        assert!(!eligible(&request("/admin", &[])));
    }

    #[test]
    fn stored_encodings_decode_to_the_page() {
        let page = "<p>Bảo Thắng phát huy tinh thần đoàn kết</p>".repeat(50);
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&gzip(page.as_bytes())[..]),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, page);
        let mut decoded = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(page.as_bytes())[..], &mut decoded).unwrap();
        assert_eq!(decoded, page.as_bytes());
    }
}
