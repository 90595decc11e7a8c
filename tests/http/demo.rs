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
    toasoan::demo::seed(&app.state.db, app.media_dir())
        .await
        .unwrap();
    app.refresh().await;
    app
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
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

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
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

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn demo_seeding_is_idempotent(db: PgPool) {
    let app = seeded_app(db.clone()).await;
    let articles = count(&db, "article").await;
    let categories = count(&db, "category").await;
    assert!(articles >= 20, "{articles}");
    assert_eq!(categories, 8);

    toasoan::demo::seed(&db, app.media_dir()).await.unwrap();
    assert_eq!(count(&db, "article").await, articles);
    assert_eq!(count(&db, "category").await, categories);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
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

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
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
