//! Revisions of articles and pages: comparing two of them (or one with the current text),
//! restoring one onto an article in any workflow state, and the audit rows of plain edits.

use axum::http::StatusCode;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use toasoan::{auth::Role, db::articles::Status};

use crate::{
    admin_articles::article_form,
    support::{ArticleFixture, Staff, TestApp, assert_redirect, category, count, location_id},
};

/// The ids of an article's revisions, oldest first.
async fn revision_ids(db: &PgPool, id: i64) -> Vec<i64> {
    sqlx::query_scalar(
        "select article_revision_id from article_revision where article_id = $1 order by version",
    )
    .bind(id)
    .fetch_all(db)
    .await
    .unwrap()
}

/// A published article written in the editor, then edited once (versions 1 and 2); `n`
/// keeps slugs apart.
async fn published_and_edited(app: &TestApp, editor: &Staff, news: i64, n: usize) -> i64 {
    let slug = format!("hoi-nghi-{n}");
    let form = article_form(
        news,
        "Huyện tổ chức hội nghị",
        "publish",
        &[
            ("slug", &slug),
            ("sapo", "Sáng nay, lãnh đạo dự hội nghị."),
            ("body_html", "<p>Đoạn giữ nguyên.</p><p>Đoạn bị xóa.</p>"),
        ],
    );
    let created = editor.post_multipart(app, "/admin/articles", form).await;
    let id = location_id(&created, "/admin/articles/");
    let form = article_form(
        news,
        "Huyện tổ chức hội nghị tổng kết",
        "save",
        &[
            ("version", "1"),
            ("slug", &slug),
            ("sapo", "Sáng nay, lãnh đạo huyện dự hội nghị."),
            (
                "body_html",
                "<p>Đoạn giữ nguyên.</p><p>Đoạn <strong>mới</strong> thêm &lt;b&gt;.</p>",
            ),
        ],
    );
    let uri = format!("/admin/articles/{id}");
    assert_redirect(&editor.post_multipart(app, &uri, form).await, &format!("{uri}?msg=saved"));
    id
}

#[db_test]
async fn two_revisions_compare_field_by_field_with_insertions_and_deletions(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = published_and_edited(&app, &editor, news, 0).await;
    let [first, second] = revision_ids(&db, id).await[..] else {
        panic!("two revisions")
    };
    let base = format!("/admin/articles/{id}/revisions");

    // The list: a form (GET, works without JavaScript) picking "from" and "to".
    let list = editor.get(&app, &base).await;
    list.assert_contains(&format!(r#"<form method="get" action="{base}/compare">"#));
    list.assert_contains(&format!(r#"name="tu" value="{first}""#));
    list.assert_contains(&format!(r#"name="den" value="{second}""#));
    list.assert_contains(r#"name="den" value="hien-tai""#);
    list.assert_contains(&format!(r#"href="{base}/compare?den={second}""#));

    let compared = editor
        .get(&app, &format!("{base}/compare?tu={first}&den={second}"))
        .await;
    assert_eq!(compared.status, StatusCode::OK);
    compared.assert_contains("Phiên bản 1");
    compared.assert_contains("Phiên bản 2");
    // Title, sapo and body each in their own section.
    let (title, sapo, body) = (
        compared.position("<h2>Tiêu đề"),
        compared.position("<h2>Sapo"),
        compared.position("<h2>Nội dung"),
    );
    assert!(title < sapo && sapo < body);
    compared.assert_contains("Huyện tổ chức hội nghị<ins> tổng kết</ins>");
    assert!(
        compared.body.contains("lãnh đạo <ins>huyện </ins>dự")
            || compared.body.contains("lãnh đạo<ins> huyện</ins> dự"),
        "{}",
        compared.body
    );
    compared.assert_contains(r#"<p class="diff-block paragraph">Đoạn giữ nguyên.</p>"#);
    // Text from the body is escaped: `&lt;b&gt;` stays text, formatting is not compared.
    compared.assert_contains("Đoạn <del>bị xóa.</del><ins>mới thêm &lt;b&gt;.</ins>");
    compared.assert_not_contains("<b>.");

    // Without "from": what the save of "to" changed; a revision against the current text.
    let changes = editor
        .get(&app, &format!("{base}/compare?den={second}"))
        .await;
    changes.assert_contains("Huyện tổ chức hội nghị<ins> tổng kết</ins>");
    let against_current = editor
        .get(&app, &format!("{base}/compare?tu={first}&den=hien-tai"))
        .await;
    against_current.assert_contains("Bản hiện tại");
    against_current.assert_contains("Đoạn <del>bị xóa.</del><ins>mới thêm &lt;b&gt;.</ins>");
    let backwards = editor
        .get(&app, &format!("{base}/compare?tu={second}&den={first}"))
        .await;
    backwards.assert_contains("Huyện tổ chức hội nghị<del> tổng kết</del>");
    // The first revision against nothing: everything is new.
    let first_save = editor
        .get(&app, &format!("{base}/compare?den={first}"))
        .await;
    first_save.assert_contains("Chưa có gì");
    first_save.assert_contains("<ins>Huyện tổ chức hội nghị</ins>");
    let same = editor
        .get(&app, &format!("{base}/compare?tu={second}&den=hien-tai"))
        .await;
    same.assert_contains("Hai bản giống nhau.");
    // The revision pages lead to the comparisons.
    let shown = editor.get(&app, &format!("{base}/{second}")).await;
    shown.assert_contains(&format!(r#"href="{base}/compare?den={second}""#));
    shown.assert_contains(&format!(r#"href="{base}/compare?tu={second}&#38;den=hien-tai""#));

    // Another article's revision, or junk, is not found.
    let other = ArticleFixture::new("Bài khác", news).insert(&db).await;
    toasoan::db::revisions::snapshot(&db, other, editor.user_id)
        .await
        .unwrap();
    let foreign = revision_ids(&db, other).await[0];
    for query in [
        format!("tu={foreign}"),
        "den=abc".into(),
        "tu=1&tu=2".into(),
    ] {
        let response = editor.get(&app, &format!("{base}/compare?{query}")).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{query}");
    }
}

#[db_test]
async fn page_revisions_compare_with_the_same_marks(db: PgPool) {
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let fields = [
        ("title", "Giới thiệu"),
        ("body_html", "<p>Huyện Bảo Thắng.</p>"),
        ("status", "published"),
    ];
    let created = editor.post(&app, "/admin/pages", &fields).await;
    let id = location_id(&created, "/admin/pages/");
    let save = [
        ("title", "Giới thiệu chung"),
        ("slug", "gioi-thieu"),
        ("body_html", "<p>Huyện Bảo Thắng, tỉnh Lào Cai.</p>"),
        ("status", "published"),
        ("version", "1"),
    ];
    let saved = editor
        .post(&app, &format!("/admin/pages/{id}"), &save)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);

    let base = format!("/admin/pages/{id}/revisions");
    editor
        .get(&app, &base)
        .await
        .assert_contains(r#"name="den" value="hien-tai""#);
    let compared = editor.get(&app, &format!("{base}/compare")).await;
    assert_eq!(compared.status, StatusCode::OK);
    compared.assert_contains("Giới thiệu<ins> chung</ins>");
    compared.assert_contains("Huyện Bảo <del>Thắng.</del><ins>Thắng, tỉnh Lào Cai.</ins>");
}

/// A publication date that fits `status`: none before publication, in the past once
/// published (or taken off), in the future when scheduled. `days` keeps two dates apart.
fn date_for(status: Status, days: i64) -> Option<OffsetDateTime> {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    match status {
        Status::Draft | Status::Pending => None,
        Status::Scheduled => Some(now + Duration::days(days)),
        Status::Published | Status::Archived => Some(now - Duration::days(days)),
    }
}

/// Puts the article in `status` with the given text (a new version, as the editor would) and
/// stores that as a revision; returns the revision's id.
async fn save_as(db: &PgPool, id: i64, editor: i64, status: Status, days: i64, text: &str) -> i64 {
    sqlx::query(
        "update article set status = $2, published_at = $3, title = $4, sapo = $5,
                body_html = $6, byline = $7, version = version + 1
         where article_id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(date_for(status, days))
    .bind(format!("Tiêu đề {text}"))
    .bind(format!("Sapo {text}"))
    .bind(format!("<p>Thân bài {text}.</p>"))
    .bind(format!("Tác giả {text}"))
    .execute(db)
    .await
    .unwrap();
    toasoan::db::revisions::snapshot(db, id, editor)
        .await
        .unwrap();
    sqlx::query_scalar(
        "select max(article_revision_id) from article_revision where article_id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap()
}

/// The article's (title, sapo, body, byline, status, publication date, version).
type Stored = (String, String, String, String, Status, Option<OffsetDateTime>, i32);

async fn stored(db: &PgPool, id: i64) -> Stored {
    sqlx::query_as(
        "select title, sapo, body_html, byline, status, published_at, version
         from article where article_id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
    .unwrap()
}

async fn restore(app: &TestApp, who: &Staff, id: i64, revision: i64, version: i32) -> StatusCode {
    let uri = format!("/admin/articles/{id}/revisions/{revision}/restore");
    let version = version.to_string();
    let response = who.post(app, &uri, &[("version", &version)]).await;
    assert_ne!(response.status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}: {}", response.body);
    response.status
}

#[db_test]
async fn a_revision_from_any_state_restores_onto_an_article_in_any_state(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;

    for (n, then) in Status::ALL.into_iter().enumerate() {
        for (m, now) in Status::ALL.into_iter().enumerate() {
            let title = format!("Bài khôi phục {n} {m}");
            let id = ArticleFixture::new(&title, news).insert(&db).await;
            let old = save_as(&db, id, editor.user_id, then, 10, "cũ").await;
            save_as(&db, id, editor.user_id, now, 3, "mới").await;
            let before = stored(&db, id).await;

            let status = restore(&app, &editor, id, old, before.6).await;
            let pair = format!("a revision made {then:?} restored onto a {now:?} article");
            assert_eq!(status, StatusCode::SEE_OTHER, "{pair}");

            let after = stored(&db, id).await;
            assert_eq!(
                (&*after.0, &*after.1, &*after.2, &*after.3),
                ("Tiêu đề cũ", "Sapo cũ", "<p>Thân bài cũ.</p>", "Tác giả cũ"),
                "{pair}: the text is the revision's"
            );
            assert_eq!(after.4, now, "{pair}: the workflow state is kept");
            assert_eq!(after.5, before.5, "{pair}: the publication date is kept");
            assert_eq!(after.6, before.6 + 1, "{pair}: the restore is a new version");

            let page = editor.get(&app, &format!("/admin/articles/{id}")).await;
            page.assert_contains("Tiêu đề cũ");
        }
    }
}

#[db_test]
async fn a_restore_from_a_stale_page_changes_nothing_and_says_why(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let id = published_and_edited(&app, &editor, news, 0).await;
    let first = revision_ids(&db, id).await[0];
    let before = stored(&db, id).await;

    // The restore button was shown at version 1; version 2 was saved since.
    let uri = format!("/admin/articles/{id}/revisions/{first}/restore");
    let stale = editor.post(&app, &uri, &[("version", "1")]).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    stale.assert_contains("Chưa khôi phục");
    stale.assert_contains(r#"name="version" value="2""#);
    assert_eq!(stored(&db, id).await, before);
    assert_eq!(count(&db, "article_revision").await, 2);
    // A form without a version is refused with a page, not a 500.
    assert_eq!(editor.post(&app, &uri, &[]).await.status, StatusCode::BAD_REQUEST);

    let restored = editor.post(&app, &uri, &[("version", "2")]).await;
    assert_redirect(&restored, &format!("/admin/articles/{id}?msg=restored"));
    assert_eq!(stored(&db, id).await.0, "Huyện tổ chức hội nghị");
}

#[db_test]
async fn a_restore_and_an_edit_at_once_never_both_win(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let other = app.staff(Role::Admin).await;
    for round in 0..5 {
        let id = published_and_edited(&app, &editor, news, round).await;
        let first = revision_ids(&db, id).await[0];
        let restore_uri = format!("/admin/articles/{id}/revisions/{first}/restore");
        let edit_uri = format!("/admin/articles/{id}");
        let title = format!("Bản sửa cùng lúc {round}");
        let slug = format!("hoi-nghi-{round}");
        let edit = article_form(news, &title, "save", &[("version", "2"), ("slug", &slug)]);
        let (restored, edited) = tokio::join!(
            editor.post(&app, &restore_uri, &[("version", "2")]),
            other.post_multipart(&app, &edit_uri, edit),
        );
        let statuses = (restored.status, edited.status);
        let (title_now, _, _, _, _, _, version) = stored(&db, id).await;
        assert_eq!(version, 3, "round {round}: exactly one of them saved: {statuses:?}");
        match statuses {
            (StatusCode::SEE_OTHER, StatusCode::CONFLICT) => {
                assert_eq!(title_now, "Huyện tổ chức hội nghị");
            }
            (StatusCode::CONFLICT, StatusCode::SEE_OTHER) => assert_eq!(title_now, title),
            other => panic!("round {round}: {other:?}"),
        }
        assert_eq!(revision_ids(&db, id).await.len(), 3);
    }
}

/// The audit rows about an article: (action, actor, IP, revision id).
async fn audit_rows(db: &PgPool, id: i64) -> Vec<(String, String, String, Option<i64>)> {
    sqlx::query_as(
        "select action, actor, ip, revision_id from audit_log
         where target_type = 'article' and target_id = $1 order by audit_log_id",
    )
    .bind(id)
    .fetch_all(db)
    .await
    .unwrap()
}

#[db_test]
async fn plain_edits_of_a_published_article_and_restores_are_audited_with_their_revision(
    db: PgPool,
) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let editor = app.staff(Role::Editor).await;
    let admin = app.staff(Role::Admin).await;
    let name = editor.username.clone();

    let form = article_form(news, "Bài được theo dõi", "publish", &[]);
    let created = editor
        .post_multipart_from(&app, "203.0.113.7", "/admin/articles", form)
        .await;
    let id = location_id(&created, "/admin/articles/");
    let uri = format!("/admin/articles/{id}");
    let form = article_form(news, "Bài được theo dõi đã sửa", "save", &[("version", "1")]);
    let edited = editor
        .post_multipart_from(&app, "198.51.100.4", &uri, form)
        .await;
    assert_eq!(edited.status, StatusCode::SEE_OTHER);
    let first = revision_ids(&db, id).await[0];
    let restore_uri = format!("{uri}/revisions/{first}/restore");
    let restored = editor
        .post_from(&app, "198.51.100.5", &restore_uri, &[("version", "2")])
        .await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);

    let revisions = revision_ids(&db, id).await;
    let ip = |s: &str| s.to_owned();
    assert_eq!(
        audit_rows(&db, id).await,
        [
            ("article.created".into(), name.clone(), ip("203.0.113.7"), Some(revisions[0])),
            ("article.published".into(), name.clone(), ip("203.0.113.7"), Some(revisions[0])),
            ("article.edited".into(), name.clone(), ip("198.51.100.4"), Some(revisions[1])),
            ("article.restored".into(), name.clone(), ip("198.51.100.5"), Some(revisions[2])),
        ]
    );

    // The log shows who, when, from where, and links each row to its revision and changes.
    let log = admin.get(&app, "/admin/audit?loai=article").await;
    log.assert_contains("Sửa bài đang đăng");
    log.assert_contains("198.51.100.4");
    let base = format!("/admin/articles/{id}/revisions");
    log.assert_contains(&format!(r#"<a href="{base}/{}">Phiên bản 2</a>"#, revisions[1]));
    log.assert_contains(&format!(r#"<a href="{base}/compare?den={}">Thay đổi</a>"#, revisions[1]));
    log.assert_contains(&format!(r#"<a href="{base}/{}">Phiên bản 3</a>"#, revisions[2]));
    log.assert_contains("Khôi phục phiên bản cũ");
    log.assert_contains("(từ phiên bản 1)");
    // The linked comparison shows what the edit changed.
    let changes = admin
        .get(&app, &format!("{base}/compare?den={}", revisions[1]))
        .await;
    changes.assert_contains("Bài được theo dõi<ins> đã sửa</ins>");

    // A draft's saves are in its revisions, not in the log as edits.
    let form = article_form(news, "Bản nháp", "save", &[]);
    let draft = location_id(
        &editor.post_multipart(&app, "/admin/articles", form).await,
        "/admin/articles/",
    );
    let form = article_form(news, "Bản nháp sửa", "save", &[("version", "1")]);
    editor
        .post_multipart(&app, &format!("/admin/articles/{draft}"), form)
        .await;
    let actions: Vec<String> = audit_rows(&db, draft)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(actions, ["article.created"]);
}

#[db_test]
async fn a_reporter_compares_and_restores_their_own_draft_only(db: PgPool) {
    let news = category(&db, "Tin tức", None).await;
    let app = TestApp::new(db.clone()).await;
    let reporter = app.staff(Role::Reporter).await;
    let moderator = app.staff(Role::Moderator).await;
    let form = article_form(news, "Bài của phóng viên", "save", &[]);
    let id = location_id(
        &reporter.post_multipart(&app, "/admin/articles", form).await,
        "/admin/articles/",
    );
    let form = article_form(news, "Bài của phóng viên sửa lại", "save", &[("version", "1")]);
    reporter
        .post_multipart(&app, &format!("/admin/articles/{id}"), form)
        .await;
    let base = format!("/admin/articles/{id}/revisions");
    let first = revision_ids(&db, id).await[0];

    let compared = reporter
        .get(&app, &format!("{base}/compare?tu={first}"))
        .await;
    assert_eq!(compared.status, StatusCode::OK);
    compared.assert_contains("Bài của phóng viên<ins> sửa lại</ins>");
    let restore_uri = format!("{base}/{first}/restore");
    let restored = reporter.post(&app, &restore_uri, &[("version", "2")]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);

    let other = app.staff(Role::Reporter).await;
    for who in [&other, &moderator] {
        let compare = who.get(&app, &format!("{base}/compare?tu={first}")).await;
        assert_eq!(compare.status, StatusCode::FORBIDDEN);
        let restore = who.post(&app, &restore_uri, &[("version", "3")]).await;
        assert_eq!(restore.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(stored(&db, id).await.6, 3);
}
