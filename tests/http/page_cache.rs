//! The page cache: hits touch no database, every encoding is right, misses render once, staff
//! and per-reader pages stay out, and every write readers could see shows on the next request,
//! here and on another instance.

use std::{
    io::Read,
    time::{Duration, Instant},
};

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use futures_util::future::join_all;
use sqlx::PgPool;
use toasoan::{auth::Role, scheduler};

use crate::support::{ArticleFixture, Multipart, TestApp, TestResponse, category};

/// The page as `app` shows it now, or within a second on an instance that hears of the change
/// through the database.
async fn eventually(
    app: &TestApp,
    uri: &str,
    check: impl Fn(&TestResponse) -> bool,
) -> TestResponse {
    let started = Instant::now();
    loop {
        let page = app.get(uri).await;
        if check(&page) {
            return page;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{uri} did not change within a second:\n{}",
            page.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[db_test]
async fn a_cached_page_is_served_without_the_database(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin trong bộ nhớ", news)
        .insert(&db)
        .await;
    let app = TestApp::with_page_cache(db.clone()).await;
    let first = app.get("/bai-viet/tin-trong-bo-nho").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(app.state.page_cache.counts(), (0, 1));

    // Every connection of the pool is taken: only the cache can answer.
    let mut held = Vec::new();
    while let Ok(connection) = tokio::time::timeout(Duration::from_millis(100), db.acquire()).await
    {
        held.push(connection.unwrap());
    }
    let again = app.get("/bai-viet/tin-trong-bo-nho").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header(header::ETAG), first.header(header::ETAG));
    assert_eq!(app.state.page_cache.counts(), (1, 1));
    let uncached = tokio::time::timeout(Duration::from_millis(300), app.get("/chuyen-muc/tin-tuc"));
    assert!(uncached.await.is_err(), "an uncached page needs a connection");
}

fn decoded(response: &TestResponse, raw: &[u8]) -> String {
    let mut text = String::new();
    match response.header(header::CONTENT_ENCODING) {
        "br" => {
            let mut bytes = Vec::new();
            brotli::BrotliDecompress(&mut &raw[..], &mut bytes).unwrap();
            text = String::from_utf8(bytes).unwrap();
        }
        "gzip" => {
            flate2::read::GzDecoder::new(raw)
                .read_to_string(&mut text)
                .unwrap();
        }
        "" => text = String::from_utf8(raw.to_vec()).unwrap(),
        other => panic!("unexpected encoding {other}"),
    }
    text
}

#[db_test]
async fn each_encoding_gets_its_own_bytes_with_one_etag_and_304s_still_work(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin nén sẵn", news).insert(&db).await;
    let app = TestApp::with_page_cache(db.clone()).await;
    let plain = app.get_with("/chuyen-muc/tin-tuc", &[]).await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), "");
    plain.assert_contains("Tin nén sẵn");
    let etag = plain.header(header::ETAG).to_owned();
    assert!(etag.starts_with("W/\""));

    for coding in ["br", "gzip"] {
        let response = app
            .request_raw(
                Request::get("/chuyen-muc/tin-tuc")
                    .header(header::ACCEPT_ENCODING, coding)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(response.0.header(header::CONTENT_ENCODING), coding);
        assert_eq!(response.0.header(header::ETAG), etag);
        assert_eq!(response.0.header(header::VARY), "accept-encoding");
        assert_eq!(decoded(&response.0, &response.1), plain.body, "{coding}");
    }
    let not_modified = app
        .get_with("/chuyen-muc/tin-tuc", &[(header::IF_NONE_MATCH, &etag)])
        .await;
    assert_eq!(not_modified.status, StatusCode::NOT_MODIFIED);
    assert_eq!(not_modified.header(header::ETAG), etag);
    assert!(not_modified.body.is_empty());
    let (hits, renders) = app.state.page_cache.counts();
    assert_eq!((hits, renders), (3, 1), "one render served every encoding and the 304");
}

#[db_test]
async fn concurrent_misses_render_once_and_every_view_counts(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let id = ArticleFixture::new("Tin được đọc nhiều", news)
        .insert(&db)
        .await;
    let app = TestApp::with_page_cache(db.clone()).await;
    let pages = join_all((0..30).map(|_| app.get("/bai-viet/tin-duoc-doc-nhieu"))).await;
    assert!(pages.iter().all(|page| page.status == StatusCode::OK));
    assert_eq!(app.state.page_cache.counts().1, 1, "one render");
    assert_eq!(app.state.views.pending(id), 30, "every view counted");
}

#[db_test]
async fn staff_and_per_reader_pages_never_come_from_the_cache(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin có bình luận", news)
        .insert(&db)
        .await;
    let app = TestApp::with_page_cache(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    const NOTICE: &str = "Bình luận của bạn đã được gửi và đang chờ kiểm duyệt.";
    app.get("/bai-viet/tin-co-binh-luan?binh-luan=cho-duyet")
        .await
        .assert_contains(NOTICE);
    let plain = app.get("/bai-viet/tin-co-binh-luan").await;
    assert_eq!(plain.status, StatusCode::OK);
    plain.assert_not_contains(NOTICE);
    app.get("/bai-viet/tin-co-binh-luan?binh-luan=cho-duyet")
        .await
        .assert_contains(NOTICE);
    assert_eq!(app.state.page_cache.counts(), (0, 1), "only the plain page was kept");

    let seen_by_staff = editor.get(&app, "/bai-viet/tin-co-binh-luan").await;
    assert_eq!(seen_by_staff.header(header::CACHE_CONTROL), "private, no-cache");
    assert_eq!(app.state.page_cache.counts(), (0, 1), "staff neither read nor fill it");
    let reader = app.get("/bai-viet/tin-co-binh-luan").await;
    assert_eq!(reader.header(header::CACHE_CONTROL), "public, max-age=60");
    assert_eq!(app.state.page_cache.counts(), (1, 1));
}

/// An editor's form for an article, as the editor sends it.
fn article_form(
    category_id: i64,
    title: &str,
    body: &str,
    action: &str,
    version: Option<i32>,
) -> Multipart {
    let category = category_id.to_string();
    let version = version.map(|v| v.to_string()).unwrap_or_default();
    Multipart::default().fields(&[
        ("title", title),
        ("body_html", body),
        ("category_id", &category),
        ("version", &version),
        ("action", action),
    ])
}

async fn version(db: &PgPool, id: i64) -> i32 {
    sqlx::query_scalar("select version from article where article_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[db_test]
async fn every_write_readers_could_see_shows_here_at_once_and_on_another_instance(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::with_page_cache(db.clone()).await;
    // Another instance on the same database, its cache kept warm: it hears of every change.
    let other = TestApp::with_page_cache(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let admin = app.staff(Role::Admin).await;
    let cached = |uri: &'static str| {
        let (app, other) = (&app, &other);
        async move {
            other.get(uri).await;
            // The notice of the previous write may still be on its way and empty the cache
            // once more: within a second, two requests in a row get the same copy.
            let started = Instant::now();
            let mut page = app.get(uri).await;
            loop {
                let again = app.get(uri).await;
                if again.body == page.body {
                    return page;
                }
                assert!(started.elapsed() < Duration::from_secs(1), "{uri} is not cached");
                page = again;
            }
        }
    };

    // Publish.
    cached("/").await.assert_not_contains("Khánh thành cầu mới");
    let created = editor
        .post_multipart(
            &app,
            "/admin/articles",
            article_form(news, "Khánh thành cầu mới", "<p>Cầu mới.</p>", "publish", None),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let id = crate::support::location_id(&created, "/admin/articles/");
    app.get("/").await.assert_contains("Khánh thành cầu mới");
    app.get("/rss.xml")
        .await
        .assert_contains("Khánh thành cầu mới");
    app.get("/sitemap.xml")
        .await
        .assert_contains("khanh-thanh-cau-moi");
    eventually(&other, "/", |page| page.body.contains("Khánh thành cầu mới")).await;

    // Edit a published article.
    cached("/bai-viet/khanh-thanh-cau-moi")
        .await
        .assert_contains("Cầu mới.");
    let form = article_form(
        news,
        "Khánh thành cầu mới",
        "<p>Cầu mới, rộng hơn.</p>",
        "save",
        Some(version(&db, id).await),
    );
    let saved = editor
        .post_multipart(&app, &format!("/admin/articles/{id}"), form)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    app.get("/bai-viet/khanh-thanh-cau-moi")
        .await
        .assert_contains("Cầu mới, rộng hơn.");
    let article = "/bai-viet/khanh-thanh-cau-moi";
    eventually(&other, article, |page| page.body.contains("Cầu mới, rộng hơn.")).await;

    // A comment approved, edited and answered, then removed.
    sqlx::query("insert into comment (article_id, author_name, title, body) values ($1, 'Bạn đọc', 'Hỏi giờ', 'Mấy giờ thông xe?')")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    let comment: i64 = sqlx::query_scalar("select comment_id from comment")
        .fetch_one(&db)
        .await
        .unwrap();
    cached("/bai-viet/khanh-thanh-cau-moi")
        .await
        .assert_not_contains("Mấy giờ thông xe?");
    editor
        .post(&app, &format!("/admin/comments/{comment}/approve"), &[])
        .await;
    cached("/bai-viet/khanh-thanh-cau-moi")
        .await
        .assert_contains("Mấy giờ thông xe?");
    eventually(&other, article, |page| page.body.contains("Mấy giờ thông xe?")).await;
    let fields = [
        ("title", "Hỏi giờ"),
        ("content", "Mấy giờ thì thông xe?"),
        ("reply", "Tám giờ sáng."),
    ];
    editor
        .post(&app, &format!("/admin/comments/{comment}"), &fields)
        .await;
    let page = cached("/bai-viet/khanh-thanh-cau-moi").await;
    page.assert_contains("Mấy giờ thì thông xe?");
    page.assert_contains("Tám giờ sáng.");
    eventually(&other, article, |page| page.body.contains("Tám giờ sáng.")).await;
    editor
        .post(&app, &format!("/admin/comments/{comment}/delete"), &[])
        .await;
    cached("/bai-viet/khanh-thanh-cau-moi")
        .await
        .assert_not_contains("Mấy giờ thì thông xe?");
    eventually(&other, article, |page| !page.body.contains("Mấy giờ thì thông xe?")).await;

    // Unpublish.
    editor
        .post(&app, &format!("/admin/articles/{id}/unpublish"), &[])
        .await;
    assert_eq!(app.get("/bai-viet/khanh-thanh-cau-moi").await.status, StatusCode::NOT_FOUND);
    app.get("/")
        .await
        .assert_not_contains("Khánh thành cầu mới");
    eventually(&other, article, |page| page.status == StatusCode::NOT_FOUND).await;

    // Scheduled publication (no request involved: the scheduler writes, the listener hears).
    let scheduled = ArticleFixture::new("Tin đúng giờ", news).insert(&db).await;
    sqlx::query("update article set status = 'scheduled', published_at = now() + interval '1 hour' where article_id = $1")
        .bind(scheduled)
        .execute(&db)
        .await
        .unwrap();
    eventually(&app, "/", |page| !page.body.contains("Tin đúng giờ")).await;
    cached("/").await;
    sqlx::query(
        "update article set published_at = now() - interval '1 second' where article_id = $1",
    )
    .bind(scheduled)
    .execute(&db)
    .await
    .unwrap();
    scheduler::publish_due(&app.state).await.unwrap();
    eventually(&app, "/", |page| page.body.contains("Tin đúng giờ")).await;
    eventually(&other, "/", |page| page.body.contains("Tin đúng giờ")).await;

    // Categories and the menu.
    cached("/").await.assert_not_contains("Văn hóa");
    admin
        .post(
            &app,
            "/admin/categories",
            &[
                ("name", "Văn hóa"),
                ("slug", ""),
                ("parent", ""),
                ("description", ""),
                ("position", ""),
            ],
        )
        .await;
    app.get("/")
        .await
        .assert_contains(r#"href="/chuyen-muc/van-hoa""#);
    assert_eq!(app.get("/chuyen-muc/van-hoa").await.status, StatusCode::OK);
    eventually(&other, "/", |page| page.body.contains(r#"href="/chuyen-muc/van-hoa""#)).await;
    eventually(&other, "/chuyen-muc/van-hoa", |page| page.status == StatusCode::OK).await;

    // Site settings.
    let settings = [
        ("site_name", "Cổng thông tin Bảo Thắng"),
        ("comments_open_default", "on"),
        ("comment_data_retention_days", "90"),
    ];
    cached("/").await;
    admin.post(&app, "/admin/settings", &settings).await;
    app.get("/")
        .await
        .assert_contains("Cổng thông tin Bảo Thắng");
    eventually(&other, "/", |page| page.body.contains("Cổng thông tin Bảo Thắng")).await;
}

#[db_test]
async fn another_instance_shows_a_change_within_a_second(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let a = TestApp::with_page_cache(db.clone()).await;
    let b = TestApp::with_page_cache(db.clone()).await;
    let editor = a.staff(Role::Editor).await;
    let admin = a.staff(Role::Admin).await;

    b.get("/").await.assert_not_contains("Tin từ máy A");
    b.get("/").await;
    let created = editor
        .post_multipart(
            &a,
            "/admin/articles",
            article_form(news, "Tin từ máy A", "<p>A.</p>", "publish", None),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    eventually(&b, "/", |page| page.body.contains("Tin từ máy A")).await;

    assert_eq!(b.get("/chuyen-muc/moi-truong").await.status, StatusCode::NOT_FOUND);
    admin
        .post(
            &a,
            "/admin/categories",
            &[
                ("name", "Môi trường"),
                ("slug", ""),
                ("parent", ""),
                ("description", ""),
                ("position", ""),
            ],
        )
        .await;
    eventually(&b, "/chuyen-muc/moi-truong", |page| page.status == StatusCode::OK).await;
}

#[db_test]
async fn a_dropped_listener_leaves_no_stale_page(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tên cũ", news).insert(&db).await;
    let app = TestApp::with_page_cache(db.clone()).await;
    app.get("/chuyen-muc/tin-tuc")
        .await
        .assert_contains("Tên cũ");
    app.get("/chuyen-muc/tin-tuc").await;
    assert_eq!(app.state.page_cache.counts(), (1, 1));

    sqlx::query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'")
        .execute(&db)
        .await
        .unwrap();
    let started = Instant::now();
    while app.state.page_cache.is_trusted() {
        assert!(started.elapsed() < Duration::from_secs(2), "the drop went unnoticed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Changed while nobody listens: the next page is rendered afresh all the same.
    sqlx::query("update article set title = 'Tên mới'")
        .execute(&db)
        .await
        .unwrap();
    app.get("/chuyen-muc/tin-tuc")
        .await
        .assert_contains("Tên mới");

    let started = Instant::now();
    while !app.state.page_cache.is_trusted() {
        assert!(started.elapsed() < Duration::from_secs(5), "never listened again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.get("/chuyen-muc/tin-tuc")
        .await
        .assert_contains("Tên mới");
}

#[db_test]
async fn document_changes_show_at_once_here_and_on_another_instance(db: PgPool) {
    let app = TestApp::with_page_cache(db.clone()).await;
    let other = TestApp::with_page_cache(db.clone()).await;
    let id = crate::documents::document(&db, "3-TB/UBND", "Về lịch nghỉ Tết", "2026-12-01").await;
    let slug = "3-tb-ubnd-ve-lich-nghi-tet";
    for instance in [&app, &other] {
        eventually(instance, "/van-ban", |p| p.body.contains(">3-TB/UBND</a>")).await;
        instance
            .get(&format!("/van-ban/{slug}"))
            .await
            .assert_contains("Về lịch nghỉ Tết");
        instance
            .get("/van-ban/rss.xml")
            .await
            .assert_contains("3-TB/UBND");
    }
    // Cached now; an edit by an editor, a renamed list entry and a deletion each show at once.
    let editor = app.staff(Role::Editor).await;
    let type_id: i64 =
        sqlx::query_scalar("select type_id from legal_document where legal_document_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    let renamed = editor
        .post(
            &app,
            &format!("/admin/documents/terms/{type_id}"),
            &[("name", "Nghị quyết chuyên đề")],
        )
        .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    for instance in [&app, &other] {
        eventually(instance, &format!("/van-ban/{slug}"), |p| {
            p.body.contains("Nghị quyết chuyên đề số 3-TB/UBND")
        })
        .await;
    }
    let deleted = editor
        .post(&app, &format!("/admin/documents/{id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    for instance in [&app, &other] {
        eventually(instance, &format!("/van-ban/{slug}"), |p| p.status == StatusCode::NOT_FOUND)
            .await;
        eventually(instance, "/van-ban", |p| !p.body.contains(">3-TB/UBND</a>")).await;
    }
}
