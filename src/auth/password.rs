//! argon2id password hashes, computed on the blocking pool (a hash takes tens of milliseconds
//! of CPU; it must not stall the async runtime).

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

/// Shortest password we accept.
pub const MIN_LENGTH: usize = 10;
/// Longest password we accept (hashing cost grows with length).
pub const MAX_LENGTH: usize = 200;

/// A hash of a password nobody has, verified when the account does not exist, so an unknown
/// user and a wrong password take about the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$mLqRTYwC7SzrHp8pdvgBH3EjHe1ZAY4JGCBk3iNbVg4";

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
    })
    .await?
}

/// Whether `password` matches `stored`; with `None` (no such user) a dummy hash is checked
/// and the answer is always `false`.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
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

    #[test]
    fn new_passwords_need_ten_characters() {
        assert!(check_new("ngắn").is_some());
        assert!(check_new("đủ-mười-ký-tự").is_none());
        assert!(check_new(&"x".repeat(201)).is_some());
    }
}
