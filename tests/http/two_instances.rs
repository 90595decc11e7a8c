//! Two real `toasoan` processes over one database and one bucket, as behind a load balancer:
//! what is done on one is seen on the other.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use reqwest::{Client, Response, header, redirect::Policy};
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::{
    admin_articles::{article_form, jpeg},
    process::Server,
    s3::{bucket_env, unique_prefix},
    support::{Multipart, PASSWORD, category, create_user},
};

/// A browser of the staff, without a cookie jar: the session cookie is sent by hand, so the
/// same session can be shown to either instance.
struct Browser {
    client: Client,
    cookie: String,
}

impl Browser {
    /// Logs in on `server` with the login form.
    async fn log_in(server: &Server, username: &str) -> Self {
        let client = Client::builder().redirect(Policy::none()).build().unwrap();
        let response = client
            .post(format!("{}/admin/login", server.base))
            .header(header::ORIGIN, &server.base)
            .header("sec-fetch-site", "same-origin")
            .form(&[("login", username), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()[header::LOCATION], "/admin");
        let cookie = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(|value| value.split(';').next().unwrap().to_owned())
            .find(|pair| pair.starts_with(toasoan::auth::session::COOKIE))
            .expect("a session cookie");
        Self { client, cookie }
    }

    async fn get(&self, server: &Server, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", server.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, server: &Server, path: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(format!("{}{path}", server.base))
            .header(header::COOKIE, &self.cookie)
            .header(header::ORIGIN, &server.base)
            .header("sec-fetch-site", "same-origin")
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn post_multipart(&self, server: &Server, path: &str, form: Multipart) -> Response {
        let (content_type, body) = form.finish();
        self.client
            .post(format!("{}{path}", server.base))
            .header(header::COOKIE, &self.cookie)
            .header(header::ORIGIN, &server.base)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

/// Asks `server` for `path` until `done` holds for the page, within `limit`; how long it took.
async fn within(
    limit: Duration,
    server: &Server,
    path: &str,
    done: impl Fn(StatusCode, &str) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let response = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        if done(status, &body) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "{path} on the other instance after {limit:?}: {status}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn count(db: &PgPool, sql: &'static str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[db_test]
async fn two_instances_share_sessions_media_pages_and_the_scheduler(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    create_user(&db, "bientap", Role::Editor).await;
    let mut env = bucket_env(&unique_prefix("two"));
    env.push(("TOASOAN_MEDIA_STORE".into(), "s3".into()));
    // The page cache on (the default size), as in production.
    env.push(("TOASOAN_PAGE_CACHE_MB".into(), "64".into()));
    let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let a = Server::start(&db, &env).await;
    let b = Server::start(&db, &env).await;

    // A login on A is a login on B.
    let editor = Browser::log_in(&a, "bientap").await;
    assert_eq!(editor.get(&b, "/admin").await.status(), StatusCode::OK);

    // An image uploaded on A is served by B.
    let form = Multipart::default().file("image", "anh.jpg", "image/jpeg", &jpeg(800, 600));
    let uploaded = editor.post_multipart(&a, "/admin/media", form).await;
    assert_eq!(uploaded.status(), StatusCode::OK);
    let uploaded: serde_json::Value =
        serde_json::from_str(&uploaded.text().await.unwrap()).unwrap();
    let src = uploaded["src"].as_str().unwrap();
    let on_a = reqwest::get(format!("{}{src}", a.base)).await.unwrap();
    let on_b = reqwest::get(format!("{}{src}", b.base)).await.unwrap();
    assert_eq!(on_b.status(), StatusCode::OK, "{}", b.log());
    assert_eq!(on_a.bytes().await.unwrap(), on_b.bytes().await.unwrap());

    // A category created on A is routable on B within a second.
    assert_eq!(
        reqwest::get(format!("{}/chuyen-muc/van-hoa", b.base))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let created = editor
        .post(
            &a,
            "/admin/categories",
            &[
                ("name", "Văn hóa"),
                ("slug", ""),
                ("parent", ""),
                ("description", ""),
                ("position", ""),
            ],
        )
        .await;
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    within(Duration::from_secs(1), &b, "/chuyen-muc/van-hoa", |status, _| status == StatusCode::OK)
        .await;

    // An article published on A is on B's (cached) home page within a second.
    for _ in 0..2 {
        let home = reqwest::get(format!("{}/", b.base)).await.unwrap();
        assert_eq!(home.status(), StatusCode::OK);
    }
    let published = editor
        .post_multipart(
            &a,
            "/admin/articles",
            article_form(news, "Khánh thành cầu Phố Lu mới", "publish", &[]),
        )
        .await;
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    within(Duration::from_secs(1), &b, "/", |_, body| body.contains("Khánh thành cầu Phố Lu mới"))
        .await;

    // A scheduled article goes out once, whichever instance's scheduler gets to it.
    let when = toasoan::web::format::datetime_input(
        time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    );
    let scheduled = editor
        .post_multipart(
            &a,
            "/admin/articles",
            article_form(news, "Tin hẹn giờ", "schedule", &[("published_at", &when)]),
        )
        .await;
    assert_eq!(scheduled.status(), StatusCode::SEE_OTHER);
    let id: i64 = sqlx::query_scalar("select article_id from article where slug = 'tin-hen-gio'")
        .fetch_one(&db)
        .await
        .unwrap();
    sqlx::query("update article set published_at = now() where article_id = $1")
        .bind(id)
        .execute(&db)
        .await
        .unwrap();
    let schedulers = toasoan::scheduler::PUBLISH_EVERY;
    within(schedulers * 3, &b, "/bai-viet/tin-hen-gio", |status, _| status == StatusCode::OK).await;
    // Both schedulers have run again since.
    tokio::time::sleep(schedulers + Duration::from_secs(1)).await;
    let audited = count(
        &db,
        "select count(*) from audit_log
         where action = 'article.published_on_schedule' and target_id = $1",
        id,
    )
    .await;
    let noticed = count(
        &db,
        "select count(*) from notification where kind = 'went_out' and article_id = $1",
        id,
    )
    .await;
    assert_eq!((audited, noticed), (1, 1));

    // A logout on B ends the session on A.
    let logged_out = editor.post(&b, "/admin/logout", &[]).await;
    assert_eq!(logged_out.status(), StatusCode::SEE_OTHER);
    let after = editor.get(&a, "/admin").await;
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(
        after.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/admin/login")
    );
}
