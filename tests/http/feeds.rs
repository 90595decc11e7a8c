//! RSS feeds, sitemaps and robots.txt, as feed readers and crawlers see them.
//!
//! The documents are checked for well-formedness and read with the small reader in [`xml`]
//! (enough for documents without DTD, CDATA or comments); `tests/feeds/check.py` puts them
//! through real parsers and the sitemaps.org schemas in CI.

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use time::{OffsetDateTime, format_description::well_known::Rfc2822, macros::datetime};
use toasoan::{error::AppError, web::public::sitemaps};

use crate::support::{ArticleFixture, TestApp, TestResponse, category};

const BASE: &str = "https://baothang.example.vn";

/// An article in any status, straight into the table (the newsroom's own rules are tested
/// elsewhere): `hours_ago` may be negative (scheduled for later); `None` leaves `published_at`
/// empty (a draft never published).
async fn article_row(
    db: &PgPool,
    slug: &str,
    title: &str,
    category_id: i64,
    status: &str,
    hours_ago: Option<i64>,
) -> i64 {
    sqlx::query_scalar(
        "insert into article (slug, title, sapo, category_id, status, published_at)
         values ($1, $2, 'Tóm tắt.', $3, $4::text::article_status,
                 now() - make_interval(hours => $5::int))
         returning article_id",
    )
    .bind(slug)
    .bind(title)
    .bind(category_id)
    .bind(status)
    .bind(hours_ago.map(|h| i32::try_from(h).unwrap()))
    .fetch_one(db)
    .await
    .expect("insert article")
}

async fn set_cover(db: &PgPool, article_id: i64, path: &str, widths: &[i32]) {
    sqlx::query("update article set cover_image = $2, cover_widths = $3 where article_id = $1")
        .bind(article_id)
        .bind(path)
        .bind(widths)
        .execute(db)
        .await
        .expect("set cover");
}

async fn set_site_name(app: &TestApp, name: &str) {
    sqlx::query("update site_setting set site_name = $1")
        .bind(name)
        .execute(&app.state.db)
        .await
        .expect("site name");
    app.refresh().await;
}

#[track_caller]
fn assert_xml(res: &TestResponse, content_type: &str) {
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.header(header::CONTENT_TYPE), content_type);
    xml::assert_well_formed(&res.body);
}

#[track_caller]
fn rss(res: &TestResponse) -> Vec<xml::Element> {
    assert_xml(res, "application/rss+xml; charset=utf-8");
    xml::all(&res.body, "item")
}

fn titles(items: &[xml::Element]) -> Vec<String> {
    items.iter().map(|item| item.child_text("title")).collect()
}

// ---------------------------------------------------------------------------------------------
// RSS

#[db_test]
async fn site_feed_lists_only_published_articles_newest_first_with_absolute_links(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let older = ArticleFixture::new("Khai mạc kỳ họp thứ Mười", news)
        .hours_ago(5)
        .insert(&db)
        .await;
    ArticleFixture::new("Xuân Quang thu hoạch lúa", news)
        .hours_ago(2)
        .insert(&db)
        .await;
    article_row(&db, "ban-nhap", "Bản nháp", news, "draft", None).await;
    article_row(&db, "cho-duyet", "Chờ duyệt", news, "pending", Some(1)).await;
    article_row(&db, "len-lich", "Lên lịch", news, "scheduled", Some(-3)).await;
    article_row(&db, "da-go", "Đã gỡ", news, "archived", Some(1)).await;
    let app = TestApp::new(db.clone()).await;

    let res = app.get("/rss.xml").await;
    let items = rss(&res);
    assert_eq!(titles(&items), ["Xuân Quang thu hoạch lúa", "Khai mạc kỳ họp thứ Mười"]);

    let rss = xml::first(&res.body, "rss");
    assert_eq!(rss.attr("version"), "2.0");
    assert_eq!(rss.attr("xmlns:atom"), "http://www.w3.org/2005/Atom");
    let channel = xml::first(&res.body, "channel");
    assert_eq!(channel.child_text("title"), "Tòa Soạn");
    assert_eq!(channel.child_text("link"), format!("{BASE}/"));
    assert_eq!(channel.child_text("language"), "vi");
    assert!(!channel.child_text("description").is_empty());
    let this = channel.child("atom:link");
    assert_eq!(this.attr("rel"), "self");
    assert_eq!(this.attr("href"), format!("{BASE}/rss.xml"));
    assert_eq!(this.attr("type"), "application/rss+xml");
    let newest = OffsetDateTime::parse(&items[0].child_text("pubDate"), &Rfc2822).unwrap();
    let built = OffsetDateTime::parse(&channel.child_text("lastBuildDate"), &Rfc2822).unwrap();
    assert_eq!(built, newest, "lastBuildDate is the newest change");

    let item = &items[1];
    assert_eq!(item.child_text("link"), format!("{BASE}/bai-viet/khai-mac-ky-hop-thu-muoi"));
    let guid = item.child("guid");
    assert_eq!(guid.attr("isPermaLink"), "false");
    assert_eq!(guid.text(), format!("tag:baothang.example.vn,2026:bai-viet/{older}"));
    assert_eq!(item.child_text("description"), "Tóm tắt bài viết.");
    assert_eq!(item.child_text("category"), "Tin tức");
    let published: OffsetDateTime =
        sqlx::query_scalar("select published_at from article where article_id = $1")
            .bind(older)
            .fetch_one(&db)
            .await
            .unwrap();
    let pub_date = item.child_text("pubDate");
    assert!(pub_date.ends_with(" +0700"), "{pub_date}");
    assert_eq!(
        OffsetDateTime::parse(&pub_date, &Rfc2822).unwrap(),
        published.replace_nanosecond(0).unwrap()
    );
    assert!(item.children("enclosure").is_empty(), "no cover, no enclosure");
}

#[db_test]
async fn site_feed_stops_at_the_fifty_newest_articles(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    sqlx::query(
        "insert into article (slug, title, category_id, status, published_at)
         select 'bai-' || i, 'Bài ' || i, $1, 'published', now() - make_interval(hours => i)
         from generate_series(1, 55) as i",
    )
    .bind(news)
    .execute(&db)
    .await
    .unwrap();
    let app = TestApp::new(db).await;

    let items = rss(&app.get("/rss.xml").await);
    let expected: Vec<String> = (1..=50).map(|i| format!("Bài {i}")).collect();
    assert_eq!(titles(&items), expected);
}

#[db_test]
async fn vietnamese_text_ampersands_and_angle_brackets_survive_the_feeds(db: PgPool) {
    let news = category(&db, "Tin & Bài <mới>", None).await;
    let title = "Lúa & ngô <vụ mới> \"được mùa\" ở Xuân Quang";
    let id = article_row(&db, "lua-ngo", title, news, "published", Some(1)).await;
    sqlx::query("update article set sapo = $2 where article_id = $1")
        .bind(id)
        .bind("Giá < 5.000 đồng & <b>không</b> đổi")
        .execute(&db)
        .await
        .unwrap();
    // A control character XML cannot carry, even as a reference.
    article_row(&db, "ky-tu-la", "Ký tự\u{b} lạ", news, "published", Some(2)).await;
    let app = TestApp::new(db).await;
    set_site_name(&app, "Báo Thắng & Đời sống").await;

    let res = app.get("/rss.xml").await;
    let items = rss(&res);
    assert_eq!(titles(&items), [title, "Ký tự lạ"]);
    res.assert_not_contains("Lúa & ngô");
    res.assert_not_contains("<vụ mới>");
    // The description is HTML for readers: the sapo shows as the text it is, tags and all.
    let description = items[0].child_text("description");
    assert_eq!(description, "Giá &lt; 5.000 đồng &amp; &lt;b&gt;không&lt;/b&gt; đổi");
    assert_eq!(xml::unescape(&description), "Giá < 5.000 đồng & <b>không</b> đổi");
    assert_eq!(items[0].child_text("category"), "Tin & Bài <mới>");
    let channel = xml::first(&res.body, "channel");
    assert_eq!(channel.child_text("title"), "Báo Thắng & Đời sống");

    let category_feed = app.get("/chuyen-muc/tin-bai-moi/rss.xml").await;
    rss(&category_feed);
    assert_eq!(
        xml::first(&category_feed.body, "channel").child_text("title"),
        "Tin & Bài <mới> - Báo Thắng & Đời sống"
    );

    let news_sitemap = app.get("/sitemap-news.xml").await;
    assert_xml(&news_sitemap, "application/xml; charset=utf-8");
    let names: Vec<String> = xml::all(&news_sitemap.body, "news:title")
        .iter()
        .map(xml::Element::text)
        .collect();
    assert_eq!(names, [title, "Ký tự lạ"]);
    assert_eq!(xml::first(&news_sitemap.body, "news:name").text(), "Báo Thắng & Đời sống");
}

#[db_test]
async fn a_cover_becomes_an_enclosure_with_its_real_size(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let media = app.media_dir().to_owned();
    // An upload: the variants exist, the 960 one is offered.
    let uploaded = article_row(&db, "anh-tai-len", "Ảnh tải lên", news, "published", Some(1)).await;
    set_cover(&db, uploaded, "2026/11/0123456789abcdef-1600.jpg", &[480, 960, 1600]).await;
    std::fs::create_dir_all(media.join("2026/11")).unwrap();
    std::fs::write(media.join("2026/11/0123456789abcdef-960.jpg"), [7u8; 12_345]).unwrap();
    std::fs::write(media.join("2026/11/0123456789abcdef-1600.jpg"), [7u8; 40_000]).unwrap();
    // A small PNG with only its own size.
    let small = article_row(&db, "anh-nho", "Ảnh nhỏ", news, "published", Some(2)).await;
    set_cover(&db, small, "2026/11/fedcba9876543210-480.png", &[480]).await;
    std::fs::write(media.join("2026/11/fedcba9876543210-480.png"), [1u8; 321]).unwrap();
    // A cover whose files are gone: no enclosure rather than a wrong length.
    let lost = article_row(&db, "anh-mat", "Ảnh mất", news, "published", Some(3)).await;
    set_cover(&db, lost, "2026/10/aaaaaaaaaaaaaaaa-1600.jpg", &[480, 960, 1600]).await;

    let items = rss(&app.get("/rss.xml").await);
    assert_eq!(titles(&items), ["Ảnh tải lên", "Ảnh nhỏ", "Ảnh mất"]);
    let enclosure = items[0].child("enclosure");
    assert_eq!(enclosure.attr("url"), format!("{BASE}/media/2026/11/0123456789abcdef-960.jpg"));
    assert_eq!(enclosure.attr("length"), "12345");
    assert_eq!(enclosure.attr("type"), "image/jpeg");
    let enclosure = items[1].child("enclosure");
    assert_eq!(enclosure.attr("url"), format!("{BASE}/media/2026/11/fedcba9876543210-480.png"));
    assert_eq!(enclosure.attr("length"), "321");
    assert_eq!(enclosure.attr("type"), "image/png");
    assert!(items[2].children("enclosure").is_empty());

    // The enclosure URL is one the site serves.
    let image = app.get("/media/2026/11/0123456789abcdef-960.jpg").await;
    assert_eq!(image.status, StatusCode::OK);
}

#[db_test]
async fn category_feed_includes_sub_categories_and_nothing_else(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let politics = category(&db, "Chính trị", Some(news)).await;
    let tourism = category(&db, "Du lịch", None).await;
    ArticleFixture::new("Tin chung của huyện", news)
        .hours_ago(3)
        .insert(&db)
        .await;
    ArticleFixture::new("Hội nghị Ban Chấp hành", politics)
        .hours_ago(1)
        .insert(&db)
        .await;
    ArticleFixture::new("Mùa hoa ở Phong Hải", tourism)
        .hours_ago(2)
        .insert(&db)
        .await;
    article_row(&db, "nhap-chinh-tri", "Nháp chính trị", politics, "draft", None).await;
    let app = TestApp::new(db).await;

    let res = app.get("/chuyen-muc/tin-tuc/rss.xml").await;
    let items = rss(&res);
    assert_eq!(titles(&items), ["Hội nghị Ban Chấp hành", "Tin chung của huyện"]);
    assert_eq!(items[0].child_text("category"), "Chính trị");
    let channel = xml::first(&res.body, "channel");
    assert_eq!(channel.child_text("title"), "Tin tức - Tòa Soạn");
    assert_eq!(channel.child_text("link"), format!("{BASE}/chuyen-muc/tin-tuc"));
    assert_eq!(
        channel.child("atom:link").attr("href"),
        format!("{BASE}/chuyen-muc/tin-tuc/rss.xml")
    );

    let sub = rss(&app.get("/chuyen-muc/chinh-tri/rss.xml").await);
    assert_eq!(titles(&sub), ["Hội nghị Ban Chấp hành"]);
    let other = rss(&app.get("/chuyen-muc/du-lich/rss.xml").await);
    assert_eq!(titles(&other), ["Mùa hoa ở Phong Hải"]);
}

#[db_test]
async fn feed_of_an_unknown_or_malformed_category_is_a_404_page(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let app = TestApp::new(db).await;
    for uri in [
        "/chuyen-muc/khong-ton-tai/rss.xml",
        "/chuyen-muc/Tin-Tuc/rss.xml",
        "/chuyen-muc/tin--tuc/rss.xml",
        "/chuyen-muc/tin%20tuc/rss.xml",
    ] {
        let res = app.get(uri).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(res.header(header::CONTENT_TYPE).starts_with("text/html"), "{uri}");
        res.assert_contains("Không tìm thấy trang");
    }
}

// ---------------------------------------------------------------------------------------------
// Sitemaps

#[db_test]
async fn sitemap_lists_home_categories_and_published_articles_with_lastmod(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let politics = category(&db, "Chính trị", Some(news)).await;
    category(&db, "Thông báo", None).await;
    let published =
        article_row(&db, "hop-hoi-dong", "Họp hội đồng", politics, "published", Some(30)).await;
    sqlx::query(
        "update article set updated_at = '2026-11-20 08:30:15.123456+00' where article_id = $1",
    )
    .bind(published)
    .execute(&db)
    .await
    .unwrap();
    article_row(&db, "ban-nhap", "Bản nháp", news, "draft", None).await;
    article_row(&db, "len-lich", "Lên lịch", news, "scheduled", Some(-2)).await;
    article_row(&db, "da-go", "Đã gỡ", news, "archived", Some(5)).await;
    let app = TestApp::new(db).await;

    let res = app.get("/sitemap.xml").await;
    assert_xml(&res, "application/xml; charset=utf-8");
    let urlset = xml::first(&res.body, "urlset");
    assert_eq!(urlset.attr("xmlns"), "http://www.sitemaps.org/schemas/sitemap/0.9");
    let urls = xml::all(&res.body, "url");
    let locs: Vec<String> = urls.iter().map(|u| u.child_text("loc")).collect();
    assert_eq!(
        locs,
        [
            format!("{BASE}/"),
            format!("{BASE}/chuyen-muc/tin-tuc"),
            format!("{BASE}/chuyen-muc/chinh-tri"),
            format!("{BASE}/chuyen-muc/thong-bao"),
            format!("{BASE}/lien-he"),
            format!("{BASE}/van-ban"),
            format!("{BASE}/bai-viet/hop-hoi-dong"),
        ]
    );
    // lastmod: W3C datetime, no fractional seconds (updated_at for articles).
    assert_eq!(urls[6].child_text("lastmod"), "2026-11-20T15:30:15+07:00");
    assert!(urls[4].children("lastmod").is_empty(), "the contact page has no date");
    assert!(urls[5].children("lastmod").is_empty(), "no document yet");
    let article_published = urls[2].child_text("lastmod");
    assert_eq!(
        urls[1].child_text("lastmod"),
        article_published,
        "a parent category changes with its sub-categories"
    );
    assert_eq!(urls[0].child_text("lastmod"), article_published);
    assert!(
        OffsetDateTime::parse(&article_published, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );
    assert!(!article_published.contains('.'), "{article_published}");
    assert!(urls[3].children("lastmod").is_empty(), "an empty category has no date");

    // The only page of a small sitemap also answers as page 1; there is no page 2.
    let page = app.get("/sitemap-1.xml").await;
    assert_xml(&page, "application/xml; charset=utf-8");
    assert_eq!(page.body, res.body);
    assert_eq!(app.get("/sitemap-2.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/sitemap-0.xml").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/sitemap-abc.xml").await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn sitemap_becomes_an_index_of_pages_beyond_the_page_size(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    for i in 1..=5 {
        article_row(&db, &format!("bai-{i}"), &format!("Bài {i}"), news, "published", Some(i))
            .await;
    }
    article_row(&db, "ban-nhap", "Bản nháp", news, "draft", None).await;
    let app = TestApp::new(db).await;
    // Home + 1 category + the contact page + the documents library + 5 articles = 9 URLs.

    let fits = sitemaps::render_sitemap(&app.state, 9).await.unwrap();
    xml::assert_well_formed(&fits);
    assert_eq!(xml::all(&fits, "url").len(), 9);
    assert!(xml::all(&fits, "sitemapindex").is_empty());

    let index = sitemaps::render_sitemap(&app.state, 3).await.unwrap();
    xml::assert_well_formed(&index);
    let root = xml::first(&index, "sitemapindex");
    assert_eq!(root.attr("xmlns"), "http://www.sitemaps.org/schemas/sitemap/0.9");
    let pages: Vec<String> = xml::all(&index, "sitemap")
        .iter()
        .map(|s| s.child_text("loc"))
        .collect();
    assert_eq!(
        pages,
        [
            format!("{BASE}/sitemap-1.xml"),
            format!("{BASE}/sitemap-2.xml"),
            format!("{BASE}/sitemap-3.xml"),
        ]
    );

    let mut locs = Vec::new();
    for (page, expected_len) in [(1, 3), (2, 3), (3, 3)] {
        let body = sitemaps::render_sitemap_page(&app.state, page, 3)
            .await
            .unwrap();
        xml::assert_well_formed(&body);
        let urls = xml::all(&body, "url");
        assert_eq!(urls.len(), expected_len, "page {page}");
        locs.extend(urls.iter().map(|u| u.child_text("loc")));
    }
    let mut expected = vec![
        format!("{BASE}/"),
        format!("{BASE}/chuyen-muc/tin-tuc"),
        format!("{BASE}/lien-he"),
        format!("{BASE}/van-ban"),
    ];
    expected.extend((1..=5).map(|i| format!("{BASE}/bai-viet/bai-{i}")));
    assert_eq!(locs, expected, "every URL once, in order");

    assert!(matches!(
        sitemaps::render_sitemap_page(&app.state, 4, 3).await,
        Err(AppError::NotFound)
    ));
    assert!(matches!(
        sitemaps::render_sitemap_page(&app.state, 0, 3).await,
        Err(AppError::NotFound)
    ));
    assert_eq!(sitemaps::SITEMAP_PAGE, 50_000);
}

#[db_test]
async fn news_sitemap_has_only_the_last_48_hours(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article_row(&db, "hai-gio", "Hai giờ trước", news, "published", Some(2)).await;
    article_row(&db, "hom-qua", "Hôm qua", news, "published", Some(47)).await;
    article_row(&db, "hom-kia", "Hôm kia", news, "published", Some(49)).await;
    article_row(&db, "nhap-moi", "Nháp mới", news, "draft", None).await;
    article_row(&db, "sap-dang", "Sắp đăng", news, "scheduled", Some(-1)).await;
    let app = TestApp::new(db).await;

    let res = app.get("/sitemap-news.xml").await;
    assert_xml(&res, "application/xml; charset=utf-8");
    let root = xml::first(&res.body, "urlset");
    assert_eq!(root.attr("xmlns"), "http://www.sitemaps.org/schemas/sitemap/0.9");
    assert_eq!(root.attr("xmlns:news"), "http://www.google.com/schemas/sitemap-news/0.9");
    let urls = xml::all(&res.body, "url");
    let locs: Vec<String> = urls.iter().map(|u| u.child_text("loc")).collect();
    assert_eq!(
        locs,
        [
            format!("{BASE}/bai-viet/hai-gio"),
            format!("{BASE}/bai-viet/hom-qua")
        ]
    );
    let news = urls[0].child("news:news");
    let publication = news.child("news:publication");
    assert_eq!(publication.child_text("news:name"), "Tòa Soạn");
    assert_eq!(publication.child_text("news:language"), "vi");
    assert_eq!(news.child_text("news:title"), "Hai giờ trước");
    let date = news.child_text("news:publication_date");
    let date =
        OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc3339).unwrap();
    let age = OffsetDateTime::now_utc() - date;
    assert!(age > time::Duration::minutes(119) && age < time::Duration::minutes(121), "{age}");
}

#[db_test]
async fn robots_txt_keeps_crawlers_out_of_the_back_office_and_names_the_sitemaps(db: PgPool) {
    let app = TestApp::new(db).await;
    let res = app.get("/robots.txt").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header(header::CONTENT_TYPE), "text/plain; charset=utf-8");
    assert_eq!(
        res.body,
        "User-agent: *\n\
         Disallow: /admin\n\
         Disallow: /bai-viet/*/binh-luan\n\
         Disallow: /ma-kiem-tra\n\
         \n\
         Sitemap: https://baothang.example.vn/sitemap.xml\n\
         Sitemap: https://baothang.example.vn/sitemap-news.xml\n"
    );
}

#[test]
fn rfc_2822_dates_parse_back() {
    // The format the feeds use, read by the same parser the tests use.
    let at = OffsetDateTime::parse("Fri, 27 Nov 2026 20:13:00 +0700", &Rfc2822).unwrap();
    assert_eq!(at, datetime!(2026-11-27 13:13 UTC));
}

#[test]
fn the_xml_check_refuses_what_parsers_refuse() {
    const DECL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;
    xml::assert_well_formed(&format!(
        r#"{DECL}<a x="1 &#38; 2"><b>A &amp; B &#60;c&#x3E;</b><c/></a>"#
    ));
    let no_declaration = std::panic::catch_unwind(|| xml::assert_well_formed("<a/>"));
    assert!(no_declaration.is_err());
    for bad in [
        "<a>A & B</a>",
        "<a>A &nbsp; B</a>",
        "<a><b>crossed</a></b>",
        "<a>unclosed",
        "<a/><b/>",
        r#"<a x=1/>"#,
        r#"<a x="<"/>"#,
        "<a>\u{b}</a>",
    ] {
        let doc = format!("{DECL}{bad}");
        let refused = std::panic::catch_unwind(|| xml::assert_well_formed(&doc)).is_err();
        assert!(refused, "accepted {bad:?}");
    }
}

/// Just enough XML reading for these documents: no DTD, CDATA, comments or processing
/// instructions besides the declaration.
mod xml {
    /// An element: its start tag and what is between it and its end tag.
    #[derive(Debug, Clone)]
    pub struct Element {
        start_tag: String,
        inner: String,
    }

    /// Panics unless `doc` is a well-formed XML document of the shape we write: the UTF-8
    /// declaration, one root, balanced tags, quoted attributes, `&` only in references, no `<`
    /// in text, only characters XML 1.0 allows.
    #[track_caller]
    pub fn assert_well_formed(doc: &str) {
        let fail = |why: String| -> ! { panic!("not well-formed XML: {why}\n{doc}") };
        let Some(mut rest) = doc.strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?>"#) else {
            fail("no XML declaration at the very start".into())
        };
        if let Some(c) = doc.chars().find(|c| {
            (*c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
        }) {
            fail(format!("character {c:?} is not allowed in XML"));
        }
        let mut open: Vec<&str> = Vec::new();
        let mut roots = 0;
        while !rest.is_empty() {
            let text_end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..text_end];
            if open.is_empty() && !text.trim().is_empty() {
                fail(format!("text outside the root: {text:?}"));
            }
            check_references(text).unwrap_or_else(|why| fail(why));
            rest = &rest[text_end..];
            if rest.is_empty() {
                break;
            }
            let tag_end = rest
                .find('>')
                .unwrap_or_else(|| fail("unclosed tag".into()));
            let tag = &rest[1..tag_end];
            rest = &rest[tag_end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                match open.pop() {
                    Some(opened) if opened == name.trim_end() => {}
                    other => fail(format!("</{name}> closes {other:?}")),
                }
                continue;
            }
            let (body, empty) = match tag.strip_suffix('/') {
                Some(body) => (body, true),
                None => (tag, false),
            };
            let name = body.split_whitespace().next().unwrap_or_default();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || ":_-.".contains(c))
            {
                fail(format!("bad tag <{tag}>"));
            }
            check_attributes(&body[name.len()..]).unwrap_or_else(|why| fail(why));
            if open.is_empty() {
                roots += 1;
            }
            if !empty {
                open.push(name);
            }
        }
        if !open.is_empty() || roots != 1 {
            fail(format!("{roots} roots, unclosed {open:?}"));
        }
    }

    fn check_references(text: &str) -> Result<(), String> {
        for (i, _) in text.match_indices('&') {
            let reference = &text[i + 1..];
            let end = reference
                .find(';')
                .ok_or_else(|| format!("bare & in {text:?}"))?;
            let name = &reference[..end];
            let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                || name
                    .strip_prefix("#x")
                    .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || name
                    .strip_prefix('#')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("bad reference &{name}; in {text:?}"));
            }
        }
        Ok(())
    }

    fn check_attributes(mut attrs: &str) -> Result<(), String> {
        let mut seen = Vec::new();
        loop {
            attrs = attrs.trim_start();
            if attrs.is_empty() {
                return Ok(());
            }
            let eq = attrs
                .find('=')
                .ok_or_else(|| format!("attribute without value: {attrs:?}"))?;
            let name = &attrs[..eq];
            if seen.contains(&name) {
                return Err(format!("attribute {name} twice"));
            }
            seen.push(name);
            let value = attrs[eq + 1..]
                .strip_prefix('"')
                .ok_or_else(|| format!("unquoted attribute {name}"))?;
            let end = value
                .find('"')
                .ok_or_else(|| format!("unterminated attribute {name}"))?;
            if value[..end].contains('<') {
                return Err(format!("< in attribute {name}"));
            }
            check_references(&value[..end])?;
            attrs = &value[end + 1..];
        }
    }

    /// Every `<name>` element in `doc`, in document order (not nested in one another).
    pub fn all(doc: &str, name: &str) -> Vec<Element> {
        let mut found = Vec::new();
        let mut rest = doc;
        while let Some(start) = find_start(rest, name) {
            let from = &rest[start..];
            let tag_end = from.find('>').expect("tag end");
            let start_tag = from[..=tag_end].to_owned();
            if start_tag.ends_with("/>") {
                found.push(Element {
                    start_tag,
                    inner: String::new(),
                });
                rest = &from[tag_end + 1..];
                continue;
            }
            let close = format!("</{name}>");
            let inner_len = from[tag_end + 1..].find(&close).expect("end tag");
            found.push(Element {
                start_tag,
                inner: from[tag_end + 1..tag_end + 1 + inner_len].to_owned(),
            });
            rest = &from[tag_end + 1 + inner_len + close.len()..];
        }
        found
    }

    #[track_caller]
    pub fn first(doc: &str, name: &str) -> Element {
        all(doc, name)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no <{name}> in\n{doc}"))
    }

    fn find_start(doc: &str, name: &str) -> Option<usize> {
        let open = format!("<{name}");
        let mut from = 0;
        while let Some(at) = doc[from..].find(&open) {
            let at = from + at;
            match doc[at + open.len()..].chars().next() {
                Some('>' | '/' | ' ' | '\n') => return Some(at),
                _ => from = at + open.len(),
            }
        }
        None
    }

    impl Element {
        /// Direct and nested children named `name` (the documents never nest same-named ones).
        pub fn children(&self, name: &str) -> Vec<Element> {
            all(&self.inner, name)
        }

        #[track_caller]
        pub fn child(&self, name: &str) -> Element {
            self.children(name)
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("no <{name}> in {}{}", self.start_tag, self.inner))
        }

        /// The text of the first `name` child, as a parser reports it (references resolved).
        #[track_caller]
        pub fn child_text(&self, name: &str) -> String {
            self.child(name).text()
        }

        /// The element's text content, references resolved (for text-only elements).
        pub fn text(&self) -> String {
            assert!(!self.inner.contains('<'), "not text-only: {}", self.inner);
            unescape(&self.inner)
        }

        /// An attribute's value, references resolved ("" when absent).
        pub fn attr(&self, name: &str) -> String {
            let needle = format!(" {name}=\"");
            let Some(at) = self.start_tag.find(&needle) else {
                return String::new();
            };
            let value = &self.start_tag[at + needle.len()..];
            unescape(&value[..value.find('"').expect("quoted")])
        }
    }

    /// Resolves the five named references and numeric ones.
    pub fn unescape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find(';').expect("reference end") + at;
            let name = &rest[at + 1..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                _ => {
                    let code = match name.strip_prefix("#x") {
                        Some(hex) => u32::from_str_radix(hex, 16),
                        None => name.strip_prefix('#').expect("numeric").parse(),
                    };
                    char::from_u32(code.expect("number")).expect("character")
                }
            };
            out.push(c);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        out
    }
}
