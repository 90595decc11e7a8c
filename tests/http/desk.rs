//! The editor's desk: the server-side autosave (drafts per user and article that never change
//! the live article), the preview of what is typed, "Cập nhật" on a published article, and
//! the edit-lock hint.

use axum::http::{StatusCode, header};
use serde_json::{Value, json};
use sqlx::PgPool;
use toasoan::{auth::Role, db::articles::Status};

use crate::{
    admin_articles::{article_form, create, status_of},
    library::file_row,
    support::{Staff, TestApp, TestResponse, assert_redirect, category, count},
};

const JSON: &str = "application/json";

/// Every field of the form, as the editor's autosave sends them.
fn typed_fields(category_id: i64, file_id: i64) -> Value {
    json!({
        "title": "Bản nháp: Bảo Thắng chuẩn bị Tết",
        "slug": "ban-nhap-bao-thang",
        "sapo": "Đoạn dẫn đang viết dở",
        "body_html": "<p>Đoạn đầu <strong>đang gõ</strong></p><script>alert(1)</script>",
        "category_id": category_id.to_string(),
        "byline": "Lê Văn Nháp",
        "cover_image": "2026/12/anh-bia-960.jpg",
        "cover_widths": "480,960",
        "cover_caption": "Chú thích nháp",
        "cover_alt": "Mô tả ảnh nháp",
        "remove_cover": false,
        "comments_open": false,
        "published_at": "2027-01-20T08:30",
        "file_ids": [file_id],
    })
}

async fn save_draft(app: &TestApp, who: &Staff, uri: &str, body: &Value) -> TestResponse {
    who.post_body(app, uri, JSON, body.to_string()).await
}

async fn draft_count(db: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from article_draft")
        .fetch_one(db)
        .await
        .unwrap()
}

async fn title_and_version(db: &PgPool, id: i64) -> (String, i32) {
    sqlx::query_as("select title, version from article where article_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// The page shows every field of [`typed_fields`] in the form.
#[track_caller]
fn assert_every_field_is_back(page: &TestResponse, category_id: i64, file_id: i64) {
    for shown in [
        r#"value="Bản nháp: Bảo Thắng chuẩn bị Tết""#,
        r#"value="ban-nhap-bao-thang""#,
        ">Đoạn dẫn đang viết dở</textarea>",
        "&#60;p&#62;Đoạn đầu &#60;strong&#62;đang gõ&#60;/strong&#62;&#60;/p&#62;</textarea>",
        &format!(r#"<option value="{category_id}" selected>"#),
        r#"value="Lê Văn Nháp""#,
        r#"name="cover_image" value="2026/12/anh-bia-960.jpg""#,
        r#"name="cover_widths" value="480,960""#,
        r#"src="/media/2026/12/anh-bia-480.jpg""#,
        r#"value="Chú thích nháp""#,
        r#"value="Mô tả ảnh nháp""#,
        r#"value="2027-01-20T08:30""#,
        &format!(r#"name="file_ids" value="{file_id}""#),
    ] {
        page.assert_contains(shown);
    }
    page.assert_not_contains(r#"name="comments_open" value="1" checked"#);
    page.assert_not_contains("alert(1)");
}

#[db_test]
async fn an_autosaved_draft_keeps_every_field_and_never_changes_the_article(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let id = create(&app, &reporter, article_form(news, "Bài đã lưu", "save", &[])).await;
    let file = file_row(&db, "files/2026/12/ke-hoach.pdf").await;
    let uri = format!("/admin/articles/{id}");

    let request = json!({ "version": "1", "fields": typed_fields(news, file) });
    let saved = save_draft(&app, &reporter, &format!("{uri}/draft"), &request).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let answer: Value = serde_json::from_str(&saved.body).unwrap();
    assert!(answer["label"].as_str().unwrap().starts_with("Đã lưu lúc "), "{answer}");

    // The live article, its revisions and readers' page are untouched.
    assert_eq!(title_and_version(&db, id).await, ("Bài đã lưu".to_owned(), 1));
    assert_eq!(count(&db, "article_revision").await, 1);
    assert_eq!(status_of(&db, id).await, Status::Draft);

    // Reopening the editor offers it back; the form still shows the article, and the autosave
    // waits for an answer rather than overwrite the draft.
    let page = reporter.get(&app, &uri).await;
    page.assert_contains("Khôi phục bản nháp lưu lúc");
    page.assert_contains(&format!(r#"href="{uri}?ban-nhap=khoi-phuc""#));
    page.assert_contains("data-draft-pending");
    page.assert_contains(r#"value="Bài đã lưu""#);
    page.assert_not_contains("Bài đã được sửa lúc");

    // Restoring brings every field back, based on the version the draft started from.
    let restored = reporter
        .get(&app, &format!("{uri}?ban-nhap=khoi-phuc"))
        .await;
    assert_eq!(restored.status, StatusCode::OK);
    restored.assert_contains("Đã khôi phục bản nháp lưu lúc");
    restored.assert_contains(r#"name="version" value="1""#);
    assert_every_field_is_back(&restored, news, file);
    assert_eq!(title_and_version(&db, id).await, ("Bài đã lưu".to_owned(), 1));

    // A later autosave replaces it (one draft per user and article).
    let mut request = request;
    request["fields"]["title"] = json!("Bản nháp sau");
    let again = save_draft(&app, &reporter, &format!("{uri}/draft"), &request).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(draft_count(&db).await, 1);

    // Saving the article discards the draft: nothing is offered any more.
    let form = article_form(news, "Bản nháp sau", "save", &[("version", "1")]);
    let save = reporter.post_multipart(&app, &uri, form).await;
    assert_eq!(save.status, StatusCode::SEE_OTHER, "{}", save.body);
    assert_eq!(draft_count(&db).await, 0);
    reporter
        .get(&app, &uri)
        .await
        .assert_not_contains("Khôi phục bản nháp");
}

#[db_test]
async fn a_draft_is_its_authors_only(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let first = app.staff(Role::Editor).await;
    let second = app.staff(Role::Editor).await;
    let id = create(&app, &first, article_form(news, "Bài chung", "save", &[])).await;
    let uri = format!("/admin/articles/{id}");
    let request = json!({ "version": "1", "fields": typed_fields(news, 0) });
    let saved = save_draft(&app, &first, &format!("{uri}/draft"), &request).await;
    assert_eq!(saved.status, StatusCode::OK);

    let page = second.get(&app, &uri).await;
    page.assert_not_contains("Khôi phục bản nháp");
    // Asking for a restore shows the article as saved: there is no draft of theirs.
    let page = second.get(&app, &format!("{uri}?ban-nhap=khoi-phuc")).await;
    page.assert_contains(r#"value="Bài chung""#);
    page.assert_not_contains("Bản nháp: Bảo Thắng");
    // Saving the article does not discard someone else's draft.
    let form = article_form(news, "Bài chung", "save", &[("version", "1")]);
    let save = second.post_multipart(&app, &uri, form).await;
    assert_eq!(save.status, StatusCode::SEE_OTHER);
    assert_eq!(draft_count(&db).await, 1);
}

#[db_test]
async fn a_draft_of_an_older_version_says_so_and_saving_it_shows_the_conflict_page(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let writer = app.staff(Role::Editor).await;
    let other = app.staff(Role::Editor).await;
    let id = create(&app, &writer, article_form(news, "Bài gốc", "save", &[])).await;
    let uri = format!("/admin/articles/{id}");
    let request = json!({ "version": "1", "fields": typed_fields(news, 0) });
    assert_eq!(
        save_draft(&app, &writer, &format!("{uri}/draft"), &request)
            .await
            .status,
        StatusCode::OK
    );
    // Meanwhile someone else saves the article.
    let form = article_form(news, "Bài người khác sửa", "save", &[("version", "1")]);
    assert_eq!(other.post_multipart(&app, &uri, form).await.status, StatusCode::SEE_OTHER);

    let page = writer.get(&app, &uri).await;
    page.assert_contains("Khôi phục bản nháp lưu lúc");
    page.assert_contains("Bài đã được sửa lúc");
    let restored = writer.get(&app, &format!("{uri}?ban-nhap=khoi-phuc")).await;
    restored.assert_contains("Bài đã được sửa lúc");
    restored.assert_contains(r#"name="version" value="1""#);

    // Saved as restored, from version 1: both texts are shown, nothing is overwritten.
    let form = article_form(news, "Bản nháp: Bảo Thắng chuẩn bị Tết", "save", &[("version", "1")]);
    let stale = writer.post_multipart(&app, &uri, form).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(title_and_version(&db, id).await, ("Bài người khác sửa".to_owned(), 2));
    assert_eq!(draft_count(&db).await, 1, "the draft stays until a save goes through");
}

#[db_test]
async fn a_new_articles_draft_is_offered_back_restored_and_discarded_when_saved(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let file = file_row(&db, "files/2026/12/moi.pdf").await;

    let page = reporter.get(&app, "/admin/articles/new").await;
    let key = draft_key(&page);
    page.assert_contains(r#"data-draft-url="/admin/articles/new/draft""#);
    assert_ne!(key, draft_key(&reporter.get(&app, "/admin/articles/new").await));

    let request = json!({ "key": key, "fields": typed_fields(news, file) });
    let saved = save_draft(&app, &reporter, "/admin/articles/new/draft", &request).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(count(&db, "article").await, 0);

    // Another "Viết bài mới" offers it back, under a key of its own.
    let page = reporter.get(&app, "/admin/articles/new").await;
    page.assert_contains("Khôi phục bản nháp lưu lúc");
    page.assert_contains("«Bản nháp: Bảo Thắng chuẩn bị Tết»");
    page.assert_contains(&format!(r#"href="/admin/articles/new?ban-nhap={key}""#));
    assert_ne!(draft_key(&page), key);
    // Not to anyone else.
    let other = app.staff(Role::Reporter).await;
    other
        .get(&app, "/admin/articles/new")
        .await
        .assert_not_contains("Khôi phục bản nháp");

    let restored = reporter
        .get(&app, &format!("/admin/articles/new?ban-nhap={key}"))
        .await;
    assert_every_field_is_back(&restored, news, file);
    assert_eq!(draft_key(&restored), key, "the form goes on saving the same draft");
    restored.assert_not_contains("«Bản nháp: Bảo Thắng chuẩn bị Tết»");

    let form = article_form(news, "Bài mới đã lưu", "save", &[("draft_key", &key)]);
    create(&app, &reporter, form).await;
    assert_eq!(draft_count(&db).await, 0);
}

/// The new article form's draft key.
fn draft_key(page: &TestResponse) -> String {
    let start = page.position(r#"name="draft_key" value=""#) + r#"name="draft_key" value=""#.len();
    page.body[start..start + 32].to_owned()
}

#[db_test]
async fn bad_autosaves_get_a_4xx_and_store_nothing(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let id = create(&app, &reporter, article_form(news, "Bài", "save", &[])).await;
    let draft = format!("/admin/articles/{id}/draft");
    let good = json!({ "version": "1", "fields": { "title": "Tiêu đề" } });

    let form = reporter.post(&app, &draft, &[("title", "x")]).await;
    assert_eq!(form.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let broken = reporter
        .post_body(&app, &draft, JSON, "{\"version\": ")
        .await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    assert!(broken.body.contains("không đọc được"), "{}", broken.body);
    let wrong_type = json!({ "version": "1", "fields": { "title": 5 } });
    let typed = save_draft(&app, &reporter, &draft, &wrong_type).await;
    assert_eq!(typed.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut control = good.clone();
    control["fields"]["sapo"] = json!("a\u{0}b");
    let refused = save_draft(&app, &reporter, &draft, &control).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("ký tự điều khiển"), "{}", refused.body);
    let mut long = good.clone();
    long["fields"]["title"] = json!("x".repeat(301));
    assert_eq!(
        save_draft(&app, &reporter, &draft, &long).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for version in ["", "abc", "0", "2"] {
        let mut bad = good.clone();
        bad["version"] = json!(version);
        let refused = save_draft(&app, &reporter, &draft, &bad).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "version {version:?}");
    }
    let huge =
        format!(r#"{{"version":"1","fields":{{"body_html":"{}"}}}}"#, "x".repeat(5 * 1024 * 1024));
    let too_large = reporter.post_body(&app, &draft, JSON, huge).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);

    for key in ["", "abc", "../../x", &"A".repeat(32)] {
        let new = json!({ "key": key, "fields": { "title": "Mới" } });
        let refused = save_draft(&app, &reporter, "/admin/articles/new/draft", &new).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "key {key:?}");
    }
    assert_eq!(draft_count(&db).await, 0);

    // A cover key that could not name a stored image is dropped, the rest kept.
    let mut cover = good.clone();
    cover["fields"]["cover_image"] = json!("../../etc/passwd");
    assert_eq!(save_draft(&app, &reporter, &draft, &cover).await.status, StatusCode::OK);
    let stored: String = sqlx::query_scalar("select cover_image from article_draft")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(stored, "");
}

#[db_test]
async fn discarding_a_draft_leaves_the_article_as_saved(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let id = create(&app, &reporter, article_form(news, "Bài", "save", &[])).await;
    let uri = format!("/admin/articles/{id}");
    let request = json!({ "version": "1", "fields": typed_fields(news, 0) });
    save_draft(&app, &reporter, &format!("{uri}/draft"), &request).await;
    let new = json!({ "key": "0123456789abcdef0123456789abcdef", "fields": { "title": "Mới" } });
    save_draft(&app, &reporter, "/admin/articles/new/draft", &new).await;
    assert_eq!(draft_count(&db).await, 2);

    let discarded = reporter
        .post(&app, &format!("{uri}/draft/delete"), &[])
        .await;
    assert_redirect(&discarded, &uri);
    let key = [("key", "0123456789abcdef0123456789abcdef")];
    let discarded = reporter
        .post(&app, "/admin/articles/new/draft/delete", &key)
        .await;
    assert_redirect(&discarded, "/admin/articles/new");
    assert_eq!(draft_count(&db).await, 0);
    assert_eq!(title_and_version(&db, id).await, ("Bài".to_owned(), 1));
}

#[db_test]
async fn xem_truoc_shows_what_is_typed_before_the_first_save_and_stores_nothing(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    reporter
        .get(&app, "/admin/articles/new")
        .await
        .assert_contains(r#"formaction="/admin/articles/new/preview" formtarget="_blank""#);

    let form = article_form(
        news,
        "Bài chưa lưu lần nào",
        "",
        &[("body_html", "<p>Nội dung <em>xem trước</em></p><script>x()</script>")],
    );
    let preview = reporter
        .post_multipart(&app, "/admin/articles/new/preview", form)
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    preview.assert_contains("Bản xem trước nội dung đang soạn — chưa được lưu");
    preview.assert_contains("Bài chưa lưu lần nào</h1>");
    preview.assert_contains("<p>Nội dung <em>xem trước</em></p>");
    preview.assert_not_contains("x()");
    assert_eq!(preview.header(header::CACHE_CONTROL), "no-store");
    assert_eq!(count(&db, "article").await, 0);

    // Of an article: what is typed, not what is saved, which stays as it was.
    let id = create(&app, &reporter, article_form(news, "Tiêu đề đã lưu", "save", &[])).await;
    let form = article_form(news, "Tiêu đề đang sửa", "", &[("version", "1")]);
    let preview = reporter
        .post_multipart(&app, &format!("/admin/articles/{id}/preview"), form)
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    preview.assert_contains("Tiêu đề đang sửa</h1>");
    assert_eq!(preview.header(header::CACHE_CONTROL), "no-store");
    assert_eq!(title_and_version(&db, id).await, ("Tiêu đề đã lưu".to_owned(), 1));
}

#[db_test]
async fn a_published_article_is_updated_with_cap_nhat_and_stays_published(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(&app, &editor, article_form(news, "Bài đã đăng", "publish", &[])).await;
    let uri = format!("/admin/articles/{id}");
    let published_at = || async {
        sqlx::query_scalar::<_, time::OffsetDateTime>(
            "select published_at from article where article_id = $1",
        )
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap()
    };
    let before = published_at().await;

    let page = editor.get(&app, &uri).await;
    page.assert_contains(
        r#"<button class="button primary" type="submit" name="action" value="save">Cập nhật</button>"#,
    );
    page.assert_not_contains(r#"value="publish""#);
    page.assert_not_contains(r#"value="schedule""#);
    page.assert_not_contains(">Lưu</button>");

    // The form as the browser sends it: the time shown, the one button.
    let shown = page
        .body
        .split(r#"name="published_at" type="datetime-local" value=""#)
        .nth(1);
    let shown = &shown.unwrap()[..16];
    let form = article_form(
        news,
        "Bài đã đăng, sửa lỗi chính tả",
        "save",
        &[
            ("version", "1"),
            ("published_at", shown),
            ("slug", "bai-da-dang"),
        ],
    );
    let saved = editor.post_multipart(&app, &uri, form).await;
    assert_redirect(&saved, &format!("{uri}?msg=saved"));
    assert_eq!(status_of(&db, id).await, Status::Published);
    // The form shows the time to the minute.
    assert!((published_at().await - before).abs() < time::Duration::minutes(1));
    app.get("/bai-viet/bai-da-dang")
        .await
        .assert_contains("Bài đã đăng, sửa lỗi chính tả");

    // A draft keeps "Lưu" and the publishing buttons.
    let draft = create(&app, &editor, article_form(news, "Bài nháp", "save", &[])).await;
    let page = editor.get(&app, &format!("/admin/articles/{draft}")).await;
    page.assert_contains(">Lưu</button>");
    page.assert_contains(r#"value="publish">Đăng bài</button>"#);
    page.assert_not_contains("Cập nhật</button>");
}

#[db_test]
async fn the_editor_says_who_else_has_the_article_open(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let first = app.staff(Role::Editor).await;
    let second = app.staff(Role::Editor).await;
    let id = create(&app, &first, article_form(news, "Bài đang mở", "save", &[])).await;
    let uri = format!("/admin/articles/{id}");
    let heartbeat = format!("{uri}/heartbeat");
    let first_name = format!("Nhà báo {}", first.username);

    let alone = first.post(&app, &heartbeat, &[]).await;
    assert_eq!(alone.status, StatusCode::OK, "{}", alone.body);
    assert_eq!(serde_json::from_str::<Value>(&alone.body).unwrap()["hint"], "");
    first.get(&app, &uri).await.assert_not_contains("Đang được");

    // The second opens it: the page (even without JavaScript) and the heartbeat say who.
    let page = second.get(&app, &uri).await;
    page.assert_contains(&format!("Đang được {first_name} sửa"));
    page.assert_contains(&format!(r#"data-heartbeat-url="{heartbeat}""#));
    let beat = second.post(&app, &heartbeat, &[]).await;
    let hint = serde_json::from_str::<Value>(&beat.body).unwrap()["hint"].clone();
    assert_eq!(hint, format!("Đang được {first_name} sửa"));
    // And the first now sees the second.
    let beat = first.post(&app, &heartbeat, &[]).await;
    assert!(beat.body.contains(&second.username), "{}", beat.body);

    // A hint only: the second can still save.
    let form = article_form(news, "Bài đang mở", "save", &[("version", "1")]);
    assert_eq!(second.post_multipart(&app, &uri, form).await.status, StatusCode::SEE_OTHER);

    // Somebody not heard from for a few minutes has left.
    sqlx::query("update article_presence set seen_at = now() - interval '3 minutes'")
        .execute(&db)
        .await
        .unwrap();
    second
        .get(&app, &uri)
        .await
        .assert_not_contains("Đang được");
}
