//! The media library ("Thư viện", `/admin/thu-vien`): uploads listed with their details and
//! found by folded search, picked again in the editor, default alt and caption, where an item
//! is used, deletion refused while it is, the orphans, and `toasoan media import`.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::{auth::Role, media};

use crate::admin_articles::{article_form, jpeg};
use crate::support::{
    ArticleFixture, Multipart, Staff, TestApp, TestResponse, assert_redirect, category, count,
    database_url, location_id,
};

const LIBRARY: &str = "/admin/thu-vien";
const ORPHANS: &str = "/admin/thu-vien/khong-dung";

/// A library image registered directly: `key` its largest size, `widths` its sizes (none: a
/// single file), uploaded now. No file is written.
pub(crate) async fn image_row(db: &PgPool, key: &str, widths: &[i32]) -> i64 {
    sqlx::query_scalar(
        "insert into media_image (storage_key, widths, original_name, byte_size, width, height)
         values ($1, $2, $3, 1000, 480, 320) returning media_image_id",
    )
    .bind(key)
    .bind(widths)
    .bind(key.rsplit('/').next().unwrap())
    .fetch_one(db)
    .await
    .unwrap()
}

/// An attached file registered directly (no file is written).
pub(crate) async fn file_row(db: &PgPool, key: &str) -> i64 {
    sqlx::query_scalar(
        "insert into media_file (storage_key, original_name, content_type, byte_size, sha256)
         values ($1, $2, 'application/pdf', 2048, sha256($1::bytea)) returning media_file_id",
    )
    .bind(key)
    .bind(key.rsplit('/').next().unwrap())
    .fetch_one(db)
    .await
    .unwrap()
}

/// Makes a library row look `days` old.
async fn age(db: &PgPool, table: &str, id: i64, days: i32) {
    let sql = match table {
        "media_image" => {
            "update media_image set created_at = now() - make_interval(days => $2) where media_image_id = $1"
        }
        _ => {
            "update media_file set uploaded_at = now() - make_interval(days => $2) where media_file_id = $1"
        }
    };
    sqlx::query(sql)
        .bind(id)
        .bind(days)
        .execute(db)
        .await
        .unwrap();
}

/// Uploads a picture as the editor's JavaScript does; returns the JSON answer.
async fn upload(app: &TestApp, who: &Staff, name: &str, width: u32) -> serde_json::Value {
    let form = Multipart::default().file("image", name, "image/jpeg", &jpeg(width, width / 2));
    let response = who.post_multipart(app, "/admin/media", form).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    serde_json::from_str(&response.body).unwrap()
}

/// The library row of the image whose largest size is at `src` (`/media/{key}`).
async fn image_id(db: &PgPool, src: &str) -> i64 {
    sqlx::query_scalar("select media_image_id from media_image where storage_key = $1")
        .bind(src.trim_start_matches("/media/"))
        .fetch_one(db)
        .await
        .unwrap()
}

fn stored(app: &TestApp, key: &str) -> bool {
    app.media_dir().join(key).exists()
}

#[db_test]
async fn uploads_are_listed_with_their_details_and_found_without_accents(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;

    // An image for the body, and a cover sent with the article form.
    let body_image = upload(&app, &reporter, "Cầu Phố Lu.jpg", 1000).await;
    let form = article_form(news, "Bài có ảnh", "save", &[]).file(
        "cover",
        "Đồi chè.jpg",
        "image/jpeg",
        &jpeg(600, 400),
    );
    let saved = reporter.post_multipart(&app, "/admin/articles", form).await;
    location_id(&saved, "/admin/articles/");
    assert_eq!(count(&db, "media_image").await, 2);

    let list = reporter.get(&app, LIBRARY).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("2 mục");
    list.assert_contains("Cầu Phố Lu.jpg");
    list.assert_contains("Đồi chè.jpg");
    list.assert_contains("1000 × 500");
    list.assert_contains("600 × 400");
    list.assert_contains(&reporter_name(&db, &reporter).await);
    // The newest first, each with its smallest size as the thumbnail.
    assert!(list.position("Đồi chè.jpg") < list.position("Cầu Phố Lu.jpg"));
    let thumb = body_image["src"]
        .as_str()
        .unwrap()
        .replace("-1000.jpg", "-480.jpg");
    list.assert_contains(&format!(r#"src="{thumb}""#));

    // Accents, đ and case do not matter; the type filter and the search go together.
    for query in ["cau+pho+LU", "pho-lu"] {
        let found = reporter
            .get(&app, &format!("/admin/thu-vien?q={query}"))
            .await;
        found.assert_contains("Cầu Phố Lu.jpg");
        found.assert_not_contains("Đồi chè.jpg");
    }
    let found = reporter
        .get(&app, "/admin/thu-vien?q=doi%20che&loai=anh")
        .await;
    found.assert_contains("Đồi chè.jpg");
    found.assert_contains(r#"name="loai" value="anh""#);
    let none = reporter.get(&app, "/admin/thu-vien?q=50%25").await;
    none.assert_contains("Không tìm thấy mục nào.");
    let files = reporter.get(&app, "/admin/thu-vien?loai=tep").await;
    files.assert_contains("0 mục");
    assert_eq!(
        reporter
            .get(&app, "/admin/thu-vien?loai=video")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn reporter_name(db: &PgPool, who: &Staff) -> String {
    sqlx::query_scalar("select display_name from app_user where user_id = $1")
        .bind(who.user_id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[db_test]
async fn the_library_is_paginated_and_lists_files_too(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for n in 0..31 {
        image_row(&db, &format!("2026/11/anh{n:02}-480.jpg"), &[480]).await;
    }
    let file = file_row(&db, "files/2026/11/bao-cao.pdf").await;
    age(&db, "media_file", file, 3).await;

    let first = editor.get(&app, LIBRARY).await;
    first.assert_contains("32 mục");
    first.assert_not_contains("bao-cao.pdf");
    let second = editor.get(&app, "/admin/thu-vien?trang=2").await;
    assert_eq!(second.status, StatusCode::OK);
    second.assert_contains("bao-cao.pdf");
    second.assert_contains("PDF");
    second.assert_contains("2 KB");
    assert_eq!(editor.get(&app, "/admin/thu-vien?trang=3").await.status, StatusCode::NOT_FOUND);
    let files = editor.get(&app, "/admin/thu-vien?loai=tep").await;
    files.assert_contains("1 mục");
    files.assert_contains(&format!("/admin/thu-vien/tep/{file}"));
    let page = editor
        .get(&app, &format!("/admin/thu-vien/tep/{file}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Chưa được dùng ở đâu.");
}

#[db_test]
async fn the_picker_offers_images_with_their_default_alt_and_caption(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let reporter = app.staff(Role::Reporter).await;
    let uploaded = upload(&app, &editor, "le-hoi.jpg", 1600).await;
    let id = image_id(&db, uploaded["src"].as_str().unwrap()).await;

    let saved = editor
        .post(
            &app,
            &format!("/admin/thu-vien/anh/{id}"),
            &[
                ("alt", " Lễ hội xuống đồng "),
                ("caption", "Người dân Bảo Thắng mở hội."),
            ],
        )
        .await;
    assert_redirect(&saved, &format!("/admin/thu-vien/anh/{id}?msg=saved"));
    let page = editor.get(&app, &format!("/admin/thu-vien/anh/{id}")).await;
    page.assert_contains(r#"value="Lễ hội xuống đồng""#);
    let audit: String = sqlx::query_scalar("select action from audit_log where target_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(audit, "media.image_updated");

    // Too long: the form comes back with the message and the text kept.
    let long = "x".repeat(301);
    let refused = editor
        .post(&app, &format!("/admin/thu-vien/anh/{id}"), &[("alt", &long), ("caption", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Tối đa 300 ký tự");

    // A reporter picks it: found by its caption, without accents.
    let answer = reporter.get(&app, "/admin/thu-vien/chon?q=bao+thang").await;
    assert_eq!(answer.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let image = &json["images"][0];
    assert_eq!(image["alt"], "Lễ hội xuống đồng");
    assert_eq!(image["caption"], "Người dân Bảo Thắng mở hội.");
    assert_eq!(image["src"], uploaded["src"]);
    assert_eq!(image["srcset"], uploaded["srcset"]);
    assert_eq!(image["widths"], serde_json::json!([480, 960, 1600]));
    assert_eq!(image["width"], 1600);
    let nothing = reporter.get(&app, "/admin/thu-vien/chon?q=khong+co").await;
    assert_eq!(nothing.body, r#"{"images":[]}"#);
    let moderator = app.staff(Role::Moderator).await;
    assert_eq!(moderator.get(&app, "/admin/thu-vien/chon").await.status, StatusCode::FORBIDDEN);

    // The editor has the buttons (shown by its script).
    let form = reporter.get(&app, "/admin/articles/new").await;
    form.assert_contains(r#"data-media-picker="cover""#);
    form.assert_contains(r#"data-media-picker="body_html""#);
}

#[db_test]
async fn a_picked_cover_is_used_and_the_image_cannot_be_deleted_while_it_is(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let uploaded = upload(&app, &editor, "cau.jpg", 1000).await;
    let src = uploaded["src"].as_str().unwrap();
    let key = src.trim_start_matches("/media/");
    let id = image_id(&db, src).await;

    // The cover picked from the library: only its key and sizes are sent, no file.
    let form = article_form(
        news,
        "Khánh thành cầu mới",
        "publish",
        &[
            ("cover_image", key),
            ("cover_widths", "480,960,1000"),
            ("cover_alt", "Cây cầu"),
        ],
    );
    let created = editor.post_multipart(&app, "/admin/articles", form).await;
    let article = location_id(&created, "/admin/articles/");
    let public = app.get("/bai-viet/khanh-thanh-cau-moi").await;
    public.assert_contains(&key.replace("-1000.jpg", "-480.jpg"));
    assert_eq!(count(&db, "media_image").await, 1, "picking registers nothing new");

    let page = editor.get(&app, &format!("/admin/thu-vien/anh/{id}")).await;
    page.assert_contains(&format!(
        r#"href="/admin/articles/{article}">Khánh thành cầu mới</a> (ảnh đại diện)"#
    ));
    page.assert_contains(&format!(r#"value="{src}""#));

    let refused = editor
        .post(&app, &format!("/admin/thu-vien/anh/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Không thể xóa: ảnh đang được dùng ở 1 nơi");
    assert_eq!(count(&db, "media_image").await, 1);
    assert!(stored(&app, key));

    // Used in a page's body instead (any of its sizes): still refused.
    sqlx::query("update article set cover_image = null where article_id = $1")
        .bind(article)
        .execute(&db)
        .await
        .unwrap();
    let small = key.replace("-1000.jpg", "-480.jpg");
    sqlx::query(
        "insert into page (title, slug, body_html, status) values ('Giới thiệu', 'gioi-thieu', $1, 'published')",
    )
    .bind(format!(r#"<figure><img src="/media/{small}" alt=""></figure>"#))
    .execute(&db)
    .await
    .unwrap();
    let refused = editor
        .post(&app, &format!("/admin/thu-vien/anh/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains(">Giới thiệu</a> (trong nội dung)");

    // Nowhere any more: deleted, its sizes removed from storage, the deletion audited.
    sqlx::query("delete from page").execute(&db).await.unwrap();
    let deleted = editor
        .post(&app, &format!("/admin/thu-vien/anh/{id}/delete"), &[])
        .await;
    assert_redirect(&deleted, "/admin/thu-vien?msg=deleted");
    assert_eq!(count(&db, "media_image").await, 0);
    assert!(!stored(&app, key) && !stored(&app, &small));
    let action: String =
        sqlx::query_scalar("select action from audit_log where target_type = 'media_image'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(action, "media.image_deleted");
}

#[db_test]
async fn an_attached_file_cannot_be_deleted_and_an_unattached_one_can(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let document = crate::documents::document(&db, "15-NQ/HU", "Nghị quyết", "2026-01-01").await;
    let attached = file_row(&db, "files/2026/11/nghi-quyet.pdf").await;
    sqlx::query(
        "insert into legal_document_file (legal_document_id, media_file_id) values ($1, $2)",
    )
    .bind(document)
    .bind(attached)
    .execute(&db)
    .await
    .unwrap();
    let loose = file_row(&db, "files/2026/11/nhap.pdf").await;
    std::fs::create_dir_all(app.media_dir().join("files/2026/11")).unwrap();
    std::fs::write(app.media_dir().join("files/2026/11/nhap.pdf"), b"%PDF").unwrap();

    let refused = editor
        .post(&app, &format!("/admin/thu-vien/tep/{attached}/delete"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    refused.assert_contains("Không thể xóa: tệp đang được dùng ở 1 nơi");
    refused.assert_contains(">15-NQ/HU</a> (tệp đính kèm)");

    let deleted = editor
        .post(&app, &format!("/admin/thu-vien/tep/{loose}/delete"), &[])
        .await;
    assert_redirect(&deleted, "/admin/thu-vien?msg=deleted");
    assert_eq!(count(&db, "media_file").await, 1);
    assert!(!stored(&app, "files/2026/11/nhap.pdf"));
}

#[db_test]
async fn reporters_browse_and_pick_but_cannot_change_or_delete(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let id = image_row(&db, "2026/11/anh-480.jpg", &[480]).await;
    age(&db, "media_image", id, 3).await;
    let file = file_row(&db, "files/2026/11/x.pdf").await;

    let list = reporter.get(&app, LIBRARY).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_not_contains(ORPHANS);
    let page = reporter
        .get(&app, &format!("/admin/thu-vien/anh/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_not_contains("Xóa ảnh");
    page.assert_not_contains(r#"name="alt""#);

    let forbidden: [TestResponse; 5] = [
        reporter
            .post(&app, &format!("/admin/thu-vien/anh/{id}"), &[("alt", "x"), ("caption", "")])
            .await,
        reporter
            .post(&app, &format!("/admin/thu-vien/anh/{id}/delete"), &[])
            .await,
        reporter
            .post(&app, &format!("/admin/thu-vien/tep/{file}/delete"), &[])
            .await,
        reporter.get(&app, ORPHANS).await,
        reporter
            .post(&app, ORPHANS, &[("chon", &format!("anh-{id}"))])
            .await,
    ];
    for response in forbidden {
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{}", response.request);
    }
    assert_eq!(count(&db, "media_image").await, 1);
    assert_eq!(count(&db, "media_file").await, 1);
    let alt: String = sqlx::query_scalar("select alt from media_image")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(alt, "");
    assert_eq!(count(&db, "audit_log").await, 0);
}

#[db_test]
async fn orphans_older_than_a_day_are_listed_and_removed_together(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    // An abandoned upload (its article was never saved), two days old.
    let abandoned = upload(&app, &editor, "bo-quen.jpg", 800).await;
    let abandoned_key = abandoned["src"]
        .as_str()
        .unwrap()
        .trim_start_matches("/media/")
        .to_owned();
    let abandoned = image_id(&db, &format!("/media/{abandoned_key}")).await;
    age(&db, "media_image", abandoned, 2).await;
    // Unused but uploaded today: a reporter may still be writing its article.
    let fresh = image_row(&db, "2026/12/moi-480.jpg", &[480]).await;
    // Old, and in an article's body.
    let used = image_row(&db, "2026/10/dung-960.jpg", &[480, 960]).await;
    age(&db, "media_image", used, 30).await;
    ArticleFixture {
        body_html: r#"<p>Ảnh:</p><figure><img src="/media/2026/10/dung-480.jpg" alt=""></figure>"#,
        ..ArticleFixture::new("Bài dùng ảnh", news)
    }
    .insert(&db)
    .await;
    // An old file nothing carries, and one an article links to.
    let old_file = file_row(&db, "files/2026/10/cu.pdf").await;
    age(&db, "media_file", old_file, 5).await;
    let linked = file_row(&db, "files/2026/10/lien-ket.pdf").await;
    age(&db, "media_file", linked, 5).await;
    ArticleFixture {
        body_html: &format!(r#"<p><a href="/tai-lieu/{linked}/lien-ket.pdf">Tải về</a></p>"#),
        ..ArticleFixture::new("Bài có liên kết", news)
    }
    .insert(&db)
    .await;

    let page = editor.get(&app, ORPHANS).await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("2 mục");
    page.assert_contains(&format!(r#"value="anh-{abandoned}""#));
    page.assert_contains(&format!(r#"value="tep-{old_file}""#));
    for kept in [
        format!("anh-{fresh}"),
        format!("anh-{used}"),
        format!("tep-{linked}"),
    ] {
        page.assert_not_contains(&format!(r#"value="{kept}""#));
    }

    let nothing = editor.post(&app, ORPHANS, &[]).await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
    nothing.assert_contains("Hãy đánh dấu ít nhất một mục trước khi xóa.");

    // Ticked with items that are not orphans (a forged or stale form): only orphans go.
    let choices = [
        format!("anh-{abandoned}"),
        format!("tep-{old_file}"),
        format!("anh-{fresh}"),
        format!("anh-{used}"),
        format!("tep-{linked}"),
    ];
    let fields: Vec<(&str, &str)> = choices.iter().map(|c| ("chon", c.as_str())).collect();
    let removed = editor.post(&app, ORPHANS, &fields).await;
    assert_redirect(&removed, "/admin/thu-vien/khong-dung?msg=orphans-removed");
    assert_eq!(count(&db, "media_image").await, 2);
    assert_eq!(count(&db, "media_file").await, 1);
    assert!(!stored(&app, &abandoned_key));
    let details: String =
        sqlx::query_scalar("select details from audit_log where action = 'media.orphans_removed'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(details.starts_with("2 mục: "), "{details}");
    assert!(details.contains("bo-quen.jpg") && details.contains("cu.pdf"), "{details}");

    let again = editor.post(&app, ORPHANS, &fields).await;
    assert_redirect(&again, "/admin/thu-vien/khong-dung?msg=nothing-removed");
    editor
        .get(&app, ORPHANS)
        .await
        .assert_contains("Không có ảnh hay tệp nào bị bỏ quên.");
}

#[db_test]
async fn media_import_registers_stored_images_once(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let store = media::LocalStore::new(app.media_dir());
    // Uploaded before the library existed: sizes of one image, and the demo's single files.
    let now = time::OffsetDateTime::now_utc();
    let saved = media::save_image(&store, jpeg(1200, 600), Default::default(), now)
        .await
        .unwrap();
    std::fs::create_dir_all(app.media_dir().join("demo")).unwrap();
    std::fs::write(app.media_dir().join("demo/le-hoi.jpg"), jpeg(300, 200)).unwrap();
    std::fs::write(app.media_dir().join("demo/ghi-chu.txt"), b"not an image").unwrap();
    std::fs::write(app.media_dir().join("demo/hong.jpg"), b"not a jpeg").unwrap();

    let added = media::library::import(&db, &store).await.unwrap();
    assert_eq!(added, 2);
    let (widths, width, height): (Vec<i32>, i32, i32) =
        sqlx::query_as("select widths, width, height from media_image where storage_key = $1")
            .bind(&saved.path)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((widths, width, height), (vec![480, 960, 1200], 1200, 600));
    let single: Vec<i32> =
        sqlx::query_scalar("select widths from media_image where storage_key = 'demo/le-hoi.jpg'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(single.is_empty());
    assert_eq!(media::library::import(&db, &store).await.unwrap(), 0);

    // The command does the same, and as often as it is run.
    let editor = app.staff(Role::Editor).await;
    editor
        .get(&app, LIBRARY)
        .await
        .assert_contains("le-hoi.jpg");
    sqlx::query("delete from media_image")
        .execute(&db)
        .await
        .unwrap();
    for expected in ["registered 2 images", "registered 0 images"] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_toasoan"))
            .args(["media", "import"])
            .env("DATABASE_URL", database_url(&db))
            .env("TOASOAN_MEDIA_DIR", app.media_dir())
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(stdout.contains(expected), "{stdout}");
    }
    assert_eq!(count(&db, "media_image").await, 2);
}
