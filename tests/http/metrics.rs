//! What operators see: `/metrics` (Prometheus text) on its own listener or with a token,
//! `/healthz` and `/readyz`, and the logs. The metrics recorder is global to a process, so the
//! exact counts are read from the real binary (`process::Server`), which serves only the
//! test's own requests; in-process tests only look at counters moving.

use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::{
    comments::post_comment,
    process::Server,
    resilience::Proxy,
    support::{ArticleFixture, TestApp, category, free_port},
};

const TOKEN: &str = "a-scraper-token-of-at-least-32-characters";

/// The sum of the samples of `name` that carry every label of `labels` (`None`: no such
/// sample).
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let (series_name, series_labels) = series.split_once('{').unwrap_or((series, ""));
        if series_name != name {
            continue;
        }
        if labels
            .iter()
            .all(|(label, value)| series_labels.contains(&format!("{label}=\"{value}\"")))
        {
            *found.get_or_insert(0.0) += value.parse::<f64>().unwrap();
        }
    }
    found
}

fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    sample(text, name, labels).unwrap_or_else(|| panic!("no {name} {labels:?} in:\n{text}"))
}

async fn scrape(addr: &str) -> String {
    let response = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    response.text().await.unwrap()
}

/// Scrapes until `done` holds (at most `limit`), and returns that scrape.
async fn scrape_until(addr: &str, limit: Duration, done: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let text = scrape(addr).await;
        if done(&text) {
            return text;
        }
        assert!(started.elapsed() < limit, "not within {limit:?}:\n{text}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_until_ready(server: &Server) {
    let started = Instant::now();
    while reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap()
        .status()
        != reqwest::StatusCode::OK
    {
        assert!(started.elapsed() < Duration::from_secs(10), "never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post_form(server: &Server, path: &str, cookie: &str, fields: &[(&str, &str)]) -> u16 {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    client()
        .post(format!("{}{path}", server.base))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, &server.base)
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, cookie)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A comment with a right answer to a challenge shown long enough ago.
async fn send_comment(server: &Server, db: &PgPool, slug: &str, fields: &[(&str, &str)]) -> u16 {
    let image = reqwest::get(format!("{}/ma-kiem-tra.png", server.base))
        .await
        .unwrap();
    let cookie = image.headers()[header::SET_COOKIE].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let id = cookie.strip_prefix("toasoan_captcha=").unwrap();
    let answer: String = sqlx::query_scalar(
        "update captcha set created_at = now() - interval '10 seconds' where captcha_id = $1
         returning answer",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap();
    let mut fields = fields.to_vec();
    fields.push(("captcha", &answer));
    post_form(server, &format!("/bai-viet/{slug}/binh-luan"), &cookie, &fields).await
}

#[db_test]
async fn metrics_show_a_short_load_by_route_and_move_between_scrapes(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Đường mới về xã", news)
        .insert(&db)
        .await;
    let article = "/bai-viet/duong-moi-ve-xa";
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = Server::start(&db, &[("TOASOAN_METRICS_ADDR", &metrics)]).await;
    wait_until_ready(&server).await;
    // Both jobs run at start; the cleanup's first round may still be busy when it is ready.
    let ran = |text: &str, job: &str| {
        sample(text, "toasoan_scheduler_runs_total", &[("job", job)]).is_some_and(|n| n >= 1.0)
    };
    let first = scrape_until(&metrics, Duration::from_secs(10), |text| {
        ran(text, "publish") && ran(text, "cleanup")
    })
    .await;
    for name in [
        "toasoan_page_cache_hits_total",
        "toasoan_page_cache_misses_total",
        "toasoan_db_pool_acquire_timeouts_total",
        "toasoan_invalidations_received_total",
        "toasoan_views_flushed_total",
        "toasoan_login_failures_total",
        "toasoan_login_lockouts_total",
    ] {
        assert_eq!(value(&first, name, &[]), 0.0, "{name} starts at 0");
    }
    assert_eq!(value(&first, "toasoan_database_up", &[]), 1.0);
    assert_eq!(value(&first, "toasoan_change_listener_connected", &[]), 1.0);
    assert_eq!(value(&first, "toasoan_db_pool_max_connections", &[]), 16.0);
    assert!(sample(&first, "toasoan_db_pool_connections", &[("state", "idle")]).is_some());
    assert!(sample(&first, "toasoan_db_pool_connections", &[("state", "in_use")]).is_some());

    // An article rendered, then sent from the page cache; a change somewhere drops it.
    for _ in 0..2 {
        let page = reqwest::get(format!("{}{article}", server.base))
            .await
            .unwrap();
        assert_eq!(page.status(), reqwest::StatusCode::OK);
    }
    ArticleFixture::new("Chợ phiên cuối tuần", news)
        .insert(&db)
        .await;
    scrape_until(&metrics, Duration::from_secs(5), |text| {
        value(text, "toasoan_invalidations_received_total", &[]) >= 1.0
    })
    .await;

    // Six wrong passwords for one account: five failures, then the limit refuses the sixth.
    for _ in 0..6 {
        let fields = [("login", "ai-do"), ("password", "sai-mat-khau")];
        post_form(&server, "/admin/login", "", &fields).await;
    }
    // A comment for the moderators, and one from a robot filling the hidden field.
    let comment = [
        ("name", "Bà Lan"),
        ("title", "Cảm ơn"),
        ("content", "Đường đẹp lắm."),
    ];
    assert_eq!(send_comment(&server, &db, "duong-moi-ve-xa", &comment).await, 303);
    let robot = [comment.as_slice(), &[("website", "http://spam.example")]].concat();
    assert_eq!(send_comment(&server, &db, "duong-moi-ve-xa", &robot).await, 303);
    let missing = reqwest::get(format!("{}/khong-co-trang-nay/abc", server.base))
        .await
        .unwrap();
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    for _ in 0..2 {
        reqwest::get(format!("{}{article}", server.base))
            .await
            .unwrap();
    }

    let second = scrape(&metrics).await;
    let requests = |text: &str, route: &str, status: &str| {
        let labels = [("method", "GET"), ("route", route), ("status", status)];
        sample(text, "toasoan_http_requests_total", &labels).unwrap_or(0.0)
    };
    assert_eq!(requests(&second, "/bai-viet/{slug}", "200"), 4.0, "{second}");
    assert_eq!(requests(&first, "/bai-viet/{slug}", "200"), 0.0);
    assert_eq!(requests(&second, "unmatched", "404"), 1.0);
    assert!(requests(&second, "/readyz", "200") >= 1.0);
    assert!(!second.contains("khong-co-trang-nay"), "paths never become labels");
    let latency = "toasoan_http_request_duration_seconds_bucket";
    let route = ("route", "/bai-viet/{slug}");
    assert_eq!(value(&second, latency, &[route, ("le", "+Inf")]), 4.0);
    assert!(value(&second, latency, &[route, ("le", "30")]) >= 4.0);
    assert!(value(&second, "toasoan_http_request_duration_seconds_count", &[route]) == 4.0);
    assert_eq!(value(&second, "toasoan_page_cache_hits_total", &[]), 2.0);
    assert!(value(&second, "toasoan_page_cache_misses_total", &[]) >= 2.0);
    assert!(value(&second, "toasoan_page_cache_evictions_total", &[("cause", "explicit")]) >= 1.0);
    assert!(value(&second, "toasoan_page_cache_entries", &[]) >= 1.0);
    assert!(value(&second, "toasoan_page_cache_bytes", &[]) > 1000.0);
    assert_eq!(value(&second, "toasoan_login_failures_total", &[]), 5.0);
    assert_eq!(value(&second, "toasoan_login_lockouts_total", &[]), 1.0);
    assert_eq!(value(&second, "toasoan_comments_total", &[("outcome", "pending")]), 1.0);
    assert_eq!(value(&second, "toasoan_comments_total", &[("outcome", "honeypot")]), 1.0);

    // The jobs run by themselves: views are written within 5 s, due articles looked for.
    let runs = |text: &str| value(text, "toasoan_scheduler_runs_total", &[("job", "publish")]);
    let third = scrape_until(&metrics, Duration::from_secs(8), |text| {
        value(text, "toasoan_views_flushed_total", &[]) >= 4.0 && runs(text) > runs(&first)
    })
    .await;
    assert_eq!(value(&third, "toasoan_views_flushed_total", &[]), 4.0);

    // Not on the main listener: no token is configured.
    let main = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap();
    assert_eq!(main.status(), reqwest::StatusCode::NOT_FOUND);
}

#[db_test]
async fn metrics_on_the_main_listener_need_the_token(db: PgPool) {
    let without = TestApp::new(db.clone()).await;
    assert_eq!(without.get("/metrics").await.status, StatusCode::NOT_FOUND);

    let app = TestApp::with_config(db, |c| c.metrics_token = Some(TOKEN.into())).await;
    assert_eq!(app.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
    for wrong in [
        "Bearer a-scraper-token-of-at-least-32-characterz",
        "Bearer ",
        "a-scraper-token-of-at-least-32-characters",
    ] {
        let refused = app
            .get_with("/metrics", &[(header::AUTHORIZATION, wrong)])
            .await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert_eq!(refused.header(header::WWW_AUTHENTICATE), "Bearer");
    }
    let bearer = format!("Bearer {TOKEN}");
    let accepted = app
        .get_with("/metrics", &[(header::AUTHORIZATION, &bearer)])
        .await;
    assert_eq!(accepted.status, StatusCode::OK);
    assert_eq!(accepted.header(header::CACHE_CONTROL), "no-store");
    accepted.assert_contains("# TYPE toasoan_http_requests_total counter");
    let refused = [("route", "/metrics"), ("status", "401")];
    assert!(value(&accepted.body, "toasoan_http_requests_total", &refused) >= 4.0);
}

#[db_test]
async fn moderating_a_comment_moves_its_counter(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(&db)
        .await;
    let app = TestApp::with_config(db.clone(), |c| c.metrics_token = Some(TOKEN.into())).await;
    let bearer = format!("Bearer {TOKEN}");
    // The recorder is shared with the tests running beside this one: counts only grow.
    let approved = |text: &str| {
        sample(text, "toasoan_comments_moderated_total", &[("status", "approved")]).unwrap_or(0.0)
    };
    let before = app
        .get_with("/metrics", &[(header::AUTHORIZATION, &bearer)])
        .await;

    let sent = post_comment(&app, "203.0.113.9", "Ông Ba", "Hỏi", "Khi nào khánh thành?").await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let id: i64 = sqlx::query_scalar("select comment_id from comment")
        .fetch_one(&db)
        .await
        .unwrap();
    let moderator = app.staff(Role::Moderator).await;
    let done = moderator
        .post(&app, &format!("/admin/comments/{id}/approve"), &[])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);

    let after = app
        .get_with("/metrics", &[(header::AUTHORIZATION, &bearer)])
        .await;
    assert!(approved(&after.body) >= approved(&before.body) + 1.0);
    let pending = |text: &str| value(text, "toasoan_comments_total", &[("outcome", "pending")]);
    assert!(pending(&after.body) >= 1.0);
}

#[db_test]
async fn healthz_says_alive_while_readyz_says_the_database_is_gone(db: PgPool) {
    let direct = db.connect_options();
    let proxy = Proxy::start((direct.get_host().to_owned(), direct.get_port())).await;
    let through_proxy = format!(
        "postgres://{}@127.0.0.1:{}/{}",
        direct.get_username(),
        proxy.port,
        direct.get_database().unwrap()
    );
    let server = Server::start(&db, &[("DATABASE_URL", &through_proxy)]).await;
    wait_until_ready(&server).await;
    let get = |path: &'static str| {
        let url = format!("{}{path}", server.base);
        async move {
            let response = reqwest::get(url).await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(get("/healthz").await, (200, "ok".into()));
    assert_eq!(get("/readyz").await, (200, "ok".into()));

    proxy.cut().await;
    let started = Instant::now();
    assert_eq!(get("/readyz").await, (503, "database unavailable".into()));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(get("/healthz").await, (200, "ok".into()), "the process is alive");

    proxy.restore();
    wait_until_ready(&server).await;
    assert_eq!(get("/healthz").await, (200, "ok".into()));
}

#[db_test]
async fn readyz_says_when_the_media_store_cannot_be_used(db: PgPool) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"x").unwrap();
    let app = TestApp::with_config(db, |c| c.media_dir = file).await;
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.body, "media store unavailable");
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

#[db_test]
async fn logs_to_a_pipe_have_no_colours_and_json_logs_are_json(db: PgPool) {
    let text = Server::start(&db, &[]).await;
    reqwest::get(format!("{}/khong-co", text.base))
        .await
        .unwrap();
    let log = text.log();
    assert!(log.contains("serving"), "{log}");
    assert!(!log.contains("\x1b["), "colour codes in a pipe: {log:?}");
    drop(text);

    let json = Server::start(&db, &[("TOASOAN_LOG_FORMAT", "json")]).await;
    reqwest::get(format!("{}/khong-co", json.base))
        .await
        .unwrap();
    let log = json.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line:?}")))
        .collect();
    assert!(
        lines
            .iter()
            .any(|line| line["fields"]["message"] == "serving" && line["level"] == "INFO"),
        "{log}"
    );
    assert!(!log.contains("\x1b["));
}
