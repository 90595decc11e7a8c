//! One error type for handlers; every error becomes an HTML page in the site layout.
//!
//! `AppError::into_response` only sets the status and attaches an [`ErrorPage`] marker: the
//! `web::error_pages` middleware, which has the application state, renders the page with the
//! site's menu and footer (from memory, so it works while the database is down).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    LoginRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("database unavailable")]
    Unavailable,
    /// Overloaded: more requests than the server takes at once are waiting for the same thing
    /// (password checks, database connections, heavy pages). The page says to retry soon.
    #[error("too busy")]
    Busy,
    /// An error page for a status of its own (a malformed or oversized request).
    #[error("{}", .0.heading)]
    Page(ErrorPage),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Render(#[from] askama::Error),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// What the error page says; attached to error responses as an extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub heading: &'static str,
    pub message: &'static str,
}

impl ErrorPage {
    pub const NOT_FOUND: Self = Self {
        status: StatusCode::NOT_FOUND,
        heading: "Không tìm thấy trang",
        message: "Trang bạn tìm không tồn tại hoặc đã được gỡ bỏ.",
    };
    pub const FORBIDDEN: Self = Self {
        status: StatusCode::FORBIDDEN,
        heading: "Không có quyền truy cập",
        message: "Tài khoản của bạn không có quyền thực hiện thao tác này.",
    };
    /// An unsafe request that comes from another site, or says nothing of where it comes from.
    pub const CROSS_SITE: Self = Self {
        status: StatusCode::FORBIDDEN,
        heading: "Yêu cầu bị từ chối",
        message: "Yêu cầu này không được gửi từ chính trang web này nên đã bị từ chối. \
                  Xin vui lòng tải lại trang rồi thử lại.",
    };
    pub const UNAVAILABLE: Self = Self {
        status: StatusCode::SERVICE_UNAVAILABLE,
        heading: "Hệ thống đang bảo trì",
        message: "Trang tạm thời không truy cập được. Xin vui lòng thử lại sau ít phút.",
    };
    pub const BUSY: Self = Self {
        status: StatusCode::SERVICE_UNAVAILABLE,
        heading: "Hệ thống đang quá tải",
        message: "Đang có quá nhiều người truy cập cùng lúc. Xin vui lòng thử lại sau ít giây.",
    };
    pub const BAD_QUERY: Self = Self {
        status: StatusCode::BAD_REQUEST,
        heading: "Địa chỉ không hợp lệ",
        message: "Địa chỉ trang có ký tự điều khiển không hợp lệ. Xin kiểm tra lại đường dẫn.",
    };
    pub const CONTROL_CHARACTER: Self = Self {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        heading: "Biểu mẫu không hợp lệ",
        message: "Biểu mẫu có ký tự điều khiển không hợp lệ. Xin quay lại, xóa ký tự đó rồi gửi lại.",
    };
    pub const INTERNAL: Self = Self {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        heading: "Đã có lỗi xảy ra",
        message: "Rất tiếc, hệ thống gặp sự cố khi xử lý yêu cầu. Xin vui lòng thử lại sau.",
    };
}

impl ErrorPage {
    /// The page for an error status that carries no page of its own (a timeout, a method the
    /// route does not take, a missing static file).
    pub fn for_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::NOT_FOUND,
            StatusCode::FORBIDDEN => Self::FORBIDDEN,
            StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::REQUEST_TIMEOUT
            | StatusCode::GATEWAY_TIMEOUT => Self {
                status,
                ..Self::UNAVAILABLE
            },
            status if status.is_server_error() => Self {
                status,
                ..Self::INTERNAL
            },
            status => Self {
                status,
                heading: "Yêu cầu không hợp lệ",
                message: "Máy chủ không thể xử lý yêu cầu này. Xin vui lòng quay lại trang trước.",
            },
        }
    }
}

impl AppError {
    fn page(&self) -> ErrorPage {
        match self {
            Self::NotFound | Self::Database(sqlx::Error::RowNotFound) => ErrorPage::NOT_FOUND,
            Self::LoginRequired | Self::Forbidden => ErrorPage::FORBIDDEN,
            Self::Unavailable => ErrorPage::UNAVAILABLE,
            Self::Busy | Self::Database(sqlx::Error::PoolTimedOut) => ErrorPage::BUSY,
            Self::Page(page) => *page,
            Self::Database(error) if is_unavailable(error) => ErrorPage::UNAVAILABLE,
            Self::Database(_) | Self::Render(_) | Self::Unexpected(_) => ErrorPage::INTERNAL,
        }
    }
}

/// Whether a database error means "the database is not there right now" (503) rather than a
/// bug (500): no connection could be had in time, the connection broke, or the server is
/// shutting down or starting up.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now;
            // 57014: statement timeout.
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "57014")
        }),
        _ => false,
    }
}

/// Marks a response whose request waited for a database connection in vain: the
/// `error_pages` middleware tells "busy" from "database gone" with the server's state.
#[derive(Debug, Clone, Copy)]
pub struct WaitedForDatabase;

/// Marks a response whose request failed on a database error (not a missing row): a page read
/// from the replica is then read again from the primary (`web::readers`).
#[derive(Debug, Clone, Copy)]
pub struct QueryFailed;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::LoginRequired = self {
            return Redirect::to("/admin/login").into_response();
        }
        let page = self.page();
        match page.status {
            StatusCode::SERVICE_UNAVAILABLE => tracing::warn!(error = %self, "answered 503"),
            status if status.is_server_error() => tracing::error!(error = ?self, "request failed"),
            _ => {}
        }
        let mut response = page.into_response();
        if let Self::Database(sqlx::Error::PoolTimedOut) = self {
            crate::metrics::pool_timeout();
            response.extensions_mut().insert(WaitedForDatabase);
        }
        if let Self::Database(error) = &self
            && !matches!(error, sqlx::Error::RowNotFound)
        {
            response.extensions_mut().insert(QueryFailed);
        }
        response
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.message).into_response();
        response.extensions_mut().insert(self);
        response
    }
}
