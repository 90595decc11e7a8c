//! "Tin nổi bật" (featured articles leading the home page) and "Đọc nhiều" over a window.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::auth::Role;

use crate::support::{ArticleFixture, TestApp, TestResponse, assert_redirect, category};

/// Three published articles, newest last: returns their ids, oldest first.
async fn three_articles(db: &PgPool) -> [i64; 3] {
    let news = category(db, "Tin tức", None).await;
    let mut ids = [0; 3];
    for (i, (title, hours)) in [
        ("Khánh thành cầu Phố Lu", 30),
        ("Hội nghị tổng kết năm", 20),
        ("Tin mới nhất trong ngày", 1),
    ]
    .into_iter()
    .enumerate()
    {
        ids[i] = ArticleFixture::new(title, news)
            .hours_ago(hours)
            .insert(db)
            .await;
    }
    ids
}

fn lead_title(page: &TestResponse) -> &str {
    let lead = &page.body[page.position(r#"class="lead-title""#)..];
    let link = &lead[..lead.find("</a>").unwrap()];
    &link[link.rfind('>').unwrap() + 1..]
}

/// The "Đọc nhiều" box.
fn most_read_box(page: &TestResponse) -> &str {
    let section = &page.body[page.position(r#"id="doc-nhieu""#)..];
    &section[..section.find("</section>").unwrap()]
}

async fn audit_actions(db: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as("select action, details from audit_log order by audit_log_id")
        .fetch_all(db)
        .await
        .unwrap()
}

#[db_test]
async fn featured_articles_lead_the_home_page_in_their_order(db: PgPool) {
    let [oldest, middle, _] = three_articles(&db).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    let form = editor
        .get(&app, &format!("/admin/articles/{oldest}/featured"))
        .await;
    assert_eq!(form.status, StatusCode::OK);
    form.assert_contains("Bài chưa là tin nổi bật.");
    let saved = editor
        .post(&app, &format!("/admin/articles/{oldest}/featured"), &[("rank", "1"), ("until", "")])
        .await;
    assert_redirect(&saved, &format!("/admin/articles/{oldest}/featured?msg=saved"));
    editor
        .post(
            &app,
            &format!("/admin/articles/{middle}/featured"),
            &[("rank", "2"), ("until", "2099-01-01T08:00")],
        )
        .await;

    let home = app.get("/").await;
    assert_eq!(lead_title(&home), "Khánh thành cầu Phố Lu");
    let strip = home.position(r#"id="tin-noi-bat""#);
    let latest = home.position(r#"id="tin-moi""#);
    let second = home.position("hoi-nghi-tong-ket-nam");
    assert!(strip < second && second < latest, "the second in the strip");
    let latest_section = &home.body[latest..home.position(r#"class="home-aside""#)];
    assert!(latest_section.contains("tin-moi-nhat-trong-ngay"));
    assert!(
        !latest_section.contains("khanh-thanh-cau-pho-lu"),
        "a featured article is not repeated in Tin mới"
    );

    let audit = audit_actions(&db).await;
    assert_eq!(audit[0].0, "article.featured");
    assert!(audit[0].1.contains("thứ tự 1"), "{:?}", audit[0]);
    assert!(audit[1].1.contains("thứ tự 2, đến 01/01/2099"), "{:?}", audit[1]);
    editor
        .get(&app, &format!("/admin/articles/{middle}/featured"))
        .await
        .assert_contains("Bài đang là tin nổi bật, thứ tự 2, đến 01/01/2099");
}

#[db_test]
async fn an_expired_or_removed_feature_falls_back_to_the_newest(db: PgPool) {
    let [oldest, middle, _] = three_articles(&db).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    for id in [oldest, middle] {
        editor
            .post(&app, &format!("/admin/articles/{id}/featured"), &[("rank", "1")])
            .await;
    }
    // The first one's time is up (the form only takes a future time).
    sqlx::query(
        "update article set featured_until = now() - interval '1 second' where article_id = $1",
    )
    .bind(oldest)
    .execute(&db)
    .await
    .unwrap();
    let home = app.get("/").await;
    assert_eq!(lead_title(&home), "Hội nghị tổng kết năm");
    home.assert_not_contains(r#"id="tin-noi-bat""#);

    let removed = editor
        .post(&app, &format!("/admin/articles/{middle}/featured"), &[("action", "clear")])
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let home = app.get("/").await;
    assert_eq!(lead_title(&home), "Tin mới nhất trong ngày");
    assert_eq!(audit_actions(&db).await[2].0, "article.unfeatured");
}

#[db_test]
async fn reporters_and_moderators_cannot_feature(db: PgPool) {
    let [oldest, ..] = three_articles(&db).await;
    let app = TestApp::new(db.clone()).await;
    let url = format!("/admin/articles/{oldest}/featured");
    for role in [Role::Reporter, Role::Moderator] {
        let who = app.staff(role).await;
        assert_eq!(who.get(&app, &url).await.status, StatusCode::FORBIDDEN);
        let post = who.post(&app, &url, &[("rank", "1")]).await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{role:?}");
    }
    let featured: Option<i32> =
        sqlx::query_scalar("select featured_rank from article where article_id = $1")
            .bind(oldest)
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(featured, None);
    assert!(audit_actions(&db).await.is_empty());
}

#[db_test]
async fn a_bad_order_or_end_time_comes_back_with_messages(db: PgPool) {
    let [oldest, ..] = three_articles(&db).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let url = format!("/admin/articles/{oldest}/featured");

    let refused = editor
        .post(&app, &url, &[("rank", "0"), ("until", "2020-01-01T08:00")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Hãy nhập thứ tự là một số từ 1 đến 99.");
    refused.assert_contains("Hãy chọn thời điểm kết thúc trong tương lai.");
    refused.assert_contains(r#"value="2020-01-01T08:00""#);
    assert!(audit_actions(&db).await.is_empty());

    // A draft cannot be featured.
    let news = category(&db, "Thời sự", None).await;
    let draft: i64 = sqlx::query_scalar(
        "insert into article (slug, title, category_id) values ('nhap', 'Bản nháp', $1)
         returning article_id",
    )
    .bind(news)
    .fetch_one(&db)
    .await
    .unwrap();
    let url = format!("/admin/articles/{draft}/featured");
    editor
        .get(&app, &url)
        .await
        .assert_contains("Chỉ bài đã đăng hoặc đã lên lịch đăng");
    let post = editor.post(&app, &url, &[("rank", "1")]).await;
    assert_eq!(post.status, StatusCode::CONFLICT);
}

#[db_test]
async fn most_read_counts_the_window_not_all_time(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    // Read a lot, but 20 days ago (its views count on the day it was published).
    ArticleFixture::new("Bài cũ từng đọc nhiều", news)
        .hours_ago(20 * 24)
        .views(900)
        .insert(&db)
        .await;
    let recent = ArticleFixture::new("Bài mới đọc ít", news)
        .hours_ago(2)
        .insert(&db)
        .await;
    let app = TestApp::new(db.clone()).await;
    // Three views today, through the counter and its flush.
    for _ in 0..3 {
        app.state.views.record(recent);
    }
    app.state.views.flush(&db).await.unwrap();
    let (total, today): (i64, i64) = sqlx::query_as(
        "select a.view_count, d.views from article a join article_daily_view d using (article_id)
         where a.article_id = $1",
    )
    .bind(recent)
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!((total, today), (3, 3));

    let home = app.get("/").await;
    let most_read = most_read_box(&home);
    assert!(most_read.contains("7 ngày qua"));
    assert!(most_read.contains("bai-moi-doc-it"));
    assert!(
        !most_read.contains("bai-cu-tung-doc-nhieu"),
        "views older than the window do not count"
    );

    // Over 30 days the old one comes first.
    sqlx::query("update site_setting set most_read_days = 30")
        .execute(&db)
        .await
        .unwrap();
    app.refresh().await;
    let home = app.get("/").await;
    let most_read = most_read_box(&home);
    assert!(most_read.contains("30 ngày qua"));
    let old = most_read.find("bai-cu-tung-doc-nhieu").unwrap();
    let new = most_read.find("bai-moi-doc-it").unwrap();
    assert!(old < new);

    // The ranking is kept a while, but an article taken down leaves it at once.
    sqlx::query("update article set status = 'archived' where article_id = $1")
        .bind(recent)
        .execute(&db)
        .await
        .unwrap();
    let home = app.get("/").await;
    let most_read = most_read_box(&home);
    assert!(most_read.contains("bai-cu-tung-doc-nhieu"));
    assert!(!most_read.contains("bai-moi-doc-it"));
}

#[db_test]
async fn an_end_time_passing_shows_within_the_page_caches_lifetime(db: PgPool) {
    let [oldest, ..] = three_articles(&db).await;
    sqlx::query(
        "update article set featured_rank = 1, featured_until = now() + interval '1 second'
         where article_id = $1",
    )
    .bind(oldest)
    .execute(&db)
    .await
    .unwrap();
    let app = TestApp::with_page_cache(db.clone()).await;
    let rendered = std::time::Instant::now();
    assert_eq!(lead_title(&app.get("/").await), "Khánh thành cầu Phố Lu");
    // Nothing announces an end time passing: the cached home page lives out its time to live
    // (`page_cache::TIME_TO_LIVE`, 10 s), then the next render falls back to the newest.
    tokio::time::sleep(std::time::Duration::from_secs(10).saturating_sub(rendered.elapsed())).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(lead_title(&app.get("/").await), "Tin mới nhất trong ngày");
}
