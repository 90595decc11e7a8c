//! Media in an S3-compatible bucket: a real Garage server (`scripts/s3-server.sh`), started
//! once per test run; each test works under its own key prefix.

use std::{
    process::Command,
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
};

use axum::http::{StatusCode, header};
use futures_util::TryStreamExt;
use object_store::{ObjectStore, ObjectStoreExt, aws::AmazonS3Builder, path::Path};
use sqlx::PgPool;
use toasoan::{
    auth::Role,
    config::{Config, MediaStoreKind, S3},
};

use crate::{
    admin_articles::jpeg,
    support::{Multipart, TestApp, category, count, database_url, free_port},
};

/// The `TOASOAN_S3_*` variables of the test run's Garage server.
pub fn garage_env() -> &'static [(String, String)] {
    static ENV: OnceLock<Vec<(String, String)>> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/s3-server.sh");
        let output = Command::new(script)
            .arg("start")
            .arg(&dir)
            .arg(std::process::id().to_string())
            .output()
            .expect("cannot run scripts/s3-server.sh");
        assert!(
            output.status.success(),
            "the S3 tests need Garage 2.5.0 (`cargo install --locked garage --version 2.5.0 \
             --no-default-features --features bundled-libs,lmdb`, as .ci/run does); \
             scripts/s3-server.sh said: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    })
}

/// A key prefix no other test uses.
pub fn unique_prefix(test: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{test}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// The bucket's variables with `TOASOAN_S3_PREFIX=prefix`.
pub fn bucket_env(prefix: &str) -> Vec<(String, String)> {
    let mut env = garage_env().to_vec();
    env.push(("TOASOAN_S3_PREFIX".into(), prefix.into()));
    env
}

/// The bucket under `prefix`, as the application's configuration sees it.
fn s3_config(prefix: &str) -> S3 {
    let env = bucket_env(prefix);
    Config::from_lookup(|name| {
        env.iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.clone())
    })
    .expect("bucket configuration")
    .s3
    .expect("a bucket")
}

/// The app storing its media in the bucket, under its own prefix.
async fn app_on_s3(db: &PgPool, prefix: &str) -> TestApp {
    let s3 = s3_config(prefix);
    TestApp::with_config(db.clone(), |config| {
        config.media_store = MediaStoreKind::S3;
        config.s3 = Some(s3);
    })
    .await
}

/// The keys in the bucket under `prefix` (read with object_store itself, not the app), sorted.
pub async fn bucket_keys(prefix: &str) -> Vec<String> {
    let s3 = s3_config(prefix);
    let bucket = AmazonS3Builder::new()
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region)
        .with_endpoint(s3.endpoint.as_deref().unwrap())
        .with_access_key_id(&s3.access_key_id)
        .with_secret_access_key(&s3.secret_access_key)
        .with_allow_http(true)
        .build()
        .unwrap();
    let objects: Vec<_> = bucket
        .list(Some(&Path::from(prefix)))
        .try_collect()
        .await
        .unwrap();
    let mut keys: Vec<String> = objects
        .iter()
        .map(|meta| meta.location.as_ref()[prefix.len() + 1..].to_owned())
        .collect();
    keys.sort();
    keys
}

/// The object under `prefix/key`, read with object_store.
async fn bucket_object(prefix: &str, key: &str) -> Vec<u8> {
    let s3 = s3_config(prefix);
    let bucket = AmazonS3Builder::new()
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region)
        .with_endpoint(s3.endpoint.as_deref().unwrap())
        .with_access_key_id(&s3.access_key_id)
        .with_secret_access_key(&s3.secret_access_key)
        .with_allow_http(true)
        .build()
        .unwrap();
    let path = Path::from(format!("{prefix}/{key}"));
    bucket
        .get(&path)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

#[db_test]
async fn an_image_uploaded_on_s3_is_in_the_bucket_and_served_with_validators(db: PgPool) {
    let prefix = unique_prefix("upload");
    let app = app_on_s3(&db, &prefix).await;
    let editor = app.staff(Role::Editor).await;
    let form = Multipart::default().file("image", "anh.jpg", "image/jpeg", &jpeg(1800, 1200));
    let response = editor.post_multipart(&app, "/admin/media", form).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    let src = body["src"].as_str().unwrap();
    let key = src.strip_prefix("/media/").unwrap();

    // The original's largest size and every smaller one are in the bucket; nothing on disk.
    let keys = bucket_keys(&prefix).await;
    let base = key.strip_suffix("-1600.jpg").unwrap();
    assert_eq!(
        keys,
        // Sorted as text, as `bucket_keys` lists them.
        [1600, 480, 960].map(|w| format!("{base}-{w}.jpg")),
        "the bucket holds {keys:?}"
    );
    assert!(std::fs::read_dir(app.media_dir()).unwrap().next().is_none());
    assert_eq!(count(&db, "media_image").await, 1);

    // Served by the app from the bucket: the same bytes, cached for a year, an ETag, a 304.
    let (served, bytes) = app.request_raw(get(src, None)).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(bytes, bucket_object(&prefix, key).await);
    assert_eq!(served.header(header::CONTENT_TYPE), "image/jpeg");
    assert_eq!(served.header(header::CACHE_CONTROL), "public, max-age=31536000, immutable");
    let etag = served.header(header::ETAG).to_owned();
    assert!(!etag.is_empty());
    let (again, bytes) = app.request_raw(get(src, Some(&etag))).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(bytes.is_empty());
    assert_eq!(again.header(header::ETAG), etag);
    let (other, _) = app.request_raw(get(src, Some("\"another\""))).await;
    assert_eq!(other.status, StatusCode::OK);

    // What is not there, and what is not a key, are 404s; attached files are not media.
    for missing in [
        "/media/2026/11/nothing-480.jpg",
        "/media/..%2Fx",
        "/media/files/2026/11/a.pdf",
    ] {
        assert_eq!(app.get(missing).await.status, StatusCode::NOT_FOUND, "{missing}");
    }
}

fn get(uri: &str, if_none_match: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let mut request = axum::http::Request::get(uri);
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    request.body(axum::body::Body::empty()).unwrap()
}

#[db_test]
async fn with_a_public_url_media_links_redirect_there_and_the_policy_allows_it(db: PgPool) {
    let prefix = unique_prefix("public");
    let s3 = s3_config(&prefix);
    let app = TestApp::with_config(db.clone(), |config| {
        config.media_store = MediaStoreKind::S3;
        config.s3 = Some(s3);
        config.media_public_url = Some("https://cdn.example.vn/media".into());
    })
    .await;
    let response = app.get("/media/2026/11/abc-480.jpg").await;
    assert_eq!(response.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        response.header(header::LOCATION),
        "https://cdn.example.vn/media/2026/11/abc-480.jpg"
    );
    let home = app.get("/").await;
    let policy = home.header(header::CONTENT_SECURITY_POLICY);
    assert!(policy.contains("img-src 'self' data: https://cdn.example.vn;"), "{policy}");
}

const CANNOT_STORE: &str = "Không lưu được ảnh, xin thử lại.";

#[db_test]
async fn an_unreachable_bucket_gets_the_cannot_store_message_and_keeps_the_form(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let mut s3 = s3_config(&unique_prefix("down"));
    s3.endpoint = Some(format!("http://127.0.0.1:{}", free_port()));
    let app = TestApp::with_config(db.clone(), |config| {
        config.media_store = MediaStoreKind::S3;
        config.s3 = Some(s3);
    })
    .await;
    let editor = app.staff(Role::Editor).await;

    let form = Multipart::default().file("image", "anh.jpg", "image/jpeg", &jpeg(800, 600));
    let response = editor.post_multipart(&app, "/admin/media", form).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.body);
    let body: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(body["error"], CANNOT_STORE);

    let category = news.to_string();
    let form = Multipart::default()
        .fields(&[
            ("title", "Khánh thành cầu Bản Phiệt"),
            ("sapo", "Cây cầu nối hai xã vùng cao."),
            ("body_html", "<p>Sáng nay, cầu đã thông xe.</p>"),
            ("category_id", &category),
            ("action", "save"),
        ])
        .file("cover", "anh.jpg", "image/jpeg", &jpeg(1800, 1200));
    let response = editor.post_multipart(&app, "/admin/articles", form).await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", response.body);
    response.assert_contains(CANNOT_STORE);
    response.assert_contains("Khánh thành cầu Bản Phiệt");
    response.assert_contains("Sáng nay, cầu đã thông xe.");
    assert_eq!(count(&db, "article").await, 0);
    assert_eq!(count(&db, "media_image").await, 0);
}

/// `toasoan media migrate --to {to}` with the bucket under `prefix` and `media_dir`.
fn migrate(db: &PgPool, to: &str, prefix: &str, media_dir: &std::path::Path) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_toasoan"))
        .args(["media", "migrate", "--to", to])
        .env("DATABASE_URL", database_url(db))
        .env("TOASOAN_MEDIA_DIR", media_dir)
        .env("RUST_LOG", "warn")
        .envs(bucket_env(prefix))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

#[db_test]
async fn media_migrate_copies_each_way_once(db: PgPool) {
    let prefix = unique_prefix("migrate");
    let local = tempfile::tempdir().unwrap();
    let image = local.path().join("2026/11/abc-480.jpg");
    let file = local.path().join("files/2026/11/f00d.pdf");
    for (path, bytes) in [(&image, &b"jpeg bytes"[..]), (&file, &b"%PDF-1.4 tiny"[..])] {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    let first = migrate(&db, "s3", &prefix, local.path());
    assert!(first.contains("copied 2026/11/abc-480.jpg"), "{first}");
    assert!(first.contains("copied files/2026/11/f00d.pdf"), "{first}");
    assert!(first.ends_with("2 copied, 0 already there\n"), "{first}");
    assert_eq!(bucket_keys(&prefix).await, ["2026/11/abc-480.jpg", "files/2026/11/f00d.pdf"]);
    assert_eq!(bucket_object(&prefix, "files/2026/11/f00d.pdf").await, b"%PDF-1.4 tiny");
    let again = migrate(&db, "s3", &prefix, local.path());
    assert_eq!(again, "0 copied, 2 already there\n");

    // Back to an empty directory, once.
    let back = tempfile::tempdir().unwrap();
    let first = migrate(&db, "local", &prefix, back.path());
    assert!(first.ends_with("2 copied, 0 already there\n"), "{first}");
    assert_eq!(std::fs::read(back.path().join("2026/11/abc-480.jpg")).unwrap(), b"jpeg bytes");
    assert_eq!(
        std::fs::read(back.path().join("files/2026/11/f00d.pdf")).unwrap(),
        b"%PDF-1.4 tiny"
    );
    let again = migrate(&db, "local", &prefix, back.path());
    assert_eq!(again, "0 copied, 2 already there\n");
}
