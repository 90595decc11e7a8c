//! Test fixtures: an app over a fresh database, requests, and rows to read pages from.

use std::{
    io::Write,
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU32, Ordering},
};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use toasoan::{
    AppState,
    auth::{Role, password, session},
    config::{Config, Smtp},
    db::{self, articles::NewArticle, categories::NewCategory, users::NewUser},
    text::slugify,
    web,
};
use tokio::sync::OnceCell;
use tower::ServiceExt;

pub struct TestApp {
    pub state: AppState,
    router: Router,
    _media: tempfile::TempDir,
}

pub struct TestResponse {
    /// What was asked, e.g. `POST /admin/categories`, for the messages of failed assertions.
    pub request: String,
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map(|v| v.to_str().expect("ASCII header"))
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn assert_contains(&self, needle: &str) {
        assert!(
            self.body.contains(needle),
            "expected {needle:?} in the page ({}):\n{}",
            self.status,
            self.body
        );
    }

    #[track_caller]
    pub fn assert_not_contains(&self, needle: &str) {
        assert!(!self.body.contains(needle), "did not expect {needle:?} in the page");
    }

    /// Position of `needle` in the body, to check the order of things on a page.
    #[track_caller]
    pub fn position(&self, needle: &str) -> usize {
        self.body
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in the page"))
    }
}

/// The answer to a form post: a 303 See Other to `location`.
#[track_caller]
pub fn assert_redirect(response: &TestResponse, location: &str) {
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}: {}", response.request, response.body);
    assert_eq!(response.header(header::LOCATION), location, "{}", response.request);
}

/// The response's `Cache-Control` header is exactly `expected` (`""`: none).
#[track_caller]
pub fn assert_cache_control(response: &TestResponse, expected: &str) {
    assert_eq!(
        response.header(header::CACHE_CONTROL),
        expected,
        "Cache-Control of {}",
        response.request
    );
}

/// The id in a redirect to `{prefix}{id}`, with or without a query string: where a form that
/// created something sends the browser.
#[track_caller]
pub fn location_id(response: &TestResponse, prefix: &str) -> i64 {
    let location = response.header(header::LOCATION);
    let rest = location.strip_prefix(prefix).unwrap_or_else(|| {
        panic!(
            "{}: expected a redirect to {prefix}…, got {} {location:?}: {}",
            response.request, response.status, response.body
        )
    });
    let id = rest.split('?').next().unwrap_or_default();
    id.parse()
        .unwrap_or_else(|_| panic!("{}: no id in {location:?}", response.request))
}

pub fn test_config(media_dir: &std::path::Path) -> Config {
    let media = media_dir.to_string_lossy().into_owned();
    Config::from_lookup(|name| match name {
        "TOASOAN_MEDIA_DIR" => Some(media.clone()),
        "TOASOAN_BASE_URL" => Some("https://baothang.example.vn".into()),
        // Most tests change rows directly between requests; the page cache has its own tests.
        "TOASOAN_PAGE_CACHE_MB" => Some("0".into()),
        _ => None,
    })
    .expect("test configuration")
}

impl TestApp {
    /// The app over `db`; categories that exist now are in its menu (see [`Self::refresh`]).
    pub async fn new(db: PgPool) -> Self {
        Self::with_config(db, |_| {}).await
    }

    /// The app with some settings changed from the test defaults.
    pub async fn with_config(db: PgPool, change: impl FnOnce(&mut Config)) -> Self {
        // Errors the app logs show up in the output of a failing test.
        let _ = tracing_subscriber::fmt()
            .with_env_filter("toasoan=warn")
            .with_test_writer()
            .try_init();
        let media = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(media.path());
        change(&mut config);
        let state = AppState::new(db, config).await.expect("app state");
        Self {
            router: web::router(state.clone()),
            state,
            _media: media,
        }
    }

    /// The app sending its notices by e-mail through the SMTP server at `url`.
    pub async fn with_mail(db: PgPool, url: &str) -> Self {
        Self::with_config(db, |config| {
            config.smtp = Some(Smtp {
                url: url.to_owned(),
                from: MAIL_FROM.parse().expect("sender"),
            });
        })
        .await
    }

    /// One round of the mail job, as a running server does it every few seconds.
    pub async fn send_mail(&self) -> toasoan::mail::Round {
        let smtp = self.state.config.smtp.as_ref().expect("an app with mail");
        let mailer = toasoan::mail::Mailer::new(smtp).expect("mailer");
        toasoan::mail::send_due(&self.state.db, &mailer)
            .await
            .expect("mail round")
    }

    /// The app with its page cache on, hearing about changes like a running server.
    pub async fn with_page_cache(db: PgPool) -> Self {
        let app = Self::with_config(db, |config| config.page_cache_bytes = 64 * 1024 * 1024).await;
        app.state.page_cache.set_trusted(false);
        tokio::spawn(toasoan::changes::listen(app.state.clone()));
        let started = std::time::Instant::now();
        while !app.state.page_cache.is_trusted() {
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "no listener");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        app
    }

    /// The app over a state a test built itself (another pool, another database).
    pub async fn with_state(state: AppState) -> Self {
        Self {
            router: web::router(state.clone()),
            state,
            _media: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A login form post from a browser at `ip`.
    pub async fn login_from(&self, ip: &str, login: &str, password: &str) -> TestResponse {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([("login", login), ("password", password)])
            .finish();
        let request = Request::post("/admin/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, ORIGIN)
            .header("sec-fetch-site", "same-origin")
            .header(header::REFERER, format!("{ORIGIN}/admin/login"))
            .body(Body::from(body))
            .unwrap();
        self.request(from_ip(request, ip)).await
    }

    pub fn media_dir(&self) -> &std::path::Path {
        self._media.path()
    }

    /// Re-reads the menu and settings after a test changed them.
    pub async fn refresh(&self) {
        self.state
            .site
            .refresh(&self.state.db)
            .await
            .expect("refresh");
    }

    /// A page as an anonymous visitor gets it (see [`Staff::get`] for a logged-in one).
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.get_with_cookie(None, uri).await
    }

    /// A form post by an anonymous visitor (see [`Staff::post`] for a logged-in one).
    pub async fn post(&self, uri: &str, fields: &[(&str, &str)]) -> TestResponse {
        self.post_form(None, uri, fields).await
    }

    /// A GET with these headers.
    pub async fn get_with(
        &self,
        uri: &str,
        headers: &[(header::HeaderName, &str)],
    ) -> TestResponse {
        let mut request = Request::get(uri);
        for (name, value) in headers {
            request = request.header(name, *value);
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        self.request_raw(request).await.0
    }

    /// The response, and its body exactly as sent (compressed, say).
    pub async fn request_raw(&self, request: Request<Body>) -> (TestResponse, Vec<u8>) {
        let asked = format!("{} {}", request.method(), request.uri());
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        let response = TestResponse {
            request: asked,
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        (response, bytes.to_vec())
    }
}

/// A logged-in staff member: their account and the cookie of a live session. Their requests
/// are one line each: `editor.get(&app, "/admin")`, `editor.post(&app, uri, &[("name", "…")])`.
pub struct Staff {
    pub user_id: i64,
    pub username: String,
    pub cookie: String,
}

/// The password every test account gets.
pub const PASSWORD: &str = "mật-khẩu-thử-nghiệm";

/// Where the test site lives: forms are posted from here.
pub const ORIGIN: &str = "https://baothang.example.vn";

impl TestApp {
    /// A new active account with `role`, logged in.
    pub async fn staff(&self, role: Role) -> Staff {
        log_in(&self.state.db, role).await
    }

    async fn get_with_cookie(&self, cookie: Option<&str>, uri: &str) -> TestResponse {
        let mut request = Request::get(uri);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        self.request(request.body(Body::empty()).unwrap()).await
    }

    /// A form post from a page of this site, as a browser sends it.
    async fn post_form(
        &self,
        cookie: Option<&str>,
        uri: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = from_this_site(uri, "application/x-www-form-urlencoded", cookie);
        self.request(request.body(Body::from(body)).unwrap()).await
    }
}

/// A new active account with `role` in `db`, with a live session.
pub async fn log_in(db: &PgPool, role: Role) -> Staff {
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    let username = format!("{}{n}", role.as_str());
    let user_id = create_user(db, &username, role).await;
    let token = session::new_token();
    db::sessions::insert(db, &session::hash(&token), user_id, "127.0.0.1", "test")
        .await
        .expect("session");
    Staff {
        user_id,
        username,
        cookie: format!("{}={token}", session::COOKIE),
    }
}

/// `request` as if it came over a connection from `ip`.
fn from_ip(mut request: Request<Body>, ip: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = format!("{ip}:50000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

/// A POST from a page of this site, with the headers a browser sends (`Origin`,
/// `Sec-Fetch-Site`, `Referer`: the cross-site check reads them).
fn from_this_site(
    uri: &str,
    content_type: &str,
    cookie: Option<&str>,
) -> axum::http::request::Builder {
    let mut request = Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::REFERER, format!("{ORIGIN}{uri}"));
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request
}

impl Staff {
    pub async fn get(&self, app: &TestApp, uri: &str) -> TestResponse {
        app.get_with_cookie(Some(&self.cookie), uri).await
    }

    /// A form post from a page of this site, as a browser sends it.
    pub async fn post(&self, app: &TestApp, uri: &str, fields: &[(&str, &str)]) -> TestResponse {
        app.post_form(Some(&self.cookie), uri, fields).await
    }

    /// A POST of `body` as `content_type` from a page of this site, as a script's `fetch` sends
    /// it (the editor's autosave sends JSON).
    pub async fn post_body(
        &self,
        app: &TestApp,
        uri: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> TestResponse {
        let request = from_this_site(uri, content_type, Some(&self.cookie));
        app.request(request.body(body.into()).unwrap()).await
    }

    /// A multipart form post (a form with a file input), as a browser sends it.
    pub async fn post_multipart(&self, app: &TestApp, uri: &str, form: Multipart) -> TestResponse {
        let (content_type, body) = form.finish();
        let request = from_this_site(uri, &content_type, Some(&self.cookie));
        app.request(request.body(Body::from(body)).unwrap()).await
    }

    /// A multipart form post from a browser at `ip` (what the audit log records).
    pub async fn post_multipart_from(
        &self,
        app: &TestApp,
        ip: &str,
        uri: &str,
        form: Multipart,
    ) -> TestResponse {
        let (content_type, body) = form.finish();
        let request = from_this_site(uri, &content_type, Some(&self.cookie));
        app.request(from_ip(request.body(Body::from(body)).unwrap(), ip))
            .await
    }

    /// A form post from a browser at `ip`.
    pub async fn post_from(
        &self,
        app: &TestApp,
        ip: &str,
        uri: &str,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let content_type = "application/x-www-form-urlencoded";
        let request = from_this_site(uri, content_type, Some(&self.cookie));
        app.request(from_ip(request.body(Body::from(body)).unwrap(), ip))
            .await
    }
}

/// [`PASSWORD`] hashed once for the whole run: argon2id is slow on purpose, and hashing it
/// again for every test account only cost time (each hash has its own salt; none of the tests
/// compares two accounts' hashes).
async fn password_hash() -> &'static str {
    static HASH: OnceCell<String> = OnceCell::const_new();
    HASH.get_or_init(|| async { password::hash(PASSWORD.into()).await.expect("hash") })
        .await
}

/// An active account with [`PASSWORD`].
pub async fn create_user(db: &PgPool, username: &str, role: Role) -> i64 {
    let hash = password_hash().await;
    db::users::insert(
        db,
        &NewUser {
            username,
            email: Some(&format!("{username}@example.vn")),
            display_name: &format!("Nhà báo {username}"),
            role,
            password_hash: hash,
        },
    )
    .await
    .expect("insert user")
}

/// A multipart/form-data body.
#[derive(Default)]
pub struct Multipart {
    parts: Vec<u8>,
}

const BOUNDARY: &str = "toasoan-test-boundary-7MA4YWxkTrZu0gW";

impl Multipart {
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.parts.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
        self
    }

    pub fn file(mut self, name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> Self {
        self.parts.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.parts.extend_from_slice(bytes);
        self.parts.extend_from_slice(b"\r\n");
        self
    }

    pub fn fields(self, fields: &[(&str, &str)]) -> Self {
        fields
            .iter()
            .fold(self, |form, (name, value)| form.text(name, value))
    }

    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.parts
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={BOUNDARY}"), self.parts)
    }
}

static UNIQUE: AtomicU32 = AtomicU32::new(0);

pub async fn category(db: &PgPool, name: &str, parent_id: Option<i64>) -> i64 {
    let position = i32::try_from(UNIQUE.fetch_add(1, Ordering::Relaxed)).unwrap();
    db::categories::upsert_by_slug(
        db,
        &NewCategory {
            parent_id,
            name,
            slug: &slugify(name),
            description: "",
            position,
        },
    )
    .await
    .expect("insert category")
}

/// A published article in `category_id`, `hours_ago` hours old.
pub struct ArticleFixture<'a> {
    pub title: &'a str,
    pub category_id: i64,
    pub hours_ago: i64,
    pub views: i64,
    pub sapo: &'a str,
    pub body_html: &'a str,
    pub byline: &'a str,
}

impl<'a> ArticleFixture<'a> {
    pub fn new(title: &'a str, category_id: i64) -> Self {
        Self {
            title,
            category_id,
            hours_ago: 1,
            views: 0,
            sapo: "Tóm tắt bài viết.",
            body_html: "<p>Nội dung bài viết.</p>",
            byline: "Phóng viên",
        }
    }

    pub fn hours_ago(mut self, hours: i64) -> Self {
        self.hours_ago = hours;
        self
    }

    pub fn views(mut self, views: i64) -> Self {
        self.views = views;
        self
    }

    pub async fn insert(self, db: &PgPool) -> i64 {
        let published_at = OffsetDateTime::now_utc() - Duration::hours(self.hours_ago);
        db::articles::insert_published(
            db,
            &NewArticle {
                slug: &slugify(self.title),
                title: self.title,
                sapo: self.sapo,
                body_html: self.body_html,
                cover_image: None,
                cover_caption: "",
                cover_alt: "",
                byline: self.byline,
                author_id: None,
                category_id: self.category_id,
                published_at,
                view_count: self.views,
            },
        )
        .await
        .expect("insert article")
        .expect("new slug")
    }
}

pub async fn count(db: &PgPool, table: &str) -> i64 {
    let sql = match table {
        "article" => "select count(*) from article",
        "category" => "select count(*) from category",
        "comment" => "select count(*) from comment",
        "session" => "select count(*) from session",
        "article_revision" => "select count(*) from article_revision",
        "audit_log" => "select count(*) from audit_log",
        "app_user" => "select count(*) from app_user",
        "media_image" => "select count(*) from media_image",
        "media_file" => "select count(*) from media_file",
        other => panic!("no count query for {other}"),
    };
    sqlx::query_scalar(sql).fetch_one(db).await.expect("count")
}

/// The URL of the test's own database, for the binary.
/// The URL of `db`'s database: its server, user and database (a test's own, or a throwaway
/// cluster's), with the password and parameters of `TOASOAN_TEST_DATABASE_URL`.
pub fn database_url(db: &PgPool) -> String {
    let options = db.connect_options();
    let mut url =
        url::Url::parse(&crate::test_db::url_of(options.get_database().unwrap())).unwrap();
    url.set_host(Some(options.get_host())).unwrap();
    url.set_port(Some(options.get_port())).unwrap();
    url.set_username(options.get_username()).unwrap();
    url.into()
}

pub fn toasoan(db: &PgPool, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_toasoan"))
        .args(args)
        .env("DATABASE_URL", database_url(db))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The sender of the test site's e-mail.
pub const MAIL_FROM: &str = "Tòa Soạn Bảo Thắng <toasoan@baothang.example.vn>";

/// The pinned SMTP server the mail tests start (as `.ci/run` installs it).
pub const AIOSMTPD: &str = "aiosmtpd==1.4.6";

/// A port nothing listens on (for now).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// A real SMTP server for one test: PyPI's aiosmtpd, keeping what it receives in a maildir.
/// Stopped when dropped.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    maildir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// An e-mail as the SMTP server received it, headers decoded.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ReceivedMail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Reads a maildir with Python's own e-mail parser: headers and text decoded.
const READ_MAILDIR: &str = r#"
import email, email.policy, json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], create=False)
out = []
for key in sorted(box.keys()):
    m = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
    out.append({"from": str(m["from"]), "to": str(m["to"]), "subject": str(m["subject"]),
                "body": m.get_body(("plain",)).get_content()})
print(json.dumps(out))
"#;

impl SmtpSink {
    pub async fn start() -> Self {
        Self::start_on(free_port()).await
    }

    /// The server on `port` (a test that needs the server down at first picks the port).
    pub async fn start_on(port: u16) -> Self {
        let installed = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        assert!(
            installed,
            "the mail tests need a real SMTP server, PyPI's aiosmtpd: \
             python3 -m pip install '{AIOSMTPD}'"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        // aiosmtpd's Mailbox creates the maildir (with its tmp/new/cur) when it is missing.
        let maildir = dir.path().join("maildir");
        let mut child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 -m aiosmtpd");
        let started = std::time::Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.try_wait().expect("aiosmtpd status") {
                let output = child.wait_with_output().expect("aiosmtpd output");
                panic!("aiosmtpd stopped ({status}): {}", String::from_utf8_lossy(&output.stderr));
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(15),
                "aiosmtpd did not listen on {port}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Self {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        if !self.maildir.exists() {
            return Vec::new();
        }
        let output = Command::new("python3")
            .args(["-c", READ_MAILDIR])
            .arg(&self.maildir)
            .output()
            .expect("python3");
        assert!(
            output.status.success(),
            "reading the maildir: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("maildir as JSON")
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
