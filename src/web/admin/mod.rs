//! The newsroom back office under `/admin`.

pub mod account;
pub mod articles;
pub mod audit;
pub mod categories;
pub mod comments;
pub mod dashboard;
pub mod login;
pub mod settings;
pub mod users;

use std::sync::Arc;

use axum::{
    Router,
    extract::{FromRequestParts, Request, State},
    http::request::Parts,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};

use crate::{
    AppState,
    assets::Assets,
    auth::{Capability, CurrentUser},
    db,
    error::AppError,
};

/// Every `/admin` route that needs a logged-in user (the caller adds that guard); each handler
/// checks the capability it needs.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route(
            "/password",
            get(account::password_form).post(account::change_password),
        )
        .merge(articles::routes(state.config.max_upload_bytes))
        .merge(comments::routes())
        .merge(categories::routes())
        .merge(users::routes())
        .merge(settings::routes())
        .merge(audit::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            count_pending_comments,
        ))
}

tokio::task_local! {
    /// Comments waiting for moderation, counted once per back-office request of a user who
    /// moderates them, for the number beside "Bình luận" in the menu.
    static PENDING_COMMENTS: i64;
}

/// Counts the pending comments (one `count(*)` over `comment_status_idx`) for users who
/// moderate, and runs the handler with the count in [`PENDING_COMMENTS`], where
/// [`AdminLayout::new`] finds it: every back-office page shows it without each handler
/// having to load it.
async fn count_pending_comments(
    State(state): State<AppState>,
    user: CurrentUser,
    request: Request,
    next: Next,
) -> Response {
    if !user.can(Capability::ModerateComments) {
        return next.run(request).await;
    }
    match db::comments::count_pending(&state.db).await {
        Ok(pending) => PENDING_COMMENTS.scope(pending, next.run(request)).await,
        Err(error) => AppError::from(error).into_response(),
    }
}

/// What `templates/admin/base.html` needs.
pub struct AdminLayout {
    pub site_name: String,
    pub user: CurrentUser,
    pub title: String,
    /// Which menu entry is current.
    pub active: &'static str,
    pub flash: Option<&'static str>,
    /// Comments waiting for moderation; `None` for users who do not moderate.
    pub pending_comments: Option<i64>,
    assets: Arc<Assets>,
}

pub struct NavItem {
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
            key: "articles",
            label: "Bài viết",
            url: "/admin/articles",
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
            key: "categories",
            label: "Chuyên mục",
            url: "/admin/categories",
        },
        Some(Capability::ManageCategories),
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

impl AdminLayout {
    pub fn new(
        state: &AppState,
        user: CurrentUser,
        title: impl Into<String>,
        active: &'static str,
    ) -> Self {
        let pending_comments = PENDING_COMMENTS
            .try_with(|pending| *pending)
            .ok()
            .filter(|_| user.can(Capability::ModerateComments));
        Self {
            site_name: state.site.get().settings.site_name.clone(),
            user,
            title: title.into(),
            active,
            flash: None,
            pending_comments,
            assets: state.assets.clone(),
        }
    }

    pub fn with_flash(mut self, flash: Flash) -> Self {
        self.flash = flash.0;
        self
    }

    pub fn nav(&self) -> Vec<&'static NavItem> {
        NAV.iter()
            .filter(|(_, capability)| capability.is_none_or(|c| self.user.can(c)))
            .map(|(item, _)| item)
            .collect()
    }

    /// The number shown beside a menu entry, if any.
    pub fn nav_count(&self, key: &str) -> Option<i64> {
        match key {
            "comments" => self.pending_comments.filter(|n| *n > 0),
            _ => None,
        }
    }

    pub fn asset(&self, name: &str) -> String {
        self.assets.url(name)
    }
}

/// A one-line confirmation after a redirect, named by `?msg=` (so nothing is stored).
#[derive(Debug, Default)]
pub struct Flash(pub Option<&'static str>);

const MESSAGES: &[(&str, &str)] = &[
    (
        "password-changed",
        "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc.",
    ),
    ("logged-out", "Bạn đã đăng xuất."),
    ("saved", "Đã lưu."),
    ("submitted", "Đã gửi bài cho biên tập viên duyệt."),
    ("published", "Đã đăng bài."),
    ("scheduled", "Đã lên lịch đăng bài."),
    ("unpublished", "Đã gỡ bài khỏi trang."),
    ("returned", "Đã trả bài về cho tác giả."),
    ("deleted", "Đã xóa."),
    ("restored", "Đã khôi phục phiên bản cũ thành bản mới nhất."),
    ("created", "Đã tạo."),
    ("moved", "Đã đổi thứ tự."),
    ("user-created", "Đã tạo tài khoản."),
    (
        "password-reset",
        "Đã đặt mật khẩu mới. Các phiên đăng nhập của người này đã kết thúc.",
    ),
    (
        "deactivated",
        "Đã khóa tài khoản. Các phiên đăng nhập của người này đã kết thúc.",
    ),
    ("reactivated", "Đã mở khóa tài khoản."),
    ("comment-approved", "Đã duyệt bình luận."),
    ("comment-rejected", "Đã từ chối bình luận."),
    ("comment-spam", "Đã chuyển bình luận vào thư rác."),
    ("comment-deleted", "Đã xóa bình luận."),
    ("comment-saved", "Đã lưu bình luận."),
    ("comment-saved-approved", "Đã lưu và duyệt bình luận."),
    (
        "comment-unchanged",
        "Không có bình luận nào thay đổi: các bình luận đã chọn không còn, hoặc đã ở trạng thái này.",
    ),
];

impl<S: Send + Sync> FromRequestParts<S> for Flash {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let key = url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == "msg")
            .map(|(_, v)| v.into_owned());
        Ok(Self(key.and_then(|key| {
            MESSAGES
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, message)| *message)
        })))
    }
}

/// `/admin/...?msg=key`, for redirects that confirm something.
pub fn with_message(path: &str, key: &'static str) -> String {
    debug_assert!(
        MESSAGES.iter().any(|(k, _)| *k == key),
        "unknown message {key}"
    );
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}msg={key}")
}
