//! HTTP caching: public pages and feeds may be cached for a minute and revalidated with their
//! ETag; nothing private, per-reader or erroneous is ever cached publicly.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{ArticleFixture, TestApp, TestResponse, assert_cache_control, category};

const PUBLIC: &str = "public, max-age=60";

async fn site(db: &PgPool) {
    let news = category(db, "Tin tức", None).await;
    ArticleFixture::new("Khai mạc kỳ họp", news)
        .views(1233)
        .insert(db)
        .await;
}

#[track_caller]
fn assert_not_public(response: &TestResponse, what: &str) {
    let cache_control = response.header(header::CACHE_CONTROL);
    assert!(
        !cache_control.contains("public") && !cache_control.is_empty(),
        "{what}: Cache-Control {cache_control:?}"
    );
}

#[db_test]
async fn public_pages_and_feeds_are_cached_and_revalidated(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db).await;

    for uri in [
        "/",
        "/chuyen-muc/tin-tuc",
        "/bai-viet/khai-mac-ky-hop",
        "/rss.xml",
    ] {
        let first = app.get(uri).await;
        assert_eq!(first.status, StatusCode::OK, "{uri}");
        assert_cache_control(&first, PUBLIC);
        let etag = first.header(header::ETAG).to_owned();
        assert!(
            etag.starts_with("W/\"") && etag.ends_with('"') && etag.len() > 10,
            "{uri}: a weak ETag, got {etag:?}"
        );
        assert!(first.header(header::VARY).contains("accept-encoding"), "{uri}");

        let again = app.get_with(uri, &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert_eq!(again.body, "", "{uri}: a 304 has no body");
        assert_eq!(again.header(header::ETAG), etag, "{uri}");
        assert_cache_control(&again, PUBLIC);
        assert!(again.header(header::VARY).contains("accept-encoding"), "{uri}");
        assert_eq!(again.header(header::CONTENT_TYPE), "", "{uri}");

        // Any of several tags, or `*`, and the strong form of the same tag all match.
        let strong = etag.trim_start_matches("W/");
        for condition in [
            format!(r#""nope", {etag}"#),
            "*".to_owned(),
            strong.to_owned(),
        ] {
            let response = app
                .get_with(uri, &[(header::IF_NONE_MATCH, &condition)])
                .await;
            assert_eq!(response.status, StatusCode::NOT_MODIFIED, "{uri} {condition}");
        }
        // Another tag: the whole page.
        let other = app
            .get_with(uri, &[(header::IF_NONE_MATCH, r#"W/"khac""#)])
            .await;
        assert_eq!(other.status, StatusCode::OK, "{uri}");
        assert_eq!(other.header(header::ETAG), etag, "{uri}");
        assert!(!other.body.is_empty());
    }
}

#[db_test]
async fn changed_content_gets_a_new_etag(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db.clone()).await;
    let uri = "/bai-viet/khai-mac-ky-hop";
    let before = app.get(uri).await;
    let old = before.header(header::ETAG).to_owned();

    sqlx::query("update article set sapo = 'Tóm tắt đã sửa.' where slug = 'khai-mac-ky-hop'")
        .execute(&db)
        .await
        .unwrap();
    let after = app.get_with(uri, &[(header::IF_NONE_MATCH, &old)]).await;
    assert_eq!(after.status, StatusCode::OK);
    after.assert_contains("Tóm tắt đã sửa.");
    let new = after.header(header::ETAG);
    assert!(new.starts_with("W/\""));
    assert_ne!(new, old);

    // The home page lists it too: its tag changes with it.
    let home = app.get("/").await;
    sqlx::query("update article set title = 'Bế mạc kỳ họp' where slug = 'khai-mac-ky-hop'")
        .execute(&db)
        .await
        .unwrap();
    assert_ne!(app.get("/").await.header(header::ETAG), home.header(header::ETAG));
}

#[db_test]
async fn the_view_counter_alone_does_not_make_a_new_version(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db).await;
    let uri = "/bai-viet/khai-mac-ky-hop";
    let first = app.get(uri).await;
    first.assert_contains("Lượt xem: <strong>1.234</strong>");
    let second = app.get(uri).await;
    second.assert_contains("Lượt xem: <strong>1.235</strong>");
    assert_eq!(first.header(header::ETAG), second.header(header::ETAG));
    let etag = first.header(header::ETAG).to_owned();
    let third = app.get_with(uri, &[(header::IF_NONE_MATCH, &etag)]).await;
    assert_eq!(third.status, StatusCode::NOT_MODIFIED);
}

#[db_test]
async fn the_etag_is_the_same_for_every_encoding_and_for_head(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db).await;
    let plain = app.get("/").await;
    let etag = plain.header(header::ETAG).to_owned();
    for encoding in ["gzip", "br"] {
        let compressed = app
            .get_with("/", &[(header::ACCEPT_ENCODING, encoding)])
            .await;
        assert_eq!(compressed.header(header::CONTENT_ENCODING), encoding);
        assert_eq!(compressed.header(header::ETAG), etag, "{encoding}");
        let revalidated = app
            .get_with(
                "/",
                &[
                    (header::ACCEPT_ENCODING, encoding),
                    (header::IF_NONE_MATCH, &etag),
                ],
            )
            .await;
        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED, "{encoding}");
        assert_eq!(revalidated.body, "");
        assert_eq!(revalidated.header(header::CONTENT_ENCODING), "");
    }

    let head = app
        .request(Request::head("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert_eq!(head.body, "");
    assert_eq!(head.header(header::ETAG), etag);
    assert_cache_control(&head, PUBLIC);
    let head_again = app
        .request(
            Request::head("/")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(head_again.status, StatusCode::NOT_MODIFIED);
}

#[db_test]
async fn the_back_office_is_never_stored(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db).await;
    let editor = app.staff(Role::Editor).await;

    let login = app.get("/admin/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert_cache_control(&login, "private, no-store");
    assert_eq!(login.header(header::ETAG), "");

    let redirect = app.get("/admin").await; // not logged in: to the login page
    assert!(redirect.status.is_redirection(), "{}", redirect.status);
    assert_cache_control(&redirect, "private, no-store");

    for uri in ["/admin", "/admin/articles"] {
        let page = editor.get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_cache_control(&page, "private, no-store");
        assert_eq!(page.header(header::ETAG), "", "{uri}");
    }
}

#[db_test]
async fn public_pages_seen_by_logged_in_staff_are_not_public(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db).await;
    let editor = app.staff(Role::Editor).await;
    for uri in [
        "/",
        "/chuyen-muc/tin-tuc",
        "/bai-viet/khai-mac-ky-hop",
        "/rss.xml",
    ] {
        let page = editor.get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
        assert_cache_control(&page, "private, no-cache");
        // Their own browser may still revalidate.
        let etag = page.header(header::ETAG).to_owned();
        let request = Request::get(uri)
            .header(header::COOKIE, &editor.cookie)
            .header(header::IF_NONE_MATCH, &etag);
        let again = app.request(request.body(Body::empty()).unwrap()).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{uri}");
        assert_not_public(&again, uri);
    }
    // Any session cookie counts, even among others, valid or not.
    let other = app
        .get_with("/", &[(header::COOKIE, "toasoan_captcha=abc; toasoan_session=het-han")])
        .await;
    assert_not_public(&other, "expired session");
    // A reader with only the captcha cookie is a reader.
    let reader = app
        .get_with("/", &[(header::COOKIE, "toasoan_captcha=abc")])
        .await;
    assert_cache_control(&reader, PUBLIC);
}

#[db_test]
async fn per_reader_pages_and_errors_are_not_public(db: PgPool) {
    site(&db).await;
    let app = TestApp::new(db).await;

    let comment_form = app.get("/bai-viet/khai-mac-ky-hop/binh-luan").await;
    assert_eq!(comment_form.status, StatusCode::OK);
    assert_not_public(&comment_form, "comment page");
    assert_eq!(comment_form.header(header::ETAG), "");

    let notice = app
        .get("/bai-viet/khai-mac-ky-hop?binh-luan=cho-duyet")
        .await;
    assert_eq!(notice.status, StatusCode::OK);
    notice.assert_contains("đang chờ kiểm duyệt");
    assert_cache_control(&notice, "no-store");
    assert_eq!(notice.header(header::ETAG), "");

    let captcha = app.get("/ma-kiem-tra.png").await;
    assert_eq!(captcha.status, StatusCode::OK);
    assert_eq!(captcha.header(header::CONTENT_TYPE), "image/png");
    assert_not_public(&captcha, "captcha");
    assert_eq!(captcha.header(header::ETAG), "");

    for uri in ["/khong-co", "/bai-viet/khong-co", "/chuyen-muc/khong-co"] {
        let missing = app.get(uri).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{uri}");
        assert_cache_control(&missing, "no-store");
        assert_eq!(missing.header(header::ETAG), "", "{uri}");
    }
    let health = app.get("/healthz").await;
    assert_cache_control(&health, "");
}

#[db_test]
async fn static_files_keep_their_own_caching(db: PgPool) {
    let app = TestApp::new(db).await;
    let css = app.get("/static/site.css").await;
    assert_cache_control(&css, "public, max-age=3600");
    let etag = css.header(header::ETAG).to_owned();
    assert!(etag.starts_with('"'), "ServeDir's own strong ETag: {etag}");
    let again = app
        .get_with("/static/site.css", &[(header::IF_NONE_MATCH, &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[db_test]
async fn the_editor_bundle_is_served_from_the_binary_under_its_fingerprint(db: PgPool) {
    let app = TestApp::new(db).await;
    let editor = app.staff(Role::Editor).await;
    let form = editor.get(&app, "/admin/articles/new").await;
    let map = form
        .body
        .split(r#"<script type="importmap">"#)
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .expect("the import map");
    let imports: serde_json::Value = serde_json::from_str(map).unwrap();
    let url = imports["imports"]["/static/admin/editor.js"]
        .as_str()
        .unwrap();
    assert!(url.starts_with("/static/admin/editor.js?v="), "{url}");
    let bundle = app.get(url).await;
    assert_eq!(bundle.status, StatusCode::OK);
    assert_eq!(bundle.header(header::CONTENT_TYPE), "text/javascript; charset=utf-8");
    assert_cache_control(&bundle, "public, max-age=31536000, immutable");
    // ProseMirror is inside; the paste cleaner stays a module of its own.
    assert!(bundle.body.contains("ProseMirror"));
    assert!(bundle.body.contains("/static/admin/sanitize-paste.js"));
}
