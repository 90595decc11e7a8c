//! Pages ("Trang"): the back office (create, publish, edit, conflicts, revisions, delete), the
//! public page at `/{slug}` with its breadcrumb, English pages and `/en`, print versions.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{ArticleFixture, Staff, TestApp, assert_redirect, category, location_id};

/// Creates a page through the back office; its id.
async fn create(app: &TestApp, editor: &Staff, fields: &[(&str, &str)]) -> i64 {
    let created = editor.post(app, "/admin/pages", fields).await;
    location_id(&created, "/admin/pages/")
}

async fn version(db: &PgPool, id: i64) -> i32 {
    sqlx::query_scalar("select version from page where page_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn audited(db: &PgPool, action: &str) -> Vec<String> {
    sqlx::query_scalar("select details from audit_log where action = $1 order by audit_log_id")
        .bind(action)
        .fetch_all(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn an_editor_writes_a_page_that_shows_at_its_address_once_published(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let form = editor.get(&app, "/admin/pages/new").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("data-editor");

    let created = editor
        .post(
            &app,
            "/admin/pages",
            &[
                ("title", " Giới thiệu "),
                ("slug", ""),
                (
                    "body_html",
                    "<p>Huyện Bảo Thắng<script>alert(1)</script></p><h2 onclick=\"x()\">Vị trí</h2>",
                ),
                ("language", "vi"),
                ("status", "draft"),
            ],
        )
        .await;
    let id = location_id(&created, "/admin/pages/");
    assert_redirect(&created, &format!("/admin/pages/{id}?msg=created"));
    assert_eq!(audited(&db, "page.created").await, ["Giới thiệu (/gioi-thieu, Bản nháp)"]);

    // A draft is not public.
    assert_eq!(app.get("/gioi-thieu").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/gioi-thieu/ban-in").await.status, StatusCode::NOT_FOUND);

    let saved = editor
        .post(
            &app,
            &format!("/admin/pages/{id}"),
            &[
                ("title", "Giới thiệu"),
                ("slug", "gioi-thieu"),
                ("body_html", "<p>Huyện Bảo Thắng nằm ở phía bắc tỉnh Lào Cai.</p>"),
                ("language", "vi"),
                ("status", "published"),
                ("version", "1"),
            ],
        )
        .await;
    assert_redirect(&saved, &format!("/admin/pages/{id}?msg=saved"));

    let page = app.get("/gioi-thieu").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<html lang="vi">"#);
    page.assert_contains(r#"<h1 class="article-title">Giới thiệu</h1>"#);
    page.assert_contains("<p>Huyện Bảo Thắng nằm ở phía bắc tỉnh Lào Cai.</p>");
    page.assert_contains(r#"<link rel="canonical" href="https://baothang.example.vn/gioi-thieu">"#);
    page.assert_contains(r#"href="/gioi-thieu/ban-in""#);
    // No date, views, comments or related articles.
    page.assert_not_contains("<time");
    page.assert_not_contains("Lượt xem");
    page.assert_not_contains("Bình luận");
    page.assert_not_contains("hreflang");

    let list = editor.get(&app, "/admin/pages").await;
    list.assert_contains(&format!(r#"<a href="/admin/pages/{id}">Giới thiệu</a>"#));
    list.assert_contains("Đã đăng");

    let sitemap = app.get("/sitemap.xml").await;
    sitemap.assert_contains("<loc>https://baothang.example.vn/gioi-thieu</loc>");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn the_body_is_sanitised_and_a_child_page_shows_its_parent_in_the_breadcrumb(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let parent = create(&app, &editor, &[("title", "Giới thiệu"), ("status", "published")]).await;
    let parent_id = parent.to_string();
    create(
        &app,
        &editor,
        &[
            ("title", "Cơ cấu tổ chức"),
            ("parent", &parent_id),
            ("body_html", "<p>Ủy ban<script>alert(1)</script></p><img src=x onerror=alert(1)>"),
            ("status", "published"),
        ],
    )
    .await;
    let page = app.get("/co-cau-to-chuc").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains(r#"<li><a href="/gioi-thieu">Giới thiệu</a></li>"#);
    page.assert_contains(r#"<li aria-current="page">Cơ cấu tổ chức</li>"#);
    page.assert_contains("<p>Ủy ban</p>");
    page.assert_not_contains("alert(1)");

    // A page cannot be put under its own child.
    let loop_refused = editor
        .post(
            &app,
            &format!("/admin/pages/{parent}"),
            &[
                ("title", "Giới thiệu"),
                ("slug", "gioi-thieu"),
                ("parent", &(parent + 1).to_string()),
                ("status", "published"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(loop_refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    loop_refused.assert_contains("Không thể đặt trang vào trong chính nó hoặc trang con của nó.");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_slug_that_clashes_with_an_address_of_the_site_is_refused_with_the_input_kept(
    db: PgPool,
) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for (title, slug) in [
        ("Văn bản của huyện", "van-ban"),
        ("Quản trị", "admin"),
        ("Bài viết", ""), // the slug from the title: bai-viet
        ("Bản đồ trang", "sitemap-2"),
        ("Tiếng Anh", "en"),
    ] {
        let refused = editor
            .post(
                &app,
                "/admin/pages",
                &[
                    ("title", title),
                    ("slug", slug),
                    ("body_html", "<p>Nội dung được giữ lại</p>"),
                    ("status", "published"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{title}");
        refused.assert_contains("Đường dẫn này trùng với một địa chỉ sẵn có của trang web");
        refused.assert_contains(&format!(r#"value="{title}""#));
        refused.assert_contains("&#60;p&#62;Nội dung được giữ lại&#60;/p&#62;");
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from page")
            .fetch_one(&db)
            .await
            .unwrap(),
        0
    );
    // The pages of the site still answer.
    assert_eq!(app.get("/tim-kiem?q=abc").await.status, StatusCode::OK);

    // Another page's slug.
    create(&app, &editor, &[("title", "Lãnh đạo")]).await;
    let taken = editor
        .post(&app, "/admin/pages", &[("title", "Lãnh đạo")])
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("Đường dẫn này đã được dùng cho trang khác.");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn reporters_and_moderators_cannot_manage_pages(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(&app, &editor, &[("title", "Giới thiệu")]).await;
    for role in [Role::Reporter, Role::Moderator] {
        let user = app.staff(role).await;
        for uri in [
            "/admin/pages".to_owned(),
            "/admin/pages/new".to_owned(),
            format!("/admin/pages/{id}"),
            format!("/admin/pages/{id}/revisions"),
            format!("/admin/pages/{id}/revisions/compare"),
        ] {
            assert_eq!(user.get(&app, &uri).await.status, StatusCode::FORBIDDEN, "{uri}");
        }
        let post = user
            .post(&app, "/admin/pages", &[("title", "Trang lạ")])
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
        let delete = user
            .post(&app, &format!("/admin/pages/{id}/delete"), &[])
            .await;
        assert_eq!(delete.status, StatusCode::FORBIDDEN);
        let nav = user.get(&app, "/admin").await;
        nav.assert_not_contains(r#"href="/admin/pages""#);
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from page")
            .fetch_one(&db)
            .await
            .unwrap(),
        1
    );
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_stale_save_gets_the_conflict_page_and_revisions_can_be_restored(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let first = app.staff(Role::Editor).await;
    let second = app.staff(Role::Admin).await;
    let id = create(
        &app,
        &first,
        &[
            ("title", "Lãnh đạo"),
            ("body_html", "<p>Bản đầu</p>"),
            ("status", "published"),
        ],
    )
    .await;
    let url = format!("/admin/pages/{id}");
    let save = |body: &'static str| {
        [
            ("title", "Lãnh đạo"),
            ("slug", "lanh-dao"),
            ("body_html", body),
            ("status", "published"),
            ("version", "1"),
        ]
    };
    assert_redirect(
        &first
            .post(&app, &url, &save("<p>Bản của người thứ nhất</p>"))
            .await,
        &format!("{url}?msg=saved"),
    );
    let stale = second
        .post(&app, &url, &save("<p>Bản của người thứ hai</p>"))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Trang vừa được người khác sửa");
    stale.assert_contains(&first.username);
    stale.assert_contains("<p>Bản của người thứ nhất</p>");
    stale.assert_contains("<p>Bản của người thứ hai</p>");
    stale.assert_contains(r#"name="version" value="2""#);
    assert_eq!(version(&db, id).await, 2);
    app.get("/lanh-dao")
        .await
        .assert_contains("<p>Bản của người thứ nhất</p>");

    let revisions = first.get(&app, &format!("{url}/revisions")).await;
    assert_eq!(revisions.status, StatusCode::OK);
    revisions.assert_contains("2 (hiện tại)");
    let first_revision: i64 = sqlx::query_scalar(
        "select page_revision_id from page_revision where page_id = $1 and version = 1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    let shown = first
        .get(&app, &format!("{url}/revisions/{first_revision}"))
        .await;
    shown.assert_contains("<p>Bản đầu</p>");
    let restored = first
        .post(&app, &format!("{url}/revisions/{first_revision}/restore"), &[("version", "2")])
        .await;
    assert_redirect(&restored, &format!("{url}?msg=restored"));
    assert_eq!(version(&db, id).await, 3);
    app.get("/lanh-dao").await.assert_contains("<p>Bản đầu</p>");
    assert_eq!(audited(&db, "page.restored").await.len(), 1);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn a_deleted_page_is_gone_and_the_deletion_is_audited(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id =
        create(&app, &editor, &[("title", "Chức năng nhiệm vụ"), ("status", "published")]).await;
    assert_eq!(app.get("/chuc-nang-nhiem-vu").await.status, StatusCode::OK);

    // Not while a menu leads to it.
    let admin = app.staff(Role::Admin).await;
    let entry = admin
        .post(
            &app,
            "/admin/menu",
            &[
                ("menu", "main"),
                ("target", "page"),
                ("page", &id.to_string()),
            ],
        )
        .await;
    assert_redirect(&entry, "/admin/menu?msg=created");
    let refused = editor
        .post(&app, &format!("/admin/pages/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("không thể xóa trang đang có trong menu");
    assert_eq!(app.get("/chuc-nang-nhiem-vu").await.status, StatusCode::OK);
    sqlx::query("delete from menu_item")
        .execute(&db)
        .await
        .unwrap();
    let deleted = editor
        .post(&app, &format!("/admin/pages/{id}/delete"), &[])
        .await;
    assert_redirect(&deleted, "/admin/pages?msg=deleted");
    assert_eq!(app.get("/chuc-nang-nhiem-vu").await.status, StatusCode::NOT_FOUND);
    assert_eq!(audited(&db, "page.deleted").await, ["Chức năng nhiệm vụ (/chuc-nang-nhiem-vu)"]);
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn an_english_page_has_an_english_frame_an_hreflang_pair_and_is_listed_at_en(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let vi = create(&app, &editor, &[("title", "Giới thiệu"), ("status", "published")]).await;
    create(
        &app,
        &editor,
        &[
            ("title", "Introduction"),
            ("body_html", "<p>Bao Thang is a district of Lao Cai province.</p>"),
            ("language", "en"),
            ("counterpart", &vi.to_string()),
            ("status", "published"),
        ],
    )
    .await;

    let en = app.get("/introduction").await;
    assert_eq!(en.status, StatusCode::OK);
    en.assert_contains(r#"<html lang="en">"#);
    en.assert_contains(r##"<a class="skip-link" href="#noi-dung">Skip to main content</a>"##);
    en.assert_contains(r#"<button type="submit">Search</button>"#);
    en.assert_contains(r#"<meta property="og:locale" content="en_US">"#);
    en.assert_contains(r#"<meta name="description" content="Introduction">"#);
    en.assert_contains(">Print</a>");
    en.assert_not_contains("Bỏ qua, đến nội dung chính");
    let pair = [
        r#"<link rel="alternate" hreflang="en" href="https://baothang.example.vn/introduction">"#,
        r#"<link rel="alternate" hreflang="vi" href="https://baothang.example.vn/gioi-thieu">"#,
    ];
    for link in pair {
        en.assert_contains(link);
    }

    // The link goes both ways.
    let vi_page = app.get("/gioi-thieu").await;
    vi_page.assert_contains(r#"<html lang="vi">"#);
    vi_page.assert_contains("Bỏ qua, đến nội dung chính");
    for link in pair {
        vi_page.assert_contains(link);
    }
    vi_page.assert_contains(r#"href="/introduction" hreflang="en" lang="en">English</a>"#);

    let list = app.get("/en").await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains(r#"<html lang="en">"#);
    list.assert_contains("English information");
    list.assert_contains(r#"<a href="/introduction">Introduction</a>"#);
    list.assert_not_contains(r#"<a href="/gioi-thieu">"#);

    // A page of the same language cannot be its counterpart.
    let refused = editor
        .post(
            &app,
            "/admin/pages",
            &[
                ("title", "Lịch sử"),
                ("counterpart", &vi.to_string()),
                ("language", "vi"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Hãy chọn một trang viết bằng ngôn ngữ kia.");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn print_versions_show_the_text_and_its_source_without_the_site_frame(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let news = category(&db, "Tin tức", None).await;
    let fixture = ArticleFixture {
        body_html: "<p>Kỳ họp thứ mười đã bế mạc.</p>",
        ..ArticleFixture::new("Bế mạc kỳ họp", news)
    };
    fixture.insert(&db).await;
    app.refresh().await;

    let article = app.get("/bai-viet/be-mac-ky-hop").await;
    article.assert_contains(
        r#"<a class="print-link" href="/bai-viet/be-mac-ky-hop/ban-in" rel="nofollow">In bài</a>"#,
    );

    let print = app.get("/bai-viet/be-mac-ky-hop/ban-in").await;
    assert_eq!(print.status, StatusCode::OK);
    print.assert_contains(r#"<h1 class="article-title">Bế mạc kỳ họp</h1>"#);
    print.assert_contains("<p>Kỳ họp thứ mười đã bế mạc.</p>");
    print.assert_contains("Phóng viên");
    print.assert_contains("<time datetime=");
    print.assert_contains("Nguồn: https://baothang.example.vn/bai-viet/be-mac-ky-hop");
    print.assert_contains(r#"<meta name="robots" content="noindex">"#);
    for frame in [
        "main-nav",
        "site-footer",
        "binh-luan",
        "<script",
        "Tìm kiếm",
    ] {
        print.assert_not_contains(frame);
    }
    assert_eq!(app.get("/bai-viet/khong-co/ban-in").await.status, StatusCode::NOT_FOUND);

    let editor = app.staff(Role::Editor).await;
    create(
        &app,
        &editor,
        &[
            ("title", "Lãnh đạo"),
            ("body_html", "<p>Chủ tịch UBND huyện</p>"),
            ("status", "published"),
        ],
    )
    .await;
    let print = app.get("/lanh-dao/ban-in").await;
    assert_eq!(print.status, StatusCode::OK);
    print.assert_contains("<p>Chủ tịch UBND huyện</p>");
    print.assert_contains("Nguồn: https://baothang.example.vn/lanh-dao");
    print.assert_not_contains("main-nav");
    print.assert_not_contains("<time");
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn cached_pages_follow_a_page_edit_here_and_on_another_instance(db: PgPool) {
    let app = TestApp::with_page_cache(db.clone()).await;
    let other = TestApp::with_page_cache(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(
        &app,
        &editor,
        &[
            ("title", "Giới thiệu"),
            ("body_html", "<p>Bản cũ</p>"),
            ("status", "published"),
        ],
    )
    .await;
    app.get("/gioi-thieu").await.assert_contains("Bản cũ");
    // The other instance hears of the page's creation a moment later (which empties its
    // cache): once it has, a repeated request is answered from its cache.
    let started = std::time::Instant::now();
    loop {
        other.get("/gioi-thieu").await.assert_contains("Bản cũ");
        if other.state.page_cache.counts().0 >= 1 {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "the page was never cached");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let saved = editor
        .post(
            &app,
            &format!("/admin/pages/{id}"),
            &[
                ("title", "Giới thiệu"),
                ("slug", "gioi-thieu"),
                ("body_html", "<p>Bản mới</p>"),
                ("status", "published"),
                ("version", "1"),
            ],
        )
        .await;
    assert_redirect(&saved, &format!("/admin/pages/{id}?msg=saved"));
    app.get("/gioi-thieu").await.assert_contains("Bản mới");
    let started = std::time::Instant::now();
    while !other.get("/gioi-thieu").await.body.contains("Bản mới") {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "the other instance still shows the old page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
async fn competing_saves_of_one_slug_store_one_page_and_tell_the_others(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let fields = [("title", "Lãnh đạo huyện"), ("status", "published")];
    let saves = (0..6).map(|_| editor.post(&app, "/admin/pages", &fields));
    let answers = futures_util::future::join_all(saves).await;
    let created = answers
        .iter()
        .filter(|a| a.status == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(created, 1);
    for refused in answers.iter().filter(|a| a.status != StatusCode::SEE_OTHER) {
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        refused.assert_contains("Đường dẫn này đã được dùng cho trang khác.");
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from page")
            .fetch_one(&db)
            .await
            .unwrap(),
        1
    );
}
