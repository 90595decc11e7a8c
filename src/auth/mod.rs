//! Staff accounts: roles and what they may do, the logged-in user, guards.

pub mod password;
pub mod session;
pub mod two_factor;

use axum::{extract::FromRequestParts, http::request::Parts};
use axum_extra::extract::CookieJar;

pub use crate::db::users::Role;
use crate::{
    AppState,
    db::{self, login_attempts::Attempt},
    error::{AppError, AppResult},
    metrics,
};

/// What a role may do. Roles are not a ladder (a moderator may not write articles), so every
/// check names a capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Write articles and edit one's own drafts.
    WriteArticles,
    /// Edit, publish, unpublish and schedule any article; review pending ones.
    EditAllArticles,
    ManageCategories,
    /// Write, publish and delete pages ("Trang").
    ManagePages,
    /// Arrange the main menu and the footer links.
    ManageMenu,
    /// The documents library ("Văn bản") and its managed lists.
    ManageDocuments,
    ModerateComments,
    ManageUsers,
    ManageSettings,
    ViewAuditLog,
    /// Read and file the messages of the contact form ("Hộp thư liên hệ").
    ReadContactMessages,
    /// Set the default alt text and caption of library images, delete library items and
    /// orphans ("Thư viện"; browsing it and picking from it only needs `WriteArticles`).
    ManageMedia,
}

impl Role {
    pub fn can(self, capability: Capability) -> bool {
        use Capability::*;
        match self {
            Role::Admin => true,
            Role::Editor => matches!(
                capability,
                WriteArticles
                    | EditAllArticles
                    | ManageCategories
                    | ManagePages
                    | ManageDocuments
                    | ModerateComments
                    | ReadContactMessages
                    | ManageMedia
            ),
            Role::Reporter => capability == WriteArticles,
            Role::Moderator => capability == ModerateComments,
        }
    }
}

/// The outcome of a check (a password, a code) under the brute-force limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// Too many recent failures for the account or from the IP: not checked.
    Blocked,
    Wrong,
    /// Right; the attempt still counts as a failure until `db::login_attempts::succeeded`
    /// (a login with two-factor authentication settles it only once the code is right).
    Right(Attempt),
}

/// Runs `check` for `account` (its username, or the login as typed when none has it) from
/// `ip` under the brute-force limits, counting failures: the limits hold under concurrent
/// attempts, and a check that could not be made (the server was busy) does not count.
pub async fn check_limited(
    state: &AppState,
    account: &str,
    ip: &str,
    check: impl Future<Output = AppResult<bool>>,
) -> AppResult<Checked> {
    let Some(attempt) = db::login_attempts::begin(&state.db, account, ip).await? else {
        metrics::login_lockout();
        return Ok(Checked::Blocked);
    };
    match check.await {
        Ok(true) => Ok(Checked::Right(attempt)),
        Ok(false) => {
            metrics::login_failure();
            Ok(Checked::Wrong)
        }
        Err(error) => {
            db::login_attempts::cancel(&state.db, attempt).await?;
            Err(error)
        }
    }
}

/// Checks `typed` against `stored` (`None`: no such active account) under the limits, as
/// [`check_limited`].
pub async fn check_password(
    state: &AppState,
    account: &str,
    ip: &str,
    typed: String,
    stored: Option<String>,
) -> AppResult<Checked> {
    let typed: String = typed.chars().take(password::MAX_LENGTH).collect();
    check_limited(state, account, ip, state.passwords.verify(typed, stored)).await
}

/// The logged-in staff member, from the session cookie.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Whether the account has two-factor authentication on.
    pub two_factor: bool,
    /// Hash of the session token this request came with.
    pub session: Vec<u8>,
}

impl CurrentUser {
    pub fn can(&self, capability: Capability) -> bool {
        self.role.can(capability)
    }

    /// This user as the author of an audit-log entry.
    pub fn actor<'a>(&'a self, ip: &'a str) -> db::audit::Actor<'a> {
        db::audit::Actor {
            user_id: Some(self.user_id),
            name: &self.username,
            ip,
        }
    }

    /// `Ok` when the user has the capability, 403 otherwise.
    pub fn require(&self, capability: Capability) -> Result<(), AppError> {
        if self.can(capability) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar.get(session::COOKIE).ok_or(AppError::LoginRequired)?;
        let token_hash = session::hash(token.value());
        let row = db::sessions::find_user(&state.db, &token_hash, state.config.session)
            .await?
            .ok_or(AppError::LoginRequired)?;
        let user = CurrentUser {
            user_id: row.user_id,
            username: row.username,
            display_name: row.display_name,
            role: row.role,
            two_factor: row.two_factor,
            session: token_hash,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, AppError> {
        match <Self as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::LoginRequired) => Ok(None),
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Capability::*, *};

    #[test]
    fn roles_have_the_capabilities_the_newsroom_expects() {
        assert!(Role::Reporter.can(WriteArticles));
        assert!(!Role::Reporter.can(EditAllArticles));
        assert!(!Role::Reporter.can(ModerateComments));
        assert!(Role::Editor.can(EditAllArticles) && Role::Editor.can(ManageCategories));
        assert!(!Role::Editor.can(ManageUsers) && !Role::Editor.can(ManageSettings));
        assert!(Role::Moderator.can(ModerateComments));
        assert!(!Role::Moderator.can(WriteArticles));
        for capability in [
            WriteArticles,
            EditAllArticles,
            ManageCategories,
            ModerateComments,
            ManageUsers,
            ManageSettings,
            ViewAuditLog,
        ] {
            assert!(Role::Admin.can(capability));
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
