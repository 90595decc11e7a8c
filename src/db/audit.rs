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

vocabulary! {
    /// Everything the audit log records; the database stores [`AuditAction::as_str`].
    pub enum AuditAction {
        LoginSuccess => "login.success", "Đăng nhập";
        LoginFailure => "login.failure", "Đăng nhập sai";
        LoginBlocked => "login.blocked", "Bị chặn đăng nhập";
        TwoFactorFailure => "login.two_factor_failure", "Nhập sai mã xác thực";
        RecoveryCodeUsed => "login.recovery_code_used", "Đăng nhập bằng mã khôi phục";
        Logout => "logout", "Đăng xuất";
        ArticleCreated => "article.created", "Tạo bài";
        ArticleSubmitted => "article.submitted", "Gửi bài chờ duyệt";
        ArticleReturned => "article.returned", "Trả bài cho tác giả";
        ArticlePublished => "article.published", "Đăng bài";
        ArticlePublishedOnSchedule => "article.published_on_schedule", "Tự động đăng theo lịch";
        ArticleUnpublished => "article.unpublished", "Gỡ bài";
        ArticleScheduled => "article.scheduled", "Lên lịch";
        ArticleEdited => "article.edited", "Sửa bài đang đăng";
        ArticleRestored => "article.restored", "Khôi phục phiên bản cũ";
        ArticleDeleted => "article.deleted", "Xóa bài";
        ArticleFeatured => "article.featured", "Đặt tin nổi bật";
        ArticleUnfeatured => "article.unfeatured", "Bỏ tin nổi bật";
        UserCreated => "user.created", "Tạo tài khoản";
        UserUpdated => "user.updated", "Sửa thông tin tài khoản";
        UserRoleChanged => "user.role_changed", "Đổi vai trò";
        UserDeactivated => "user.deactivated", "Khóa tài khoản";
        UserReactivated => "user.reactivated", "Mở khóa tài khoản";
        UserPasswordReset => "user.password_reset", "Đặt lại mật khẩu";
        UserPasswordChanged => "user.password_changed", "Tự đổi mật khẩu";
        TwoFactorEnabled => "user.two_factor_enabled", "Bật xác thực hai lớp";
        TwoFactorDisabled => "user.two_factor_disabled", "Tắt xác thực hai lớp";
        TwoFactorReset => "user.two_factor_reset", "Quản trị viên tắt xác thực hai lớp";
        CategoryCreated => "category.created", "Tạo chuyên mục";
        CategoryUpdated => "category.updated", "Sửa chuyên mục";
        CategoryMoved => "category.moved", "Đổi thứ tự chuyên mục";
        CategoryDeleted => "category.deleted", "Xóa chuyên mục";
        SettingsUpdated => "settings.updated", "Sửa cài đặt trang";
        PageCreated => "page.created", "Tạo trang";
        PageUpdated => "page.updated", "Sửa trang";
        PageRestored => "page.restored", "Khôi phục phiên bản cũ của trang";
        PageDeleted => "page.deleted", "Xóa trang";
        MenuItemCreated => "menu.created", "Thêm mục menu";
        MenuItemUpdated => "menu.updated", "Sửa mục menu";
        MenuItemMoved => "menu.moved", "Đổi thứ tự menu";
        MenuItemDeleted => "menu.deleted", "Xóa mục menu";
        CommentApproved => "comment.approved", "Duyệt bình luận";
        CommentRejected => "comment.rejected", "Từ chối bình luận";
        CommentSpam => "comment.spam", "Đánh dấu bình luận rác";
        CommentDeleted => "comment.deleted", "Xóa bình luận";
        CommentEdited => "comment.edited", "Sửa bình luận";
        CommentReplied => "comment.replied", "Trả lời bình luận";
        DocumentCreated => "document.created", "Thêm văn bản";
        DocumentUpdated => "document.updated", "Sửa văn bản";
        DocumentDeleted => "document.deleted", "Xóa văn bản";
        DocumentTermCreated => "document_term.created", "Thêm mục danh mục văn bản";
        DocumentTermUpdated => "document_term.updated", "Sửa mục danh mục văn bản";
        DocumentTermDeleted => "document_term.deleted", "Xóa mục danh mục văn bản";
        ContactStateChanged => "contact.state_changed", "Đổi trạng thái thư liên hệ";
        MediaImageUpdated => "media.image_updated", "Sửa mô tả ảnh trong thư viện";
        MediaImageDeleted => "media.image_deleted", "Xóa ảnh khỏi thư viện";
        MediaFileDeleted => "media.file_deleted", "Xóa tệp khỏi thư viện";
        MediaOrphansRemoved => "media.orphans_removed", "Dọn ảnh và tệp không dùng";
    }
}

impl AuditAction {
    /// Whether the row's target no longer exists.
    pub fn removes_target(self) -> bool {
        use AuditAction::*;
        matches!(
            self,
            ArticleDeleted
                | CategoryDeleted
                | CommentDeleted
                | PageDeleted
                | MenuItemDeleted
                | DocumentDeleted
                | DocumentTermDeleted
                | MediaImageDeleted
                | MediaFileDeleted
        )
    }
}

/// What an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    None,
    Article(i64),
    /// An article and the revision the change made (`article_revision_id`).
    ArticleRevision(i64, i64),
    User(i64),
    Category(i64),
    Comment(i64),
    Page(i64),
    /// A page and the revision the change made (`page_revision_id`).
    PageRevision(i64, i64),
    MenuItem(i64),
    Document(i64),
    DocumentTerm(i64),
    ContactMessage(i64),
    MediaImage(i64),
    MediaFile(i64),
}

impl Target {
    /// `(target_type, target_id)` as stored.
    fn columns(self) -> (&'static str, Option<i64>) {
        match self {
            Target::None => ("", None),
            Target::Article(id) | Target::ArticleRevision(id, _) => ("article", Some(id)),
            Target::User(id) => ("user", Some(id)),
            Target::Category(id) => ("category", Some(id)),
            Target::Comment(id) => ("comment", Some(id)),
            Target::Page(id) | Target::PageRevision(id, _) => ("page", Some(id)),
            Target::MenuItem(id) => ("menu_item", Some(id)),
            Target::Document(id) => ("document", Some(id)),
            Target::DocumentTerm(id) => ("document_term", Some(id)),
            Target::ContactMessage(id) => ("contact_message", Some(id)),
            Target::MediaImage(id) => ("media_image", Some(id)),
            Target::MediaFile(id) => ("media_file", Some(id)),
        }
    }

    /// The revision the change made, if any.
    fn revision_id(self) -> Option<i64> {
        match self {
            Target::ArticleRevision(_, revision) | Target::PageRevision(_, revision) => {
                Some(revision)
            }
            _ => None,
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
        "insert into audit_log (user_id, actor, action, target_type, target_id, details, ip,
                               revision_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        actor.user_id,
        actor.name,
        action.as_str(),
        target_type,
        target_id,
        details,
        actor.ip,
        target.revision_id()
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
    /// The revision the change made and its version, while that revision exists.
    pub revision_id: Option<i64>,
    pub revision_version: Option<i32>,
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
        r#"select l.audit_log_id, l.at, l.actor, l.action, l.target_type, l.target_id, l.details,
                  l.ip, coalesce(ar.article_revision_id, pr.page_revision_id) as revision_id,
                  coalesce(ar.version, pr.version) as revision_version
           from audit_log l
           left join article_revision ar
                  on l.target_type = 'article' and ar.article_revision_id = l.revision_id
           left join page_revision pr
                  on l.target_type = 'page' and pr.page_revision_id = l.revision_id
           where $1::text is null or l.action like $1 || '%'
           order by l.at desc, l.audit_log_id desc
           limit $2 offset $3"#,
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
