//! The menus in the back office (admins only): entries for categories, pages, the documents
//! library, the contact page and external addresses; two levels; up/down moves that stay a
//! permutation under concurrent requests; the public header and footer follow at once, through
//! the page cache too.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use futures_util::future::join_all;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{Staff, TestApp, TestResponse, assert_redirect, category};

async fn add(app: &TestApp, admin: &Staff, fields: &[(&str, &str)]) {
    let added = admin.post(app, "/admin/menu", fields).await;
    assert_redirect(&added, "/admin/menu?msg=created");
}

async fn item_id(db: &PgPool, label: &str) -> i64 {
    sqlx::query_scalar("select menu_item_id from menu_item where label = $1")
        .bind(label)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The public header's menu (the `<nav class="main-nav">` element).
fn header_menu(page: &TestResponse) -> &str {
    let start = page.position(r#"<nav class="main-nav""#);
    let end = start + page.body[start..].find("</nav>").unwrap();
    &page.body[start..end]
}

#[db_test]
async fn the_menu_arranged_by_an_admin_is_the_public_header_and_footer(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    category(&db, "Du lịch", None).await;
    let app = TestApp::new(db.clone()).await;
    // Before a menu is arranged, the header lists the categories.
    let home = app.get("/").await;
    assert!(header_menu(&home).contains(r#"href="/chuyen-muc/du-lich""#));

    let admin = app.staff(Role::Admin).await;
    let editor = app.staff(Role::Editor).await;
    let page = editor
        .post(&app, "/admin/pages", &[("title", "Giới thiệu"), ("status", "published")])
        .await;
    let page_id = crate::support::location_id(&page, "/admin/pages/").to_string();

    add(&app, &admin, &[("menu", "main"), ("target", "page"), ("page", &page_id)]).await;
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("target", "category"),
            ("category", &news.to_string()),
            ("label", "Tin tức - Sự kiện"),
        ],
    )
    .await;
    let parent = item_id(&db, "Tin tức - Sự kiện").await.to_string();
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("parent", &parent),
            ("target", "documents"),
            ("label", ""),
        ],
    )
    .await;
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("target", "url"),
            ("url", "https://laocai.gov.vn/"),
            ("label", "Cổng tỉnh"),
        ],
    )
    .await;
    add(&app, &admin, &[("menu", "footer"), ("target", "contact"), ("label", "")]).await;

    let home = app.get("/").await;
    let menu = header_menu(&home);
    for link in [
        r#"<a href="/gioi-thieu">Giới thiệu</a>"#,
        r#"<a href="/chuyen-muc/tin-tuc">Tin tức - Sự kiện</a>"#,
        r#"<li><a href="/van-ban">Văn bản</a></li>"#,
        r#"<a href="https://laocai.gov.vn/">Cổng tỉnh</a>"#,
    ] {
        assert!(menu.contains(link), "{link} not in {menu}");
    }
    assert!(!menu.contains("/chuyen-muc/du-lich"), "{menu}");
    assert!(
        menu.find("/gioi-thieu").unwrap() < menu.find("/chuyen-muc/tin-tuc").unwrap(),
        "{menu}"
    );
    home.assert_contains(r#"<li><a href="/lien-he">Liên hệ</a></li>"#);

    // An entry for a page taken back to draft disappears; the rest stays.
    sqlx::query("update page set status = 'draft'")
        .execute(&db)
        .await
        .unwrap();
    app.refresh().await;
    let menu_now = app.get("/").await;
    assert!(!header_menu(&menu_now).contains("/gioi-thieu"));
    assert!(header_menu(&menu_now).contains("Cổng tỉnh"));

    let log: Vec<String> = sqlx::query_scalar(
        "select details from audit_log where action = 'menu.created' order by audit_log_id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(log.len(), 5);
    assert_eq!(log[3], "Menu chính: Cổng tỉnh → https://laocai.gov.vn/");
}

#[db_test]
async fn bad_entries_are_refused_beside_their_fields_with_the_input_kept(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    for url in ["javascript:alert(1)", "/van-ban", "https://a b.vn"] {
        let refused = admin
            .post(
                &app,
                "/admin/menu",
                &[
                    ("menu", "main"),
                    ("target", "url"),
                    ("url", url),
                    ("label", "Liên kết lạ"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        refused.assert_contains("Địa chỉ phải bắt đầu bằng http:// hoặc https://");
        refused.assert_contains(r#"value="Liên kết lạ""#);
    }
    let no_category = admin
        .post(&app, "/admin/menu", &[("menu", "main"), ("target", "category")])
        .await;
    assert_eq!(no_category.status, StatusCode::UNPROCESSABLE_ENTITY);
    no_category.assert_contains("Vui lòng chọn chuyên mục.");

    // Two levels: nothing under a second-level entry; nothing nested in the footer.
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("target", "documents"),
            ("label", "Văn bản"),
        ],
    )
    .await;
    let top = item_id(&db, "Văn bản").await.to_string();
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("parent", &top),
            ("target", "contact"),
            ("label", "Liên hệ"),
        ],
    )
    .await;
    let second = item_id(&db, "Liên hệ").await.to_string();
    let too_deep = admin
        .post(
            &app,
            "/admin/menu",
            &[
                ("menu", "main"),
                ("parent", &second),
                ("target", "url"),
                ("url", "https://a.vn"),
                ("label", "Sâu"),
            ],
        )
        .await;
    assert_eq!(too_deep.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_deep.assert_contains("Menu chỉ có hai cấp");
    let footer_nested = admin
        .post(
            &app,
            "/admin/menu",
            &[
                ("menu", "footer"),
                ("parent", &top),
                ("target", "contact"),
                ("label", "Chân"),
            ],
        )
        .await;
    assert_eq!(footer_nested.status, StatusCode::UNPROCESSABLE_ENTITY);
    footer_nested.assert_contains("Liên kết chân trang chỉ có một cấp.");
    // An entry with children cannot go under another.
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("target", "url"),
            ("url", "https://b.vn"),
            ("label", "Khác"),
        ],
    )
    .await;
    let other = item_id(&db, "Khác").await.to_string();
    let moved_under = admin
        .post(
            &app,
            &format!("/admin/menu/{top}"),
            &[
                ("menu", "main"),
                ("parent", &other),
                ("target", "documents"),
                ("label", "Văn bản"),
            ],
        )
        .await;
    assert_eq!(moved_under.status, StatusCode::UNPROCESSABLE_ENTITY);
    moved_under.assert_contains("Mục này đang có mục con");
    let to_footer = admin
        .post(
            &app,
            &format!("/admin/menu/{top}"),
            &[
                ("menu", "footer"),
                ("target", "documents"),
                ("label", "Văn bản"),
            ],
        )
        .await;
    assert_eq!(to_footer.status, StatusCode::UNPROCESSABLE_ENTITY);
    to_footer.assert_contains("không thể chuyển sang menu khác");
    assert_eq!(
        sqlx::query_scalar::<_, i64>("select count(*) from menu_item")
            .fetch_one(&db)
            .await
            .unwrap(),
        3
    );
}

#[db_test]
async fn only_admins_arrange_the_menu(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("target", "documents"),
            ("label", "Văn bản"),
        ],
    )
    .await;
    let id = item_id(&db, "Văn bản").await;
    for role in [Role::Reporter, Role::Editor, Role::Moderator] {
        let user = app.staff(role).await;
        assert_eq!(user.get(&app, "/admin/menu").await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            user.get(&app, &format!("/admin/menu/{id}")).await.status,
            StatusCode::FORBIDDEN
        );
        for (uri, fields) in [
            ("/admin/menu".to_owned(), vec![("target", "contact"), ("label", "X")]),
            (format!("/admin/menu/{id}"), vec![("target", "contact"), ("label", "X")]),
            (format!("/admin/menu/{id}/move"), vec![("direction", "down")]),
            (format!("/admin/menu/{id}/delete"), vec![]),
        ] {
            let refused = user.post(&app, &uri, &fields).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?} {uri}");
        }
    }
    let labels: Vec<String> = sqlx::query_scalar("select label from menu_item")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(labels, ["Văn bản"]);
}

#[db_test]
async fn concurrent_moves_all_apply_and_keep_positions_a_permutation(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let admin = app.staff(Role::Admin).await;
    let labels = ["A", "B", "C", "D", "E"];
    for label in labels {
        add(
            &app,
            &admin,
            &[
                ("menu", "main"),
                ("target", "url"),
                ("url", "https://x.vn"),
                ("label", label),
            ],
        )
        .await;
    }
    let first = item_id(&db, "A").await;
    let uri = format!("/admin/menu/{first}/move");
    // Four moves down at once take the first entry to the end, one place each.
    let moves = (0..4).map(|_| admin.post(&app, &uri, &[("direction", "down")]));
    for moved in join_all(moves).await {
        assert_redirect(&moved, "/admin/menu?msg=moved");
    }
    let order: Vec<(String, i32)> =
        sqlx::query_as("select label, position from menu_item order by position, menu_item_id")
            .fetch_all(&db)
            .await
            .unwrap();
    let positions: Vec<i32> = order.iter().map(|(_, p)| *p).collect();
    assert_eq!(positions, [0, 1, 2, 3, 4], "{order:?}");
    let names: Vec<&str> = order.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(names, ["B", "C", "D", "E", "A"]);

    // Up from the top changes nothing.
    let second = item_id(&db, "B").await;
    let unchanged = admin
        .post(&app, &format!("/admin/menu/{second}/move"), &[("direction", "up")])
        .await;
    assert_redirect(&unchanged, "/admin/menu");
    let list = admin.get(&app, "/admin/menu").await;
    assert!(list.position(">B</td>") < list.position(">A</td>"));
}

/// The page as `app` shows it now, or within a second.
async fn eventually(app: &TestApp, uri: &str, check: impl Fn(&TestResponse) -> bool) {
    let started = Instant::now();
    loop {
        let page = app.get(uri).await;
        if check(&page) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{uri} did not change within a second:\n{}",
            page.body
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[db_test]
async fn cached_pages_follow_a_menu_change_here_and_on_another_instance(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let app = TestApp::with_page_cache(db.clone()).await;
    let other = TestApp::with_page_cache(db.clone()).await;
    for instance in [&app, &other] {
        // Cached on both instances.
        instance.get("/").await;
        let again = instance.get("/").await;
        assert!(!again.body.contains("Cổng tỉnh"));
    }
    let (hits, _) = app.state.page_cache.counts();
    assert!(hits >= 1);

    let admin = app.staff(Role::Admin).await;
    add(
        &app,
        &admin,
        &[
            ("menu", "main"),
            ("target", "url"),
            ("url", "https://laocai.gov.vn/"),
            ("label", "Cổng tỉnh"),
        ],
    )
    .await;
    let shown = app.get("/").await;
    assert!(header_menu(&shown).contains("Cổng tỉnh"), "{}", shown.body);
    eventually(&other, "/", |page| header_menu(page).contains("Cổng tỉnh")).await;

    let id = item_id(&db, "Cổng tỉnh").await;
    let deleted = admin
        .post(&app, &format!("/admin/menu/{id}/delete"), &[])
        .await;
    assert_redirect(&deleted, "/admin/menu?msg=deleted");
    assert!(!app.get("/").await.body.contains("Cổng tỉnh"));
    eventually(&other, "/", |page| !page.body.contains("Cổng tỉnh")).await;
}

#[db_test(migrations = false)]
async fn an_upgraded_site_keeps_its_categories_as_its_menu(db: PgPool) {
    // The schema as it was before menus, with a site's categories in it.
    toasoan::MIGRATOR.run_to(20261205100000, &db).await.unwrap();
    let news = category(&db, "Tin tức", None).await;
    let politics = category(&db, "Chính trị", Some(news)).await;
    let economy = category(&db, "Kinh tế", Some(news)).await;
    let travel = category(&db, "Du lịch", None).await;
    // Equal positions keep the categories' own order (by id).
    sqlx::query("update category set position = 0 where category_id in ($1, $2)")
        .bind(politics)
        .bind(economy)
        .execute(&db)
        .await
        .unwrap();
    toasoan::MIGRATOR.run(&db).await.unwrap();

    let rows: Vec<(i64, Option<i64>, i32)> = sqlx::query_as(
        "select m.category_id, p.category_id, m.position from menu_item m
         left join menu_item p on p.menu_item_id = m.parent_id
         where m.menu = 'main' order by m.menu_item_id",
    )
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        rows,
        [
            (news, None, 0),
            (travel, None, 1),
            (politics, Some(news), 0),
            (economy, Some(news), 1),
        ]
    );
    let app = TestApp::new(db.clone()).await;
    let home = app.get("/").await;
    let menu = header_menu(&home);
    let at = |slug: &str| menu.find(&format!(r#"href="/chuyen-muc/{slug}""#)).unwrap();
    assert!(at("tin-tuc") < at("chinh-tri") && at("chinh-tri") < at("kinh-te"));
    assert!(at("kinh-te") < at("du-lich"), "{menu}");
}
