//! argon2id password hashes, computed on the blocking pool (a hash takes tens of milliseconds
//! of CPU; it must not stall the async runtime) and, for requests, a few at a time: each takes
//! 19 MiB, so a flood of logins must queue, not grow the process by gigabytes.

use std::time::Duration;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

/// Shortest password we accept.
pub const MIN_LENGTH: usize = 10;
/// Longest password we accept (hashing cost grows with length).
pub const MAX_LENGTH: usize = 200;

/// A hash of a password nobody has, verified when the account does not exist, so an unknown
/// user and a wrong password take about the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$mLqRTYwC7SzrHp8pdvgBH3EjHe1ZAY4JGCBk3iNbVg4";

/// How long a request waits for a turn to check a password before it is told to come back.
pub const QUEUE_WAIT: Duration = Duration::from_secs(3);

/// Password hashing for requests: at most `concurrency` at once; a request that cannot get
/// a turn within [`QUEUE_WAIT`] gets [`Busy`].
#[derive(Debug)]
pub struct Passwords {
    turns: Semaphore,
    wait: Duration,
}

impl Passwords {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        Self {
            turns: Semaphore::new(concurrency),
            wait,
        }
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let _turn = self.turn().await?;
        Ok(hash(password).await?)
    }

    /// Whether `password` matches `stored`; with `None` (no such user) a dummy hash is
    /// checked and the answer is always `false`.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let _turn = self.turn().await?;
        Ok(verify(password, stored).await?)
    }

    async fn turn(&self) -> AppResult<tokio::sync::SemaphorePermit<'_>> {
        match tokio::time::timeout(self.wait, self.turns.acquire()).await {
            Ok(Ok(turn)) => Ok(turn),
            _ => Err(AppError::Busy),
        }
    }
}

/// One hash, unbounded: for the command line, which does one at a time.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        known && matches
    })
    .await
    .map_err(Into::into)
}

/// A Vietnamese message when a new password is not acceptable.
pub fn check_new(password: &str) -> Option<&'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Some("Mật khẩu phải có ít nhất 10 ký tự.")
    } else if length > MAX_LENGTH {
        Some("Mật khẩu quá dài (tối đa 200 ký tự).")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("mật khẩu đủ dài".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("mật khẩu đủ dài".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("sai mật khẩu".into(), Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies_but_costs_a_hash() {
        let started = std::time::Instant::now();
        assert!(!verify("anything".into(), None).await.unwrap());
        // The dummy hash is a real argon2id hash: checking it costs about as much as a real one.
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(started.elapsed() > std::time::Duration::from_millis(1));
    }

    #[tokio::test]
    async fn checks_beyond_the_bound_wait_then_are_refused() {
        let passwords = Passwords::new(1, Duration::from_millis(50));
        let held = passwords.turn().await.unwrap();
        let refused = passwords.verify("mật khẩu đủ dài".into(), None).await;
        assert!(matches!(refused, Err(AppError::Busy)));
        drop(held);
        assert!(
            !passwords
                .verify("mật khẩu đủ dài".into(), None)
                .await
                .unwrap()
        );
    }

    #[test]
    fn new_passwords_need_ten_characters() {
        assert!(check_new("ngắn").is_some());
        assert!(check_new("đủ-mười-ký-tự").is_none());
        assert!(check_new(&"x".repeat(201)).is_some());
    }
}
