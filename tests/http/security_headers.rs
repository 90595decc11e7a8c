//! Every response carries the security headers; the pages run under their
//! Content-Security-Policy (the browser test checks it in a real browser).

use axum::http::{HeaderName, StatusCode, header};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{ArticleFixture, TestApp, TestResponse, category};

const SECURITY_HEADERS: &[(HeaderName, &str)] = &[
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
];

#[track_caller]
fn assert_security_headers(response: &TestResponse) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(response.header(name.clone()), *value, "{name} of {}", response.request);
    }
    let policy = response.header(header::CONTENT_SECURITY_POLICY);
    for directive in [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            policy.split("; ").any(|d| d == directive),
            "{directive} in the CSP of {}: {policy}",
            response.request
        );
    }
    let scripts = policy
        .split("; ")
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("a script-src in {policy}"));
    assert!(scripts.starts_with("script-src 'self' 'sha256-"), "{scripts}");
    assert!(!policy.contains("unsafe"), "{policy}");
}

/// The page's only inline `<script>` elements are data (JSON-LD) and the back office's import
/// map; no `style` attribute, `<style>` element or event handler attribute.
#[track_caller]
fn assert_nothing_inline(response: &TestResponse) {
    for found in response.body.match_indices("<script") {
        let tag = &response.body[found.0..];
        let tag = &tag[..tag.find('>').unwrap()];
        assert!(
            tag.contains(" src=")
                || tag.contains(r#"type="application/ld+json""#)
                || tag.contains(r#"type="importmap""#),
            "inline script in {}: {tag}",
            response.request
        );
    }
    for needle in [
        " style=",
        "<style",
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
    ] {
        response.assert_not_contains(needle);
    }
}

#[db_test]
async fn every_kind_of_response_carries_the_security_headers(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Cầu mới thông xe", news)
        .insert(&db)
        .await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let pages = [
        app.get("/").await,
        app.get("/bai-viet/cau-moi-thong-xe").await,
        app.get("/admin/login").await,
        editor.get(&app, "/admin").await,
        editor.get(&app, "/admin/articles/new").await,
    ];
    for page in &pages {
        assert_eq!(page.status, StatusCode::OK, "{}", page.request);
        assert_security_headers(page);
        assert_nothing_inline(page);
    }

    let missing = app.get("/khong-co-trang-nay").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_security_headers(&missing);
    let redirect = app.get("/admin").await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_security_headers(&redirect);
    let file = app.get("/static/site.css").await;
    assert_eq!(file.status, StatusCode::OK);
    assert_security_headers(&file);
}

#[db_test]
async fn the_back_office_import_map_is_the_one_inline_script_the_policy_allows(db: PgPool) {
    let app = TestApp::new(db).await;
    let editor = app.staff(Role::Editor).await;
    let page = editor.get(&app, "/admin/articles/new").await;
    let start =
        page.position(r#"<script type="importmap">"#) + r#"<script type="importmap">"#.len();
    let map = &page.body[start..start + page.body[start..].find("</script>").unwrap()];
    let parsed: serde_json::Value = serde_json::from_str(map).expect("the import map is JSON");
    assert!(parsed["imports"]["/static/admin/editor.js"].is_string(), "{map}");
    let source = format!("'sha256-{}'", BASE64.encode(Sha256::digest(map)));
    let policy = page.header(header::CONTENT_SECURITY_POLICY);
    assert!(policy.contains(&format!("script-src 'self' {source};")), "{source} in {policy}");
}

#[db_test]
async fn https_is_required_only_of_a_site_served_over_https(db: PgPool) {
    let app = TestApp::with_config(db, |config| {
        config.base_url = "http://127.0.0.1:3000".into();
    })
    .await;
    let page = app.get("/").await;
    assert_eq!(page.header(header::STRICT_TRANSPORT_SECURITY), "");
    assert_eq!(page.header(header::X_FRAME_OPTIONS), "DENY");
    assert!(
        page.header(header::CONTENT_SECURITY_POLICY)
            .starts_with("default-src 'self'")
    );
}
