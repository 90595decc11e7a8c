//! The article back office: writing, the workflow, uploads, sanitising, conflicts, revisions,
//! scheduling and preview.

use std::io::Cursor;

use axum::http::{StatusCode, header};
use sqlx::PgPool;
use toasoan::{auth::Role, db::articles::Status};

use crate::support::{Multipart, Staff, TestApp, category, count, location_id};

/// A JPEG of the given size, made in memory.
pub(crate) fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    });
    let mut bytes = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .unwrap();
    bytes.into_inner()
}

/// The editor form with sensible defaults; `extra` overrides or adds fields.
pub(crate) fn article_form(
    category_id: i64,
    title: &str,
    action: &str,
    extra: &[(&str, &str)],
) -> Multipart {
    let category = category_id.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("title", title),
        ("slug", ""),
        ("sapo", "Đoạn dẫn của bài."),
        ("body_html", "<p>Nội dung <strong>chính</strong> của bài.</p>"),
        ("category_id", &category),
        ("byline", "Lê Thu Thuỷ"),
        ("cover_caption", ""),
        ("cover_alt", ""),
        ("published_at", ""),
        ("comments_open", "1"),
        ("action", action),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    Multipart::default().fields(&fields)
}

pub(crate) async fn status_of(db: &PgPool, id: i64) -> Status {
    sqlx::query_scalar::<_, Status>("select status from article where article_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn set_reporters_publish(db: &PgPool, app: &TestApp, on: bool) {
    sqlx::query("update site_setting set reporters_publish_directly = $1")
        .bind(on)
        .execute(db)
        .await
        .unwrap();
    app.refresh().await;
}

pub(crate) async fn create(app: &TestApp, who: &Staff, form: Multipart) -> i64 {
    let response = who.post_multipart(app, "/admin/articles", form).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    location_id(&response, "/admin/articles/")
}

#[db_test]
async fn a_reporter_saves_a_draft_that_readers_cannot_see(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;

    let form = reporter.get(&app, "/admin/articles/new").await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains(&format!(r#"name="byline" value="Nhà báo {}""#, reporter.username));
    form.assert_contains(r#"data-editor data-upload-url="/admin/media""#);

    let id =
        create(&app, &reporter, article_form(news, "Xuân Quang vào mùa gặt", "save", &[])).await;
    assert_eq!(status_of(&db, id).await, Status::Draft);
    assert_eq!(count(&db, "article_revision").await, 1);
    assert_eq!(app.get("/bai-viet/xuan-quang-vao-mua-gat").await.status, StatusCode::NOT_FOUND);
    let edit = reporter
        .get(&app, &format!("/admin/articles/{id}?msg=saved"))
        .await;
    edit.assert_contains("Đã lưu.");
    edit.assert_contains(r#"value="Xuân Quang vào mùa gặt""#);
    edit.assert_contains(r#"value="xuan-quang-vao-mua-gat""#);
}

#[db_test]
async fn a_reporter_publishes_directly_when_the_site_allows_it(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    set_reporters_publish(&db, &app, true).await;
    let reporter = app.staff(Role::Reporter).await;

    let id =
        create(&app, &reporter, article_form(news, "Khánh thành cầu Phố Lu mới", "publish", &[]))
            .await;
    assert_eq!(status_of(&db, id).await, Status::Published);
    let page = app.get("/bai-viet/khanh-thanh-cau-pho-lu-moi").await;
    assert_eq!(page.status, StatusCode::OK);
    page.assert_contains("Nội dung <strong>chính</strong> của bài.");
    page.assert_contains(r#"<p class="byline">Lê Thu Thuỷ</p>"#);
    app.get("/")
        .await
        .assert_contains("/bai-viet/khanh-thanh-cau-pho-lu-moi");
    let audit: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'article.published' and target_id = $1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(audit, 1);
}

#[db_test]
async fn without_direct_publishing_a_reporter_submits_and_an_editor_approves(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    set_reporters_publish(&db, &app, false).await;
    let reporter = app.staff(Role::Reporter).await;
    let editor = app.staff(Role::Editor).await;

    let refused = reporter
        .post_multipart(
            &app,
            "/admin/articles",
            article_form(news, "Tin cần duyệt", "publish", &[]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Bài của bạn cần biên tập viên duyệt");
    refused.assert_contains(r#"value="Tin cần duyệt""#);
    assert_eq!(count(&db, "article").await, 0);

    let id = create(&app, &reporter, article_form(news, "Tin cần duyệt", "submit", &[])).await;
    assert_eq!(status_of(&db, id).await, Status::Pending);
    editor
        .get(&app, "/admin/articles?trang-thai=pending")
        .await
        .assert_contains("Tin cần duyệt");

    let approved = editor
        .post(&app, &format!("/admin/articles/{id}/approve"), &[])
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&db, id).await, Status::Published);
    assert_eq!(app.get("/bai-viet/tin-can-duyet").await.status, StatusCode::OK);
    // A reporter cannot approve.
    let own = reporter
        .post(&app, &format!("/admin/articles/{id}/approve"), &[])
        .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
}

#[db_test]
async fn an_editor_sends_an_article_back_with_a_note(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    set_reporters_publish(&db, &app, false).await;
    let reporter = app.staff(Role::Reporter).await;
    let editor = app.staff(Role::Editor).await;
    let id =
        create(&app, &reporter, article_form(news, "Bài còn thiếu số liệu", "submit", &[])).await;

    let sent_back = editor
        .post(
            &app,
            &format!("/admin/articles/{id}/return"),
            &[("note", "Bổ sung số liệu quý III.")],
        )
        .await;
    assert_eq!(sent_back.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&db, id).await, Status::Draft);
    let page = reporter.get(&app, &format!("/admin/articles/{id}")).await;
    page.assert_contains("Ghi chú của biên tập viên: Bổ sung số liệu quý III.");
}

#[db_test]
async fn malicious_html_is_sanitised_in_the_body_and_escaped_elsewhere(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let evil_body = r#"<p onclick="x()">Đoạn <a href="javascript:alert(1)">một</a></p><script>alert(2)</script><img src="/media/a.jpg" onerror="alert(3)"><iframe src="https://evil.example"></iframe><style>*{}</style><form action="/"><input></form>"#;
    let form = article_form(
        news,
        "<script>alert('tiêu đề')</script> Tin",
        "publish",
        &[
            ("body_html", evil_body),
            ("sapo", "<b>sapo</b>"),
            ("cover_caption", "<img src=x onerror=alert(4)>"),
        ],
    )
    .file("cover", "anh.jpg", "image/jpeg", &jpeg(600, 400));
    let id = create(&app, &editor, form).await;

    let body: String = sqlx::query_scalar("select body_html from article where article_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    for gone in [
        "onclick",
        "javascript:",
        "<script",
        "onerror",
        "<iframe",
        "<style",
        "<form",
        "<input",
    ] {
        assert!(!body.contains(gone), "{gone} stored in {body}");
    }
    assert!(body.contains("Đoạn"));

    let slug: String = sqlx::query_scalar("select slug from article where article_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    let page = app.get(&format!("/bai-viet/{slug}")).await;
    page.assert_contains("&#60;script&#62;alert(&#39;tiêu đề&#39;)&#60;/script&#62; Tin");
    page.assert_contains("&#60;b&#62;sapo&#60;/b&#62;");
    page.assert_contains("<figcaption>&#60;img src=x onerror=alert(4)&#62;</figcaption>");
    page.assert_not_contains("<script>alert");
    page.assert_not_contains("<b>sapo</b>");
    let admin = editor.get(&app, "/admin/articles").await;
    admin.assert_contains("&#60;script&#62;");
    admin.assert_not_contains("<script>alert");
}

#[db_test]
async fn a_cover_image_is_resized_and_served_with_srcset(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let form = article_form(
        news,
        "Cầu mới bắc qua sông Hồng",
        "publish",
        &[
            ("cover_caption", "Cầu nhìn từ bờ bắc"),
            ("cover_alt", "Cây cầu thép"),
        ],
    )
    .file("cover", "cau.jpg", "image/jpeg", &jpeg(2000, 1000));
    let id = create(&app, &editor, form).await;

    let (path, widths): (String, Vec<i32>) =
        sqlx::query_as("select cover_image, cover_widths from article where article_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(widths, [480, 960, 1600]);
    assert!(path.ends_with("-1600.jpg"), "{path}");
    for width in widths {
        let file = app
            .media_dir()
            .join(toasoan::media::variant_path(&path, width).unwrap());
        let (w, _) = image::image_dimensions(&file).unwrap();
        assert_eq!(w, width as u32);
    }
    let page = app.get("/bai-viet/cau-moi-bac-qua-song-hong").await;
    page.assert_contains(&format!(r#"<img src="/media/{path}" srcset="/media/"#));
    page.assert_contains(" 480w, ");
    page.assert_contains("<figcaption>Cầu nhìn từ bờ bắc</figcaption>");
    let served = app.get(&format!("/media/{path}")).await;
    assert_eq!(served.status, StatusCode::OK);
}

#[db_test]
async fn bad_uploads_get_a_message_keep_the_form_and_store_nothing(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::with_config(db.clone(), |c| c.max_upload_bytes = 200 * 1024).await;
    let reporter = app.staff(Role::Reporter).await;

    // A 100000x100000 PNG header: a decompression bomb.
    let mut bomb = Vec::new();
    image::RgbImage::new(1, 1)
        .write_to(&mut Cursor::new(&mut bomb), image::ImageFormat::Png)
        .unwrap();
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let crc = crc32(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.to_be_bytes());

    let oversize: Vec<u8> = jpeg(1200, 1200)
        .into_iter()
        .chain(std::iter::repeat_n(0u8, 300 * 1024))
        .collect();
    for (name, bytes, message) in [
        (
            "bai-viet.jpg",
            b"this is not an image at all".to_vec(),
            "không phải ảnh JPEG, PNG hoặc WebP",
        ),
        ("bom.png", bomb, "Kích thước ảnh quá lớn"),
        ("to.jpg", oversize, "vượt quá dung lượng cho phép"),
    ] {
        let form = article_form(news, "Tin có ảnh lỗi", "save", &[("sapo", "Sapo vẫn còn")]).file(
            "cover",
            name,
            "image/jpeg",
            &bytes,
        );
        let response = reporter.post_multipart(&app, "/admin/articles", form).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        response.assert_contains(message);
        response.assert_contains(r#"value="Tin có ảnh lỗi""#);
        response.assert_contains("Sapo vẫn còn");
    }
    assert_eq!(count(&db, "article").await, 0);
    assert_eq!(std::fs::read_dir(app.media_dir()).unwrap().count(), 0, "no file stored");
}

/// CRC-32 (IEEE), for crafting a PNG header.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[db_test]
async fn a_stale_save_shows_both_texts_and_overwrites_nothing(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let first = app.staff(Role::Editor).await;
    let second = app.staff(Role::Editor).await;
    let id = create(&app, &first, article_form(news, "Bài hai người cùng sửa", "save", &[])).await;
    let uri = format!("/admin/articles/{id}");

    // Both opened version 1; the first saves.
    let saved = first
        .post_multipart(
            &app,
            &uri,
            article_form(
                news,
                "Bài hai người cùng sửa",
                "save",
                &[
                    ("version", "1"),
                    ("body_html", "<p>Bản của người thứ nhất.</p>"),
                ],
            ),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    // The second saves from the old version.
    let stale = second
        .post_multipart(
            &app,
            &uri,
            article_form(
                news,
                "Bài hai người cùng sửa",
                "save",
                &[
                    ("version", "1"),
                    ("body_html", "<p>Bản của người thứ hai.</p>"),
                ],
            ),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Bài viết vừa được người khác sửa");
    stale.assert_contains("Bản của bạn");
    stale.assert_contains("Bản đã lưu mới hơn");
    stale.assert_contains("<p>Bản của người thứ hai.</p>");
    stale.assert_contains("<p>Bản của người thứ nhất.</p>");
    stale.assert_contains(r#"name="version" value="2""#);

    let (body, version): (String, i32) =
        sqlx::query_as("select body_html, version from article where article_id = $1")
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(body, "<p>Bản của người thứ nhất.</p>");
    assert_eq!(version, 2);

    // After merging, saving from the version shown works.
    let merged = second
        .post_multipart(
            &app,
            &uri,
            article_form(
                news,
                "Bài hai người cùng sửa",
                "save",
                &[("version", "2"), ("body_html", "<p>Bản đã gộp.</p>")],
            ),
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn every_save_is_a_revision_that_can_be_restored(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(
        &app,
        &editor,
        article_form(news, "Bài có lịch sử", "save", &[("body_html", "<p>Bản đầu.</p>")]),
    )
    .await;
    let uri = format!("/admin/articles/{id}");
    editor
        .post_multipart(
            &app,
            &uri,
            article_form(
                news,
                "Bài có lịch sử",
                "save",
                &[("version", "1"), ("body_html", "<p>Bản sau.</p>")],
            ),
        )
        .await;

    let list = editor.get(&app, &format!("{uri}/revisions")).await;
    assert_eq!(list.status, StatusCode::OK);
    list.assert_contains("2 (hiện tại)");
    let first: i64 = sqlx::query_scalar(
        "select article_revision_id from article_revision where article_id = $1 and version = 1",
    )
    .bind(id)
    .fetch_one(&db)
    .await
    .unwrap();
    let old = editor.get(&app, &format!("{uri}/revisions/{first}")).await;
    old.assert_contains("<p>Bản đầu.</p>");

    let restored = editor
        .post(&app, &format!("{uri}/revisions/{first}/restore"), &[("version", "2")])
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    let body: String = sqlx::query_scalar("select body_html from article where article_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(body, "<p>Bản đầu.</p>");
    assert_eq!(count(&db, "article_revision").await, 3);
    assert_eq!(
        editor
            .get(&app, &format!("{uri}/revisions/abc"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[db_test]
async fn a_new_slug_on_a_published_article_keeps_the_old_url(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(&app, &editor, article_form(news, "Tiêu đề đầu tiên", "publish", &[])).await;
    let moved = editor
        .post_multipart(
            &app,
            &format!("/admin/articles/{id}"),
            article_form(
                news,
                "Tiêu đề đầu tiên",
                "save",
                &[("version", "1"), ("slug", "tieu-de-da-sua")],
            ),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&db, id).await, Status::Published, "editing does not take it offline");
    let old = app.get("/bai-viet/tieu-de-dau-tien").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.header(header::LOCATION), "/bai-viet/tieu-de-da-sua");

    // Another article cannot take either slug.
    let taken = editor
        .post_multipart(
            &app,
            "/admin/articles",
            article_form(news, "Bài khác", "save", &[("slug", "tieu-de-dau-tien")]),
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    taken.assert_contains("Đường dẫn này đã được dùng cho bài khác.");
    let bad = editor
        .post_multipart(
            &app,
            "/admin/articles",
            article_form(news, "Bài khác", "save", &[("slug", "Có Dấu")]),
        )
        .await;
    bad.assert_contains("Đường dẫn chỉ gồm chữ thường không dấu");
}

#[db_test]
async fn a_scheduled_article_appears_by_itself_exactly_once(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let when = toasoan::web::format::datetime_input(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    );
    let id = create(
        &app,
        &editor,
        article_form(news, "Tin hẹn giờ", "schedule", &[("published_at", &when)]),
    )
    .await;
    assert_eq!(status_of(&db, id).await, Status::Scheduled);
    assert_eq!(app.get("/bai-viet/tin-hen-gio").await.status, StatusCode::NOT_FOUND);
    assert!(
        toasoan::scheduler::publish_due(&app.state)
            .await
            .unwrap()
            .is_empty(),
        "not yet"
    );

    sqlx::query(
        "update article set published_at = now() - interval '1 second' where article_id = $1",
    )
    .bind(id)
    .execute(&db)
    .await
    .unwrap();
    // Two instances at once: the article goes out once.
    let (a, b) = tokio::join!(
        toasoan::scheduler::publish_due(&app.state),
        toasoan::scheduler::publish_due(&app.state)
    );
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 1);
    assert_eq!(status_of(&db, id).await, Status::Published);
    assert_eq!(app.get("/bai-viet/tin-hen-gio").await.status, StatusCode::OK);
    let logged: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'article.published_on_schedule'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(logged, 1);

    // Scheduling needs a time in the future.
    let past = editor
        .post_multipart(&app, "/admin/articles", article_form(news, "Tin giờ cũ", "schedule", &[]))
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    past.assert_contains("Hãy chọn thời điểm đăng trong tương lai.");
}

#[db_test]
async fn a_draft_preview_is_for_staff_only(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let author = app.staff(Role::Reporter).await;
    let other = app.staff(Role::Reporter).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(&app, &author, article_form(news, "Bản nháp để xem trước", "save", &[])).await;
    let uri = format!("/admin/articles/{id}/preview");

    let preview = author.get(&app, &uri).await;
    assert_eq!(preview.status, StatusCode::OK);
    preview.assert_contains("Bản xem trước");
    preview.assert_contains(r#"<h1 class="article-title">Bản nháp để xem trước</h1>"#);
    preview.assert_contains("Nội dung <strong>chính</strong> của bài.");
    assert_eq!(editor.get(&app, &uri).await.status, StatusCode::OK);
    assert_eq!(other.get(&app, &uri).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&uri).await.status, StatusCode::SEE_OTHER);
}

#[db_test]
async fn reporters_edit_only_their_own_articles(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let author = app.staff(Role::Reporter).await;
    let other = app.staff(Role::Reporter).await;
    let id = create(&app, &author, article_form(news, "Bài của tôi", "save", &[])).await;
    assert_eq!(
        other
            .get(&app, &format!("/admin/articles/{id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let write = other
        .post_multipart(
            &app,
            &format!("/admin/articles/{id}"),
            article_form(news, "Chiếm bài", "save", &[("version", "1")]),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    let list = other.get(&app, "/admin/articles").await;
    list.assert_not_contains("Bài của tôi");
}

#[db_test]
async fn the_list_filters_by_status_and_finds_titles_without_accents(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let tourism = category(&db, "Du lịch", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    create(&app, &editor, article_form(news, "Bảo Thắng đoàn kết vượt khó", "publish", &[])).await;
    create(&app, &editor, article_form(tourism, "Mùa hoa Phong Hải", "save", &[])).await;

    let all = editor.get(&app, "/admin/articles").await;
    all.assert_contains(r#"Tất cả <span class="count">2</span>"#);
    all.assert_contains(r#"Bản nháp <span class="count">1</span>"#);
    let drafts = editor.get(&app, "/admin/articles?trang-thai=draft").await;
    drafts.assert_contains("Mùa hoa Phong Hải");
    drafts.assert_not_contains("Bảo Thắng đoàn kết");
    let search = editor.get(&app, "/admin/articles?q=bao+thang+doan").await;
    search.assert_contains("Bảo Thắng đoàn kết vượt khó");
    search.assert_not_contains("Mùa hoa Phong Hải");
    let by_category = editor
        .get(&app, &format!("/admin/articles?chuyen-muc={tourism}"))
        .await;
    by_category.assert_contains("Mùa hoa Phong Hải");
    by_category.assert_not_contains("Bảo Thắng đoàn kết");
    assert_eq!(editor.get(&app, "/admin/articles?trang=9").await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn the_editor_uploads_inline_images_as_json(db: PgPool) {
    let app = TestApp::new(db).await;
    let reporter = app.staff(Role::Reporter).await;
    let ok = reporter
        .post_multipart(
            &app,
            "/admin/media",
            Multipart::default().file("image", "a.jpg", "image/jpeg", &jpeg(800, 600)),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let json: serde_json::Value = serde_json::from_str(&ok.body).unwrap();
    assert!(json["src"].as_str().unwrap().ends_with("-800.jpg"));
    assert_eq!(json["width"], 800);
    assert!(json["srcset"].as_str().unwrap().contains("480w"));
    let bad = reporter
        .post_multipart(
            &app,
            "/admin/media",
            Multipart::default().file("image", "a.jpg", "image/jpeg", b"nope"),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("error"));
    let moderator = app.staff(Role::Moderator).await;
    let forbidden = moderator
        .post_multipart(
            &app,
            "/admin/media",
            Multipart::default().file("image", "a.jpg", "image/jpeg", &jpeg(10, 10)),
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
}

#[db_test]
async fn unpublishing_takes_an_article_off_the_site(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = create(&app, &editor, article_form(news, "Tin sẽ gỡ", "publish", &[])).await;
    assert_eq!(app.get("/bai-viet/tin-se-go").await.status, StatusCode::OK);
    let response = editor
        .post(&app, &format!("/admin/articles/{id}/unpublish"), &[])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&db, id).await, Status::Archived);
    assert_eq!(app.get("/bai-viet/tin-se-go").await.status, StatusCode::NOT_FOUND);
    let deleted = editor
        .post(&app, &format!("/admin/articles/{id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&db, "article").await, 0);
    let actions: Vec<String> = sqlx::query_scalar(
        "select action from audit_log where target_id = $1 order by audit_log_id",
    )
    .bind(id)
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "article.created",
            "article.published",
            "article.unpublished",
            "article.deleted"
        ]
    );
}

#[db_test]
async fn the_dashboard_counts_what_is_waiting_and_lists_my_drafts(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    set_reporters_publish(&db, &app, true).await;
    let reporter = app.staff(Role::Reporter).await;
    create(&app, &reporter, article_form(news, "Nháp của tôi", "save", &[])).await;
    create(&app, &reporter, article_form(news, "Bài gửi duyệt", "submit", &[])).await;
    let published =
        create(&app, &reporter, article_form(news, "Bài đăng hôm nay", "publish", &[])).await;
    sqlx::query("insert into comment (article_id, author_name, title, body) values ($1, 'Bạn đọc', 'Hỏi', 'Nội dung')")
        .bind(published)
        .execute(&db)
        .await
        .unwrap();

    let page = reporter.get(&app, "/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    for (value, label) in [
        ("1", "Bản nháp"),
        ("1", "Chờ duyệt"),
        ("0", "Đã lên lịch"),
        ("1", "Đăng hôm nay"),
        ("1", "Bình luận chờ duyệt"),
    ] {
        page.assert_contains(&format!(
            r#"<span class="stat-value">{value}</span><span class="stat-label">{label}</span>"#
        ));
    }
    let drafts = &page.body[page.position("Bản nháp của tôi")..];
    assert!(
        drafts.contains("Nháp của tôi")
            && !drafts[..drafts.find("Hoạt động gần đây").unwrap()].contains("Bài gửi duyệt")
    );
    let recent = &page.body[page.position("Hoạt động gần đây")..];
    assert!(recent.contains("Bài đăng hôm nay"));

    // A moderator sees the comments waiting, not the articles.
    let moderator = app.staff(Role::Moderator).await;
    let theirs = moderator.get(&app, "/admin").await;
    theirs.assert_contains(
        r#"<span class="stat-value">1</span><span class="stat-label">Bình luận chờ duyệt</span>"#,
    );
    theirs.assert_not_contains("Bản nháp của tôi");
    theirs.assert_not_contains(r#"href="/admin/articles""#);
}

#[db_test]
async fn two_reporters_creating_the_same_title_at_once_both_keep_their_text(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let (lan, minh) = (app.staff(Role::Reporter).await, app.staff(Role::Reporter).await);
    for round in 0..8 {
        let title = format!("Họp báo quý {round}");
        let text = |who: &str| format!("Bản tin của {who}, lần {round}.");
        let (text_lan, text_minh) = (text("Lan"), text("Minh"));
        let body = |text: &str| format!("<p>{text}</p>");
        let form_lan = article_form(news, &title, "save", &[("body_html", &body(&text_lan))]);
        let form_minh = article_form(news, &title, "save", &[("body_html", &body(&text_minh))]);
        let (a, b) = tokio::join!(
            lan.post_multipart(&app, "/admin/articles", form_lan),
            minh.post_multipart(&app, "/admin/articles", form_minh),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]);
        let (refused, text) = if a.status == StatusCode::UNPROCESSABLE_ENTITY {
            (a, text_lan)
        } else {
            (b, text_minh)
        };
        refused.assert_contains("Đường dẫn này đã được dùng cho bài khác.");
        refused.assert_contains(&text);
    }
    assert_eq!(count(&db, "article").await, 8);
}

#[db_test]
async fn the_editor_knows_the_largest_image_it_may_send(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let page = reporter.get(&app, "/admin/articles/new").await;
    page.assert_contains(&format!(r#"data-max-bytes="{}""#, app.state.config.max_upload_bytes));
}
