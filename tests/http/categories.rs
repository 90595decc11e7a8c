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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
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

#[db_test]
async fn empty_category_says_so(db: PgPool) {
    category(&db, "Thông báo", None).await;
    let app = TestApp::new(db).await;
    let page = app.get("/chuyen-muc/thong-bao").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Chuyên mục chưa có tin bài.");
}

/// Titles of the articles a category page lists, in order.
fn listed(page: &crate::support::TestResponse) -> Vec<String> {
    page.body
        .match_indices(r#"<a href="/bai-viet/"#)
        .map(|(at, _)| {
            let rest = &page.body[at + r#"<a href="/bai-viet/"#.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .fold(Vec::new(), |mut slugs, slug| {
            if slugs.last() != Some(&slug) {
                slugs.push(slug);
            }
            slugs
        })
}

#[db_test]
async fn listings_follow_unpublishing_and_moved_articles_and_categories(db: PgPool) {
    let app = news_with_23_articles(&db).await;
    let culture = category(&db, "Văn hóa", None).await;
    app.state.site.refresh(&db).await.unwrap();

    // Taken down, and moved to another category: both leave "Tin tức" (page 3 had 3).
    sqlx::query("update article set status = 'archived' where slug = 'bai-so-23'")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query("update article set category_id = $1 where slug = 'bai-so-22'")
        .bind(culture)
        .execute(&db)
        .await
        .unwrap();
    let last = app.get("/chuyen-muc/tin-tuc?trang=3").await;
    assert_eq!(listed(&last), ["bai-so-21"]);
    let moved = app.get("/chuyen-muc/van-hoa").await;
    assert_eq!(listed(&moved), ["bai-so-22"]);

    // "Kinh tế" (bài 8 and 16) moves under "Văn hóa": its articles follow it.
    sqlx::query("update category set parent_id = $1 where slug = 'kinh-te'")
        .bind(culture)
        .execute(&db)
        .await
        .unwrap();
    app.state.site.refresh(&db).await.unwrap();
    let culture_page = app.get("/chuyen-muc/van-hoa").await;
    assert_eq!(listed(&culture_page), ["bai-so-8", "bai-so-16", "bai-so-22"]);
    let news = app.get("/chuyen-muc/tin-tuc?trang=2").await;
    assert_eq!(listed(&news).len(), 9);
    assert_eq!(app.get("/chuyen-muc/tin-tuc?trang=3").await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn concurrent_publications_keep_the_listing_counts_exact(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let economy = category(&db, "Kinh tế", Some(news)).await;
    let society = category(&db, "Xã hội", Some(news)).await;
    let mut ids = Vec::new();
    for n in 0..24 {
        let in_category = [news, economy, society][n % 3];
        let id = ArticleFixture::new(&format!("Bản nháp {n}"), in_category)
            .insert(&db)
            .await;
        ids.push(id);
    }
    sqlx::query("update article set status = 'draft'")
        .execute(&db)
        .await
        .unwrap();

    // Every article published (and a third moved between the sub-categories) at once.
    let publish = ids.iter().enumerate().map(|(n, &id)| {
        let db = db.clone();
        async move {
            let target = if n % 3 == 1 {
                society
            } else if n % 3 == 2 {
                economy
            } else {
                news
            };
            sqlx::query(
                "update article set status = 'published', category_id = $2 where article_id = $1",
            )
            .bind(id)
            .bind(target)
            .execute(&db)
            .await
            .unwrap();
        }
    });
    futures_util::future::join_all(publish).await;

    let counts: Vec<(String, i64)> = sqlx::query_as(
        "select c.slug, n.published from category_count n join category c using (category_id)
         order by c.slug",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        counts,
        [
            ("kinh-te".to_owned(), 8),
            ("tin-tuc".to_owned(), 24),
            ("xa-hoi".to_owned(), 8)
        ]
    );
    let app = TestApp::new(db.clone()).await;
    let third = app.get("/chuyen-muc/tin-tuc?trang=3").await;
    assert_eq!(listed(&third).len(), 4);
}

#[db_test]
async fn deep_pages_start_where_they_should_and_move_when_an_article_is_published(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // 1,205 articles, "Tin số 1" the newest, one hour apart (two at the same time: ids decide).
    sqlx::query(
        "insert into article (slug, title, sapo, body_html, byline, category_id, status,
                              published_at)
         select 'tin-so-' || n, 'Tin số ' || n, 'Tóm tắt.', '<p>Nội dung.</p>', 'Phóng viên',
                $1, 'published', now() - make_interval(hours => n - (n = 1205)::int)
         from generate_series(1, 1205) n",
    )
    .bind(news)
    .execute(&db)
    .await
    .unwrap();
    let app = TestApp::with_page_cache(db.clone()).await;
    let deep = app.get("/chuyen-muc/tin-tuc?trang=110").await;
    let slugs: Vec<String> = (1091..=1100).map(|n| format!("tin-so-{n}")).collect();
    assert_eq!(listed(&deep), slugs);
    let last = app.get("/chuyen-muc/tin-tuc?trang=121").await;
    // The two published at the same moment: the later id first.
    let last_slugs = [
        "tin-so-1201",
        "tin-so-1202",
        "tin-so-1203",
        "tin-so-1205",
        "tin-so-1204",
    ];
    assert_eq!(listed(&last), last_slugs);
    assert_eq!(app.get("/chuyen-muc/tin-tuc?trang=122").await.status, StatusCode::NOT_FOUND);

    // A new article moves every page by one, on the next request.
    ArticleFixture::new("Tin mới nhất", news)
        .hours_ago(0)
        .insert(&db)
        .await;
    let started = std::time::Instant::now();
    loop {
        let deep = app.get("/chuyen-muc/tin-tuc?trang=110").await;
        if listed(&deep).first().map(String::as_str) == Some("tin-so-1090") {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", listed(&deep));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
