//! What a page says about itself: titles, descriptions, feeds, link previews (Open Graph,
//! Twitter), structured data (JSON-LD), and the article page's print line, share links and
//! reading controls.

use axum::http::StatusCode;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::support::{ArticleFixture, TestApp, TestResponse, category};

const BASE: &str = "https://baothang.example.vn";

/// The `content` of `<meta {attr}="{name}" content="…">`, unescaped.
fn meta(page: &TestResponse, attr: &str, name: &str) -> Option<String> {
    let start = format!(r#"<meta {attr}="{name}" content=""#);
    let at = page.body.find(&start)? + start.len();
    let end = page.body[at..].find('"')?;
    Some(unescape(&page.body[at..at + end]))
}

#[track_caller]
fn og(page: &TestResponse, name: &str) -> String {
    meta(page, "property", name).unwrap_or_else(|| panic!("no {name} in the head"))
}

#[track_caller]
fn twitter(page: &TestResponse, name: &str) -> String {
    meta(page, "name", name).unwrap_or_else(|| panic!("no {name} in the head"))
}

/// What askama writes for the five characters it escapes.
fn unescape(text: &str) -> String {
    text.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&")
}

/// The head of the page (everything before `<body>`).
fn head(page: &TestResponse) -> &str {
    &page.body[..page.position("<body>")]
}

/// The JSON-LD block of the page, parsed.
#[track_caller]
fn json_ld(page: &TestResponse) -> Value {
    let open = r#"<script type="application/ld+json">"#;
    let start = page.position(open) + open.len();
    let end = start + page.body[start..].find("</script>").expect("closed script");
    let text = &page.body[start..end];
    assert!(
        !text.contains('<') && !text.contains('>') && !text.contains('&'),
        "markup characters are escaped: {text}"
    );
    serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON-LD ({e}): {text}"))
}

/// Every `<script …>` start tag of the page.
fn script_tags(page: &TestResponse) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = page.body.as_str();
    while let Some(at) = rest.find("<script") {
        let end = at + rest[at..].find('>').expect("tag closed") + 1;
        tags.push(&rest[at..end]);
        rest = &rest[end..];
    }
    tags
}

/// Structured data, or a file of ours under `/static/`.
fn is_ours(tag: &str) -> bool {
    tag == r#"<script type="application/ld+json">"# || tag.starts_with(r#"<script src="/static/"#)
}

async fn set_tagline(db: &PgPool, tagline: &str) {
    sqlx::query("update site_setting set tagline = $1")
        .bind(tagline)
        .execute(db)
        .await
        .unwrap();
}

async fn set_cover(db: &PgPool, article_id: i64, path: &str, alt: &str) {
    sqlx::query(
        "update article set cover_image = $2, cover_widths = '{480,960,1600}', cover_alt = $3
         where article_id = $1",
    )
    .bind(article_id)
    .bind(path)
    .bind(alt)
    .execute(db)
    .await
    .unwrap();
}

/// Publication 2026-11-27 20:13:05 and last edit 2026-11-28 08:30:00, Vietnam time.
async fn set_dates(db: &PgPool, article_id: i64) {
    sqlx::query(
        "update article set published_at = '2026-11-27 13:13:05.123+00',
                            updated_at = '2026-11-28 01:30:00+00' where article_id = $1",
    )
    .bind(article_id)
    .execute(db)
    .await
    .unwrap();
}

const LONG_SAPO: &str = "Sáng 27/11, Hội đồng nhân dân huyện Bảo Thắng khai mạc kỳ họp thứ Mười, \
     xem xét báo cáo tình hình kinh tế - xã hội năm 2026 và quyết định nhiều nội dung quan trọng \
     về đầu tư công, ngân sách và kế hoạch phát triển của địa phương.";

#[db_test]
async fn home_head_has_the_site_name_tagline_and_feed(db: PgPool) {
    set_tagline(&db, "Tin tức huyện Bảo Thắng").await;
    let app = TestApp::new(db).await;

    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<title>Tòa Soạn</title>");
    page.assert_contains(
        r#"<meta name="description" content="Tòa Soạn - Tin tức huyện Bảo Thắng">"#,
    );
    page.assert_contains(
        r#"<link rel="alternate" type="application/rss+xml" title="Tòa Soạn" href="/rss.xml">"#,
    );
    assert_eq!(og(&page, "og:type"), "website");
    assert_eq!(og(&page, "og:site_name"), "Tòa Soạn");
    assert_eq!(og(&page, "og:title"), "Tòa Soạn");
    assert_eq!(og(&page, "og:description"), "Tòa Soạn - Tin tức huyện Bảo Thắng");
    assert_eq!(og(&page, "og:url"), format!("{BASE}/"));
    assert_eq!(og(&page, "og:locale"), "vi_VN");
    assert_eq!(twitter(&page, "twitter:card"), "summary");
    assert!(meta(&page, "property", "og:image").is_none());
    assert!(!page.body.contains("application/ld+json"));
    assert!(!page.body.contains("/chuyen-muc/"), "no section feed");
}

#[db_test]
async fn home_without_a_tagline_still_describes_the_site(db: PgPool) {
    let app = TestApp::new(db).await;
    let page = app.get("/").await;
    let description = meta(&page, "name", "description").expect("a description");
    assert!(description.starts_with("Tòa Soạn: "), "{description}");
}

#[db_test]
async fn category_head_has_its_description_and_feed(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    category(&db, "Du lịch", None).await;
    sqlx::query("update category set description = $2 where category_id = $1")
        .bind(news)
        .bind("Tin tức thời sự, chính trị, kinh tế của huyện.")
        .execute(&db)
        .await
        .unwrap();
    ArticleFixture::new("Tin đầu tiên", news).insert(&db).await;
    let app = TestApp::new(db).await;

    let page = app.get("/chuyen-muc/tin-tuc").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("<title>Tin tức - Tòa Soạn</title>");
    page.assert_contains(
        r#"<meta name="description" content="Tin tức thời sự, chính trị, kinh tế của huyện.">"#,
    );
    page.assert_contains(
        r#"<link rel="alternate" type="application/rss+xml" title="Tòa Soạn" href="/rss.xml">"#,
    );
    page.assert_contains(
        r#"<link rel="alternate" type="application/rss+xml" title="Tin tức - Tòa Soạn" href="/chuyen-muc/tin-tuc/rss.xml">"#,
    );
    assert_eq!(og(&page, "og:type"), "website");
    assert_eq!(og(&page, "og:title"), "Tin tức");
    assert_eq!(og(&page, "og:url"), format!("{BASE}/chuyen-muc/tin-tuc"));

    // Without a description of its own: a sentence naming the category and the site.
    let other = app.get("/chuyen-muc/du-lich").await;
    assert_eq!(
        meta(&other, "name", "description").unwrap(),
        "Tin bài mới nhất của chuyên mục Du lịch trên Tòa Soạn."
    );
    other.assert_contains(r#"href="/chuyen-muc/du-lich/rss.xml""#);
}

#[db_test]
async fn article_head_describes_it_for_previews_and_search_engines(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let politics = category(&db, "Chính trị", Some(news)).await;
    let id = ArticleFixture {
        sapo: LONG_SAPO,
        byline: "Lê Thu Thuỷ",
        ..ArticleFixture::new("Khai mạc kỳ họp HĐND huyện", politics)
    }
    .insert(&db)
    .await;
    set_cover(&db, id, "2026/11/ab12cd34-1600.jpg", "Quang cảnh kỳ họp").await;
    set_dates(&db, id).await;
    let app = TestApp::new(db).await;

    let page = app.get("/bai-viet/khai-mac-ky-hop-hdnd-huyen").await;
    assert_eq!(page.status, StatusCode::OK);
    let url = format!("{BASE}/bai-viet/khai-mac-ky-hop-hdnd-huyen");
    let image = format!("{BASE}/media/2026/11/ab12cd34-1600.jpg");
    page.assert_contains("<title>Khai mạc kỳ họp HĐND huyện - Tòa Soạn</title>");
    page.assert_contains(&format!(r#"<link rel="canonical" href="{url}">"#));

    // The sapo, cut at a word boundary to at most 160 characters.
    let description = meta(&page, "name", "description").expect("a description");
    assert!(description.chars().count() <= 160, "{description}");
    let kept = description.strip_suffix('…').expect("marked as cut");
    assert!(LONG_SAPO.starts_with(kept), "{description}");
    assert_eq!(LONG_SAPO[kept.len()..].chars().next(), Some(' '));
    assert!(kept.chars().count() > 120, "not cut too short: {description}");

    // Open Graph.
    assert_eq!(og(&page, "og:site_name"), "Tòa Soạn");
    assert_eq!(og(&page, "og:type"), "article");
    assert_eq!(og(&page, "og:title"), "Khai mạc kỳ họp HĐND huyện");
    assert_eq!(og(&page, "og:description"), description);
    assert_eq!(og(&page, "og:url"), url);
    assert_eq!(og(&page, "og:image"), image);
    assert_eq!(og(&page, "og:image:alt"), "Quang cảnh kỳ họp");
    assert_eq!(og(&page, "og:locale"), "vi_VN");
    assert_eq!(og(&page, "article:published_time"), "2026-11-27T20:13:05+07:00");
    assert_eq!(og(&page, "article:modified_time"), "2026-11-28T08:30:00+07:00");
    assert_eq!(og(&page, "article:section"), "Chính trị");

    // Twitter.
    assert_eq!(twitter(&page, "twitter:card"), "summary_large_image");
    assert_eq!(twitter(&page, "twitter:title"), "Khai mạc kỳ họp HĐND huyện");
    assert_eq!(twitter(&page, "twitter:description"), description);
    assert_eq!(twitter(&page, "twitter:image"), image);

    // Feeds: the site's and the article's category.
    let head = head(&page);
    assert!(head.contains(r#"type="application/rss+xml" title="Tòa Soạn" href="/rss.xml""#));
    assert!(head.contains(
        r#"type="application/rss+xml" title="Chính trị - Tòa Soạn" href="/chuyen-muc/chinh-tri/rss.xml""#
    ));

    // Structured data: every property.
    let ld = json_ld(&page);
    assert_eq!(
        ld,
        json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Khai mạc kỳ họp HĐND huyện",
            "description": LONG_SAPO,
            "image": [image],
            "datePublished": "2026-11-27T20:13:05+07:00",
            "dateModified": "2026-11-28T08:30:00+07:00",
            "author": { "@type": "Person", "name": "Lê Thu Thuỷ" },
            "publisher": {
                "@type": "Organization",
                "name": "Tòa Soạn",
                "logo": { "@type": "ImageObject", "url": format!("{BASE}/static/img/logo.svg") },
            },
            "mainEntityOfPage": url,
            "url": url,
            "articleSection": "Chính trị",
            "inLanguage": "vi",
        })
    );
    // The logo it names is served.
    assert_eq!(app.get("/static/img/logo.svg").await.status, StatusCode::OK);
}

#[db_test]
async fn article_without_cover_has_a_summary_card_and_no_image(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let id = ArticleFixture {
        sapo: "Ngắn gọn.",
        byline: "",
        ..ArticleFixture::new("Tin không ảnh", news)
    }
    .insert(&db)
    .await;
    // Published after its last edit (a scheduled article): modified is never before published.
    sqlx::query(
        "update article set updated_at = '2026-11-01 00:00:00+00',
                            published_at = '2026-11-02 03:04:05+00' where article_id = $1",
    )
    .bind(id)
    .execute(&db)
    .await
    .unwrap();
    let app = TestApp::new(db).await;

    let page = app.get("/bai-viet/tin-khong-anh").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(meta(&page, "name", "description").unwrap(), "Ngắn gọn.");
    assert_eq!(twitter(&page, "twitter:card"), "summary");
    assert!(meta(&page, "property", "og:image").is_none());
    assert!(meta(&page, "name", "twitter:image").is_none());
    assert_eq!(og(&page, "og:type"), "article");

    let ld = json_ld(&page);
    assert!(ld.get("image").is_none(), "{ld}");
    assert_eq!(ld["datePublished"], "2026-11-02T10:04:05+07:00");
    assert_eq!(ld["dateModified"], "2026-11-02T10:04:05+07:00");
    assert_eq!(og(&page, "article:modified_time"), "2026-11-02T10:04:05+07:00");
    // No byline printed: the site is the author.
    assert_eq!(ld["author"], json!({ "@type": "Organization", "name": "Tòa Soạn" }));
}

#[db_test]
async fn hostile_title_and_byline_are_escaped_everywhere_in_the_head(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let title = r#"Lũ "lớn" </script><script>alert(1)</script> & <!-- Đà Nẵng"#;
    let byline = "Nguyễn Văn \"Ánh\" </script><img src=x onerror=alert(2)> & cộng sự";
    let sapo = "Giá <b>lúa</b> & \"ngô\" tăng </SCRIPT>";
    ArticleFixture {
        sapo,
        byline,
        ..ArticleFixture::new(title, news)
    }
    .insert(&db)
    .await;
    let app = TestApp::new(db).await;

    let page = app
        .get(&format!("/bai-viet/{}", toasoan::text::slugify(title)))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.assert_not_contains("<script>alert(1)");
    page.assert_not_contains("<img src=x");
    page.assert_not_contains("</SCRIPT>");
    // Only our own script elements, each closed where we close it: one JSON-LD block.
    let tags = script_tags(&page);
    assert!(tags.iter().all(|tag| is_ours(tag)), "{tags:?}");
    assert_eq!(page.body.matches("</script>").count(), tags.len());
    let json_blocks = tags.iter().filter(|tag| tag.contains("ld+json")).count();
    assert_eq!(json_blocks, 1);

    assert_eq!(og(&page, "og:title"), title);
    assert_eq!(twitter(&page, "twitter:title"), title);
    assert_eq!(og(&page, "og:description"), sapo);
    page.assert_contains(r#"content="Lũ &#34;lớn&#34; &#60;/script&#62;"#);

    let ld = json_ld(&page);
    assert_eq!(ld["headline"], title);
    assert_eq!(ld["description"], sapo);
    assert_eq!(ld["author"], json!({ "@type": "Person", "name": byline }));
}

#[db_test]
async fn printed_article_names_its_source(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin để in", news).insert(&db).await;
    let app = TestApp::new(db).await;

    let page = app.get("/bai-viet/tin-de-in").await;
    page.assert_contains(&format!(
        r#"<p class="print-only print-source">Nguồn: {BASE}/bai-viet/tin-de-in</p>"#
    ));
    page.assert_contains(r#"<time datetime=""#); // the date is printed with the article

    // The stylesheet shows it on paper only, and prints no menus, forms, tools or lists.
    let css = app.get("/static/site.css").await.body;
    assert!(css.contains(".print-only { display: none; }"));
    let print = &css[css.find("@media print {\n  @page").expect("print styles")..];
    let print = &print[..print.find("\n}\n").unwrap()];
    assert!(print.contains(".print-only { display: block !important; }"));
    for hidden in [
        ".main-nav",
        ".topbar",
        ".site-footer",
        ".related",
        ".comments",
        "form",
        ".article-tools",
        ".share",
        ".reader-tools",
    ] {
        assert!(print.contains(hidden), "{hidden} hidden in print");
    }
}

#[db_test]
async fn share_links_are_plain_links_with_no_third_party_script(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Chia sẻ bài này", news)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;

    let page = app.get("/bai-viet/chia-se-bai-nay").await;
    let encoded = "https%3A%2F%2Fbaothang.example.vn%2Fbai-viet%2Fchia-se-bai-nay";
    page.assert_contains(&format!(
        r#"<a class="share-link share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={encoded}" target="_blank" rel="noopener noreferrer">"#
    ));
    page.assert_contains(&format!(
        r#"<a class="share-link share-zalo" href="https://sp.zalo.me/share_to_zalo?url={encoded}" target="_blank" rel="noopener noreferrer">"#
    ));
    // Without JavaScript: a plain link to the article; with it, a button that copies.
    page.assert_contains(&format!(
        r#"<a class="share-link share-permalink" href="{BASE}/bai-viet/chia-se-bai-nay" data-copy-fallback>"#
    ));
    page.assert_contains(&format!(
        r#"<button type="button" class="share-link share-copy" data-copy-url="{BASE}/bai-viet/chia-se-bai-nay" hidden>Sao chép liên kết</button>"#
    ));

    // Every script on the page is ours: from /static/ or inline structured data.
    for tag in script_tags(&page) {
        assert!(is_ours(tag), "foreign script: {tag}");
    }
    for foreign in ["connect.facebook.net", "sp.zalo.me/plugins", "<iframe"] {
        page.assert_not_contains(foreign);
    }
}

#[db_test]
async fn reading_controls_are_shown_only_by_the_script(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Đọc dễ hơn", news).insert(&db).await;
    let app = TestApp::new(db).await;

    let page = app.get("/bai-viet/doc-de-hon").await;
    page.assert_contains(
        r#"<div class="reader-tools" role="group" aria-label="Tùy chọn hiển thị" data-reader-tools hidden>"#,
    );
    page.assert_contains(
        r#"<button type="button" class="reader-button" data-reader-size="-1">A-<span class="visually-hidden"> (giảm cỡ chữ)</span></button>"#,
    );
    page.assert_contains(
        r#"<button type="button" class="reader-button" data-reader-size="0">A<span class="visually-hidden"> (cỡ chữ mặc định)</span></button>"#,
    );
    page.assert_contains(
        r#"<button type="button" class="reader-button" data-reader-size="1">A+<span class="visually-hidden"> (tăng cỡ chữ)</span></button>"#,
    );
    page.assert_contains(r#"data-reader-contrast aria-pressed="false">Tương phản cao</button>"#);

    // The script: fingerprinted, deferred, in the head of every public page.
    let head = head(&page);
    let start = head
        .find(r#"<script src="/static/reader.js?v="#)
        .expect("reader.js");
    let tag = &head[start..start + head[start..].find('>').unwrap() + 1];
    assert!(tag.ends_with(r#"" defer>"#), "{tag}");
    let src = &tag[r#"<script src=""#.len()..tag.len() - r#"" defer>"#.len()];
    let script = app.get(src).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.body.contains("localStorage"));
    assert!(script.body.contains("navigator.clipboard"));
    assert!(script.body.contains("Đã sao chép"));
    app.get("/")
        .await
        .assert_contains(r#"<script src="/static/reader.js?v="#);
}

#[db_test]
async fn error_pages_keep_a_plain_head(db: PgPool) {
    let app = TestApp::new(db).await;
    let page = app.get("/bai-viet/khong-co").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    page.assert_contains("<title>Không tìm thấy trang - Tòa Soạn</title>");
    assert!(meta(&page, "property", "og:type").is_none());
    assert!(!page.body.contains("application/ld+json"));
}
