use axum::http::StatusCode;
use serde::Deserialize;
use sqlx::PgPool;

use crate::support::{TestApp, count};

const SEED_SLUG: &str = "bao-thang-phat-huy-tinh-than-doan-ket-vuot-kho-vung-buoc-di-len";

#[derive(Deserialize)]
struct DemoArticle {
    title: String,
    sapo: String,
    body: Vec<String>,
}

fn seed_article() -> DemoArticle {
    let all: Vec<DemoArticle> =
        serde_json::from_str(include_str!("../../src/demo/articles.json")).unwrap();
    all.into_iter().next().unwrap()
}

/// How askama and the demo seeder write text into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('"', "&#34;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
}

async fn seeded_app(db: PgPool) -> TestApp {
    let app = TestApp::new(db).await;
    toasoan::demo::seed(&app.state.db, &*app.state.media)
        .await
        .unwrap();
    app.refresh().await;
    app
}

#[db_test]
async fn demo_home_leads_with_the_seed_article(db: PgPool) {
    let app = seeded_app(db).await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<title>Cổng thông tin điện tử huyện Bảo Thắng</title>");
    let lead = &page.body[page.position(r#"class="lead-story""#)..];
    assert!(lead.contains(&format!(
        r#"<a href="/bai-viet/{SEED_SLUG}">BẢO THẮNG PHÁT HUY TINH THẦN ĐOÀN KẾT, VƯỢT KHÓ VỮNG BƯỚC ĐI LÊN</a>"#
    )));
    for section in ["Tin tức", "Chính quyền", "Du lịch", "Thông báo"] {
        page.assert_contains(&format!(">{section}</a></h2>"));
    }
    page.assert_contains("Ủy ban nhân dân huyện Bảo Thắng");
    page.assert_contains(r#"alt="Chứng nhận Tín nhiệm mạng""#);
    // The seed article is featured first; the second featured one is in the strip.
    let strip = &page.body[page.position(r#"id="tin-noi-bat""#)..];
    let strip = &strip[..strip.find("</section>").unwrap()];
    assert!(strip.contains("Ban Chấp hành Đảng bộ huyện sơ kết công tác 9 tháng"));
    // The demo shows the visitor counter.
    page.assert_contains("Đang truy cập: <strong>0</strong>");
}

#[db_test]
async fn demo_seed_article_is_complete_at_its_own_url(db: PgPool) {
    let app = seeded_app(db).await;
    let seed = seed_article();
    let page = app.get(&format!("/bai-viet/{SEED_SLUG}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(&format!(r#"<h1 class="article-title">{}</h1>"#, seed.title));
    page.assert_contains(&format!(r#"<p class="sapo">{}</p>"#, escaped(&seed.sapo)));
    page.assert_contains("<figcaption>Bảo Thắng trên đường phát triển</figcaption>");
    page.assert_contains(r#"<img src="/media/demo/bao-thang-phat-trien.jpg""#);
    assert_eq!(seed.body.len(), 8);
    let mut last = 0;
    for paragraph in &seed.body {
        let at = page.position(&format!("<p>{}</p>", escaped(paragraph)));
        assert!(at > last, "paragraphs in order");
        last = at;
    }
    assert!(page.position(r#"<p class="byline">Lê Thu Thuỷ</p>"#) > last, "byline at the end");
    page.assert_contains(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#);

    let image = app.get("/media/demo/bao-thang-phat-trien.jpg").await;
    assert_eq!(image.status, StatusCode::OK);
    assert_eq!(image.header(axum::http::header::CONTENT_TYPE), "image/jpeg");
}

#[db_test]
async fn demo_seeding_is_idempotent(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let articles = count(&db, "article").await;
    let categories = count(&db, "category").await;
    assert!(articles >= 20, "{articles}");
    assert_eq!(categories, 8);

    toasoan::demo::seed(&db, &*app.state.media).await.unwrap();
    assert_eq!(count(&db, "article").await, articles);
    assert_eq!(count(&db, "category").await, categories);
}

#[db_test]
async fn demo_content_spreads_over_every_category_and_the_last_weeks(db: PgPool) {
    seeded_app(db.clone()).await;
    let empty: i64 = sqlx::query_scalar(
        "select count(*) from category c
         where not exists (select 1 from article a where a.category_id = c.category_id)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(empty, 0, "every category has demo articles");
    let days: f64 = sqlx::query_scalar(
        "select extract(epoch from max(published_at) - min(published_at))::float8 / 86400 from article",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(days > 14.0, "spread over weeks: {days}");
}

#[db_test]
async fn demo_text_is_stored_nfc(db: PgPool) {
    seeded_app(db.clone()).await;
    let not_nfc: i64 = sqlx::query_scalar(
        "select count(*) from article where not (title is nfc normalized and body_html is nfc normalized)",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(not_nfc, 0);
}

#[db_test]
async fn demo_pages_are_in_the_menus_and_one_is_in_english(db: PgPool) {
    let app = seeded_app(db).await;
    let home = app.get("/").await;
    let start = home.position(r#"<nav class="main-nav""#);
    let menu = &home.body[start..start + home.body[start..].find("</nav>").unwrap()];
    let about = menu
        .find(r#"<a href="/gioi-thieu">Giới thiệu</a>"#)
        .unwrap();
    let leaders = menu
        .find(r#"<li><a href="/lanh-dao">Lãnh đạo</a></li>"#)
        .unwrap();
    let news = menu
        .find(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#)
        .unwrap();
    let documents = menu.find(r#"<a href="/van-ban">Văn bản</a>"#).unwrap();
    assert!(about < leaders && leaders < news && news < documents, "{menu}");
    assert!(menu.contains(r#"<a href="/lien-he">Liên hệ</a>"#));
    home.assert_contains(r#"<li><a href="/introduction">English</a></li>"#);

    for slug in [
        "gioi-thieu",
        "co-cau-to-chuc",
        "lanh-dao",
        "chuc-nang-nhiem-vu",
    ] {
        let page = app.get(&format!("/{slug}")).await;
        assert_eq!(page.status, StatusCode::OK, "{slug}");
        page.assert_contains("Bảo Thắng");
    }
    let child = app.get("/co-cau-to-chuc").await;
    child.assert_contains(r#"<li><a href="/gioi-thieu">Giới thiệu</a></li>"#);
    // The menu shows where the reader is: under "Giới thiệu".
    child.assert_contains(r#"<a href="/gioi-thieu" aria-current="true">Giới thiệu</a>"#);
    home.assert_not_contains(r#"aria-current="true">Giới thiệu"#);
    let english = app.get("/introduction").await;
    english.assert_contains(r#"<html lang="en">"#);
    english.assert_contains(r#"hreflang="vi" href="https://baothang.example.vn/gioi-thieu""#);
    app.get("/en")
        .await
        .assert_contains(r#"<a href="/introduction">Introduction</a>"#);
}

#[db_test]
async fn demo_documents_are_listed_found_and_downloadable(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let listing = app.get("/van-ban").await;
    assert_eq!(listing.status, StatusCode::OK);
    listing.assert_contains("Có 5 văn bản");
    // Newest issued first.
    assert!(listing.position(">12/TB-VP</a>") < listing.position(">15-NQ/HU</a>"));
    assert!(listing.position(">15-NQ/HU</a>") < listing.position(">08/CT-UBND</a>"));

    let found = app.get("/van-ban?q=nghi+quyet+15").await;
    found.assert_contains("Tìm thấy 1 văn bản");
    let slug = "15-nq-hu-ve-phat-trien-kinh-te-nong-thon-gan-voi-xay-dung-nong-thon-moi-giai-doan-2026-2030";
    found.assert_contains(&format!(r#"href="/van-ban/{slug}""#));

    let page = app.get(&format!("/van-ban/{slug}")).await;
    let start = page.position(r#"href="/tai-lieu/"#) + r#"href=""#.len();
    let url = &page.body[start..start + page.body[start..].find('"').unwrap()];
    let (file, bytes) = app
        .request_raw(
            axum::http::Request::get(url)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(file.status, StatusCode::OK, "{url}");
    assert!(bytes.starts_with(b"%PDF-1.4") && bytes.ends_with(b"%%EOF\n"));
    assert!(
        file.header(axum::http::header::CONTENT_DISPOSITION)
            .contains("filename*=UTF-8''15-NQ-HU%20V%E1%BB%81%20ph%C3%A1t")
    );
    // Seeding again adds nothing.
    toasoan::demo::seed(&db, &*app.state.media).await.unwrap();
    let documents: i64 = sqlx::query_scalar("select count(*) from legal_document")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(documents, 5);
}
