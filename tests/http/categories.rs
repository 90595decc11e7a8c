use axum::http::StatusCode;
use sqlx::PgPool;

use crate::support::{ArticleFixture, TestApp, category};

/// "Tin tức" with 23 articles (newest is "Bài số 1"), 3 of them in the sub-category "Kinh tế".
async fn news_with_23_articles(db: &PgPool) -> TestApp {
    let news = category(db, "Tin tức", None).await;
    let economy = category(db, "Kinh tế", Some(news)).await;
    for n in 1..=23 {
        let in_category = if n % 8 == 0 { economy } else { news };
        ArticleFixture::new(&format!("Bài số {n}"), in_category)
            .hours_ago(n)
            .insert(db)
            .await;
    }
    TestApp::new(db.clone()).await
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn category_lists_its_own_and_subcategory_articles_newest_first(db: PgPool) {
    let app = news_with_23_articles(&db).await;
    let page = app.get("/chuyen-muc/tin-tuc").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<h1 class="page-title">Tin tức</h1>"#);
    let first = page.position(r#"href="/bai-viet/bai-so-1""#);
    let eighth = page.position(r#"href="/bai-viet/bai-so-8""#); // in "Kinh tế"
    let tenth = page.position(r#"href="/bai-viet/bai-so-10""#);
    assert!(first < eighth && eighth < tenth);
    page.assert_not_contains(r#"href="/bai-viet/bai-so-11""#);
    page.assert_contains(r#"<a href="/chuyen-muc/kinh-te">Kinh tế</a>"#);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn pages_are_numbered_with_previous_and_next(db: PgPool) {
    let app = news_with_23_articles(&db).await;

    let first = app.get("/chuyen-muc/tin-tuc").await;
    first.assert_contains(r#"<span aria-current="page">1</span>"#);
    first.assert_contains(r#"<a href="/chuyen-muc/tin-tuc?trang=3" aria-label="Trang 3">3</a>"#);
    first.assert_contains(r#"<a href="/chuyen-muc/tin-tuc?trang=2" rel="next">Trang sau</a>"#);
    first.assert_not_contains("Trang trước");

    let second = app.get("/chuyen-muc/tin-tuc?trang=2").await;
    assert_eq!(second.status, StatusCode::OK);
    second.assert_contains(r#"href="/bai-viet/bai-so-11""#);
    second.assert_contains(r#"href="/bai-viet/bai-so-20""#);
    second.assert_not_contains(r#"href="/bai-viet/bai-so-10""#);
    second.assert_contains(r#"<a href="/chuyen-muc/tin-tuc" rel="prev">Trang trước</a>"#);
    second.assert_contains(
        r#"<link rel="canonical" href="https://baothang.example.vn/chuyen-muc/tin-tuc?trang=2">"#,
    );

    let last = app.get("/chuyen-muc/tin-tuc?trang=3").await;
    last.assert_contains(r#"href="/bai-viet/bai-so-23""#);
    last.assert_not_contains("Trang sau");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn subcategory_page_shows_only_its_articles_with_a_breadcrumb(db: PgPool) {
    let app = news_with_23_articles(&db).await;
    let page = app.get("/chuyen-muc/kinh-te").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<li><a href="/chuyen-muc/tin-tuc">Tin tức</a></li>"#);
    for n in [8, 16] {
        page.assert_contains(&format!(r#"href="/bai-viet/bai-so-{n}""#));
    }
    page.assert_not_contains(r#"href="/bai-viet/bai-so-1""#);
    page.assert_not_contains("Trang sau");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn bad_and_out_of_range_page_numbers_are_404_pages(db: PgPool) {
    let app = news_with_23_articles(&db).await;
    for uri in [
        "/chuyen-muc/tin-tuc?trang=abc",
        "/chuyen-muc/tin-tuc?trang=99999",
        "/chuyen-muc/tin-tuc?trang=4",
        "/chuyen-muc/tin-tuc?trang=0",
        "/chuyen-muc/tin-tuc?trang=-1",
        "/chuyen-muc/tin-tuc?trang=",
        "/chuyen-muc/tin-tuc?trang=1&trang=2",
        "/chuyen-muc/tin-tuc?trang=99999999999999999999999",
        "/chuyen-muc/tin-tuc?trang=%FF",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        page.assert_contains("Không tìm thấy trang");
    }
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn unknown_or_malformed_categories_are_404_pages(db: PgPool) {
    let app = news_with_23_articles(&db).await;
    for uri in [
        "/chuyen-muc/khong-co",
        "/chuyen-muc/Tin-Tuc",
        "/chuyen-muc/tin%20tuc",
        "/chuyen-muc/%FF%FE",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        page.assert_contains("Không tìm thấy trang");
    }
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn empty_category_says_so(db: PgPool) {
    category(&db, "Thông báo", None).await;
    let app = TestApp::new(db).await;
    let page = app.get("/chuyen-muc/thong-bao").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Chuyên mục chưa có tin bài.");
}
