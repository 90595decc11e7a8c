//! A day in the newsroom over real HTTP (a small one, where reporters publish directly): the
//! admin made with the CLI creates a reporter, who logs in, writes an article with a cover image and publishes it; a second article is
//! scheduled a moment ahead and appears by itself.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode, multipart};
use sqlx::PgPool;
use toasoan::{AppState, server, web};
use tokio::net::TcpListener;

use crate::support::{category, test_config, toasoan};

fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login(client: &Client, base: &str, login: &str, password: &str) {
    let response = client
        .post(format!("{base}/admin/login"))
        .header("origin", base)
        .form(&[("login", login), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "login {login}");
    assert_eq!(response.headers()["location"], "/admin");
}

/// Vietnam's wall clock `seconds` from now, as a `datetime-local` value with seconds.
fn local_in(seconds: i64) -> String {
    let at = time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(7, 0, 0).unwrap())
        + time::Duration::seconds(seconds);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn article(category_id: i64, title: &str, action: &str, published_at: &str) -> multipart::Form {
    multipart::Form::new()
        .text("title", title.to_owned())
        .text("slug", "")
        .text("sapo", "Sapo của bài viết.")
        .text("body_html", "<p>Nội dung có <strong>chữ đậm</strong>.</p>")
        .text("category_id", category_id.to_string())
        .text("byline", "Lê Thu Thuỷ")
        .text("published_at", published_at.to_owned())
        .text("comments_open", "1")
        .text("action", action.to_owned())
}

#[db_test]
async fn a_day_in_the_newsroom_over_real_http(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let (ok, _, stderr) = toasoan(
        &db,
        &[
            "user",
            "create",
            "--username",
            "tongbientap",
            "--display-name",
            "Tổng biên tập",
            "--role",
            "admin",
        ],
        "mật khẩu tổng biên tập\n",
    );
    assert!(ok, "{stderr}");
    // A very small newsroom: its admin lets reporters publish without an editor's approval.
    sqlx::query("update site_setting set reporters_publish_directly = true")
        .execute(&db)
        .await
        .unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let media = tempfile::tempdir().unwrap();
    let mut config = test_config(media.path());
    config.base_url = base.clone();
    let state = AppState::new(db.clone(), config).await.unwrap();
    let jobs = server::spawn_background(&state);
    let app = web::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });

    // The admin creates a reporter.
    let admin = client();
    login(&admin, &base, "tongbientap", "mật khẩu tổng biên tập").await;
    let created = admin
        .post(format!("{base}/admin/users"))
        .header("origin", &base)
        .form(&[
            ("username", "thuthuy"),
            ("display_name", "Lê Thu Thuỷ"),
            ("email", "thuthuy@example.vn"),
            ("role", "reporter"),
            ("password", "mật khẩu phóng viên"),
            ("confirm", "mật khẩu phóng viên"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER, "{}", created.text().await.unwrap());

    // The reporter writes an article with a cover image and publishes it.
    let reporter = client();
    login(&reporter, &base, "thuthuy", "mật khẩu phóng viên").await;
    let cover = include_bytes!("../../src/demo/images/cau-pho-lu.jpg").to_vec();
    let form = article(news, "Thông xe cầu Phố Lu mới", "publish", "")
        .text("cover_caption", "Cầu Phố Lu mới")
        .text("cover_alt", "Cây cầu bắc qua sông")
        .part(
            "cover",
            multipart::Part::bytes(cover)
                .file_name("cau.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
    let published = reporter
        .post(format!("{base}/admin/articles"))
        .header("origin", &base)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), StatusCode::SEE_OTHER);
    assert!(
        published.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("?msg=published")
    );

    let home = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains(r#"href="/bai-viet/thong-xe-cau-pho-lu-moi""#), "on the home page");
    let section = reqwest::get(format!("{base}/chuyen-muc/tin-tuc"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(section.contains("Thông xe cầu Phố Lu mới"), "on its category page");
    let page = reqwest::get(format!("{base}/bai-viet/thong-xe-cau-pho-lu-moi"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<figcaption>Cầu Phố Lu mới</figcaption>") && page.contains("srcset="));

    // A second article, scheduled a few seconds ahead, appears by itself.
    let scheduled = reporter
        .post(format!("{base}/admin/articles"))
        .header("origin", &base)
        .multipart(article(news, "Tin hẹn giờ đăng", "schedule", &local_in(3)))
        .send()
        .await
        .unwrap();
    assert_eq!(scheduled.status(), StatusCode::SEE_OTHER);
    let url = format!("{base}/bai-viet/tin-hen-gio-dang");
    assert_eq!(
        reqwest::get(&url).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "not before its time"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if reqwest::get(&url).await.unwrap().status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "the scheduled article did not appear");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    serving.abort();
    for job in jobs {
        job.abort();
    }
}
