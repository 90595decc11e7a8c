//! Two-factor authentication: time-based one-time codes (RFC 6238: six digits, 30-second
//! steps, SHA-1 as every authenticator app supports, one step of clock skew either way) and
//! one-time recovery codes.
//!
//! Recovery codes are 80 random bits each and stored as their SHA-256: a slow hash (argon2)
//! protects guessable secrets such as passwords; against a code nobody can guess, even offline
//! at billions of hashes a second, it would only add cost to every login. Online guessing is
//! bounded by the login limits.

use rand::RngExt;
use sha2::{Digest, Sha256};
use sqlx::PgExecutor;
use totp_rs::{Builder, Totp};

use crate::{db, error::AppResult};

/// How many recovery codes an account gets when it turns two-factor authentication on.
pub const RECOVERY_CODES: usize = 10;

/// Random bytes of a new secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// Random bytes of a recovery code (80 bits: 20 hexadecimal digits).
const RECOVERY_BYTES: usize = 10;

/// A new random shared secret.
pub fn new_secret() -> Vec<u8> {
    rand::rng().random::<[u8; SECRET_BYTES]>().to_vec()
}

/// The generator of `secret`; `issuer` and `account` name it in an authenticator app.
pub fn totp(secret: &[u8], issuer: &str, account: &str) -> AppResult<Totp> {
    // The otpauth URL separates issuer and account with ':'; neither may contain one.
    let issuer = issuer.replace(':', " ");
    Builder::new()
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer.trim()))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|error| anyhow::anyhow!("TOTP generator: {error}").into())
}

/// The time step a typed code stands for now, if it is right for `secret` (spaces ignored).
pub fn current_step(totp: &Totp, typed: &str) -> Option<i64> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    totp.check_current(&code)
        .and_then(|step| i64::try_from(step).ok())
}

/// New recovery codes, as shown once: `xxxxx-xxxxx-xxxxx-xxxxx` in hexadecimal.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let hex = crate::text::hex(&rand::rng().random::<[u8; RECOVERY_BYTES]>());
            let groups: Vec<&str> = (0..4).map(|i| &hex[i * 5..i * 5 + 5]).collect();
            groups.join("-")
        })
        .collect()
}

/// What is stored for a recovery code, however it was typed (case, spaces and dashes aside).
pub fn recovery_hash(code: &str) -> Vec<u8> {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normalised.as_bytes()).to_vec()
}

/// Which kind of code was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeUsed {
    Totp,
    Recovery,
}

/// Accepts `typed` as the second factor of `user_id` (whose secret is `secret`; `None` when
/// two-factor authentication is off): a current code not used before, or an unused recovery
/// code, which is then spent. `None`: refused.
pub async fn accept_code(
    db: impl PgExecutor<'_>,
    user_id: i64,
    secret: Option<&[u8]>,
    typed: &str,
) -> AppResult<Option<CodeUsed>> {
    let Some(secret) = secret else {
        return Ok(None);
    };
    let typed = typed.trim();
    if typed.len() == 6 && typed.bytes().all(|b| b.is_ascii_digit()) {
        let Some(step) = current_step(&totp(secret, "", "")?, typed) else {
            return Ok(None);
        };
        let fresh = db::users::use_totp_step(db, user_id, step).await?;
        Ok(fresh.then_some(CodeUsed::Totp))
    } else {
        let used = db::recovery_codes::use_code(db, user_id, &recovery_hash(typed)).await?;
        Ok(used.then_some(CodeUsed::Recovery))
    }
}

/// Turns an account's two-factor authentication off and forgets its recovery codes; `false`
/// when it was off.
pub async fn turn_off(tx: &mut sqlx::PgConnection, user_id: i64) -> AppResult<bool> {
    let was_on = db::users::disable_two_factor(&mut *tx, user_id).await?;
    db::recovery_codes::delete_all(&mut *tx, user_id).await?;
    Ok(was_on)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_right_for_its_secret_in_the_current_step_only() {
        let secret = new_secret();
        let totp = totp(&secret, "Báo: Bảo Thắng", "thuthuy").unwrap();
        let now = totp.generate_current().to_string();
        assert!(current_step(&totp, &now).is_some());
        assert!(current_step(&totp, &format!(" {} {} ", &now[..3], &now[3..])).is_some());
        let other = super::totp(&new_secret(), "", "").unwrap();
        assert_eq!(current_step(&other, &now), None);
        assert_eq!(current_step(&totp, "12345"), None);
        assert_eq!(current_step(&totp, "abcdef"), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 23);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(recovery_hash(code), recovery_hash(&code.to_uppercase()));
        assert_eq!(recovery_hash(code), recovery_hash(&code.replace('-', " ")));
        assert_ne!(recovery_hash(code), recovery_hash(&codes[1]));
    }
}
