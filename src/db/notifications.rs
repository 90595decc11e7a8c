//! Workflow notices for staff ("Thông báo"): who was told what, and what they have read.

use sqlx::PgExecutor;
use time::OffsetDateTime;

vocabulary! {
    /// What happened.
    #[derive(sqlx::Type)]
    #[sqlx(type_name = "notice_kind", rename_all = "snake_case")]
    pub enum NoticeKind {
        Submitted => "submitted", "Bài chờ duyệt";
        Returned => "returned", "Bài bị trả lại";
        Published => "published", "Bài đã được đăng";
        Scheduled => "scheduled", "Bài đã được duyệt, chờ đăng";
        WentOut => "went_out", "Bài đã đăng theo lịch";
        Comments => "comments", "Bình luận chờ kiểm duyệt";
    }
}

/// What a notice says, as it was when it happened.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NoticeKind,
    pub article_id: Option<i64>,
    /// The article's title.
    pub title: String,
    /// Who did it (their display name); empty for the system.
    pub actor: String,
    /// The editor's note of a returned article.
    pub note: String,
    /// When an approved scheduled article goes out.
    pub publish_at: Option<OffsetDateTime>,
    /// Comments waiting: how many arrived since the notice was made.
    pub item_count: i32,
}

impl Notice {
    pub fn new(kind: NoticeKind) -> Self {
        Self {
            kind,
            article_id: None,
            title: String::new(),
            actor: String::new(),
            note: String::new(),
            publish_at: None,
            item_count: 1,
        }
    }
}

/// A notice in someone's list.
#[derive(Debug, Clone)]
pub struct Notification {
    pub notification_id: i64,
    pub notice: Notice,
    pub happened_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

/// Someone a notice was given to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub display_name: String,
    pub email: Option<String>,
    /// `false` when the notice only counted one more comment in an unread notice they had.
    pub created: bool,
}

/// Gives `notice` to every active user whose role is one of `roles` or whose id is in
/// `user_ids`, except `except` (who did it). Comments waiting are batched: a user who has an
/// unread notice of them gets its count raised instead of a new one.
pub async fn insert(
    db: impl PgExecutor<'_>,
    notice: &Notice,
    roles: &[String],
    user_ids: &[i64],
    except: Option<i64>,
) -> sqlx::Result<Vec<Recipient>> {
    sqlx::query_as!(
        Recipient,
        r#"with given as (
               insert into notification (user_id, kind, article_id, title, actor, note, publish_at)
               select user_id, $1, $2, $3, $4, $5, $6 from app_user
               where is_active and (role::text = any($7) or user_id = any($8))
                 and user_id is distinct from $9
               on conflict (user_id) where kind = 'comments' and read_at is null
               do update set item_count = notification.item_count + 1, happened_at = now()
               returning user_id, xmax = 0 as created
           )
           select u.display_name, u.email, g.created as "created!"
           from given g join app_user u using (user_id)
           order by u.user_id"#,
        notice.kind as NoticeKind,
        notice.article_id,
        notice.title,
        notice.actor,
        notice.note,
        notice.publish_at,
        roles,
        user_ids,
        except
    )
    .fetch_all(db)
    .await
}

/// A user's notices, or only the unread ones.
pub async fn count(db: impl PgExecutor<'_>, user_id: i64, unread_only: bool) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from notification
           where user_id = $1 and (not $2 or read_at is null)"#,
        user_id,
        unread_only
    )
    .fetch_one(db)
    .await
}

/// A user's notices, newest first.
pub async fn list(
    db: impl PgExecutor<'_>,
    user_id: i64,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Notification>> {
    let rows = sqlx::query!(
        r#"select notification_id, kind as "kind: NoticeKind", article_id, title, actor, note,
                  publish_at, item_count, happened_at, read_at
           from notification where user_id = $1
           order by notification_id desc limit $2 offset $3"#,
        user_id,
        limit,
        offset
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Notification {
            notification_id: row.notification_id,
            notice: Notice {
                kind: row.kind,
                article_id: row.article_id,
                title: row.title,
                actor: row.actor,
                note: row.note,
                publish_at: row.publish_at,
                item_count: row.item_count,
            },
            happened_at: row.happened_at,
            read_at: row.read_at,
        })
        .collect())
}

/// Marks one of the user's notices read; `false` when they have no such notice.
pub async fn mark_read(
    db: impl PgExecutor<'_>,
    user_id: i64,
    notification_id: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "update notification set read_at = coalesce(read_at, now())
         where notification_id = $1 and user_id = $2",
        notification_id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the user's unread notices read, up to `up_to` (the newest one they were shown; a
/// notice that arrived after is left unread); returns how many.
pub async fn mark_all_read(
    db: impl PgExecutor<'_>,
    user_id: i64,
    up_to: Option<i64>,
) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update notification set read_at = now()
         where user_id = $1 and read_at is null
           and ($2::bigint is null or notification_id <= $2)",
        user_id,
        up_to
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes read notices older than `days`; returns how many.
pub async fn delete_old(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "delete from notification
         where read_at is not null and happened_at < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}
