//! Revisions of articles and pages: comparing two of them (or one with the current text),
//! restoring one onto an article in any workflow state, and the audit rows of plain edits.

use axum::http::StatusCode;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use toasoan::{auth::Role, db::articles::Status};

use crate::support::{ArticleFixture, Staff, TestApp, category};

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
    toasoan::db::revisions::snapshot(db, id, editor).await.unwrap();
    sqlx::query_scalar("select max(article_revision_id) from article_revision where article_id = $1")
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

#[sqlx::test(migrator = "toasoan::MIGRATOR")]
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
