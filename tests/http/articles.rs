use axum::http::{StatusCode, header};
use sqlx::PgPool;

use crate::support::{ArticleFixture, TestApp, category, count};

#[db_test]
async fn article_page_shows_everything_a_reader_expects(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let politics = category(&db, "Chính trị", Some(news)).await;
    let id = ArticleFixture {
        sapo: "Sáng nay, HĐND huyện khai mạc kỳ họp.",
        body_html: "<p>Đoạn thứ nhất.</p><p>Đoạn thứ hai.</p>",
        byline: "Lê Thu Thuỷ",
        ..ArticleFixture::new("Khai mạc kỳ họp HĐND huyện", politics)
    }
    .insert(&db)
    .await;
    sqlx::query("update article set published_at = '2026-11-27 13:13:00+00', view_count = 1233 where article_id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    ArticleFixture::new("Tin khác cùng chuyên mục", politics)
        .insert(&db)
        .await;
    ArticleFixture::new("Tin ở chuyên mục cha", news)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;

    let page = app.get("/bai-viet/khai-mac-ky-hop-hdnd-huyen").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<title>Khai mạc kỳ họp HĐND huyện - Tòa Soạn</title>");
    page.assert_contains(r#"<h1 class="article-title">Khai mạc kỳ họp HĐND huyện</h1>"#);
    page.assert_contains(
        r#"<time datetime="2026-11-27T20:13:00+07:00">Thứ Sáu, 27/11/2026 20:13</time>"#,
    );
    page.assert_contains(r#"<p class="sapo">Sáng nay, HĐND huyện khai mạc kỳ họp.</p>"#);
    page.assert_contains("<p>Đoạn thứ nhất.</p><p>Đoạn thứ hai.</p>");
    page.assert_contains(r#"<p class="byline">Lê Thu Thuỷ</p>"#);
    // 1233 stored + this view.
    page.assert_contains("Lượt xem: <strong>1.234</strong>");
    // Breadcrumb: the category path.
    let crumbs = &page.body[page.position(r#"<nav class="breadcrumb""#)..];
    let parent = crumbs
        .find(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#)
        .unwrap();
    let own = crumbs
        .find(r#"<a href="/chuyen-muc/chinh-tri">Chính trị</a>"#)
        .unwrap();
    assert!(parent < own);
    // "Các tin khác": same category only, not the article itself.
    let related = &page.body[page.position(r#"id="tin-khac""#)..];
    assert!(related.contains("/bai-viet/tin-khac-cung-chuyen-muc"));
    assert!(!related.contains("/bai-viet/tin-o-chuyen-muc-cha"));
    assert!(!related.contains("/bai-viet/khai-mac-ky-hop-hdnd-huyen"));
    page.assert_contains(r#"<link rel="canonical" href="https://baothang.example.vn/bai-viet/khai-mac-ky-hop-hdnd-huyen">"#);
}

#[db_test]
async fn title_and_sapo_are_escaped(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture {
        sapo: "<script>alert(1)</script>",
        ..ArticleFixture::new("Giá <b>lúa</b> tăng", news)
    }
    .insert(&db)
    .await;
    let app = TestApp::new(db).await;
    let page = app.get("/bai-viet/gia-b-lua-b-tang").await;
    page.assert_contains("Giá &#60;b&#62;lúa&#60;/b&#62; tăng");
    page.assert_not_contains("<script>alert(1)</script>");
}

#[db_test]
async fn views_are_counted_in_memory_and_written_in_batches(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let id = ArticleFixture::new("Tin được đọc", news)
        .views(10)
        .insert(&db)
        .await;
    let app = TestApp::new(db.clone()).await;
    let stored = || async {
        sqlx::query_scalar::<_, i64>("select view_count from article where article_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap()
    };

    app.get("/bai-viet/tin-duoc-doc")
        .await
        .assert_contains("Lượt xem: <strong>11</strong>");
    app.get("/bai-viet/tin-duoc-doc")
        .await
        .assert_contains("Lượt xem: <strong>12</strong>");
    assert_eq!(stored().await, 10, "a page view writes nothing to the database");

    assert_eq!(app.state.views.flush(&app.state.db).await.unwrap(), 1);
    assert_eq!(stored().await, 12);
    app.get("/bai-viet/tin-duoc-doc")
        .await
        .assert_contains("Lượt xem: <strong>13</strong>");
}

#[db_test]
async fn renamed_article_redirects_permanently_from_its_old_slug(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let id = ArticleFixture::new("Tiêu đề cũ", news).insert(&db).await;
    toasoan::db::articles::rename(&db, id, "tieu-de-moi")
        .await
        .unwrap();
    let app = TestApp::new(db.clone()).await;

    let old = app.get("/bai-viet/tieu-de-cu").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.header(header::LOCATION), "/bai-viet/tieu-de-moi");
    assert_eq!(app.get("/bai-viet/tieu-de-moi").await.status, StatusCode::OK);

    // Renamed back: the first slug is current again and no longer redirects.
    toasoan::db::articles::rename(&db, id, "tieu-de-cu")
        .await
        .unwrap();
    assert_eq!(app.get("/bai-viet/tieu-de-cu").await.status, StatusCode::OK);
    let newer = app.get("/bai-viet/tieu-de-moi").await;
    assert_eq!(newer.header(header::LOCATION), "/bai-viet/tieu-de-cu");
}

#[db_test]
async fn unpublished_articles_are_not_found(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    for (title, status) in [
        ("Bản nháp", "draft"),
        ("Chờ duyệt", "pending"),
        ("Đã gỡ", "archived"),
    ] {
        let id = ArticleFixture::new(title, news).insert(&db).await;
        sqlx::query("update article set status = $2::article_status where article_id = $1")
            .bind(id)
            .bind(status)
            .execute(&db)
            .await
            .unwrap();
    }
    let app = TestApp::new(db.clone()).await;
    for slug in ["ban-nhap", "cho-duyet", "da-go"] {
        assert_eq!(app.get(&format!("/bai-viet/{slug}")).await.status, StatusCode::NOT_FOUND);
    }
    app.get("/")
        .await
        .assert_contains("Chưa có tin bài nào được đăng.");
    assert_eq!(count(&db, "article").await, 3);
}

#[db_test]
async fn mangled_article_urls_are_404_pages_never_500(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Bài thật", news).insert(&db).await;
    let app = TestApp::new(db).await;
    for uri in [
        "/bai-viet/bai-that-x",
        "/bai-viet/Bai-That",
        "/bai-viet/bai--that",
        "/bai-viet/bài-thật",
        "/bai-viet/%FF",
        "/bai-viet/bai-that%00",
        "/bai-viet/'%20or%201=1--",
        "/bai-viet/",
        "/bai-viet/bai-that/extra",
        &format!("/bai-viet/{}", "a".repeat(5000)),
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        page.assert_contains("Không tìm thấy trang");
    }
}

#[db_test]
async fn text_that_is_not_nfc_cannot_be_stored(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // "Bảo Thắng" typed decomposed (NFD): base letters followed by combining marks.
    let nfd = "Ba\u{309}o Tha\u{306}\u{301}ng";
    let result =
        sqlx::query("insert into article (slug, title, category_id) values ('bao-thang', $1, $2)")
            .bind(nfd)
            .bind(news)
            .execute(&db)
            .await;
    let error = result.expect_err("NFD text is refused");
    assert!(error.to_string().contains("article_text_nfc"), "{error}");
    // Normalised first, it is stored and reads back composed.
    let cleaned = toasoan::text::clean(nfd);
    assert_eq!(cleaned, "Bảo Thắng");
    ArticleFixture::new(&cleaned, news).insert(&db).await;
}
