//! The append-only audit log.

use sqlx::PgExecutor;
use time::OffsetDateTime;

/// Who did it: a staff member, or the system (the scheduler).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    pub name: &'a str,
    pub ip: &'a str,
}

impl Actor<'static> {
    pub const SYSTEM: Actor<'static> = Actor {
        user_id: None,
        name: "hệ thống",
        ip: "",
    };
}

/// Everything the audit log records; the database stores [`AuditAction::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    LoginSuccess,
    LoginFailure,
    LoginBlocked,
    Logout,
    ArticleCreated,
    ArticleSubmitted,
    ArticleReturned,
    ArticlePublished,
    ArticlePublishedOnSchedule,
    ArticleUnpublished,
    ArticleScheduled,
    ArticleRestored,
    ArticleDeleted,
    UserCreated,
    UserUpdated,
    UserRoleChanged,
    UserDeactivated,
    UserReactivated,
    UserPasswordReset,
    UserPasswordChanged,
    CategoryCreated,
    CategoryUpdated,
    CategoryMoved,
    CategoryDeleted,
    SettingsUpdated,
    CommentApproved,
    CommentRejected,
    CommentSpam,
    CommentDeleted,
    CommentEdited,
    CommentReplied,
}

impl AuditAction {
    pub const ALL: [Self; 31] = {
        use AuditAction::*;
        [
            LoginSuccess,
            LoginFailure,
            LoginBlocked,
            Logout,
            ArticleCreated,
            ArticleSubmitted,
            ArticleReturned,
            ArticlePublished,
            ArticlePublishedOnSchedule,
            ArticleUnpublished,
            ArticleScheduled,
            ArticleRestored,
            ArticleDeleted,
            UserCreated,
            UserUpdated,
            UserRoleChanged,
            UserDeactivated,
            UserReactivated,
            UserPasswordReset,
            UserPasswordChanged,
            CategoryCreated,
            CategoryUpdated,
            CategoryMoved,
            CategoryDeleted,
            SettingsUpdated,
            CommentApproved,
            CommentRejected,
            CommentSpam,
            CommentDeleted,
            CommentEdited,
            CommentReplied,
        ]
    };

    /// The name stored in `audit_log.action`.
    pub fn as_str(self) -> &'static str {
        use AuditAction::*;
        match self {
            LoginSuccess => "login.success",
            LoginFailure => "login.failure",
            LoginBlocked => "login.blocked",
            Logout => "logout",
            ArticleCreated => "article.created",
            ArticleSubmitted => "article.submitted",
            ArticleReturned => "article.returned",
            ArticlePublished => "article.published",
            ArticlePublishedOnSchedule => "article.published_on_schedule",
            ArticleUnpublished => "article.unpublished",
            ArticleScheduled => "article.scheduled",
            ArticleRestored => "article.restored",
            ArticleDeleted => "article.deleted",
            UserCreated => "user.created",
            UserUpdated => "user.updated",
            UserRoleChanged => "user.role_changed",
            UserDeactivated => "user.deactivated",
            UserReactivated => "user.reactivated",
            UserPasswordReset => "user.password_reset",
            UserPasswordChanged => "user.password_changed",
            CategoryCreated => "category.created",
            CategoryUpdated => "category.updated",
            CategoryMoved => "category.moved",
            CategoryDeleted => "category.deleted",
            SettingsUpdated => "settings.updated",
            CommentApproved => "comment.approved",
            CommentRejected => "comment.rejected",
            CommentSpam => "comment.spam",
            CommentDeleted => "comment.deleted",
            CommentEdited => "comment.edited",
            CommentReplied => "comment.replied",
        }
    }

    /// What the back office calls it.
    pub fn label(self) -> &'static str {
        use AuditAction::*;
        match self {
            LoginSuccess => "Đăng nhập",
            LoginFailure => "Đăng nhập sai",
            LoginBlocked => "Bị chặn đăng nhập",
            Logout => "Đăng xuất",
            ArticleCreated => "Tạo bài",
            ArticleSubmitted => "Gửi bài chờ duyệt",
            ArticleReturned => "Trả bài cho tác giả",
            ArticlePublished => "Đăng bài",
            ArticlePublishedOnSchedule => "Tự động đăng theo lịch",
            ArticleUnpublished => "Gỡ bài",
            ArticleScheduled => "Lên lịch",
            ArticleRestored => "Khôi phục phiên bản cũ",
            ArticleDeleted => "Xóa bài",
            UserCreated => "Tạo tài khoản",
            UserUpdated => "Sửa thông tin tài khoản",
            UserRoleChanged => "Đổi vai trò",
            UserDeactivated => "Khóa tài khoản",
            UserReactivated => "Mở khóa tài khoản",
            UserPasswordReset => "Đặt lại mật khẩu",
            UserPasswordChanged => "Tự đổi mật khẩu",
            CategoryCreated => "Tạo chuyên mục",
            CategoryUpdated => "Sửa chuyên mục",
            CategoryMoved => "Đổi thứ tự chuyên mục",
            CategoryDeleted => "Xóa chuyên mục",
            SettingsUpdated => "Sửa cài đặt trang",
            CommentApproved => "Duyệt bình luận",
            CommentRejected => "Từ chối bình luận",
            CommentSpam => "Đánh dấu bình luận rác",
            CommentDeleted => "Xóa bình luận",
            CommentEdited => "Sửa bình luận",
            CommentReplied => "Trả lời bình luận",
        }
    }

    /// The action a stored name stands for (`None` for names this version does not write).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == name)
    }

    /// Whether the row's target no longer exists.
    pub fn removes_target(self) -> bool {
        use AuditAction::*;
        matches!(self, ArticleDeleted | CategoryDeleted | CommentDeleted)
    }
}

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    None,
    Article(i64),
    User(i64),
    Category(i64),
    Comment(i64),
}

impl Target {
    /// `(target_type, target_id)` as stored.
    fn columns(self) -> (&'static str, Option<i64>) {
        match self {
            Target::None => ("", None),
            Target::Article(id) => ("article", Some(id)),
            Target::User(id) => ("user", Some(id)),
            Target::Category(id) => ("category", Some(id)),
            Target::Comment(id) => ("comment", Some(id)),
        }
    }
}

pub async fn record(
    db: impl PgExecutor<'_>,
    actor: Actor<'_>,
    action: AuditAction,
    target: Target,
    details: &str,
) -> sqlx::Result<()> {
    let (target_type, target_id) = target.columns();
    sqlx::query!(
        "insert into audit_log (user_id, actor, action, target_type, target_id, details, ip)
         values ($1, $2, $3, $4, $5, $6, $7)",
        actor.user_id,
        actor.name,
        action.as_str(),
        target_type,
        target_id,
        details,
        actor.ip
    )
    .execute(db)
    .await?;
    Ok(())
}

#[derive(Debug)]
pub struct Entry {
    pub audit_log_id: i64,
    pub at: OffsetDateTime,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub details: String,
    pub ip: String,
}

impl Entry {
    /// What the back office calls the action; `None` for names this version does not write.
    pub fn label(&self) -> Option<&'static str> {
        AuditAction::parse(&self.action).map(AuditAction::label)
    }
}

/// Newest first, optionally only one action prefix (e.g. "login").
pub async fn list(
    db: impl PgExecutor<'_>,
    action_prefix: Option<&str>,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<Entry>> {
    sqlx::query_as!(
        Entry,
        "select audit_log_id, at, actor, action, target_type, target_id, details, ip
         from audit_log
         where $1::text is null or action like $1 || '%'
         order by at desc, audit_log_id desc
         limit $2 offset $3",
        action_prefix,
        limit,
        offset
    )
    .fetch_all(db)
    .await
}

pub async fn count(db: impl PgExecutor<'_>, action_prefix: Option<&str>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from audit_log where $1::text is null or action like $1 || '%'"#,
        action_prefix
    )
    .fetch_one(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name_and_reads_back() {
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(AuditAction::parse("article.updated"), None);
    }
}
