//! The newsroom back office under `/admin`.

pub(crate) mod account;
pub(crate) mod articles;
pub(crate) mod attachments;
pub(crate) mod audit;
pub(crate) mod categories;
pub(crate) mod comments;
pub(crate) mod contact;
pub(crate) mod dashboard;
pub(crate) mod documents;
pub(crate) mod library;
pub(crate) mod login;
pub(crate) mod menu;
pub(crate) mod notifications;
pub(crate) mod pages;
pub(crate) mod revisions;
pub(crate) mod settings;
pub(crate) mod two_factor;
pub(crate) mod users;

use std::{ops::Deref, sync::Arc};

use axum::{
    extract::FromRequestParts,
    http::request::Parts,
    response::{IntoResponse, Redirect, Response},
};
use sqlx::{PgExecutor, PgTransaction};

use crate::{
    AppState,
    assets::Assets,
    auth::{Capability, CurrentUser},
    db::{
        self,
        audit::{Actor, AuditAction, Target},
    },
    error::{AppError, AppResult},
    web::client::ClientIp,
};

/// What `templates/admin/base.html` needs.
#[derive(Clone)]
pub(crate) struct AdminLayout {
    pub site_name: String,
    pub user: CurrentUser,
    pub title: String,
    /// Which menu entry is current.
    pub active: &'static str,
    pub flash: Option<Flash>,
    /// Comments waiting for moderation; `None` for users who do not moderate.
    pub pending_comments: Option<i64>,
    /// Contact messages nobody has opened; `None` for users who do not read them.
    pub new_messages: Option<i64>,
    /// The user's unread notices ("Thông báo").
    pub unread_notices: i64,
    assets: Arc<Assets>,
}

pub(crate) struct NavItem {
    pub key: &'static str,
    pub label: &'static str,
    pub url: &'static str,
}

const NAV: &[(NavItem, Option<Capability>)] = &[
    (
        NavItem {
            key: "dashboard",
            label: "Tổng quan",
            url: "/admin",
        },
        None,
    ),
    (
        NavItem {
            key: "notices",
            label: "Thông báo",
            url: crate::notices::NOTICES_URL,
        },
        None,
    ),
    (
        NavItem {
            key: "articles",
            label: "Bài viết",
            url: "/admin/articles",
        },
        Some(Capability::WriteArticles),
    ),
    (
        NavItem {
            key: "library",
            label: "Thư viện",
            url: "/admin/thu-vien",
        },
        Some(Capability::WriteArticles),
    ),
    (
        NavItem {
            key: "comments",
            label: "Bình luận",
            url: "/admin/comments",
        },
        Some(Capability::ModerateComments),
    ),
    (
        NavItem {
            key: "contact",
            label: "Hộp thư liên hệ",
            url: "/admin/contact",
        },
        Some(Capability::ReadContactMessages),
    ),
    (
        NavItem {
            key: "categories",
            label: "Chuyên mục",
            url: "/admin/categories",
        },
        Some(Capability::ManageCategories),
    ),
    (
        NavItem {
            key: "pages",
            label: "Trang",
            url: "/admin/pages",
        },
        Some(Capability::ManagePages),
    ),
    (
        NavItem {
            key: "menu",
            label: "Menu",
            url: "/admin/menu",
        },
        Some(Capability::ManageMenu),
    ),
    (
        NavItem {
            key: "documents",
            label: "Văn bản",
            url: "/admin/documents",
        },
        Some(Capability::ManageDocuments),
    ),
    (
        NavItem {
            key: "users",
            label: "Người dùng",
            url: "/admin/users",
        },
        Some(Capability::ManageUsers),
    ),
    (
        NavItem {
            key: "settings",
            label: "Cài đặt",
            url: "/admin/settings",
        },
        Some(Capability::ManageSettings),
    ),
    (
        NavItem {
            key: "audit",
            label: "Nhật ký",
            url: "/admin/audit",
        },
        Some(Capability::ViewAuditLog),
    ),
];

/// The back-office frame of a page: the logged-in user, the unread count beside "Thông báo",
/// the pending-comment count beside "Bình luận" (for users who moderate), the `?msg=`
/// confirmation. A handler names its page
/// with [`AdminLayout::page`].
impl FromRequestParts<AppState> for AdminLayout {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let pending_comments = if user.can(Capability::ModerateComments) {
            Some(db::comments::count_pending(&state.db).await?)
        } else {
            None
        };
        let new_messages = if user.can(Capability::ReadContactMessages) {
            Some(db::contact_messages::count_new(&state.db).await?)
        } else {
            None
        };
        let unread_notices = db::notifications::count(&state.db, user.user_id, true).await?;
        Ok(Self {
            site_name: state.site.get().settings.site_name.clone(),
            user,
            title: String::new(),
            active: "",
            flash: Flash::from_query(parts.uri.query()),
            pending_comments,
            new_messages,
            unread_notices,
            assets: state.assets.clone(),
        })
    }
}

impl AdminLayout {
    /// The page's title and its entry in the menu.
    pub(crate) fn page(self, title: impl Into<String>, active: &'static str) -> Self {
        Self {
            title: title.into(),
            active,
            ..self
        }
    }

    pub(crate) fn nav(&self) -> Vec<&'static NavItem> {
        NAV.iter()
            .filter(|(_, capability)| capability.is_none_or(|c| self.user.can(c)))
            .map(|(item, _)| item)
            .collect()
    }

    /// The number shown beside a menu entry, if any, and what it counts (for screen readers).
    pub(crate) fn nav_count(&self, key: &str) -> Option<(i64, &'static str)> {
        let (count, what) = match key {
            "comments" => (self.pending_comments, "chờ duyệt"),
            "contact" => (self.new_messages, "thư mới"),
            "notices" => (Some(self.unread_notices), "chưa đọc"),
            _ => (None, ""),
        };
        count.filter(|n| *n > 0).map(|n| (n, what))
    }

    pub(crate) fn asset(&self, name: &str) -> String {
        self.assets.url(name)
    }

    pub(crate) fn import_map(&self) -> &str {
        self.assets.import_map()
    }
}

vocabulary! {
    /// A one-line confirmation after a redirect, named by `?msg=` (so nothing is stored); the
    /// label is what the page says.
    pub(crate) enum Flash {
        PasswordChanged => "password-changed",
            "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.";
        LoggedOut => "logged-out",
            "Bạn đã đăng xuất.";
        LoginExpired => "login-expired",
            "Phiên nhập mã xác thực đã hết hạn. Xin vui lòng đăng nhập lại.";
        TwoFactorRequired => "two-factor-required",
            "Quản trị viên và biên tập viên phải bật xác thực hai lớp trước khi tiếp tục.";
        TwoFactorDisabled => "two-factor-disabled",
            "Đã tắt xác thực hai lớp.";
        TwoFactorReset => "two-factor-reset",
            "Đã tắt xác thực hai lớp của người này: lần đăng nhập sau chỉ cần mật khẩu.";
        Saved => "saved",
            "Đã lưu.";
        Submitted => "submitted",
            "Đã gửi bài cho biên tập viên duyệt.";
        Published => "published",
            "Đã đăng bài.";
        Scheduled => "scheduled",
            "Đã lên lịch đăng bài.";
        Unpublished => "unpublished",
            "Đã gỡ bài khỏi trang.";
        Returned => "returned",
            "Đã trả bài về cho tác giả.";
        Deleted => "deleted",
            "Đã xóa.";
        Restored => "restored",
            "Đã khôi phục phiên bản cũ thành bản mới nhất.";
        Created => "created",
            "Đã tạo.";
        Moved => "moved",
            "Đã đổi thứ tự.";
        UserCreated => "user-created",
            "Đã tạo tài khoản.";
        PasswordReset => "password-reset",
            "Đã đặt mật khẩu mới. Các phiên đăng nhập của người này đã kết thúc.";
        Deactivated => "deactivated",
            "Đã khóa tài khoản. Các phiên đăng nhập của người này đã kết thúc.";
        Reactivated => "reactivated",
            "Đã mở khóa tài khoản.";
        CommentApproved => "comment-approved",
            "Đã duyệt bình luận.";
        CommentRejected => "comment-rejected",
            "Đã từ chối bình luận.";
        CommentSpam => "comment-spam",
            "Đã chuyển bình luận vào thư rác.";
        CommentDeleted => "comment-deleted",
            "Đã xóa bình luận.";
        CommentSaved => "comment-saved",
            "Đã lưu bình luận.";
        CommentSavedApproved => "comment-saved-approved",
            "Đã lưu và duyệt bình luận.";
        MessageStateChanged => "message-state-changed",
            "Đã đổi trạng thái thư.";
        OrphansRemoved => "orphans-removed",
            "Đã xóa những mục không dùng đã chọn.";
        NothingRemoved => "nothing-removed",
            "Không xóa mục nào: các mục đã chọn không còn, hoặc đã được dùng lại.";
        NoticeRead => "notice-read",
            "Đã đánh dấu thông báo là đã đọc.";
        NoticesRead => "notices-read",
            "Đã đánh dấu mọi thông báo là đã đọc.";
        CommentUnchanged => "comment-unchanged",
            "Không có bình luận nào thay đổi: các bình luận đã chọn không còn, hoặc đã ở trạng thái này.";
    }
}

impl Flash {
    /// The message a query string names, if any.
    pub(crate) fn from_query(query: Option<&str>) -> Option<Self> {
        let value = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(key, _)| key == "msg")
            .map(|(_, value)| value)?;
        Self::parse(&value)
    }

    /// `path` with this message for the page it leads to.
    pub(crate) fn on(self, path: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!("{path}{separator}msg={}", self.as_str())
    }

    /// A redirect (303) to `path` that shows this message.
    pub(crate) fn redirect(self, path: &str) -> Response {
        Redirect::to(&self.on(path)).into_response()
    }
}

/// A staff member making a change, and from where: what every audit entry records.
#[derive(Debug, Clone)]
pub(crate) struct Staff {
    pub user: CurrentUser,
    pub ip: String,
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> AppResult<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        Ok(Self { user, ip })
    }
}

impl Deref for Staff {
    type Target = CurrentUser;

    fn deref(&self) -> &CurrentUser {
        &self.user
    }
}

impl Staff {
    pub(crate) fn actor(&self) -> Actor<'_> {
        self.user.actor(&self.ip)
    }

    /// Records what this staff member did.
    pub(crate) async fn log(
        &self,
        db: impl PgExecutor<'_>,
        action: AuditAction,
        target: Target,
        details: &str,
    ) -> sqlx::Result<()> {
        db::audit::record(db, self.actor(), action, target, details).await
    }

    /// The end of a change: its audit entry, the commit, and the redirect to `path` with
    /// `flash`.
    pub(crate) async fn finish(
        &self,
        mut tx: PgTransaction<'_>,
        (action, target, details): (AuditAction, Target, &str),
        path: &str,
        flash: Flash,
    ) -> AppResult<Response> {
        self.log(&mut *tx, action, target, details).await?;
        tx.commit().await?;
        Ok(flash.redirect(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_messages_read_back_from_their_urls() {
        for flash in Flash::ALL {
            let url = flash.on("/admin/articles?trang=2");
            let query = url.split_once('?').map(|(_, query)| query);
            assert_eq!(Flash::from_query(query), Some(flash), "{url}");
        }
        assert_eq!(Flash::from_query(Some("msg=bogus")), None);
        assert_eq!(Flash::from_query(None), None);
    }
}
