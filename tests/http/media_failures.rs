//! Uploads that break: the client goes away mid-upload, the disk refuses the files.

use axum::{
    body::{Body, Bytes},
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::{
    admin_articles::jpeg,
    support::{Multipart, ORIGIN, Staff, TestApp, TestResponse, category, count},
};

/// A multipart post whose body breaks off after `sent` bytes, as when the client disconnects.
async fn cut_off(app: &TestApp, staff: &Staff, uri: &str) -> TestResponse {
    let boundary = "cut-off-boundary";
    let mut sent = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nTin mới\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    sent.extend_from_slice(&jpeg(64, 64)[..200]);
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(sent)),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer")),
    ];
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::CONTENT_LENGTH, "1000000")
        .header(header::ORIGIN, ORIGIN)
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &staff.cookie)
        .body(Body::from_stream(futures_util::stream::iter(chunks)))
        .unwrap();
    app.request(request).await
}

#[db_test]
async fn a_client_that_leaves_mid_upload_gets_a_400_not_a_500(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for uri in ["/admin/articles", "/admin/media"] {
        let response = cut_off(&app, &editor, uri).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}: {}", response.body);
    }
    let media = cut_off(&app, &editor, "/admin/media").await;
    assert_eq!(media.header(header::CONTENT_TYPE), "application/json");
    assert_eq!(count(&db, "article").await, 0);
}

/// The app with a media directory nothing can be written under: its parent is a file (a
/// read-only directory would not stop tests that run as root).
async fn app_with_a_broken_disk(db: &PgPool) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"").unwrap();
    let app = TestApp::with_config(db.clone(), |c| c.media_dir = file.join("media")).await;
    (app, dir)
}

const CANNOT_STORE: &str = "Không lưu được ảnh, xin thử lại.";

#[db_test]
async fn an_image_the_disk_refuses_gets_a_json_message(db: PgPool) {
    let (app, _dir) = app_with_a_broken_disk(&db).await;
    let editor = app.staff(Role::Editor).await;
    let form = Multipart::default().file("image", "anh.jpg", "image/jpeg", &jpeg(800, 600));
    let response = editor.post_multipart(&app, "/admin/media", form).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.body);
    assert_eq!(response.header(header::CONTENT_TYPE), "application/json");
    assert!(!response.header(header::RETRY_AFTER).is_empty());
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(body["error"], CANNOT_STORE);
}

#[db_test]
async fn an_article_whose_cover_the_disk_refuses_comes_back_with_everything_typed(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let (app, _dir) = app_with_a_broken_disk(&db).await;
    let editor = app.staff(Role::Editor).await;
    let category = news.to_string();
    let form = Multipart::default()
        .fields(&[
            ("title", "Khánh thành cầu Bản Phiệt"),
            ("sapo", "Cây cầu nối hai xã vùng cao."),
            ("body_html", "<p>Sáng nay, cầu đã thông xe.</p>"),
            ("category_id", &category),
            ("byline", "Lê Thu Thuỷ"),
            ("action", "save"),
        ])
        .file("cover", "anh.jpg", "image/jpeg", &jpeg(1800, 1200));
    let response = editor.post_multipart(&app, "/admin/articles", form).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    response.assert_contains(CANNOT_STORE);
    response.assert_contains("Khánh thành cầu Bản Phiệt");
    response.assert_contains("Cây cầu nối hai xã vùng cao.");
    response.assert_contains("Sáng nay, cầu đã thông xe.");
    response.assert_contains("Lê Thu Thuỷ");
    assert_eq!(count(&db, "article").await, 0);
}

#[db_test]
async fn an_image_whose_largest_size_cannot_be_written_leaves_no_smaller_ones(db: PgPool) {
    use sha2::Digest;

    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let image = jpeg(1800, 1200);
    let hash: String = sha2::Sha256::digest(&image)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let now = time::OffsetDateTime::now_utc();
    let month = app
        .media_dir()
        .join(format!("{:04}/{:02}", now.year(), u8::from(now.month())));
    // The largest size (written last) lands on a directory that is not empty: the rename fails.
    let blocked = month.join(format!("{hash}-1600.jpg"));
    std::fs::create_dir_all(blocked.join("occupied")).unwrap();

    let form = Multipart::default().file("image", "anh.jpg", "image/jpeg", &image);
    let response = editor.post_multipart(&app, "/admin/media", form).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.body);
    let mut left: Vec<String> = std::fs::read_dir(&month)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, [format!("{hash}-1600.jpg")]);
}
