use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use sqlx::PgPool;

use crate::support::{TestApp, assert_cache_control, category};

#[db_test]
async fn unknown_paths_get_the_404_page_in_the_layout(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let app = TestApp::new(db).await;
    for uri in [
        "/khong-ton-tai",
        "/chuyen-muc",
        "/bai-viet",
        "/%FF",
        "/admin/khong-co",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
        page.assert_contains("<h1>Không tìm thấy trang</h1>");
        page.assert_contains(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#); // the menu
        page.assert_contains(r#"<footer class="site-footer">"#);
    }
}

#[db_test]
async fn healthz_says_ok_when_the_database_answers(db: PgPool) {
    let app = TestApp::new(db).await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.body, "ok");
}

#[db_test]
async fn fingerprinted_static_files_are_cached_for_a_year(db: PgPool) {
    let app = TestApp::new(db).await;
    let home = app.get("/").await;
    let start = home.position("/static/site.css?v=");
    let url = &home.body[start..start + home.body[start..].find('"').unwrap()];

    let css = app.get(url).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header(header::CONTENT_TYPE).starts_with("text/css"));
    assert_cache_control(&css, "public, max-age=31536000, immutable");
    assert!(!css.header(header::ETAG).is_empty());

    let plain = app.get("/static/site.css").await;
    assert_cache_control(&plain, "public, max-age=3600");
    assert_eq!(app.get("/static/khong-co.css").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/static/../Cargo.toml").await.status, StatusCode::NOT_FOUND);
}

#[db_test]
async fn html_and_css_are_compressed_for_clients_that_accept_it(db: PgPool) {
    let app = TestApp::new(db).await;
    for (encoding, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        for uri in ["/", "/static/site.css"] {
            let request = Request::get(uri)
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .unwrap();
            let response = app.request(request).await;
            assert_eq!(response.status, StatusCode::OK);
            assert_eq!(
                response.header(header::CONTENT_ENCODING),
                expected,
                "{uri} with {encoding}"
            );
        }
    }
    assert_eq!(app.get("/").await.header(header::CONTENT_ENCODING), "");
}

#[db_test]
async fn a_method_the_page_does_not_take_gets_an_html_error_page(db: PgPool) {
    let app = TestApp::new(db).await;
    let response = app
        .request(Request::post("/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    response.assert_contains("<h1>Yêu cầu không hợp lệ</h1>");
    assert_eq!(app.get("/static/khong-co.css").await.status, StatusCode::NOT_FOUND);
    app.get("/static/khong-co.css")
        .await
        .assert_contains("<h1>Không tìm thấy trang</h1>");
}

#[db_test]
async fn a_fault_on_our_side_is_a_500_page_without_details(db: PgPool) {
    category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    // Break the schema under the running app: looking up an old slug now fails.
    sqlx::query("drop table article_slug_history")
        .execute(&db)
        .await
        .unwrap();

    let page = app.get("/bai-viet/khong-co-bai-nay").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    page.assert_contains("<h1>Đã có lỗi xảy ra</h1>");
    page.assert_contains(r#"<a href="/chuyen-muc/tin-tuc">Tin tức</a>"#);
    page.assert_not_contains("article_slug_history");
    assert_cache_control(&page, "no-store");
}
