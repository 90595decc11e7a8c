//! The back office's category pages: the tree, create, edit (nest, un-nest), reorder, delete.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{ArticleFixture, TestApp, TestResponse, assert_redirect, category, count};

/// The details of the audit entries with this action, oldest first.
async fn audited(db: &PgPool, action: &str) -> Vec<String> {
    sqlx::query_scalar("select details from audit_log where action = $1 order by audit_log_id")
        .bind(action)
        .fetch_all(db)
        .await
        .unwrap()
}

async fn parent_of(db: &PgPool, category_id: i64) -> Option<i64> {
    sqlx::query_scalar("select parent_id from category where category_id = $1")
        .bind(category_id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Where a link to a category's public page appears on the home page (its menu entry).
fn menu_position(home: &TestResponse, slug: &str) -> usize {
    home.position(&format!(r#"href="/chuyen-muc/{slug}""#))
}

#[db_test]
async fn editor_creates_a_category_that_appears_in_the_public_menu(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let form = editor.get(&app, "/admin/categories").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("Chưa có chuyên mục nào.");
    form.assert_contains(r#"<label for="name">Tên chuyên mục</label>"#);

    let created = editor
        .post(
            &app,
            "/admin/categories",
            &[
                ("name", " Văn hóa - Xã hội "),
                ("slug", ""),
                ("parent", ""),
                ("description", "Đời sống"),
                ("position", ""),
            ],
        )
        .await;
    assert_redirect(&created, "/admin/categories?msg=created");

    let list = editor.get(&app, "/admin/categories?msg=created").await;
    list.assert_contains("Đã tạo.");
    list.assert_contains(">Văn hóa - Xã hội</a>");
    list.assert_contains(">van-hoa-xa-hoi</a>");
    let slug: String = sqlx::query_scalar("select slug from category")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(slug, "van-hoa-xa-hoi");
    assert_eq!(audited(&db, "category.created").await, ["Văn hóa - Xã hội (van-hoa-xa-hoi)"]);

    app.get("/")
        .await
        .assert_contains(r#"<a href="/chuyen-muc/van-hoa-xa-hoi">Văn hóa - Xã hội</a>"#);
    assert_eq!(app.get("/chuyen-muc/van-hoa-xa-hoi").await.status, StatusCode::OK);
}

#[db_test]
async fn the_list_shows_the_tree_indented_in_menu_order_with_article_counts(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let economy = category(&db, "Kinh tế", Some(news)).await;
    category(&db, "Du lịch", None).await;
    for n in 0..3 {
        ArticleFixture::new(&format!("Tin kinh tế {n}"), economy)
            .insert(&db)
            .await;
    }
    let app = TestApp::new(db).await;
    let editor = app.staff(Role::Editor).await;

    let list = editor.get(&app, "/admin/categories").await;
    let news_row = list.position(">Tin tức</a>");
    let economy_row = list.position(">Kinh tế</a>");
    let tourism_row = list.position(">Du lịch</a>");
    assert!(news_row < economy_row && economy_row < tourism_row);
    list.assert_contains(&format!(
        r#"<span class="tree-indent" aria-hidden="true">— </span><a href="/admin/categories/{economy}">Kinh tế</a>"#
    ));
    list.assert_contains("<td>3</td>");
    // The parent select offers every category, indented too.
    list.assert_contains(&format!(r#"<option value="{economy}">— Kinh tế</option>"#));
}

#[db_test]
async fn reporters_and_moderators_cannot_manage_categories(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    for role in [Role::Reporter, Role::Moderator] {
        let who = app.staff(role).await;
        for uri in [
            "/admin/categories".to_owned(),
            format!("/admin/categories/{news}"),
        ] {
            let page = who.get(&app, &uri).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{role:?} {uri}");
            page.assert_contains("Không có quyền truy cập");
        }
        let posts = [
            ("/admin/categories".to_owned(), vec![("name", "Mới")]),
            (format!("/admin/categories/{news}"), vec![("name", "Đổi tên")]),
            (format!("/admin/categories/{news}/move"), vec![("direction", "down")]),
            (format!("/admin/categories/{news}/delete"), vec![]),
        ];
        for (uri, fields) in posts {
            let response = who.post(&app, &uri, &fields).await;
            assert_eq!(response.status, StatusCode::FORBIDDEN, "{role:?} {uri}");
        }
    }
    let name: String = sqlx::query_scalar("select name from category")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!((count(&db, "category").await, name.as_str()), (1, "Tin tức"));
    assert_eq!(count(&db, "audit_log").await, 0);
}

#[db_test]
async fn anonymous_visitors_are_sent_to_login_from_category_pages(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    assert_redirect(&app.get("/admin/categories").await, "/admin/login");
    assert_redirect(&app.get(&format!("/admin/categories/{news}")).await, "/admin/login");
    assert_redirect(&app.post("/admin/categories", &[("name", "Mới")]).await, "/admin/login");
    assert_redirect(
        &app.post(&format!("/admin/categories/{news}/delete"), &[])
            .await,
        "/admin/login",
    );
    assert_eq!(count(&db, "category").await, 1);
}

#[db_test]
async fn a_slug_already_in_use_is_refused_and_the_input_kept(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    // Derived from the name…
    let page = editor
        .post(&app, "/admin/categories", &[("name", "Tin Tức"), ("description", "Mô tả")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(
        r#"<p class="field-error" id="slug-error">Đường dẫn này đã được dùng.</p>"#,
    );
    page.assert_contains(r#"value="Tin Tức""#);
    page.assert_contains(">Mô tả</textarea>");

    // … or typed.
    let page = editor
        .post(&app, "/admin/categories", &[("name", "Thời sự"), ("slug", "tin-tuc")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Đường dẫn này đã được dùng.");
    page.assert_contains(r#"value="tin-tuc""#);

    // Renaming another category onto it as well.
    let other = category(&db, "Thời sự", None).await;
    let page = editor
        .post(
            &app,
            &format!("/admin/categories/{other}"),
            &[("name", "Thời sự"), ("slug", "tin-tuc")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Đường dẫn này đã được dùng.");

    assert_eq!(count(&db, "category").await, 2);
    assert_eq!(count(&db, "audit_log").await, 0);
}

#[db_test]
async fn each_invalid_field_gets_a_vietnamese_message(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let long = "x".repeat(301);
    let page = editor
        .post(
            &app,
            "/admin/categories",
            &[
                ("name", "   "),
                ("slug", "Tin Tức"),
                ("parent", "abc"),
                ("description", &long),
                ("position", "đầu"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Vui lòng nhập thông tin này.");
    page.assert_contains("Đường dẫn chỉ gồm chữ thường không dấu");
    page.assert_contains("Chuyên mục cha không hợp lệ.");
    page.assert_contains("Tối đa 300 ký tự (hiện có 301).");
    page.assert_contains("Thứ tự là một số nguyên từ 0 đến 99999.");
    page.assert_contains(r#"value="Tin Tức""#);
    page.assert_contains(r#"value="đầu""#);
    assert_eq!(count(&db, "category").await, 0);
}

#[db_test]
async fn editing_renames_nests_and_un_nests_a_category(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let economy = category(&db, "Kinh tế", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let form = editor
        .get(&app, &format!("/admin/categories/{economy}"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(r#"value="Kinh tế""#);
    form.assert_contains(&format!(r#"<option value="{news}">Tin tức</option>"#));
    // A category is not offered as its own parent.
    form.assert_not_contains(&format!(r#"<option value="{economy}""#));

    let nested = editor
        .post(
            &app,
            &format!("/admin/categories/{economy}"),
            &[
                ("name", "Kinh tế - Xã hội"),
                ("slug", "kinh-te-xa-hoi"),
                ("parent", &news.to_string()),
                ("position", ""),
            ],
        )
        .await;
    assert_redirect(&nested, "/admin/categories?msg=saved");
    assert_eq!(parent_of(&db, economy).await, Some(news));
    let home = app.get("/").await;
    let submenu = home.position(r#"<ul class="submenu" aria-label="Tin tức">"#);
    assert!(
        submenu
            < home
                .position(r#"<li><a href="/chuyen-muc/kinh-te-xa-hoi">Kinh tế - Xã hội</a></li>"#)
    );
    assert_eq!(app.get("/chuyen-muc/kinh-te").await.status, StatusCode::NOT_FOUND);

    let un_nested = editor
        .post(
            &app,
            &format!("/admin/categories/{economy}"),
            &[
                ("name", "Kinh tế - Xã hội"),
                ("slug", "kinh-te-xa-hoi"),
                ("parent", ""),
                ("position", "5"),
            ],
        )
        .await;
    assert_redirect(&un_nested, "/admin/categories?msg=saved");
    assert_eq!(parent_of(&db, economy).await, None);
    app.get("/")
        .await
        .assert_not_contains(r#"<ul class="submenu""#);

    assert_eq!(
        audited(&db, "category.updated").await,
        [
            "Kinh tế - Xã hội: name, slug, parent, position",
            "Kinh tế - Xã hội: parent, position"
        ]
    );
}

#[db_test]
async fn a_category_cannot_be_nested_under_itself_or_its_own_child(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let economy = category(&db, "Kinh tế", Some(news)).await;
    let farming = category(&db, "Nông nghiệp", Some(economy)).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    for parent in [economy, farming, news] {
        let page = editor
            .post(
                &app,
                &format!("/admin/categories/{news}"),
                &[
                    ("name", "Tin tức mới"),
                    ("slug", "tin-tuc"),
                    ("parent", &parent.to_string()),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "parent {parent}");
        page.assert_contains(
            "Không thể đặt chuyên mục vào trong chính nó hoặc chuyên mục con của nó.",
        );
        page.assert_contains(r#"value="Tin tức mới""#);
    }
    assert_eq!(parent_of(&db, news).await, None);
    let name: String = sqlx::query_scalar("select name from category where category_id = $1")
        .bind(news)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(name, "Tin tức");

    // A parent that does not exist.
    let page = editor
        .post(
            &app,
            &format!("/admin/categories/{farming}"),
            &[("name", "Nông nghiệp"), ("parent", "999999")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Chuyên mục cha không còn tồn tại.");
}

#[db_test]
async fn moving_up_and_down_changes_the_order_of_the_public_menu(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let tourism = category(&db, "Du lịch", None).await;
    let notices = category(&db, "Thông báo", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let order = |home: &TestResponse| {
        let mut slugs = ["tin-tuc", "du-lich", "thong-bao"];
        slugs.sort_by_key(|slug| menu_position(home, slug));
        slugs
    };
    assert_eq!(order(&app.get("/").await), ["tin-tuc", "du-lich", "thong-bao"]);

    let moved = editor
        .post(&app, &format!("/admin/categories/{notices}/move"), &[("direction", "up")])
        .await;
    assert_redirect(&moved, "/admin/categories?msg=moved");
    assert_eq!(order(&app.get("/").await), ["tin-tuc", "thong-bao", "du-lich"]);

    let moved = editor
        .post(&app, &format!("/admin/categories/{tourism}/move"), &[("direction", "up")])
        .await;
    assert_redirect(&moved, "/admin/categories?msg=moved");
    assert_eq!(order(&app.get("/").await), ["tin-tuc", "du-lich", "thong-bao"]);
    editor
        .post(&app, &format!("/admin/categories/{tourism}/move"), &[("direction", "up")])
        .await;
    assert_eq!(order(&app.get("/").await), ["du-lich", "tin-tuc", "thong-bao"]);

    // The first cannot go further up; the list offers no "Lên" for it.
    let list = editor.get(&app, "/admin/categories").await;
    list.assert_contains(r#"value="up" disabled aria-label="Lên: Du lịch""#);
    let still = editor
        .post(&app, &format!("/admin/categories/{tourism}/move"), &[("direction", "up")])
        .await;
    assert_redirect(&still, "/admin/categories");
    assert_eq!(order(&app.get("/").await), ["du-lich", "tin-tuc", "thong-bao"]);

    assert_eq!(
        audited(&db, "category.moved").await,
        ["Thông báo: lên", "Du lịch: lên", "Du lịch: lên"]
    );
}

#[db_test]
async fn moving_reorders_siblings_that_share_a_position(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for name in ["Một", "Hai", "Ba"] {
        editor
            .post(&app, "/admin/categories", &[("name", name), ("position", "0")])
            .await;
    }
    let ids: Vec<i64> = sqlx::query_scalar("select category_id from category order by category_id")
        .fetch_all(&db)
        .await
        .unwrap();
    editor
        .post(&app, &format!("/admin/categories/{}/move", ids[0]), &[("direction", "down")])
        .await;
    let home = app.get("/").await;
    assert!(menu_position(&home, "hai") < menu_position(&home, "mot"));
    assert!(menu_position(&home, "mot") < menu_position(&home, "ba"));
}

#[db_test]
async fn a_category_with_articles_cannot_be_deleted(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Tin thứ nhất", news).insert(&db).await;
    ArticleFixture::new("Tin thứ hai", news).insert(&db).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let page = editor
        .post(&app, &format!("/admin/categories/{news}/delete"), &[])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains(r#"<p class="flash error" role="alert">"#);
    page.assert_contains(
        "Không thể xóa chuyên mục đang có bài viết (2 bài). Hãy chuyển các bài sang chuyên mục khác trước.",
    );
    assert_eq!(count(&db, "category").await, 1);
    assert!(audited(&db, "category.deleted").await.is_empty());
    assert_eq!(app.get("/chuyen-muc/tin-tuc").await.status, StatusCode::OK);
}

#[db_test]
async fn a_category_with_subcategories_cannot_be_deleted(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    category(&db, "Kinh tế", Some(news)).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let page = editor
        .post(&app, &format!("/admin/categories/{news}/delete"), &[])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    page.assert_contains("Không thể xóa chuyên mục đang có chuyên mục con (1 chuyên mục).");
    assert_eq!(count(&db, "category").await, 2);
}

#[db_test]
async fn an_empty_category_is_deleted_and_leaves_the_menu(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let notices = category(&db, "Thông báo", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    app.get("/")
        .await
        .assert_contains(r#"href="/chuyen-muc/thong-bao""#);

    let list = editor.get(&app, "/admin/categories").await;
    list.assert_contains(r#"data-confirm="Xóa chuyên mục “Thông báo”?""#);
    let deleted = editor
        .post(&app, &format!("/admin/categories/{notices}/delete"), &[])
        .await;
    assert_redirect(&deleted, "/admin/categories?msg=deleted");

    assert_eq!(count(&db, "category").await, 1);
    assert_eq!(audited(&db, "category.deleted").await, ["Thông báo (thong-bao)"]);
    app.get("/")
        .await
        .assert_not_contains(r#"href="/chuyen-muc/thong-bao""#);
    assert_eq!(app.get("/chuyen-muc/thong-bao").await.status, StatusCode::NOT_FOUND);
    // Gone: its pages are 404s too.
    let again = editor
        .post(&app, &format!("/admin/categories/{notices}/delete"), &[])
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn a_category_name_with_markup_is_shown_escaped(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let created = editor
        .post(
            &app,
            "/admin/categories",
            &[
                ("name", "<script>alert(1)</script>"),
                ("slug", "thu-nghiem"),
            ],
        )
        .await;
    assert_redirect(&created, "/admin/categories?msg=created");

    for page in [
        editor.get(&app, "/admin/categories").await,
        app.get("/").await,
        app.get("/chuyen-muc/thu-nghiem").await,
    ] {
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains("&#60;script&#62;alert(1)&#60;/script&#62;");
        page.assert_not_contains("<script>alert(1)</script>");
    }
}

#[db_test]
async fn categories_have_two_levels_as_the_menu_shows(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let economy = category(&db, "Kinh tế", Some(news)).await;
    let tourism = category(&db, "Du lịch", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let too_deep = editor
        .post(
            &app,
            "/admin/categories",
            &[("name", "Nông nghiệp"), ("parent", &economy.to_string())],
        )
        .await;
    assert_eq!(too_deep.status, StatusCode::UNPROCESSABLE_ENTITY);
    too_deep.assert_contains("Chuyên mục chỉ có hai cấp");
    too_deep.assert_contains(r#"value="Nông nghiệp""#);

    let with_children = editor
        .post(
            &app,
            &format!("/admin/categories/{news}"),
            &[
                ("name", "Tin tức"),
                ("slug", "tin-tuc"),
                ("parent", &tourism.to_string()),
            ],
        )
        .await;
    assert_eq!(with_children.status, StatusCode::UNPROCESSABLE_ENTITY);
    with_children.assert_contains("đang có chuyên mục con");
    assert_eq!(parent_of(&db, news).await, None);
}
