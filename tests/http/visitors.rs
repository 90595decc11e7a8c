//! The footer: the visitor counter (no cookies, no IP addresses stored, the same counts on
//! every instance) and the trust badge's link.

use std::net::SocketAddr;

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;

use crate::support::{TestApp, TestResponse, assert_cache_control};

/// The counter's image as a browser at `ip` asks for it.
async fn pixel(app: &TestApp, ip: &str, agent: &str) -> TestResponse {
    let mut request = Request::get("/luot-truy-cap.gif")
        .header(header::USER_AGENT, agent)
        .body(Body::empty())
        .unwrap();
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    let response = app.request(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::CONTENT_TYPE), "image/gif");
    assert_cache_control(&response, "no-store");
    assert!(response.header(header::SET_COOKIE).is_empty(), "no cookie");
    response
}

async fn show_counter(db: &PgPool) {
    sqlx::query("update site_setting set show_visitor_counter = true")
        .execute(db)
        .await
        .unwrap();
}

/// Every row of the counter's tables, as text.
async fn counter_rows(db: &PgPool) -> String {
    let rows: Vec<String> = sqlx::query_scalar(
        "select row_to_json(s)::text from visitor_salt s
         union all select row_to_json(v)::text from visitor_seen v
         union all select row_to_json(t)::text from visitor_total t",
    )
    .fetch_all(db)
    .await
    .unwrap();
    rows.join("\n")
}

#[db_test]
async fn the_counter_is_off_by_default_and_counts_nothing(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    pixel(&app, "203.0.113.5", "Firefox").await;
    app.state.visitors.flush(&db).await.unwrap();
    let home = app.get("/").await;
    home.assert_not_contains("Đang truy cập");
    home.assert_not_contains("/luot-truy-cap.gif");
    let seen: i64 = sqlx::query_scalar("select count(*) from visitor_seen")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(seen, 0);
}

#[db_test]
async fn distinct_visitors_are_counted_without_storing_their_addresses(db: PgPool) {
    show_counter(&db).await;
    let app = TestApp::new(db.clone()).await;
    let home = app.get("/").await;
    home.assert_contains(
        r#"<img class="visitor-pixel" src="/luot-truy-cap.gif" alt="" width="1" height="1">"#,
    );

    pixel(&app, "203.0.113.5", "Firefox").await;
    pixel(&app, "203.0.113.5", "Firefox").await; // the same browser again
    pixel(&app, "203.0.113.5", "Chrome").await; // another browser behind the same address
    pixel(&app, "198.51.100.7", "Firefox").await;
    app.state.visitors.flush(&db).await.unwrap();

    let home = app.get("/").await;
    home.assert_contains("Đang truy cập: <strong>3</strong>");
    home.assert_contains("Hôm nay: <strong>3</strong>");
    home.assert_contains("Tổng lượt truy cập: <strong>3</strong>");

    let rows = counter_rows(&db).await;
    for address in ["203.0.113.5", "198.51.100.7", "Firefox", "Chrome"] {
        assert!(!rows.contains(address), "{address} stored: {rows}");
    }
    let hashes: Vec<Vec<u8>> = sqlx::query_scalar("select visitor from visitor_seen")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(hashes.iter().all(|h| h.len() == 32));
    for address in ["203.0.113.5", "198.51.100.7"] {
        assert!(
            !hashes
                .iter()
                .any(|h| h.windows(address.len()).any(|w| w == address.as_bytes()))
        );
    }
}

#[db_test]
async fn instances_share_the_salt_and_the_counts(db: PgPool) {
    show_counter(&db).await;
    let first = TestApp::new(db.clone()).await;
    let second = TestApp::new(db.clone()).await;
    pixel(&first, "203.0.113.5", "Firefox").await;
    pixel(&second, "203.0.113.5", "Firefox").await;
    pixel(&second, "198.51.100.7", "Firefox").await;
    first.state.visitors.flush(&db).await.unwrap();
    second.state.visitors.flush(&db).await.unwrap();
    first.state.visitors.flush(&db).await.unwrap();
    for app in [&first, &second] {
        let home = app.get("/").await;
        home.assert_contains("Hôm nay: <strong>2</strong>");
        home.assert_contains("Tổng lượt truy cập: <strong>2</strong>");
    }
}

#[db_test]
async fn a_new_day_counts_again_and_forgets_the_old_salt(db: PgPool) {
    show_counter(&db).await;
    let app = TestApp::new(db.clone()).await;
    pixel(&app, "203.0.113.5", "Firefox").await;
    pixel(&app, "198.51.100.7", "Firefox").await;
    app.state.visitors.flush(&db).await.unwrap();
    // Their visits become yesterday's, long enough ago.
    for sql in [
        "update visitor_seen set day = day - 1, last_seen = now() - interval '1 day'",
        "insert into visitor_salt (day, salt) select day - 1, sha256(salt) from visitor_salt",
    ] {
        sqlx::query(sql).execute(&db).await.unwrap();
    }

    pixel(&app, "203.0.113.5", "Firefox").await;
    app.state.visitors.flush(&db).await.unwrap();
    let home = app.get("/").await;
    home.assert_contains("Đang truy cập: <strong>1</strong>");
    home.assert_contains("Hôm nay: <strong>1</strong>");
    home.assert_contains("Tổng lượt truy cập: <strong>3</strong>");
    let (salts, seen): (i64, i64) = sqlx::query_as(
        "select (select count(*) from visitor_salt), (select count(*) from visitor_seen)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((salts, seen), (1, 1), "yesterday's salt and visitors are gone");
}

#[db_test]
async fn the_trust_badge_links_to_its_certificate_only_when_one_is_set(db: PgPool) {
    sqlx::query("update site_setting set badge_image = '/static/img/tin-nhiem-mang.svg'")
        .execute(&db)
        .await
        .unwrap();
    let app = TestApp::new(db.clone()).await;
    let home = app.get("/").await;
    home.assert_contains(
        r#"<img src="/static/img/tin-nhiem-mang.svg" alt="Chứng nhận Tín nhiệm mạng""#,
    );
    let badge = &home.body[home.position(r#"class="footer-badge""#)..];
    let badge = &badge[..badge.find("</div>").unwrap()];
    assert!(!badge.contains("<a "), "no link: {badge}");

    sqlx::query(
        "update site_setting set badge_link = 'https://tinnhiemmang.vn/danh-ba-tin-nhiem/baothang'",
    )
    .execute(&db)
    .await
    .unwrap();
    app.refresh().await;
    app.get("/").await.assert_contains(
        r#"<a href="https://tinnhiemmang.vn/danh-ba-tin-nhiem/baothang"><img src="/static/img/tin-nhiem-mang.svg""#,
    );
}
