//! The database going away, and the process starting and stopping.

use std::{
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::{AppState, server, web};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::Mutex,
    task::JoinHandle,
};

use crate::{
    support::{ArticleFixture, ORIGIN, category, test_config},
    test_db,
};

/// A TCP proxy in front of PostgreSQL that can be cut (every connection dropped, new ones
/// closed at once) and restored, to play the database going away without stopping it.
pub(crate) struct Proxy {
    pub(crate) port: u16,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    pub(crate) async fn start(upstream: (String, u16)) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let links = Arc::new(Mutex::new(Vec::new()));
        let (accept_up, accept_links) = (up.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !accept_up.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection closed
                }
                let upstream = upstream.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                accept_links.lock().await.push(link);
            }
        });
        Self { port, up, links }
    }

    pub(crate) async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().await.drain(..) {
            link.abort();
        }
    }

    pub(crate) fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// The application over a database reached through a [`Proxy`] (and its media directory).
async fn app_behind_proxy(db: &PgPool) -> (axum::Router, Proxy, tempfile::TempDir) {
    let direct = db.connect_options();
    let proxy = Proxy::start((direct.get_host().to_owned(), direct.get_port())).await;
    let through_proxy = (*direct).clone().host("127.0.0.1").port(proxy.port);
    let pool = server::pool_options().connect_lazy_with(through_proxy);
    let media = tempfile::tempdir().unwrap();
    let state = AppState::new(pool, test_config(media.path()))
        .await
        .unwrap();
    (web::router(state), proxy, media)
}

async fn timed_get(router: &axum::Router, uri: &str) -> (StatusCode, String, Duration) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let started = Instant::now();
    let request = axum::http::Request::get(uri)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), started.elapsed())
}

#[db_test]
async fn pages_answer_503_quickly_while_the_database_is_gone_and_recover_by_themselves(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin vẫn còn đó", news)
        .insert(&db)
        .await;

    let (app, proxy, _media) = app_behind_proxy(&db).await;

    let (status, _, _) = timed_get(&app, "/bai-viet/tin-van-con-do").await;
    assert_eq!(status, StatusCode::OK);

    proxy.cut().await;
    for uri in ["/", "/bai-viet/tin-van-con-do", "/chuyen-muc/tin-tuc"] {
        let (status, body, took) = timed_get(&app, uri).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(took < Duration::from_secs(2), "{uri} took {took:?}");
        assert!(body.contains("Hệ thống đang bảo trì"), "{body}");
        assert!(body.contains(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#), "menu from memory");
    }
    let (status, body, took) = timed_get(&app, "/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "database unavailable");
    assert!(took < Duration::from_secs(2), "readyz took {took:?}");
    assert_eq!(timed_get(&app, "/healthz").await.0, StatusCode::OK, "alive");

    proxy.restore();
    let (status, body, _) = timed_get(&app, "/bai-viet/tin-van-con-do").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(timed_get(&app, "/readyz").await.0, StatusCode::OK);
}

#[db_test]
async fn a_comment_sent_while_the_database_is_gone_is_shown_back_to_its_reader(db: PgPool) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin vẫn còn đó", news)
        .insert(&db)
        .await;
    let (app, proxy, _media) = app_behind_proxy(&db).await;
    assert_eq!(timed_get(&app, "/bai-viet/tin-van-con-do").await.0, StatusCode::OK);

    proxy.cut().await;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("name", "Nguyễn Văn An"),
            ("title", "Đường về xã"),
            ("content", "Con đường mới\nrất đẹp, cảm ơn \"Tòa Soạn\"."),
            ("captcha", "abcde"),
        ])
        .finish();
    // The first post finds the database gone by itself; the second comes once the watch knows.
    for attempt in 0..2 {
        let request = axum::http::Request::post("/bai-viet/tin-van-con-do/binh-luan")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", ORIGIN)
            .body(axum::body::Body::from(body.clone()))
            .unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "post {attempt}");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let page = String::from_utf8_lossy(&bytes);
        for shown in [
            "Hệ thống đang bảo trì",
            "Bình luận của bạn chưa được gửi",
            r#"<form method="post" action="/bai-viet/tin-van-con-do/binh-luan""#,
            r#"name="name" value="Nguyễn Văn An""#,
            r#"name="title" value="Đường về xã""#,
            ">Con đường mới\nrất đẹp, cảm ơn &#34;Tòa Soạn&#34;.</textarea>",
            r#"<button class="button" type="submit">Gửi lại</button>"#,
            r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#,
        ] {
            assert!(page.contains(shown), "post {attempt}: {shown} in {page}");
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
}

#[test]
fn server_that_cannot_reach_postgres_says_so_in_one_line_and_exits() {
    let output = Command::new(env!("CARGO_BIN_EXE_toasoan"))
        .env("DATABASE_URL", "postgres://reporter:s3cret@127.0.0.1:1/toasoan")
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("postgres://reporter:***@127.0.0.1:1/toasoan"), "{stderr}");
    assert!(!stderr.contains("s3cret"));
}

#[test]
fn a_bad_setting_is_refused_in_one_line() {
    let output = Command::new(env!("CARGO_BIN_EXE_toasoan"))
        .env("TOASOAN_ADDR", "khong-phai-dia-chi")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: TOASOAN_ADDR: "), "{stderr}");
}

/// The real binary: creates its database, seeds the demo, serves it, and stops cleanly on
/// SIGTERM.
#[tokio::test]
async fn server_creates_its_database_serves_the_demo_and_stops_on_sigterm() {
    let name = test_db::unique_name();
    let database_url = test_db::url_of(&name);
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let media = tempfile::tempdir().unwrap();

    let child = Command::new(env!("CARGO_BIN_EXE_toasoan"))
        .arg("serve")
        .env("DATABASE_URL", &database_url)
        .env("TOASOAN_ADDR", format!("127.0.0.1:{port}"))
        .env("TOASOAN_MEDIA_DIR", media.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    let client = reqwest::Client::new();
    let home = format!("http://127.0.0.1:{port}/");
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        if let Ok(response) = client.get(&home).send().await {
            break response.text().await.unwrap();
        }
        assert!(Instant::now() < deadline, "server did not come up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        body.contains("/bai-viet/bao-thang-phat-huy-tinh-than-doan-ket-vuot-kho-vung-buoc-di-len")
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert!(output.status.success(), "graceful exit: {:?}", output.status);
    let log = String::from_utf8_lossy(&output.stdout);
    assert!(
        log.contains("no active admin account") && log.contains("toasoan user create"),
        "{log}"
    );

    test_db::drop_database(&name).await;
}
