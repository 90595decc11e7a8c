//! Search ("Tìm kiếm"): `/tim-kiem?q=…` as readers type it.

use axum::http::StatusCode;
use sqlx::PgPool;
use time::{OffsetDateTime, macros::datetime};
use toasoan::{
    db::{self, articles::NewArticle},
    text::slugify,
};

use crate::support::{ArticleFixture, TestApp, TestResponse, category};

const TOO_SHORT: &str = "Vui lòng nhập ít nhất 2 ký tự để tìm kiếm.";

/// GET `/tim-kiem?q=<query>` plus extra parameters (already encoded, e.g. `&trang=2`).
async fn search(app: &TestApp, query: &str, extra: &str) -> TestResponse {
    let q = url::form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>();
    app.get(&format!("/tim-kiem?q={q}{extra}")).await
}

/// The slugs of the results, in order.
fn found(page: &TestResponse) -> Vec<String> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body
        .split(r#"<h2 class="card-title"><a href="/bai-viet/"#)
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

async fn finds(app: &TestApp, query: &str) -> Vec<String> {
    found(&search(app, query, "").await)
}

/// A published article with this text.
async fn article(db: &PgPool, category_id: i64, title: &str, sapo: &str, body_html: &str) {
    ArticleFixture {
        sapo,
        body_html,
        ..ArticleFixture::new(title, category_id)
    }
    .insert(db)
    .await;
}

/// An article that is not published (`status` as in the database enum).
async fn unpublished(db: &PgPool, category_id: i64, title: &str, status: &str) {
    let published_at = match status {
        "scheduled" => Some(OffsetDateTime::now_utc() + time::Duration::days(2)),
        "archived" => Some(OffsetDateTime::now_utc() - time::Duration::days(2)),
        _ => None,
    };
    sqlx::query(
        "insert into article (slug, title, sapo, body_html, category_id, status, published_at)
         values ($1, $2, $2, $3, $4, $5::text::article_status, $6)",
    )
    .bind(slugify(title))
    .bind(title)
    .bind(format!("<p>{title}</p>"))
    .bind(category_id)
    .bind(status)
    .bind(published_at)
    .execute(db)
    .await
    .expect("insert unpublished article");
}

#[db_test]
async fn accents_case_and_d_do_not_matter(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(
        &db,
        news,
        "Bảo Thắng phát huy tinh thần đoàn kết",
        "Huyện vượt khó vững bước đi lên.",
        "<p>Nội dung.</p>",
    )
    .await;
    article(&db, news, "Lễ hội Đền Bảo Hà", "Khai hội.", "<p>Du lịch.</p>").await;
    let app = TestApp::new(db).await;
    let slug = "bao-thang-phat-huy-tinh-than-doan-ket";
    for query in [
        "bao thang",
        "BAO THANG",
        "Bảo Thắng",
        "bảo thắng",
        "BẢO THẮNG",
        "Ba\u{309}o Tha\u{306}\u{301}ng", // decomposed (NFD), as some keyboards send it
        "BA\u{309}O THA\u{306}\u{301}NG", // decomposed capitals
        "doan ket",
        "ĐOÀN KẾT",
        "đoàn kết",
        "\u{111}oa\u{300}n kê\u{301}t", // đ + decomposed tones
        "  thang   BAO  ",
    ] {
        assert_eq!(finds(&app, query).await, [slug], "{query:?}");
    }
}

#[db_test]
async fn both_tone_placements_find_the_same_articles(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // The old placement (hoá, thuỷ, khoẻ, uỷ) and the new one (hóa, thủy, khỏe, ủy).
    article(
        &db,
        news,
        "Văn hoá và thuỷ lợi",
        "Sức khoẻ cộng đồng.",
        "<p>Uỷ ban nhân dân xã họp.</p>",
    )
    .await;
    article(
        &db,
        news,
        "Văn hóa và thủy lợi mùa mới",
        "Sức khỏe cộng đồng.",
        "<p>Ủy ban nhân dân xã họp.</p>",
    )
    .await;
    let app = TestApp::new(db).await;
    for query in [
        "hoá",
        "hóa",
        "HOÁ",
        "thuỷ lợi",
        "thủy lợi",
        "THUỶ LỢI",
        "khoẻ",
        "khỏe",
        "uỷ ban",
        "ủy ban",
        "Uỷ Ban",
        "ỦY BAN",
        "\"uy ban\"",
        "u\u{309}y ban", // ủ decomposed
        "uy\u{309} ban", // uỷ decomposed
    ] {
        let page = search(&app, query, "").await;
        assert_eq!(found(&page).len(), 2, "{query:?}");
        page.assert_contains("Tìm thấy 2 bài viết");
    }
}

#[db_test]
async fn a_quoted_phrase_needs_the_words_together_and_in_order(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Xây dựng nông thôn mới nâng cao", "", "<p>Bài một.</p>").await;
    article(&db, news, "Thôn Bản Cầm mở lớp học nông nghiệp mới", "", "<p>Bài hai.</p>").await;
    let app = TestApp::new(db).await;
    let together = "xay-dung-nong-thon-moi-nang-cao";
    let apart = "thon-ban-cam-mo-lop-hoc-nong-nghiep-moi";

    assert_eq!(finds(&app, "\"nong thon moi\"").await, [together]);
    assert_eq!(finds(&app, "“nông thôn mới”").await, [together]);
    assert_eq!(finds(&app, "\"thon nong\"").await, Vec::<String>::new());
    let mut both = finds(&app, "nong thon moi").await;
    both.sort();
    assert_eq!(both, [apart, together]);
    // A phrase and a word: both must match.
    assert_eq!(finds(&app, "\"nông thôn\" nâng").await, [together]);
    assert_eq!(finds(&app, "\"nông thôn\" lớp").await, Vec::<String>::new());
}

/// Phrases are found through tokens of adjacent word pairs (see `db::search`): they must cross
/// from title to sapo and from paragraph to paragraph as the words follow each other, and only
/// the pairs of the phrase, in its order, match.
#[db_test]
async fn a_phrase_is_found_across_title_sapo_and_paragraphs(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Tinh thần đoàn", "kết vững bước", "<p>Đi lên</p><p>cùng xã</p>").await;
    article(&db, news, "Kết đoàn là sức mạnh", "", "<p>Bài hai.</p>").await;
    let app = TestApp::new(db).await;
    let first = "tinh-than-doan";

    assert_eq!(finds(&app, "\"doan ket vung\"").await, [first]);
    assert_eq!(finds(&app, "\"buoc di len cung\"").await, [first]);
    assert_eq!(finds(&app, "\"ket doan\"").await, ["ket-doan-la-suc-manh"]);
    assert_eq!(finds(&app, "\"ket doan la\" \"doan ket\"").await, Vec::<String>::new());
}

#[db_test]
async fn several_words_must_all_match(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Thị trấn Phố Lu đoàn kết xây dựng", "", "<p>Một.</p>").await;
    article(&db, news, "Xã Sơn Hải đoàn kết", "", "<p>Hai.</p>").await;
    let app = TestApp::new(db).await;
    assert_eq!(finds(&app, "doan ket").await.len(), 2);
    assert_eq!(finds(&app, "doan ket pho lu").await, ["thi-tran-pho-lu-doan-ket-xay-dung"]);
    assert_eq!(finds(&app, "son hai ket").await, ["xa-son-hai-doan-ket"]);
    let none = search(&app, "doan ket bac ha", "").await;
    assert!(found(&none).is_empty());
    none.assert_contains("Tìm thấy 0 bài viết");
    none.assert_contains("Không tìm thấy bài viết nào phù hợp");
}

#[db_test]
async fn the_title_matters_more_than_the_sapo_and_the_sapo_more_than_the_body(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // Older, but the words are in its title.
    ArticleFixture {
        sapo: "Tóm tắt.",
        body_html: "<p>Nội dung khác.</p>",
        ..ArticleFixture::new("Tuổi trẻ Bảo Thắng chung tay đoàn kết", news)
    }
    .hours_ago(500)
    .insert(&db)
    .await;
    // Older still, the words once in its sapo.
    ArticleFixture {
        sapo: "Cả xã đoàn kết làm đường.",
        body_html: "<p>Nội dung khác.</p>",
        ..ArticleFixture::new("Làm đường liên thôn", news)
    }
    .hours_ago(700)
    .insert(&db)
    .await;
    // Newer, and the words are in its body, several times: the body does not rank, it only
    // finds (see db::search).
    ArticleFixture {
        sapo: "Tóm tắt.",
        body_html: "<p>Đoàn kết là sức mạnh. Đoàn kết, đoàn kết, đại đoàn kết.</p>",
        ..ArticleFixture::new("Hội nghị tổng kết năm", news)
    }
    .hours_ago(1)
    .insert(&db)
    .await;
    let app = TestApp::new(db).await;
    assert_eq!(
        finds(&app, "doan ket").await,
        [
            "tuoi-tre-bao-thang-chung-tay-doan-ket",
            "lam-duong-lien-thon",
            "hoi-nghi-tong-ket-nam"
        ]
    );
}

#[db_test]
async fn equal_matches_come_newest_first_ten_to_a_page(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    for n in 1..=23 {
        ArticleFixture::new(&format!("Trồng quế hữu cơ số {n}"), news)
            .hours_ago(n)
            .insert(&db)
            .await;
    }
    let app = TestApp::new(db).await;
    let slug = |n: u32| format!("trong-que-huu-co-so-{n}");

    let first = search(&app, "quế hữu cơ", "").await;
    assert_eq!(found(&first), (1..=10).map(slug).collect::<Vec<_>>());
    first.assert_contains("Tìm thấy 23 bài viết");
    first.assert_contains(
        r#"<a href="/tim-kiem?q=qu%E1%BA%BF+h%E1%BB%AFu+c%C6%A1&#38;trang=2" rel="next">Trang sau</a>"#,
    );

    let second = search(&app, "quế hữu cơ", "&trang=2").await;
    assert_eq!(found(&second), (11..=20).map(slug).collect::<Vec<_>>());
    second.assert_contains(r#"<span aria-current="page">2</span>"#);
    second.assert_contains(
        r#"<a href="/tim-kiem?q=qu%E1%BA%BF+h%E1%BB%AFu+c%C6%A1" rel="prev">Trang trước</a>"#,
    );
    second.assert_contains("<title>Tìm kiếm: quế hữu cơ - Trang 2");

    let last = search(&app, "quế hữu cơ", "&trang=3").await;
    assert_eq!(found(&last), (21..=23).map(slug).collect::<Vec<_>>());
    last.assert_not_contains("Trang sau");

    for extra in ["&trang=4", "&trang=0", "&trang=abc", "&trang=2&trang=3"] {
        let page = search(&app, "quế hữu cơ", extra).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{extra}");
        page.assert_contains("Không tìm thấy trang");
    }
}

#[db_test]
async fn the_category_filter_includes_subcategories_and_page_links_keep_it(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let economy = category(&db, "Kinh tế", Some(news)).await;
    let travel = category(&db, "Du lịch", None).await;
    article(&db, news, "Chè Tân Uyên vào vụ", "", "<p>Một.</p>").await;
    article(&db, economy, "Giá chè búp tươi tăng", "", "<p>Hai.</p>").await;
    article(&db, travel, "Ngắm đồi chè mùa xuân", "", "<p>Ba.</p>").await;
    let app = TestApp::new(db).await;

    let page = search(&app, "che", "&chuyen-muc=tin-tuc").await;
    let mut slugs = found(&page);
    slugs.sort();
    assert_eq!(slugs, ["che-tan-uyen-vao-vu", "gia-che-bup-tuoi-tang"]);
    page.assert_contains(r#"<option value="tin-tuc" selected>Tin tức</option>"#);
    page.assert_contains(r#"<option value="kinh-te">— Kinh tế</option>"#);

    let by_id = search(&app, "che", &format!("&chuyen-muc={news}")).await;
    assert_eq!(found(&by_id).len(), 2);
    assert_eq!(found(&search(&app, "che", "&chuyen-muc=kinh-te").await), ["gia-che-bup-tuoi-tang"]);
    assert_eq!(found(&search(&app, "che", "&chuyen-muc=du-lich").await), ["ngam-doi-che-mua-xuan"]);

    // An unknown category is ignored, and the reader told so.
    let unknown = search(&app, "che", "&chuyen-muc=khong-co").await;
    assert_eq!(found(&unknown).len(), 3);
    unknown.assert_contains("Không có chuyên mục này");
}

#[db_test]
async fn page_links_keep_the_query_and_filters(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    for n in 1..=11 {
        ArticleFixture::new(&format!("Diễn tập phòng cháy số {n}"), news)
            .hours_ago(n)
            .insert(&db)
            .await;
    }
    let app = TestApp::new(db).await;
    let today = OffsetDateTime::now_utc().date();
    let from = (today - time::Duration::days(3)).to_string();
    let until = (today + time::Duration::days(1)).to_string();
    let page =
        search(&app, "dien tap", &format!("&chuyen-muc=tin-tuc&tu={from}&den={until}")).await;
    assert_eq!(found(&page).len(), 10);
    page.assert_contains(&format!(
        r#"href="/tim-kiem?q=dien+tap&#38;chuyen-muc=tin-tuc&#38;tu={from}&#38;den={until}&#38;trang=2""#
    ));
    page.assert_contains(&format!(r#"name="tu" type="date" value="{from}""#));
    let second =
        search(&app, "dien tap", &format!("&chuyen-muc=tin-tuc&tu={from}&den={until}&trang=2"))
            .await;
    assert_eq!(found(&second), ["dien-tap-phong-chay-so-11"]);
}

/// A published article at an exact moment.
async fn published_at(db: &PgPool, category_id: i64, title: &str, at: OffsetDateTime) {
    db::articles::insert_published(
        db,
        &NewArticle {
            slug: &slugify(title),
            title,
            sapo: "",
            body_html: "<p>Nội dung.</p>",
            cover_image: None,
            cover_caption: "",
            cover_alt: "",
            byline: "",
            author_id: None,
            category_id,
            published_at: at,
            view_count: 0,
        },
    )
    .await
    .expect("insert")
    .expect("new slug");
}

#[db_test]
async fn the_date_filter_is_inclusive_in_vietnam_time(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // 23:30 on 26/11 in Vietnam.
    published_at(&db, news, "Tiêm chủng đợt một", datetime!(2025-11-26 16:30 UTC)).await;
    // 00:30 on 27/11 in Vietnam (still the 26th in UTC).
    published_at(&db, news, "Tiêm chủng đợt hai", datetime!(2025-11-26 17:30 UTC)).await;
    // 23:59 on 28/11 in Vietnam.
    published_at(&db, news, "Tiêm chủng đợt ba", datetime!(2025-11-28 16:59 UTC)).await;
    // 00:00 on 29/11 in Vietnam.
    published_at(&db, news, "Tiêm chủng đợt bốn", datetime!(2025-11-28 17:00 UTC)).await;
    let app = TestApp::new(db).await;
    let sorted = |page: TestResponse| {
        let mut slugs = found(&page);
        slugs.sort();
        slugs
    };

    let range = search(&app, "tiem chung", "&tu=2025-11-27&den=2025-11-28").await;
    range.assert_contains(r#"value="2025-11-27""#);
    assert_eq!(sorted(range), ["tiem-chung-dot-ba", "tiem-chung-dot-hai"]);
    assert_eq!(
        sorted(search(&app, "tiem chung", "&tu=2025-11-27").await),
        [
            "tiem-chung-dot-ba",
            "tiem-chung-dot-bon",
            "tiem-chung-dot-hai"
        ]
    );
    assert_eq!(sorted(search(&app, "tiem chung", "&den=2025-11-26").await), ["tiem-chung-dot-mot"]);
    assert_eq!(
        sorted(search(&app, "tiem chung", "&tu=2025-11-29&den=2025-11-29").await),
        ["tiem-chung-dot-bon"]
    );
    // The wrong way round is read the right way round.
    assert_eq!(
        sorted(search(&app, "tiem chung", "&tu=2025-11-28&den=2025-11-27").await),
        ["tiem-chung-dot-ba", "tiem-chung-dot-hai"]
    );
    // Empty date inputs (a form sent as is) are no filter.
    assert_eq!(found(&search(&app, "tiem chung", "&tu=&den=").await).len(), 4);

    // A malformed date is ignored, and the reader told so.
    for extra in [
        "&tu=abc",
        "&den=2025-02-30",
        "&tu=27/11/2025",
        "&tu=99999-01-01",
        "&tu=%FF",
    ] {
        let page = search(&app, "tiem chung", extra).await;
        assert_eq!(found(&page).len(), 4, "{extra}");
        page.assert_contains("Ngày không hợp lệ");
    }
}

#[db_test]
async fn only_published_articles_are_ever_found(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Xuân Giao khánh thành cầu", "", "<p>Đã đăng.</p>").await;
    for status in ["draft", "pending", "scheduled", "archived"] {
        unpublished(&db, news, &format!("Xuân Giao khánh thành cầu {status}"), status).await;
    }
    let app = TestApp::new(db).await;
    for query in ["xuan giao", "\"khanh thanh cau\"", "cau"] {
        let page = search(&app, query, "").await;
        assert_eq!(found(&page), ["xuan-giao-khanh-thanh-cau"], "{query:?}");
        page.assert_contains("Tìm thấy 1 bài viết");
    }
    for status in ["draft", "pending", "scheduled", "archived"] {
        assert!(finds(&app, status).await.is_empty(), "{status}");
    }
}

#[db_test]
async fn empty_and_one_letter_queries_ask_for_more(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "A Lù đón Tết", "", "<p>Xuân.</p>").await;
    let app = TestApp::new(db).await;
    for uri in [
        "/tim-kiem",
        "/tim-kiem?q=",
        "/tim-kiem?q=a",
        "/tim-kiem?q=%C4%91",
        "/tim-kiem?q=+++",
        "/tim-kiem?q=%22%22",
        "/tim-kiem?q=!!!",
        "/tim-kiem?q=-+a+-",
        "/tim-kiem?chuyen-muc=tin-tuc",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        page.assert_contains(TOO_SHORT);
        page.assert_not_contains("Tìm thấy");
        assert!(found(&page).is_empty());
    }
}

#[db_test]
async fn long_and_operator_soup_queries_answer_normally(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Đoàn kết xây dựng quê hương", "", "<p>Nội dung.</p>").await;
    let app = TestApp::new(db).await;
    let long_word = "a".repeat(10_000);
    let long_words = "đoàn kết ".repeat(1_200);
    let long_nfd = "Ba\u{309}o ".repeat(2_000);
    let long_quote = format!("\"{}", "doan ket ".repeat(1_200));
    for query in [
        long_word.as_str(),
        long_words.as_str(),
        long_nfd.as_str(),
        long_quote.as_str(),
        "' or 1=1 --",
        "'; drop table article; --",
        ".*(",
        "a & !b | c:*",
        "<->",
        "doan <-> ket",
        "doan <2> ket",
        "\\\\",
        "\\",
        "'",
        "''",
        "\"",
        "\"\"\"",
        "(doan",
        "doan)",
        "!doan",
        "doan:*",
        "doan:A",
        "& | ! :*",
        "doan & ket | !!",
        "<script>alert(1)</script>",
        "%",
        "_",
        "ab\u{200b}cd",
        "½ ©",
        "🙂 🙂",
        "²³ ¼¾", // letters and digits to Rust, nothing to the text-search parser
        "a-b-c-",
        "-doan -ket",
        "doan or ket",
    ] {
        let page = search(&app, query, "").await;
        assert_eq!(page.status, StatusCode::OK, "{query:?}");
        page.assert_not_contains("Đã có lỗi xảy ra");
    }
    // Control characters are refused for every query string (see `bad_input`).
    for (query, extra) in [("\u{0}doan\u{1}", ""), ("doan ket", "&chuyen-muc=%00")] {
        let page = search(&app, query, extra).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query:?}{extra}");
    }
    // Operators are just characters: the words around them are searched for.
    for query in ["doan & !ket", "doan:* ket", "(doan | ket)", "doan <-> ket"] {
        assert_eq!(finds(&app, query).await, ["doan-ket-xay-dung-que-huong"], "{query:?}");
    }
    // Words past the 20th are left out, and the reader told so.
    let page = search(&app, &long_words, "").await;
    assert_eq!(found(&page), ["doan-ket-xay-dung-que-huong"]);
    page.assert_contains("Từ khóa quá dài");
    page.assert_not_contains(&"đoàn kết ".repeat(200));

    // Invalid percent-encoding and odd filters are no errors either.
    for uri in [
        "/tim-kiem?q=%FF%FE",
        "/tim-kiem?q=doan&q=ket",
        "/tim-kiem?q=doan+ket&chuyen-muc=99999999999999999999",
        "/tim-kiem?q=doan+ket&chuyen-muc=-1",
        "/tim-kiem?q=doan+ket&tu=0000-00-00&den=9999-12-31",
        "/tim-kiem?q=doan+ket&den=9999-12-31",
        "/tim-kiem?q=doan+ket&tu=-2025-01-01",
        "/tim-kiem?q=doan+ket&khac=1",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        page.assert_not_contains("Đã có lỗi xảy ra");
    }
}

#[db_test]
async fn highlights_escape_the_article_text_and_mark_the_hits(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(
        &db,
        news,
        "Tin <script>alert(1)</script> & đoàn kết",
        "Cán bộ & nhân dân <b>đoàn kết</b> một lòng.",
        "<p>Chính quyền &amp; nhân dân &lt;script&gt;alert(2)&lt;/script&gt; ĐOÀN KẾT.</p>",
    )
    .await;
    let app = TestApp::new(db).await;
    let page = search(&app, "doan ket", "").await;
    assert_eq!(found(&page).len(), 1);
    page.assert_not_contains("<script>");
    page.assert_not_contains("<b>");
    // The title: escaped, the hits marked.
    page.assert_contains(
        "Tin &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>đoàn</mark> <mark>kết</mark></a>",
    );
    // The snippet: sapo and body text, escaped, the hits marked whatever their case.
    page.assert_contains(
        "Cán bộ &amp; nhân dân &lt;b&gt;<mark>đoàn</mark> <mark>kết</mark>&lt;/b&gt;",
    );
    page.assert_contains("Chính quyền &amp; nhân dân &lt;script&gt;alert(2)");
    page.assert_contains("<mark>ĐOÀN</mark> <mark>KẾT</mark>");
    // Only our own tags: nothing but <mark> inside the snippet.
    let start = page.position(r#"<p class="card-sapo search-snippet">"#);
    let snippet = &page.body[start..start + page.body[start..].find("</p>").unwrap()];
    let tags: Vec<&str> = snippet
        .split('<')
        .skip(1)
        .map(|t| &t[..t.find('>').unwrap() + 1])
        .collect();
    assert!(
        tags.iter()
            .all(|t| ["mark>", "/mark>"].contains(t) || t.starts_with("p class=")),
        "{tags:?}"
    );

    // An accented query marks the same words.
    let accented = search(&app, "Đoàn Kết", "").await;
    accented.assert_contains("<mark>ĐOÀN</mark> <mark>KẾT</mark>");
}

#[db_test]
async fn the_results_page_keeps_the_query_and_is_not_indexed(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Bảo Thắng ra quân", "", "<p>Nội dung.</p>").await;
    let app = TestApp::new(db).await;
    let page = search(&app, "bảo \"thắng\" <b>", "").await;
    assert_eq!(found(&page), ["bao-thang-ra-quan"]);
    page.assert_contains("<title>Tìm kiếm: bảo &#34;thắng&#34; &#60;b&#62; - ");
    page.assert_contains(r#"<meta name="robots" content="noindex">"#);
    page.assert_contains(r#"value="bảo &#34;thắng&#34; &#60;b&#62;""#);
    page.assert_contains("Tìm thấy 1 bài viết");
    page.assert_contains(r#"<a class="card-category" href="/chuyen-muc/tin-tuc">Tin tức</a>"#);
    page.assert_contains("<time datetime=");
}

#[db_test]
async fn every_page_has_the_search_box(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    article(&db, news, "Bảo Thắng ra quân", "", "<p>Nội dung.</p>").await;
    let app = TestApp::new(db).await;
    for uri in [
        "/",
        "/chuyen-muc/tin-tuc",
        "/bai-viet/bao-thang-ra-quan",
        "/tim-kiem",
        "/khong-co",
    ] {
        let page = app.get(uri).await;
        page.assert_contains(
            r#"<form class="header-search" method="get" action="/tim-kiem" role="search">"#,
        );
        page.assert_contains(
            r#"<label class="visually-hidden" for="header-search-q">Tìm kiếm</label>"#,
        );
        page.assert_contains(r#"<input id="header-search-q" name="q" type="search""#);
        page.assert_contains(r#"<button type="submit">Tìm kiếm</button>"#);
    }
}

#[db_test]
async fn common_words_list_a_thousand_results_the_newest_ranked_first(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // 1,100 articles with the word in their body, one an hour…
    let now = OffsetDateTime::now_utc();
    let mut batch = db::articles::ArticleBatch::default();
    for n in 1..=1100_i64 {
        batch.slug.push(format!("bai-so-{n}"));
        batch.title.push(format!("Bài số {n}"));
        batch.sapo.push("Tóm tắt.".into());
        batch
            .body_html
            .push("<p>Tập huấn trồng quế hữu cơ.</p>".into());
        batch.byline.push(String::new());
        batch.category_id.push(news);
        batch.published_at.push(now - time::Duration::hours(n));
        batch.view_count.push(0);
    }
    db::articles::insert_published_batch(&db, &batch)
        .await
        .unwrap();
    // …and one with it in its title, older than 200 of them.
    ArticleFixture::new("Giá quế tăng cao", news)
        .hours_ago(200)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;

    let first = search(&app, "quế", "").await;
    first.assert_contains("Tìm thấy hơn 1.000 bài viết");
    first.assert_contains("Chỉ liệt kê 1.000 kết quả");
    let slugs = found(&first);
    assert_eq!(slugs[0], "gia-que-tang-cao");
    assert_eq!(slugs[1..], (1..=9).map(|n| format!("bai-so-{n}")).collect::<Vec<_>>());
    first.assert_contains(r#"aria-label="Trang 100">100</a>"#);

    // Past the relevance-ordered pages, older matches follow newest first: the 300 newest
    // matches are "Bài số 1" to "Bài số 299" and the title match.
    let after = found(&search(&app, "quế", "&trang=31").await);
    assert_eq!(
        after,
        (300..=309)
            .map(|n| format!("bai-so-{n}"))
            .collect::<Vec<_>>()
    );
    let last = found(&search(&app, "quế", "&trang=100").await);
    assert_eq!(
        last,
        (990..=999)
            .map(|n| format!("bai-so-{n}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(search(&app, "quế", "&trang=101").await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn rare_words_are_found_and_ranked_the_same_way(db: PgPool) {
    // Few of the newest articles match: the matches come from the GIN index, not from reading
    // articles newest first (see db::search).
    let news = category(&db, "Tin tức", None).await;
    for n in 1..=30 {
        ArticleFixture::new(&format!("Tin ngắn số {n}"), news)
            .hours_ago(n)
            .insert(&db)
            .await;
    }
    ArticleFixture {
        body_html: "<p>Nhà máy thủy điện Bắc Hà phát điện.</p>",
        ..ArticleFixture::new("Tổng kết mùa khô", news)
    }
    .hours_ago(2)
    .insert(&db)
    .await;
    ArticleFixture::new("Thủy điện Bắc Hà hoàn thành", news)
        .hours_ago(300)
        .insert(&db)
        .await;
    let app = TestApp::new(db).await;
    let page = search(&app, "thuy dien bac ha", "").await;
    assert_eq!(found(&page), ["thuy-dien-bac-ha-hoan-thanh", "tong-ket-mua-kho"]);
    page.assert_contains("Tìm thấy 2 bài viết");
    page.assert_contains("<mark>thủy</mark> <mark>điện</mark> <mark>Bắc</mark> <mark>Hà</mark>");
    assert_eq!(finds(&app, "\"dien bac\" \"nha may\"").await, ["tong-ket-mua-kho"]);
}
