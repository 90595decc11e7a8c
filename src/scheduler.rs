//! Jobs a running server does by itself: publish scheduled articles (every instance tries; row
//! locks let each article go out once) and tell their authors, forget expired sessions and old
//! login attempts, erase readers' IP addresses and browsers from comments moderated long enough
//! ago, delete old contact messages, read notices and sent mail, daily view counts older than
//! the longest "Đọc nhiều" window, autosaved drafts nobody came back to and old editor
//! heartbeats. (The mail job is `crate::mail::run`.)

use std::time::Duration;

use crate::{
    AppState, db, mail, metrics,
    notices::{self, ArticleRef},
};

/// How often due articles are looked for: a scheduled article appears within this long.
pub const PUBLISH_EVERY: Duration = Duration::from_secs(5);
/// How often expired sessions, old login attempts and old comment data are removed.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);
/// Days of view counts kept: the longest window "Đọc nhiều" may count.
const DAILY_VIEWS_KEPT: i32 = 30;
/// Days a notice stays in its reader's list once read.
const READ_NOTICES_KEPT: i32 = 180;

/// Days an autosaved draft nobody came back to is kept.
const DRAFTS_KEPT_DAYS: i32 = 30;

/// Publishes what is due and tells the authors, in one transaction; returns the ids.
pub async fn publish_due(state: &AppState) -> Result<Vec<i64>, sqlx::Error> {
    let mut tx = state.db.begin().await?;
    let published = db::articles::publish_due(&mut *tx).await?;
    for article in &published {
        let article = ArticleRef {
            article_id: article.article_id,
            title: &article.title,
            author_id: article.author_id,
        };
        notices::went_out(&mut tx, state, article).await?;
    }
    tx.commit().await?;
    let ids: Vec<i64> = published.iter().map(|a| a.article_id).collect();
    if !ids.is_empty() {
        tracing::info!(articles = ?ids, "published scheduled articles");
    }
    Ok(ids)
}

pub async fn run_publisher(state: AppState) {
    let mut tick = tokio::time::interval(PUBLISH_EVERY);
    loop {
        tick.tick().await;
        let result = publish_due(&state).await;
        metrics::scheduler_run("publish", result.is_ok());
        if let Err(error) = result {
            tracing::warn!(%error, "could not publish scheduled articles; will retry");
        }
    }
}

/// Erases the IP address and user agent of comments moderated more than the configured
/// number of days ago (`comment_data_retention_days`); returns how many comments lost them.
pub async fn erase_comment_personal_data(state: &AppState) -> sqlx::Result<u64> {
    let days = db::settings::get(&state.db)
        .await?
        .comment_data_retention_days;
    let erased = db::comments::erase_personal_data(&state.db, days).await?;
    if erased > 0 {
        tracing::info!(
            comments = erased,
            days,
            "erased readers' IP addresses and browsers"
        );
    }
    Ok(erased)
}

/// Deletes the contact messages older than the configured number of days
/// (`contact_retention_days`), and the senders' IPs after a day; returns how many messages went.
pub async fn delete_old_contact_messages(state: &AppState) -> sqlx::Result<u64> {
    let days = db::settings::get(&state.db).await?.contact_retention_days;
    let deleted = db::contact_messages::delete_old(&state.db, days).await?;
    if deleted > 0 {
        tracing::info!(messages = deleted, days, "deleted old contact messages");
    }
    Ok(deleted)
}

pub async fn run_cleanup(state: AppState) {
    let mut tick = tokio::time::interval(CLEANUP_EVERY);
    loop {
        tick.tick().await;
        let sessions = db::sessions::delete_expired(&state.db, state.config.session).await;
        let attempts = db::login_attempts::delete_old(&state.db).await;
        let comments = erase_comment_personal_data(&state).await;
        let captchas = db::captchas::delete_expired(&state.db).await;
        let pending_logins = db::pending_logins::delete_expired(&state.db).await;
        let questions = db::captchas::delete_old_question_uses(&state.db).await;
        let daily_views = db::articles::delete_old_daily_views(&state.db, DAILY_VIEWS_KEPT).await;
        let messages = delete_old_contact_messages(&state).await;
        let notices = db::notifications::delete_old(&state.db, READ_NOTICES_KEPT).await;
        let mails = db::mail_outbox::delete_old(&state.db, mail::KEPT_DAYS).await;
        let drafts = db::article_drafts::delete_old(&state.db, DRAFTS_KEPT_DAYS).await;
        let presence = db::article_presence::delete_old(&state.db).await;
        let results = [
            sessions,
            attempts,
            comments,
            captchas,
            pending_logins,
            questions,
            daily_views,
            messages,
            notices,
            mails,
            drafts,
            presence,
        ];
        metrics::scheduler_run("cleanup", results.iter().all(Result::is_ok));
        for result in results {
            if let Err(error) = result {
                tracing::warn!(%error, "cleanup failed; will retry");
            }
        }
    }
}
