//! The newsroom back office under `/admin`.

pub mod account;
pub mod articles;
pub mod audit;
pub mod categories;
pub mod dashboard;
pub mod login;
pub mod settings;
pub mod users;

use std::sync::Arc;

use axum::{Router, extract::FromRequestParts, http::request::Parts, routing::get};

use crate::{
    AppState,
    assets::Assets,
    auth::{Capability, CurrentUser},
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
        .merge(categories::routes())
        .merge(users::routes())
        .merge(settings::routes())
        .merge(audit::routes())
}

/// What `templates/admin/base.html` needs.
pub struct AdminLayout {
    pub site_name: String,
    pub user: CurrentUser,
    pub title: String,
    /// Which menu entry is current.
    pub active: &'static str,
    pub flash: Option<&'static str>,
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
        Self {
            site_name: state.site.get().settings.site_name.clone(),
            user,
            title: title.into(),
            active,
            flash: None,
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
