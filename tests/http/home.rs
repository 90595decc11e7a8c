use axum::http::StatusCode;
use sqlx::PgPool;

use crate::support::{ArticleFixture, TestApp, category};

#[db_test]
async fn home_leads_with_the_newest_article_and_lists_the_latest(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Khai mạc kỳ họp thứ Mười", news)
        .hours_ago(5)
        .insert(&db)
        .await;
    ArticleFixture::new("Xuân Quang thu hoạch lúa", news)
        .hours_ago(2)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;

    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let lead = page.position(r#"class="lead-story""#);
    let newest = page
        .position(r#"<a href="/bai-viet/xuan-quang-thu-hoach-lua">Xuân Quang thu hoạch lúa</a>"#);
    let latest = page.position(r#"id="tin-moi""#);
    let older = page.position(r#"href="/bai-viet/khai-mac-ky-hop-thu-muoi""#);
    assert!(
        lead < newest && newest < latest && latest < older,
        "lead story first, then the latest"
    );
}

#[db_test]
async fn home_has_a_block_per_top_level_category_including_its_subcategories(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let politics = category(&db, "Chính trị", Some(news)).await;
    let tourism = category(&db, "Du lịch", None).await;
    category(&db, "Thông báo", None).await; // empty: no block
    ArticleFixture::new("Tin nóng nhất", news)
        .hours_ago(0)
        .insert(&db)
        .await;
    ArticleFixture::new("Hội nghị Ban Chấp hành Đảng bộ huyện", politics)
        .hours_ago(2)
        .insert(&db)
        .await;
    ArticleFixture::new("Mùa hoa ở Phong Hải", tourism)
        .hours_ago(3)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;

    let page = app.get("/").await;
    page.assert_contains(
        r#"<h2 id="khoi-1" class="section-title"><a href="/chuyen-muc/tin-tuc">Tin tức</a></h2>"#,
    );
    page.assert_contains(r#"<a href="/chuyen-muc/du-lich">Du lịch</a></h2>"#);
    page.assert_not_contains(r#"<a href="/chuyen-muc/thong-bao">Thông báo</a></h2>"#);
    let news_block = page.position(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a></h2>"#);
    let tourism_block = page.position(r#"<a href="/chuyen-muc/du-lich">Du lịch</a></h2>"#);
    let news_block = &page.body[news_block..tourism_block];
    assert!(
        news_block.contains("hoi-nghi-ban-chap-hanh-dang-bo-huyen"),
        "a sub-category's article shows in its parent's block"
    );
    assert!(!news_block.contains("tin-nong-nhat"), "the lead story is not repeated in its block");
}

#[db_test]
async fn most_read_lists_articles_by_views(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Ít người đọc", news)
        .views(3)
        .insert(&db)
        .await;
    ArticleFixture::new("Nhiều người đọc nhất", news)
        .views(900)
        .insert(&db)
        .await;
    ArticleFixture::new("Đọc vừa phải", news)
        .views(50)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;

    let page = app.get("/").await;
    let section = &page.body[page.position(r#"id="doc-nhieu""#)..];
    let first = section.find("nhieu-nguoi-doc-nhat").unwrap();
    let second = section.find("doc-vua-phai").unwrap();
    let third = section.find("it-nguoi-doc").unwrap();
    assert!(first < second && second < third);
}

#[db_test]
async fn empty_site_still_renders_a_home_page(db: PgPool) {
    let app = TestApp::new(db).await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Chưa có tin bài nào được đăng.");
}

#[db_test]
async fn header_menu_lists_categories_in_order_with_a_login_link(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    category(&db, "Kinh tế", Some(news)).await;
    category(&db, "Du lịch", None).await;
    let app = TestApp::new(db).await;

    let page = app.get("/").await;
    let nav = &page.body[page.position(r#"<nav class="main-nav""#)..page.position("</nav>")];
    let news = nav
        .find(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#)
        .expect("Tin tức in the menu");
    let economy = nav
        .find(r#"<a href="/chuyen-muc/kinh-te">Kinh tế</a>"#)
        .expect("sub-menu");
    let tourism = nav
        .find(r#"<a href="/chuyen-muc/du-lich">Du lịch</a>"#)
        .expect("Du lịch");
    assert!(news < economy && economy < tourism);
    page.assert_contains(r#"<a class="login-link" href="/admin/login">Đăng nhập</a>"#);
}
