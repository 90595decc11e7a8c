//! Workflow notices ("Thông báo"): who is told what when an article is sent for review, sent
//! back with a note, published or scheduled by an editor, or goes out on schedule, and when
//! readers' comments wait for moderation. Recipients are decided here from roles and
//! capabilities. Each notice is stored for the back office's list (in the transaction of the
//! change) and, for staff with an e-mail address while `TOASOAN_SMTP_URL` is set, queued as an
//! e-mail that the mail job sends later (`crate::mail`): a request never waits for a mail
//! server.
//!
//! Comments are batched: a moderator has at most one unread "comments waiting" notice, which
//! counts up as more arrive, and only its first comment queues an e-mail; after they read it,
//! the next comment starts a new one.

use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{Capability, CurrentUser, Role},
    db::{
        self,
        articles::Status,
        notifications::{Notice, NoticeKind},
    },
    web::format::datetime_short,
};

/// The back office's list of notices.
pub const NOTICES_URL: &str = "/admin/thong-bao";

/// Who a notice is for.
#[derive(Debug, Clone, Copy)]
pub enum Recipients {
    /// Everyone whose role has the capability.
    Capable(Capability),
    /// One person (an article's author); nobody when `None`.
    User(Option<i64>),
}

/// Gives `notice` to `to`, except `actor` (nobody is told what they did themselves), and
/// queues its e-mail for those with an address when mail is configured.
pub async fn notify(
    conn: &mut PgConnection,
    state: &AppState,
    notice: &Notice,
    to: Recipients,
    actor: Option<i64>,
) -> sqlx::Result<()> {
    let (roles, users): (Vec<String>, Vec<i64>) = match to {
        Recipients::Capable(capability) => (
            Role::ALL
                .into_iter()
                .filter(|role| role.can(capability))
                .map(|role| role.as_str().to_owned())
                .collect(),
            Vec::new(),
        ),
        Recipients::User(user) => (Vec::new(), user.into_iter().collect()),
    };
    let recipients = db::notifications::insert(&mut *conn, notice, &roles, &users, actor).await?;
    if state.config.smtp.is_none() {
        return Ok(());
    }
    let site_name = state.site.get().settings.site_name.clone();
    for recipient in recipients.iter().filter(|r| r.created) {
        let Some(email) = &recipient.email else {
            continue;
        };
        let (subject, body) = mail_text(notice, &recipient.display_name, &site_name, state);
        db::mail_outbox::insert(&mut *conn, email, &recipient.display_name, &subject, &body)
            .await?;
    }
    Ok(())
}

/// An article as the notices about it name it.
#[derive(Debug, Clone, Copy)]
pub struct ArticleRef<'a> {
    pub article_id: i64,
    pub title: &'a str,
    pub author_id: Option<i64>,
}

/// After `by` moved an article from `before` (`None`: it is new) to `after`: editors hear of
/// an article sent for review, the author of their article published or scheduled by someone
/// else. `publish_at`: the article's publication time.
pub async fn status_changed(
    conn: &mut PgConnection,
    state: &AppState,
    by: &CurrentUser,
    article: ArticleRef<'_>,
    (before, after): (Option<Status>, Status),
    publish_at: Option<OffsetDateTime>,
) -> sqlx::Result<()> {
    if before == Some(after) {
        return Ok(());
    }
    let (kind, to) = match after {
        Status::Pending => (
            NoticeKind::Submitted,
            Recipients::Capable(Capability::EditAllArticles),
        ),
        Status::Published => (NoticeKind::Published, Recipients::User(article.author_id)),
        Status::Scheduled => (NoticeKind::Scheduled, Recipients::User(article.author_id)),
        Status::Draft | Status::Archived => return Ok(()),
    };
    let notice = Notice {
        article_id: Some(article.article_id),
        title: article.title.to_owned(),
        actor: by.display_name.clone(),
        publish_at: publish_at.filter(|_| kind == NoticeKind::Scheduled),
        ..Notice::new(kind)
    };
    notify(conn, state, &notice, to, Some(by.user_id)).await
}

/// An editor sent an article back to its author with `note`.
pub async fn returned(
    conn: &mut PgConnection,
    state: &AppState,
    by: &CurrentUser,
    article: ArticleRef<'_>,
    note: &str,
) -> sqlx::Result<()> {
    let notice = Notice {
        article_id: Some(article.article_id),
        title: article.title.to_owned(),
        actor: by.display_name.clone(),
        note: note.to_owned(),
        ..Notice::new(NoticeKind::Returned)
    };
    let to = Recipients::User(article.author_id);
    notify(conn, state, &notice, to, Some(by.user_id)).await
}

/// The scheduler published an article at its time.
pub async fn went_out(
    conn: &mut PgConnection,
    state: &AppState,
    article: ArticleRef<'_>,
) -> sqlx::Result<()> {
    let notice = Notice {
        article_id: Some(article.article_id),
        title: article.title.to_owned(),
        ..Notice::new(NoticeKind::WentOut)
    };
    notify(
        conn,
        state,
        &notice,
        Recipients::User(article.author_id),
        None,
    )
    .await
}

/// A reader's comment waits for moderation.
pub async fn comment_waiting(state: &AppState) -> sqlx::Result<()> {
    let mut tx = state.db.begin().await?;
    let to = Recipients::Capable(Capability::ModerateComments);
    notify(&mut tx, state, &Notice::new(NoticeKind::Comments), to, None).await?;
    tx.commit().await
}

/// What the notice says, in one sentence (the note of a returned article comes apart).
pub fn sentence(notice: &Notice) -> String {
    let Notice {
        title,
        actor,
        publish_at,
        item_count,
        ..
    } = notice;
    match notice.kind {
        NoticeKind::Submitted => format!("{actor} gửi bài “{title}” chờ duyệt."),
        NoticeKind::Returned => format!("{actor} trả lại bài “{title}” để bạn sửa."),
        NoticeKind::Published => format!("{actor} đã duyệt và đăng bài “{title}”."),
        NoticeKind::Scheduled => match publish_at {
            Some(at) => format!(
                "{actor} đã duyệt bài “{title}”; bài sẽ được đăng lúc {}.",
                datetime_short(*at)
            ),
            None => format!("{actor} đã duyệt bài “{title}”; bài sẽ được đăng theo lịch."),
        },
        NoticeKind::WentOut => format!("Bài “{title}” đã được đăng theo lịch."),
        NoticeKind::Comments if *item_count == 1 => {
            "Có bình luận mới đang chờ kiểm duyệt.".to_owned()
        }
        NoticeKind::Comments => format!("Có {item_count} bình luận mới đang chờ kiểm duyệt."),
    }
}

/// Where the notice leads in the back office.
pub fn link(notice: &Notice) -> Option<String> {
    match (notice.kind, notice.article_id) {
        (NoticeKind::Comments, _) => Some("/admin/comments".to_owned()),
        (_, Some(id)) => Some(format!("/admin/articles/{id}")),
        (_, None) => None,
    }
}

/// The e-mail of a notice: subject and plain text.
fn mail_text(notice: &Notice, name: &str, site_name: &str, state: &AppState) -> (String, String) {
    let base = &state.config.base_url;
    let subject = match notice.kind {
        NoticeKind::Comments => format!("[{site_name}] {}", notice.kind.label()),
        _ => format!("[{site_name}] {}: {}", notice.kind.label(), notice.title),
    };
    let mut body = format!("Chào {name},\n\n{}\n", sentence(notice));
    if !notice.note.is_empty() {
        body.push_str("\nGhi chú của biên tập viên:\n");
        for line in notice.note.lines() {
            body.push_str(&format!("> {line}\n"));
        }
    }
    if let Some(link) = link(notice) {
        body.push_str(&format!("\nMở: {base}{link}\n"));
    }
    if notice.kind == NoticeKind::Comments {
        body.push_str(
            "\nBạn sẽ không nhận thêm thư về bình luận mới cho tới khi đọc thông báo này.\n",
        );
    }
    body.push_str(&format!(
        "\nMọi thông báo của bạn: {base}{NOTICES_URL}\n\n-- \n{site_name}\n"
    ));
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_as_a_sentence_with_its_link() {
        let article = |kind| Notice {
            article_id: Some(7),
            title: "Đường mới".into(),
            actor: "Biên tập Lan".into(),
            ..Notice::new(kind)
        };
        for kind in NoticeKind::ALL {
            let notice = article(kind);
            let text = sentence(&notice);
            assert!(text.ends_with('.'), "{text}");
            let expected = if kind == NoticeKind::Comments {
                "/admin/comments"
            } else {
                assert!(text.contains("“Đường mới”"), "{text}");
                "/admin/articles/7"
            };
            assert_eq!(link(&notice).as_deref(), Some(expected));
        }
        let batch = Notice {
            item_count: 12,
            ..Notice::new(NoticeKind::Comments)
        };
        assert_eq!(sentence(&batch), "Có 12 bình luận mới đang chờ kiểm duyệt.");
    }
}
