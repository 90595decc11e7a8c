//! Workflow notices ("Thông báo"): every kind in the back office and through a real SMTP
//! server, the unread count in the menu, marking read, the "Bị trả lại" marker, the mail job's
//! retries, and approval by default.

use axum::http::StatusCode;
use sqlx::PgPool;
use toasoan::{auth::Role, db::articles::Status, mail};

use crate::{
    admin_articles::article_form,
    comments::post_comment,
    support::{
        ArticleFixture, Multipart, SmtpSink, Staff, TestApp, assert_redirect, category,
        create_user, free_port, location_id,
    },
};

const NOTICES: &str = "/admin/thong-bao";

async fn create(app: &TestApp, who: &Staff, form: Multipart) -> i64 {
    let response = who.post_multipart(app, "/admin/articles", form).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{}", response.body);
    location_id(&response, "/admin/articles/")
}

/// `(kind, title, note, read)` of each of the user's notices, oldest first.
async fn notices_of(db: &PgPool, user_id: i64) -> Vec<(String, String, String, bool)> {
    sqlx::query_as(
        "select kind::text, title, note, read_at is not null from notification
         where user_id = $1 order by notification_id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await
    .unwrap()
}

async fn kinds_of(db: &PgPool, user_id: i64) -> Vec<String> {
    notices_of(db, user_id)
        .await
        .into_iter()
        .map(|(kind, ..)| kind)
        .collect()
}

/// E-mails in the outbox, sent or not.
async fn queued_mail(db: &PgPool) -> i64 {
    sqlx::query_scalar("select count(*) from mail_outbox")
        .fetch_one(db)
        .await
        .unwrap()
}

/// The version an edit starts from (the editor form's hidden field).
async fn version_of(db: &PgPool, id: i64) -> String {
    sqlx::query_scalar::<_, i32>("select version from article where article_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
        .to_string()
}

/// The number beside "Thông báo" in the back-office menu, if any.
async fn menu_count(app: &TestApp, who: &Staff) -> Option<u32> {
    let page = who.get(app, "/admin").await;
    let entry = &page.body[page.position(r#"href="/admin/thong-bao""#)..];
    let entry = &entry[..entry.find("</a>").unwrap()];
    entry
        .split_once(r#"<span class="count">"#)
        .map(|(_, rest)| rest[..rest.find('<').unwrap()].parse().unwrap())
}

/// An app with a newsroom: reporter, editor, admin, moderator (each with an e-mail address).
struct Newsroom {
    news: i64,
    reporter: Staff,
    editor: Staff,
    admin: Staff,
    moderator: Staff,
}

async fn newsroom(app: &TestApp) -> Newsroom {
    let news = category(&app.state.db, "Tin tức", None).await;
    app.refresh().await;
    Newsroom {
        news,
        reporter: app.staff(Role::Reporter).await,
        editor: app.staff(Role::Editor).await,
        admin: app.staff(Role::Admin).await,
        moderator: app.staff(Role::Moderator).await,
    }
}

#[db_test]
async fn an_article_sent_for_review_is_announced_to_editors_and_admins_only(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let n = newsroom(&app).await;
    let other_reporter = app.staff(Role::Reporter).await;

    let id = create(&app, &n.reporter, article_form(n.news, "Tin chờ duyệt", "submit", &[])).await;

    for who in [&n.editor, &n.admin] {
        assert_eq!(kinds_of(&db, who.user_id).await, ["submitted"]);
        assert_eq!(menu_count(&app, who).await, Some(1));
        let page = who.get(&app, NOTICES).await;
        assert_eq!(page.status, StatusCode::OK);
        page.assert_contains(&format!(
            r#"<a href="/admin/articles/{id}">Nhà báo {} gửi bài “Tin chờ duyệt” chờ duyệt.</a>"#,
            n.reporter.username
        ));
        page.assert_contains("1 thông báo, 1 chưa đọc");
    }
    for who in [&n.reporter, &other_reporter, &n.moderator] {
        assert!(kinds_of(&db, who.user_id).await.is_empty());
        assert_eq!(menu_count(&app, who).await, None);
        who.get(&app, NOTICES)
            .await
            .assert_contains("Chưa có thông báo nào.");
    }
    // A deactivated editor is not told.
    let gone = create_user(&db, "bientapcu", Role::Editor).await;
    sqlx::query("update app_user set is_active = false where user_id = $1")
        .bind(gone)
        .execute(&db)
        .await
        .unwrap();
    create(&app, &n.reporter, article_form(n.news, "Tin thứ hai", "submit", &[])).await;
    assert!(kinds_of(&db, gone).await.is_empty());
    assert_eq!(kinds_of(&db, n.editor.user_id).await.len(), 2);
}

#[db_test]
async fn a_returned_article_tells_its_author_and_is_marked_in_their_list(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let n = newsroom(&app).await;
    let id =
        create(&app, &n.reporter, article_form(n.news, "Bài thiếu số liệu", "submit", &[])).await;

    let returned = n
        .editor
        .post(
            &app,
            &format!("/admin/articles/{id}/return"),
            &[("note", "Bổ sung số liệu quý III.\nGhi rõ nguồn.")],
        )
        .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER);
    assert_eq!(
        notices_of(&db, n.reporter.user_id).await,
        [(
            "returned".to_owned(),
            "Bài thiếu số liệu".to_owned(),
            "Bổ sung số liệu quý III.\nGhi rõ nguồn.".to_owned(),
            false
        )]
    );
    let page = n.reporter.get(&app, NOTICES).await;
    page.assert_contains(&format!(
        "Nhà báo {} trả lại bài “Bài thiếu số liệu” để bạn sửa.",
        n.editor.username
    ));
    page.assert_contains(
        r#"<blockquote class="review-note">Bổ sung số liệu quý III.
Ghi rõ nguồn.</blockquote>"#,
    );

    // The author's article list marks it, with the note; other drafts are not marked.
    create(&app, &n.reporter, article_form(n.news, "Bản nháp khác", "save", &[])).await;
    let list = n.reporter.get(&app, "/admin/articles").await;
    let row = &list.body[list.position("Bài thiếu số liệu")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains(r#"<span class="status returned">Bị trả lại</span>"#), "{row}");
    assert!(row.contains("Bổ sung số liệu quý III."), "{row}");
    let other = &list.body[list.position("Bản nháp khác")..];
    let other = &other[..other.find("</tr>").unwrap()];
    assert!(!other.contains("Bị trả lại") && other.contains("Bản nháp"), "{other}");
    n.reporter.get(&app, "/admin").await.assert_contains(
        r#"Bài thiếu số liệu</a> <span class="status returned">Bị trả lại</span>"#,
    );

    // Sent again, it is no longer "returned"; the editors hear of it again.
    let version = version_of(&db, id).await;
    let again = n
        .reporter
        .post_multipart(
            &app,
            &format!("/admin/articles/{id}"),
            article_form(n.news, "Bài thiếu số liệu", "submit", &[("version", &version)]),
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    n.reporter
        .get(&app, "/admin/articles")
        .await
        .assert_not_contains("Bị trả lại");
    assert_eq!(kinds_of(&db, n.editor.user_id).await, ["submitted", "submitted"]);
}

#[db_test]
async fn approval_publication_and_the_scheduler_tell_the_author(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let n = newsroom(&app).await;

    // Approved now: published.
    let now = create(&app, &n.reporter, article_form(n.news, "Tin đăng ngay", "submit", &[])).await;
    n.editor
        .post(&app, &format!("/admin/articles/{now}/approve"), &[])
        .await;
    // Approved for later: scheduled, with the time.
    let later = create(
        &app,
        &n.reporter,
        article_form(n.news, "Tin đăng sau", "submit", &[("published_at", "2099-01-02T08:30")]),
    )
    .await;
    n.admin
        .post(&app, &format!("/admin/articles/{later}/approve"), &[])
        .await;
    let page = n.reporter.get(&app, NOTICES).await;
    page.assert_contains(&format!(
        "Nhà báo {} đã duyệt và đăng bài “Tin đăng ngay”.",
        n.editor.username
    ));
    page.assert_contains(&format!(
        "Nhà báo {} đã duyệt bài “Tin đăng sau”; bài sẽ được đăng lúc 02/01/2099 08:30.",
        n.admin.username
    ));

    // Its time comes: the scheduler publishes it and tells the author, once.
    sqlx::query(
        "update article set published_at = now() - interval '1 minute' where article_id = $1",
    )
    .bind(later)
    .execute(&db)
    .await
    .unwrap();
    assert_eq!(toasoan::scheduler::publish_due(&app.state).await.unwrap(), [later]);
    assert!(
        toasoan::scheduler::publish_due(&app.state)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(kinds_of(&db, n.reporter.user_id).await, ["published", "scheduled", "went_out"]);
    n.reporter
        .get(&app, NOTICES)
        .await
        .assert_contains("Bài “Tin đăng sau” đã được đăng theo lịch.");

    // An editor publishing a reporter's draft tells the reporter; publishing one's own tells
    // nobody.
    let draft = create(&app, &n.reporter, article_form(n.news, "Bản nháp", "save", &[])).await;
    let version = version_of(&db, draft).await;
    let published = n
        .editor
        .post_multipart(
            &app,
            &format!("/admin/articles/{draft}"),
            article_form(n.news, "Bản nháp", "publish", &[("version", &version)]),
        )
        .await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    assert_eq!(kinds_of(&db, n.reporter.user_id).await.len(), 4);
    create(&app, &n.editor, article_form(n.news, "Tin của biên tập", "publish", &[])).await;
    assert!(
        kinds_of(&db, n.editor.user_id)
            .await
            .iter()
            .all(|k| k == "submitted")
    );
    assert_eq!(kinds_of(&db, n.reporter.user_id).await.len(), 4);
}

#[db_test]
async fn comments_awaiting_moderation_are_one_notice_per_moderator_that_counts_up(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(&db)
        .await;
    let app = TestApp::new(db.clone()).await;
    let moderator = app.staff(Role::Moderator).await;
    let editor = app.staff(Role::Editor).await;
    let reporter = app.staff(Role::Reporter).await;

    for i in 0..3 {
        let ip = format!("203.0.113.{i}");
        let posted =
            post_comment(&app, &ip, "Bạn đọc", "Góp ý", &format!("Ý kiến số {i} về bài.")).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    }
    for who in [&moderator, &editor] {
        assert_eq!(kinds_of(&db, who.user_id).await, ["comments"]);
        assert_eq!(menu_count(&app, who).await, Some(1));
        let page = who.get(&app, NOTICES).await;
        page.assert_contains(
            r#"<a href="/admin/comments">Có 3 bình luận mới đang chờ kiểm duyệt.</a>"#,
        );
    }
    assert!(kinds_of(&db, reporter.user_id).await.is_empty());

    // Once read, the next comment starts a new notice.
    let id: i64 = sqlx::query_scalar("select notification_id from notification where user_id = $1")
        .bind(moderator.user_id)
        .fetch_one(&db)
        .await
        .unwrap();
    moderator
        .post(&app, &format!("{NOTICES}/{id}/da-doc"), &[])
        .await;
    post_comment(&app, "203.0.113.9", "Bạn đọc", "Thêm", "Một ý kiến nữa.").await;
    assert_eq!(kinds_of(&db, moderator.user_id).await, ["comments", "comments"]);
    assert_eq!(kinds_of(&db, editor.user_id).await, ["comments"]);
    moderator
        .get(&app, NOTICES)
        .await
        .assert_contains("Có bình luận mới đang chờ kiểm duyệt.");
}

#[db_test]
async fn twenty_comments_at_once_make_one_notice_per_moderator(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(&db)
        .await;
    let app = TestApp::with_mail(db.clone(), "smtp://127.0.0.1:9").await;
    let moderators = [
        app.staff(Role::Moderator).await,
        app.staff(Role::Moderator).await,
    ];
    let posts = (0..20).map(|i| {
        let app = &app;
        async move {
            let ip = format!("198.51.100.{i}");
            post_comment(app, &ip, "Bạn đọc", "Góp ý", &format!("Ý kiến thứ {i}.")).await
        }
    });
    for posted in futures_util::future::join_all(posts).await {
        assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.body);
    }
    for moderator in &moderators {
        let counts: Vec<i32> =
            sqlx::query_scalar("select item_count from notification where user_id = $1")
                .bind(moderator.user_id)
                .fetch_all(&db)
                .await
                .unwrap();
        assert_eq!(counts, [20]);
    }
    // One e-mail per moderator, not twenty.
    assert_eq!(queued_mail(&db).await, 2);
}

#[db_test]
async fn notices_are_marked_read_one_by_one_or_all_together(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let n = newsroom(&app).await;
    for title in ["Tin một", "Tin hai", "Tin ba"] {
        create(&app, &n.reporter, article_form(n.news, title, "submit", &[])).await;
    }
    assert_eq!(menu_count(&app, &n.editor).await, Some(3));
    let ids: Vec<i64> = sqlx::query_scalar(
        "select notification_id from notification where user_id = $1 order by notification_id",
    )
    .bind(n.editor.user_id)
    .fetch_all(&db)
    .await
    .unwrap();

    // Someone else's notice is not found, and stays unread.
    let theirs = n
        .admin
        .post(&app, &format!("{NOTICES}/{}/da-doc", ids[0]), &[])
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    let page = n.editor.get(&app, NOTICES).await;
    page.assert_contains(&format!(r#"action="/admin/thong-bao/{}/da-doc""#, ids[0]));
    let read = n
        .editor
        .post(&app, &format!("{NOTICES}/{}/da-doc", ids[0]), &[("page", "1")])
        .await;
    assert_redirect(&read, "/admin/thong-bao?msg=notice-read");
    assert_eq!(menu_count(&app, &n.editor).await, Some(2));
    let page = n.editor.get(&app, "/admin/thong-bao?msg=notice-read").await;
    page.assert_contains("Đã đánh dấu thông báo là đã đọc.");
    page.assert_not_contains(&format!(r#"action="/admin/thong-bao/{}/da-doc""#, ids[0]));
    page.assert_contains("3 thông báo, 2 chưa đọc");
    // The form offers "mark all" up to the newest notice shown.
    page.assert_contains(&format!(r#"name="up_to" value="{}""#, ids[2]));

    // A notice that arrives after the page was shown stays unread.
    create(&app, &n.reporter, article_form(n.news, "Tin bốn", "submit", &[])).await;
    let all = n
        .editor
        .post(&app, &format!("{NOTICES}/da-doc"), &[("up_to", &ids[2].to_string())])
        .await;
    assert_redirect(&all, "/admin/thong-bao?msg=notices-read");
    assert_eq!(
        notices_of(&db, n.editor.user_id)
            .await
            .into_iter()
            .map(|(_, title, _, read)| (title, read))
            .collect::<Vec<_>>(),
        [
            ("Tin một".to_owned(), true),
            ("Tin hai".to_owned(), true),
            ("Tin ba".to_owned(), true),
            ("Tin bốn".to_owned(), false)
        ]
    );
    assert_eq!(menu_count(&app, &n.editor).await, Some(1));
    // The admin's own notices were not touched by the editor.
    assert_eq!(menu_count(&app, &n.admin).await, Some(4));
}

#[db_test]
async fn the_list_is_paginated_newest_first(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    sqlx::query(
        "insert into notification (user_id, kind, title, actor)
         select $1, 'submitted', 'Bài số ' || i, 'Phóng viên' from generate_series(1, 25) i",
    )
    .bind(editor.user_id)
    .execute(&db)
    .await
    .unwrap();
    let first = editor.get(&app, NOTICES).await;
    first.assert_contains("“Bài số 25”");
    first.assert_not_contains("“Bài số 5”");
    first.assert_contains(r#"href="/admin/thong-bao?trang=2""#);
    let second = editor.get(&app, "/admin/thong-bao?trang=2").await;
    second.assert_contains("“Bài số 5”");
    second.assert_contains(r#"name="page" value="2""#);
    assert_eq!(editor.get(&app, "/admin/thong-bao?trang=3").await.status, StatusCode::NOT_FOUND);
    // Marking read from page 2 comes back to page 2.
    let id: i64 =
        sqlx::query_scalar("select notification_id from notification where title = 'Bài số 5'")
            .fetch_one(&db)
            .await
            .unwrap();
    let read = editor
        .post(&app, &format!("{NOTICES}/{id}/da-doc"), &[("page", "2")])
        .await;
    assert_redirect(&read, "/admin/thong-bao?trang=2&msg=notice-read");
}

/// Every kind of notice reaches the recipients' mailboxes through a real SMTP server, and
/// nobody without an address gets mail.
#[db_test]
async fn every_kind_of_notice_is_mailed_through_a_real_smtp_server(db: PgPool) {
    let sink = SmtpSink::start().await;
    let news = category(&db, "Tin tức", None).await;
    ArticleFixture::new("Xã Xuân Quang đón nông thôn mới", news)
        .insert(&db)
        .await;
    let app = TestApp::with_mail(db.clone(), &sink.url()).await;
    let reporter = app.staff(Role::Reporter).await;
    let editor = app.staff(Role::Editor).await;
    let moderator = app.staff(Role::Moderator).await;
    // An admin without an e-mail address: told in the back office only.
    let admin = app.staff(Role::Admin).await;
    sqlx::query("update app_user set email = null where user_id = $1")
        .bind(admin.user_id)
        .execute(&db)
        .await
        .unwrap();

    let returned = create(&app, &reporter, article_form(news, "Tin bị trả", "submit", &[])).await;
    editor
        .post(
            &app,
            &format!("/admin/articles/{returned}/return"),
            &[("note", "Thiếu ảnh minh họa.")],
        )
        .await;
    let approved =
        create(&app, &reporter, article_form(news, "Tin được duyệt", "submit", &[])).await;
    editor
        .post(&app, &format!("/admin/articles/{approved}/approve"), &[])
        .await;
    let scheduled = create(
        &app,
        &reporter,
        article_form(news, "Tin hẹn giờ", "submit", &[("published_at", "2099-01-02T08:30")]),
    )
    .await;
    editor
        .post(&app, &format!("/admin/articles/{scheduled}/approve"), &[])
        .await;
    sqlx::query("update article set published_at = now() where article_id = $1")
        .bind(scheduled)
        .execute(&db)
        .await
        .unwrap();
    toasoan::scheduler::publish_due(&app.state).await.unwrap();
    post_comment(&app, "203.0.113.1", "Bạn đọc", "Góp ý", "Ý kiến thứ nhất.").await;
    post_comment(&app, "203.0.113.2", "Bạn đọc", "Góp ý", "Ý kiến thứ hai.").await;

    // Nothing was sent by the requests themselves: the job sends.
    assert!(sink.received().is_empty());
    let round = app.send_mail().await;
    assert_eq!(round, mail::Round { sent: 9, failed: 0 });
    assert_eq!(app.send_mail().await, mail::Round::default());

    let received = sink.received();
    let mut got: Vec<(String, String)> = received
        .iter()
        .map(|m| (m.to.clone(), m.subject.clone()))
        .collect();
    got.sort();
    let to = |who: &Staff| format!("Nhà báo {} <{}@example.vn>", who.username, who.username);
    let site = "[Tòa Soạn]";
    let mut expected = vec![
        (to(&editor), format!("{site} Bài chờ duyệt: Tin bị trả")),
        (to(&editor), format!("{site} Bài chờ duyệt: Tin được duyệt")),
        (to(&editor), format!("{site} Bài chờ duyệt: Tin hẹn giờ")),
        (to(&reporter), format!("{site} Bài bị trả lại: Tin bị trả")),
        (to(&reporter), format!("{site} Bài đã được đăng: Tin được duyệt")),
        (to(&reporter), format!("{site} Bài đã được duyệt, chờ đăng: Tin hẹn giờ")),
        (to(&reporter), format!("{site} Bài đã đăng theo lịch: Tin hẹn giờ")),
        // Two comments, one mail each for the moderator and the editor.
        (to(&moderator), format!("{site} Bình luận chờ kiểm duyệt")),
        (to(&editor), format!("{site} Bình luận chờ kiểm duyệt")),
    ];
    expected.sort();
    assert_eq!(got, expected);
    assert!(received.iter().all(|m| m.from == crate::support::MAIL_FROM));
    assert!(!received.iter().any(|m| m.to.contains(&admin.username)));

    let returned_mail = received
        .iter()
        .find(|m| m.subject.ends_with("Bài bị trả lại: Tin bị trả"))
        .unwrap();
    let body = &returned_mail.body;
    assert!(body.contains(&format!("Chào Nhà báo {},", reporter.username)), "{body}");
    assert!(body.contains("> Thiếu ảnh minh họa."), "{body}");
    assert!(
        body.contains(&format!("Mở: https://baothang.example.vn/admin/articles/{returned}")),
        "{body}"
    );
    let comments_mail = received.iter().find(|m| m.to == to(&moderator)).unwrap();
    assert!(
        comments_mail
            .body
            .contains("https://baothang.example.vn/admin/comments")
    );
    // The admin was told in the back office all the same.
    assert_eq!(menu_count(&app, &admin).await, Some(4));
}

#[db_test]
async fn mail_waits_for_a_server_that_is_down_and_goes_once_it_is_up(db: PgPool) {
    let port = free_port();
    let app = TestApp::with_mail(db.clone(), &format!("smtp://127.0.0.1:{port}")).await;
    let n = newsroom(&app).await;
    // The request is not held up by the missing server.
    create(&app, &n.reporter, article_form(n.news, "Tin chờ thư", "submit", &[])).await;
    assert_eq!(queued_mail(&db).await, 2, "one for the editor, one for the admin");

    assert_eq!(app.send_mail().await, mail::Round { sent: 0, failed: 2 });
    let (attempts, wait, error): (i32, f64, String) = sqlx::query_as(
        "select max(attempts), min(extract(epoch from next_attempt_at - now()))::float8,
                max(last_error)
         from mail_outbox where sent_at is null",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(attempts, 1);
    assert!((50.0..=60.0).contains(&wait), "next try in {wait} s");
    assert!(!error.is_empty());
    // Not due yet: the next round leaves them.
    assert_eq!(app.send_mail().await, mail::Round::default());

    let sink = SmtpSink::start_on(port).await;
    // A minute later.
    sqlx::query("update mail_outbox set next_attempt_at = now() - interval '1 second'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(app.send_mail().await, mail::Round { sent: 2, failed: 0 });
    assert_eq!(app.send_mail().await, mail::Round::default());
    let received = sink.received();
    assert_eq!(received.len(), 2);
    assert!(
        received
            .iter()
            .all(|m| m.subject.ends_with("Bài chờ duyệt: Tin chờ thư"))
    );
    let (attempts, error): (i32, String) =
        sqlx::query_as("select max(attempts), max(last_error) from mail_outbox")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!((attempts, error.as_str()), (2, ""));
}

#[db_test]
async fn mail_is_given_up_after_the_last_attempt(db: PgPool) {
    let app = TestApp::with_mail(db.clone(), &format!("smtp://127.0.0.1:{}", free_port())).await;
    let n = newsroom(&app).await;
    create(&app, &n.reporter, article_form(n.news, "Tin không gửi được", "submit", &[])).await;
    for attempt in 1..=mail::MAX_ATTEMPTS {
        sqlx::query("update mail_outbox set next_attempt_at = now()")
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(app.send_mail().await.failed, 2, "attempt {attempt}");
    }
    sqlx::query("update mail_outbox set next_attempt_at = now()")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(app.send_mail().await, mail::Round::default());
    let attempts: Vec<i32> = sqlx::query_scalar("select attempts from mail_outbox")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(attempts, [mail::MAX_ATTEMPTS, mail::MAX_ATTEMPTS]);
}

#[db_test]
async fn several_instances_send_each_mail_once(db: PgPool) {
    let sink = SmtpSink::start().await;
    let app = TestApp::with_mail(db.clone(), &sink.url()).await;
    let other_instance = TestApp::with_mail(db.clone(), &sink.url()).await;
    sqlx::query(
        "insert into mail_outbox (recipient, subject, body)
         select 'bientap@example.vn', 'Thư số ' || i, 'Nội dung.' from generate_series(1, 30) i",
    )
    .execute(&db)
    .await
    .unwrap();
    let (a, b, c) = tokio::join!(app.send_mail(), other_instance.send_mail(), app.send_mail());
    assert_eq!(a.sent + b.sent + c.sent, 30);
    let mut subjects: Vec<String> = sink.received().into_iter().map(|m| m.subject).collect();
    subjects.sort();
    let mut expected: Vec<String> = (1..=30).map(|i| format!("Thư số {i}")).collect();
    expected.sort();
    assert_eq!(subjects, expected);
}

#[db_test]
async fn without_an_smtp_server_nothing_is_queued(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let n = newsroom(&app).await;
    create(&app, &n.reporter, article_form(n.news, "Tin không thư", "submit", &[])).await;
    assert_eq!(kinds_of(&db, n.editor.user_id).await, ["submitted"]);
    assert_eq!(queued_mail(&db).await, 0);
}

#[db_test]
async fn a_fresh_site_sends_reporters_articles_to_an_editor(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let n = newsroom(&app).await;
    assert!(!app.state.site.get().settings.reporters_publish_directly);
    let refused = n
        .reporter
        .post_multipart(
            &app,
            "/admin/articles",
            article_form(n.news, "Tin tự đăng", "publish", &[]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    refused.assert_contains("Bài của bạn cần biên tập viên duyệt");
    let settings = n.admin.get(&app, "/admin/settings").await;
    settings.assert_contains(r#"name="reporters_publish_directly" type="checkbox">"#);
    settings.assert_contains("Chỉ nên bật ở tòa soạn rất nhỏ");

    // The demo site too.
    toasoan::demo::seed(&db, &*app.state.media).await.unwrap();
    app.refresh().await;
    assert!(!app.state.site.get().settings.reporters_publish_directly);
    let id = create(&app, &n.reporter, article_form(n.news, "Tin gửi duyệt", "submit", &[])).await;
    let status: Status = sqlx::query_scalar("select status from article where article_id = $1")
        .bind(id)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(status, Status::Pending);
}

/// Applies the migrations before `version`, lets `setup` make the site as it was, then the
/// rest; returns the setting afterwards, and the audit entries the upgrade wrote.
async fn upgrade(db: &PgPool, setup: &'static str) -> (bool, i64) {
    const APPROVAL_BY_DEFAULT: i64 = 20261206120001;
    for migration in toasoan::MIGRATOR.iter() {
        if migration.version == APPROVAL_BY_DEFAULT {
            sqlx::raw_sql(setup).execute(db).await.unwrap();
        }
        sqlx::raw_sql(migration.sql.clone())
            .execute(db)
            .await
            .unwrap();
    }
    sqlx::query_as(
        "select reporters_publish_directly,
                (select count(*) from audit_log where actor = 'hệ thống')
         from site_setting",
    )
    .fetch_one(db)
    .await
    .unwrap()
}

#[db_test(migrations = false)]
async fn an_untouched_site_gets_approval_and_is_told_in_the_audit_log(db: PgPool) {
    let setup = "insert into app_user (username, display_name, password_hash, role)
                 values ('admin', 'Quản trị', 'x', 'admin')";
    assert_eq!(upgrade(&db, setup).await, (false, 1));
}

#[db_test(migrations = false)]
async fn a_fresh_database_gets_approval_without_an_audit_entry(db: PgPool) {
    assert_eq!(upgrade(&db, "select 1").await, (false, 0));
}

#[db_test(migrations = false)]
async fn an_admins_choice_to_let_reporters_publish_is_kept(db: PgPool) {
    let setup = "insert into app_user (username, display_name, password_hash, role)
                 values ('admin', 'Quản trị', 'x', 'admin');
                 insert into audit_log (actor, action, details)
                 values ('admin', 'settings.updated', 'site_name, reporters_publish_directly');
                 update site_setting set reporters_publish_directly = true";
    assert_eq!(upgrade(&db, setup).await, (true, 0));
}
