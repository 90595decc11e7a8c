use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

vocabulary! {
    #[derive(sqlx::Type)]
    #[sqlx(type_name = "comment_status", rename_all = "lowercase")]
    pub enum CommentStatus {
        Pending => "pending", "Chờ duyệt";
        Approved => "approved", "Đã duyệt";
        Rejected => "rejected", "Từ chối";
        Spam => "spam", "Thư rác";
    }
}

/// Comments waiting for a moderator.
pub async fn count_pending(db: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from comment where status = 'pending'"#)
        .fetch_one(db)
        .await
}

pub struct NewComment<'a> {
    pub article_id: i64,
    pub author_name: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub status: CommentStatus,
    pub flag: &'a str,
    pub ip: &'a str,
    pub user_agent: &'a str,
}

/// Stores a comment as it is (no limits: the readers' form goes through [`post`]).
pub async fn insert(db: impl PgExecutor<'_>, c: &NewComment<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into comment (article_id, author_name, title, body, body_fingerprint, status, flag,
                              ip, user_agent)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning comment_id",
        c.article_id,
        c.author_name,
        c.title,
        c.body,
        crate::text::fingerprint(c.body),
        c.status as CommentStatus,
        c.flag,
        c.ip,
        c.user_agent
    )
    .fetch_one(db)
    .await
}

/// What became of a reader's comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Posted {
    Stored(i64),
    /// `per_ip` comments came from this IP in the last ten minutes.
    TooMany,
    /// The same text (by [`crate::text::fingerprint`]) was sent on this article within the
    /// last hour.
    Duplicate,
}

/// Stores a reader's comment unless its IP has reached `per_ip` comments in ten minutes or the
/// same text is already there. The checks and the insert happen under per-IP and per-text
/// locks, so a burst of concurrent posts gets exactly `per_ip` comments and one of each text.
pub async fn post(db: &PgPool, c: &NewComment<'_>, per_ip: i64) -> sqlx::Result<Posted> {
    let fingerprint = crate::text::fingerprint(c.body);
    let mut tx = db.begin().await?;
    // Always the IP first, then the text: no two posts wait for each other in a cycle.
    sqlx::query!(
        "select pg_advisory_xact_lock($1, hashtext($2)),
                pg_advisory_xact_lock($3, hashtext($4::bigint || ':' || $5))",
        super::locks::COMMENT_IP,
        c.ip,
        super::locks::COMMENT_TEXT,
        c.article_id,
        fingerprint
    )
    .fetch_one(&mut *tx)
    .await?;
    // Separate statements after the locks: each sees what the posts before it committed.
    if count_recent_from(&mut *tx, c.ip).await? >= per_ip {
        return Ok(Posted::TooMany);
    }
    let duplicate = sqlx::query_scalar!(
        r#"select exists (
               select 1 from comment
               where article_id = $1 and body_fingerprint = $2
                 and created_at > now() - interval '1 hour'
           ) as "duplicate!""#,
        c.article_id,
        fingerprint
    )
    .fetch_one(&mut *tx)
    .await?;
    if duplicate {
        return Ok(Posted::Duplicate);
    }
    let id = insert(&mut *tx, c).await?;
    tx.commit().await?;
    Ok(Posted::Stored(id))
}

/// Comments sent from `ip` (or its hash) in the last ten minutes.
pub async fn count_recent_from(db: impl PgExecutor<'_>, ip: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from comment
           where ip = $1 and created_at > now() - interval '10 minutes'"#,
        ip
    )
    .fetch_one(db)
    .await
}

/// An approved comment as readers see it.
#[derive(Debug, Clone)]
pub struct PublicComment {
    pub comment_id: i64,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub reply: String,
}

/// Approved comments of an article, oldest first.
pub async fn list_approved(
    db: impl PgExecutor<'_>,
    article_id: i64,
) -> sqlx::Result<Vec<PublicComment>> {
    sqlx::query_as!(
        PublicComment,
        "select comment_id, author_name, title, body, created_at, reply from comment
         where article_id = $1 and status = 'approved'
         order by created_at, comment_id",
        article_id
    )
    .fetch_all(db)
    .await
}

/// Erases the IP and user agent of comments moderated more than `days` ago.
pub async fn erase_personal_data(db: impl PgExecutor<'_>, days: i32) -> sqlx::Result<u64> {
    let done = sqlx::query!(
        "update comment set ip = null, user_agent = null
         where status <> 'pending' and (ip is not null or user_agent is not null)
           and coalesce(moderated_at, created_at) < now() - make_interval(days => $1)",
        days
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

// --- Moderation ---------------------------------------------------------------------------

/// Which comments the moderation queue shows; `None` means any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: Option<CommentStatus>,
    pub article_id: Option<i64>,
}

/// A comment as moderators see it: the reader's text, where it was sent from, and what the
/// newsroom did with it.
#[derive(Debug, Clone)]
pub struct QueuedComment {
    pub comment_id: i64,
    pub article_id: i64,
    pub article_title: String,
    pub article_slug: String,
    pub author_name: String,
    pub title: String,
    pub body: String,
    pub status: CommentStatus,
    /// Why the system filed it as spam ("links"), empty otherwise.
    pub flag: String,
    pub created_at: OffsetDateTime,
    /// `None` once erased after the retention period.
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The reader's text as sent, when a moderator has corrected it.
    pub original_title: Option<String>,
    pub original_body: Option<String>,
    pub edited_at: Option<OffsetDateTime>,
    pub editor_name: Option<String>,
    pub reply: String,
    pub reply_at: Option<OffsetDateTime>,
    pub replier_name: Option<String>,
    pub moderated_at: Option<OffsetDateTime>,
    pub moderator_name: Option<String>,
}

/// Newest first.
pub async fn list_queue(
    db: impl PgExecutor<'_>,
    f: &QueueFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<QueuedComment>> {
    select_queued(db, f, None, limit, offset).await
}

/// One comment for moderation (`RowNotFound` when it does not exist).
pub async fn get_queued(db: impl PgExecutor<'_>, comment_id: i64) -> sqlx::Result<QueuedComment> {
    select_queued(db, &QueueFilter::default(), Some(comment_id), 1, 0)
        .await?
        .pop()
        .ok_or(sqlx::Error::RowNotFound)
}

async fn select_queued(
    db: impl PgExecutor<'_>,
    f: &QueueFilter,
    comment_id: Option<i64>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<QueuedComment>> {
    sqlx::query_as!(
        QueuedComment,
        r#"select c.comment_id, c.article_id, a.title as article_title, a.slug as article_slug,
                  c.author_name, c.title, c.body, c.status as "status: CommentStatus", c.flag,
                  c.created_at, c.ip, c.user_agent, c.original_title, c.original_body,
                  c.edited_at, e.display_name as "editor_name?", c.reply, c.reply_at,
                  r.display_name as "replier_name?", c.moderated_at,
                  m.display_name as "moderator_name?"
           from comment c
           join article a on a.article_id = c.article_id
           left join app_user e on e.user_id = c.edited_by
           left join app_user r on r.user_id = c.reply_by
           left join app_user m on m.user_id = c.moderated_by
           where ($1::comment_status is null or c.status = $1)
             and ($2::bigint is null or c.article_id = $2)
             and ($3::bigint is null or c.comment_id = $3)
           order by c.created_at desc, c.comment_id desc
           limit $4 offset $5"#,
        f.status as Option<CommentStatus>,
        f.article_id,
        comment_id,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count_queue(db: impl PgExecutor<'_>, f: &QueueFilter) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from comment
           where ($1::comment_status is null or status = $1)
             and ($2::bigint is null or article_id = $2)"#,
        f.status as Option<CommentStatus>,
        f.article_id
    )
    .fetch_one(db)
    .await
}

/// Comments per status, of one article or of all.
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusCounts {
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub spam: i64,
}

impl StatusCounts {
    pub fn of(&self, status: CommentStatus) -> i64 {
        match status {
            CommentStatus::Pending => self.pending,
            CommentStatus::Approved => self.approved,
            CommentStatus::Rejected => self.rejected,
            CommentStatus::Spam => self.spam,
        }
    }

    pub fn total(&self) -> i64 {
        self.pending + self.approved + self.rejected + self.spam
    }
}

pub async fn count_by_status(
    db: impl PgExecutor<'_>,
    article_id: Option<i64>,
) -> sqlx::Result<StatusCounts> {
    sqlx::query_as!(
        StatusCounts,
        r#"select count(*) filter (where status = 'pending') as "pending!",
                  count(*) filter (where status = 'approved') as "approved!",
                  count(*) filter (where status = 'rejected') as "rejected!",
                  count(*) filter (where status = 'spam') as "spam!"
           from comment where $1::bigint is null or article_id = $1"#,
        article_id
    )
    .fetch_one(db)
    .await
}

/// The article the queue is filtered by.
#[derive(Debug, Clone)]
pub struct QueueArticle {
    pub article_id: i64,
    pub title: String,
    pub slug: String,
}

pub async fn find_queue_article(
    db: impl PgExecutor<'_>,
    article_id: i64,
) -> sqlx::Result<Option<QueueArticle>> {
    sqlx::query_as!(
        QueueArticle,
        "select article_id, title, slug from article where article_id = $1",
        article_id
    )
    .fetch_optional(db)
    .await
}

/// What a moderator may change, locked until the transaction ends.
#[derive(Debug, Clone)]
pub struct ModeratedText {
    pub title: String,
    pub body: String,
    pub reply: String,
    pub status: CommentStatus,
}

/// `RowNotFound` when the comment does not exist.
pub async fn get_for_update(
    db: impl PgExecutor<'_>,
    comment_id: i64,
) -> sqlx::Result<ModeratedText> {
    sqlx::query_as!(
        ModeratedText,
        r#"select title, body, reply, status as "status: CommentStatus"
           from comment where comment_id = $1 for update"#,
        comment_id
    )
    .fetch_one(db)
    .await
}

/// Sets the status of those of `ids` that have another one; returns (id, title) of each
/// comment changed, by id.
pub async fn set_status(
    db: impl PgExecutor<'_>,
    ids: &[i64],
    status: CommentStatus,
    moderator_id: i64,
) -> sqlx::Result<Vec<(i64, String)>> {
    let rows = sqlx::query!(
        "update comment set status = $2, moderated_by = $3, moderated_at = now()
         where comment_id = any($1) and status <> $2
         returning comment_id, title",
        ids,
        status as CommentStatus,
        moderator_id
    )
    .fetch_all(db)
    .await?;
    let mut changed: Vec<_> = rows.into_iter().map(|r| (r.comment_id, r.title)).collect();
    changed.sort_unstable_by_key(|(id, _)| *id);
    Ok(changed)
}

/// Deletes those of `ids` that exist; returns (id, title) of each, by id.
pub async fn delete_many(db: impl PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<(i64, String)>> {
    let rows = sqlx::query!(
        "delete from comment where comment_id = any($1) returning comment_id, title",
        ids
    )
    .fetch_all(db)
    .await?;
    let mut deleted: Vec<_> = rows.into_iter().map(|r| (r.comment_id, r.title)).collect();
    deleted.sort_unstable_by_key(|(id, _)| *id);
    Ok(deleted)
}

/// A moderator's correction of the title and text. The reader's own text is kept the first
/// time (`original_*` are never overwritten afterwards).
pub async fn update_text(
    db: impl PgExecutor<'_>,
    comment_id: i64,
    title: &str,
    body: &str,
    editor_id: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update comment
         set original_title = coalesce(original_title, title),
             original_body = coalesce(original_body, body),
             title = $2, body = $3, edited_by = $4, edited_at = now()
         where comment_id = $1",
        comment_id,
        title,
        body,
        editor_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Writes, replaces or (with "") removes the editorial office's reply.
pub async fn set_reply(
    db: impl PgExecutor<'_>,
    comment_id: i64,
    reply: &str,
    user_id: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "update comment
         set reply = $2,
             reply_by = case when $2 = '' then null else $3::bigint end,
             reply_at = case when $2 = '' then null else now() end
         where comment_id = $1",
        comment_id,
        reply,
        user_id
    )
    .execute(db)
    .await?;
    Ok(())
}
