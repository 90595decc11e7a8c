//! A bad day: floods of logins, slow clients, shutdown with clients attached, a database
//! that is busy or gone, and workflow races.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use axum::http::StatusCode;
use futures_util::future::join_all;
use sqlx::PgPool;
use toasoan::{AppState, auth::Role, db::articles::Status, scheduler, server};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

use crate::{
    process::Server,
    support::{ArticleFixture, Multipart, PASSWORD, TestApp, category, create_user, test_config},
};

/// A wrong login from `ip` (the server trusts `X-Forwarded-For` in these tests).
async fn wrong_login(client: &reqwest::Client, base: &str, n: usize) -> reqwest::Response {
    client
        .post(format!("{base}/admin/login"))
        .header("origin", base)
        .header("x-forwarded-for", format!("10.{}.{}.{}", n / 65536, n / 256 % 256, n % 256))
        .form(&[
            ("login", format!("khach{n}")),
            ("password", "sai mật khẩu rồi".into()),
        ])
        .send()
        .await
        .unwrap()
}

#[db_test]
async fn a_login_flood_keeps_memory_bounded_and_gives_it_back(db: PgPool) {
    let server = Server::start(&db, &[("TOASOAN_TRUST_PROXY", "on")]).await;
    let client = reqwest::Client::new();
    let _ = wrong_login(&client, &server.base, 0).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = server.rss_mib();

    let peak = Arc::new(std::sync::Mutex::new(idle));
    let flooding = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, flooding, pid) = (peak.clone(), flooding.clone(), server.pid());
        tokio::spawn(async move {
            while flooding.load(Ordering::Relaxed) {
                if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                    let kib: f64 = status
                        .lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok())
                        .unwrap_or(0.0);
                    let mut peak = peak.lock().unwrap();
                    *peak = peak.max(kib / 1024.0);
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let responses = join_all((1..=500).map(|n| wrong_login(&client, &server.base, n))).await;
    flooding.store(false, Ordering::Relaxed);
    sampler.await.unwrap();

    let mut refused = 0;
    let mut busy = 0;
    for response in responses {
        match response.status() {
            StatusCode::UNAUTHORIZED => refused += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(response.headers().contains_key("retry-after"));
                assert!(response.text().await.unwrap().contains("quá tải"));
                busy += 1;
            }
            other => panic!("a login answered {other}"),
        }
    }
    assert_eq!(refused + busy, 500);
    assert!(refused >= 20, "{refused} logins were checked");
    let peak = *peak.lock().unwrap();
    assert!(peak < 150.0, "peak RSS {peak:.0} MiB (idle {idle:.0} MiB)");

    let started = Instant::now();
    loop {
        let now = server.rss_mib();
        if now < idle + 30.0 {
            eprintln!(
                "login flood: idle {idle:.0} MiB, peak {peak:.0} MiB, {now:.0} MiB after {:.1} s; \
                 {refused} checked (401), {busy} busy (503)",
                started.elapsed().as_secs_f64()
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "RSS stayed at {now:.0} MiB after the flood (idle {idle:.0}, peak {peak:.0})"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Whether the server closed `stream` within `limit` (a read gives end of file or an error).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buffer = [0; 1024];
    let started = Instant::now();
    while started.elapsed() < limit {
        let read = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buffer));
        if let Ok(Ok(0) | Err(_)) = read.await {
            return true;
        }
    }
    false
}

#[db_test]
async fn slow_and_idle_clients_are_cut_off_and_the_connection_cap_holds(db: PgPool) {
    let server = Server::start(
        &db,
        &[
            ("TOASOAN_HEADER_TIMEOUT", "2"),
            ("TOASOAN_MAX_CONNECTIONS", "20"),
        ],
    )
    .await;

    // Headers one byte every half second: cut after the header timeout.
    let mut slow = TcpStream::connect(&server.addr).await.unwrap();
    let trickle = async {
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\n" {
            if slow.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(4), trickle)
        .await
        .ok();
    assert!(closed_within(&mut slow, Duration::from_secs(2)).await);
    assert!(started.elapsed() < Duration::from_secs(5));

    // Only blank lines, then nothing.
    let mut blank = TcpStream::connect(&server.addr).await.unwrap();
    blank.write_all(b"\r\n\r\n\r\n").await.unwrap();
    assert!(closed_within(&mut blank, Duration::from_secs(4)).await);

    // A kept-alive connection left idle after its request.
    let mut idle = TcpStream::connect(&server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut answer = [0; 512];
    let n = idle.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_within(&mut idle, Duration::from_secs(4)).await);

    // More silent clients than the cap: the log says so, and a normal request is still
    // answered once the silent ones are cut.
    let mut silent = Vec::new();
    for _ in 0..30 {
        silent.push(TcpStream::connect(&server.addr).await.unwrap());
    }
    let started = Instant::now();
    let page = tokio::time::timeout(
        Duration::from_secs(8),
        reqwest::get(format!("{}/healthz", server.base)),
    )
    .await
    .expect("answered in time")
    .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(8));
    assert!(server.log().contains("connection limit reached"), "{}", server.log());
}

#[db_test]
async fn sigterm_with_a_slow_client_attached_ends_in_time_and_keeps_the_views(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let id = ArticleFixture::new("Tin được đọc", news).insert(&db).await;
    let mut server = Server::start(&db, &[("TOASOAN_SHUTDOWN_GRACE", "2")]).await;
    for _ in 0..3 {
        let page = reqwest::get(format!("{}/bai-viet/tin-duoc-doc", server.base))
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
    }
    // A request whose body never finishes arriving.
    let mut slow = TcpStream::connect(&server.addr).await.unwrap();
    slow.write_all(
        b"POST /bai-viet/tin-duoc-doc/binh-luan HTTP/1.1\r\nHost: x\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nname=",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let status = server.terminate(Duration::from_secs(10)).await;
    let status = status.unwrap_or_else(|| panic!("still running: {}", server.log()));
    assert!(status.success(), "{status:?}: {}", server.log());
    assert!(started.elapsed() < Duration::from_secs(6));
    let views: i64 = sqlx::query_scalar("select view_count from article where article_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(views >= 3, "{views} views written");
}

#[db_test]
async fn while_the_database_is_gone_requests_fail_at_once(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin vẫn còn đó", news)
        .insert(&db)
        .await;
    let media = tempfile::tempdir().unwrap();
    let state = AppState::new(db.clone(), test_config(media.path()))
        .await
        .unwrap();
    // Nothing listens on this port: every connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = db.connect_options().as_ref().clone().port(port);
    let unreachable = AppState {
        db: server::pool_options().connect_lazy_with(nowhere.clone()),
        ..state
    };
    let watch = unreachable.database.clone();
    tokio::spawn(async move { watch.run(nowhere).await });
    let started = Instant::now();
    while !unreachable.database.is_down() {
        assert!(started.elapsed() < Duration::from_secs(3), "never noticed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let app = TestApp::with_state(unreachable).await;
    for uri in [
        "/",
        "/bai-viet/tin-van-con-do",
        "/tim-kiem?q=tin",
        "/readyz",
    ] {
        let started = Instant::now();
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(started.elapsed() < Duration::from_millis(200), "{uri}");
        if uri != "/readyz" {
            page.assert_contains("Hệ thống đang bảo trì");
        }
    }
}

#[db_test]
async fn a_busy_database_says_busy_and_heavy_pages_cannot_starve_the_rest(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin vẫn còn đó", news)
        .insert(&db)
        .await;
    let media = tempfile::tempdir().unwrap();
    let one_connection = server::pool_options()
        .max_connections(1)
        .connect_lazy_with(db.connect_options().as_ref().clone());
    let state = AppState::new(one_connection.clone(), test_config(media.path()))
        .await
        .unwrap();
    let app = TestApp::with_state(state.clone()).await;

    // Every connection in use: busy, not "under maintenance", within a second.
    let held = one_connection.acquire().await.unwrap();
    let started = Instant::now();
    let page = app.get("/bai-viet/tin-van-con-do").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_millis(1500));
    page.assert_contains("Hệ thống đang quá tải");
    page.assert_not_contains("bảo trì");
    assert_eq!(page.header(axum::http::header::RETRY_AFTER), "5");
    drop(held);

    // Heavy pages in use: the next search waits a second, then is told to retry; the rest of
    // the site answers meanwhile.
    let turns: Vec<_> = (0..toasoan::state::HEAVY_PAGES)
        .map(|_| state.heavy_pages.try_acquire().unwrap())
        .collect();
    let search = app.get("/tim-kiem?q=tin");
    let home = app.get("/");
    let (search, home) = tokio::join!(search, home);
    assert_eq!(search.status, StatusCode::SERVICE_UNAVAILABLE);
    search.assert_contains("Hệ thống đang quá tải");
    assert_eq!(home.status, StatusCode::OK);
    drop(turns);
    assert_eq!(app.get("/tim-kiem?q=tin").await.status, StatusCode::OK);
}

#[db_test]
async fn a_login_burst_from_one_address_gets_exactly_the_allowed_tries(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let tries = join_all((0..40).map(|n| {
        let app = &app;
        async move {
            let login = format!("khach{n}");
            app.login_from("10.0.0.7", &login, "sai mật khẩu rồi").await
        }
    }))
    .await;
    let wrong = tries
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    let blocked = tries
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((wrong, blocked), (20, 20));
}

#[db_test]
async fn an_account_gets_five_guesses_whichever_name_is_typed(db: PgPool) {
    create_user(&db, "thuthuy", Role::Reporter).await;
    let app = TestApp::new(db.clone()).await;
    let tries = join_all((0..10).map(|n| {
        let app = &app;
        async move {
            let login = if n % 2 == 0 {
                "thuthuy"
            } else {
                "ThuThuy@Example.vn"
            };
            app.login_from(&format!("10.0.1.{n}"), login, "sai mật khẩu rồi")
                .await
        }
    }))
    .await;
    let wrong = tries
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(wrong, 5, "guesses checked");
    let locked = app.login_from("10.0.2.1", "thuthuy", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
}

#[db_test]
async fn the_current_password_check_is_limited_like_login(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let attempt = |current: &'static str| {
        let (app, editor) = (&app, &editor);
        async move {
            let fields = [
                ("current", current),
                ("new", "mật khẩu mới đủ dài"),
                ("confirm", "mật khẩu mới đủ dài"),
            ];
            editor.post(app, "/admin/password", &fields).await
        }
    };
    let tries = join_all((0..8).map(|_| attempt("đoán sai mật khẩu"))).await;
    let wrong = tries
        .iter()
        .filter(|r| r.status == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!(wrong, 5);
    let blocked = attempt(PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    blocked.assert_contains("thử lại sau 15 phút");
}

/// The editor form of an article as it was when opened, with `action`.
fn save_form(version: i32, category_id: i64, title: &str) -> Multipart {
    Multipart::default().fields(&[
        ("title", title),
        ("body_html", "<p>Nội dung sửa lại.</p>"),
        ("category_id", &category_id.to_string()),
        ("version", &version.to_string()),
        ("action", "save"),
    ])
}

async fn article_state(db: &PgPool, id: i64) -> (Status, i32) {
    sqlx::query_as("select status, version from article where article_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[db_test]
async fn a_takedown_stands_against_a_save_in_flight(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let (a, b) = (app.staff(Role::Editor).await, app.staff(Role::Editor).await);
    for round in 0..10 {
        let title = format!("Tin cần gỡ {round}");
        let id = ArticleFixture::new(&title, news).insert(&db).await;
        let (_, version) = article_state(&db, id).await;
        let (unpublish, edit) =
            (format!("/admin/articles/{id}/unpublish"), format!("/admin/articles/{id}"));
        let takedown = a.post(&app, &unpublish, &[]);
        let save = b.post_multipart(&app, &edit, save_form(version, news, &title));
        let (takedown, save) = tokio::join!(takedown, save);
        assert_eq!(takedown.status, StatusCode::SEE_OTHER);
        assert!(
            [StatusCode::SEE_OTHER, StatusCode::CONFLICT].contains(&save.status),
            "{}",
            save.status
        );
        let (status, _) = article_state(&db, id).await;
        assert_eq!(status, Status::Archived, "round {round}: the takedown was undone");
    }
}

#[db_test]
async fn a_scheduled_article_saved_across_its_time_goes_out_once(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = ArticleFixture::new("Tin hẹn giờ", news).insert(&db).await;
    sqlx::query(
        "update article set status = 'scheduled', published_at = now() - interval '1 second'
         where article_id = $1",
    )
    .bind(id)
    .execute(&db)
    .await
    .unwrap();
    let (_, opened_at) = article_state(&db, id).await;
    scheduler::publish_due(&app.state).await.unwrap();

    let form = save_form(opened_at, news, "Tin hẹn giờ");
    let save = editor
        .post_multipart(&app, &format!("/admin/articles/{id}"), form)
        .await;
    assert_eq!(save.status, StatusCode::CONFLICT);
    scheduler::publish_due(&app.state).await.unwrap();
    let (status, _) = article_state(&db, id).await;
    assert_eq!(status, Status::Published);
    let published: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'article.published_on_schedule'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(published, 1);
}

/// A request's query is cut off after 15 s; a migration is not (rewriting a large table takes
/// longer, and a migration stopped half way would stop the server from starting).
#[db_test]
async fn queries_have_a_statement_timeout_and_migrations_none(db: PgPool) {
    use sqlx::{ConnectOptions, postgres::PgConnectOptions};
    let url = crate::support::database_url(&db);
    let timeout_of = |options: PgConnectOptions| async move {
        let mut connection = options.connect().await.unwrap();
        sqlx::query_scalar::<_, String>("show statement_timeout")
            .fetch_one(&mut connection)
            .await
            .unwrap()
    };
    assert_eq!(timeout_of(server::connect_options(&url).unwrap()).await, "15s");
    assert_eq!(timeout_of(server::migration_options(&url).unwrap()).await, "0");
}
