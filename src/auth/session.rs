//! Session tokens: 32 random bytes in the cookie, only their SHA-256 in the database.

use axum_extra::extract::cookie::{Cookie, SameSite};
use rand::RngExt;
use sha2::{Digest, Sha256};

pub const COOKIE: &str = "toasoan_session";

/// A new random token, hex-encoded for the cookie.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    crate::text::hex(&bytes)
}

/// What the database stores for a token.
pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The session cookie: HttpOnly, SameSite=Lax, whole site, `Secure` on https. No Max-Age: the
/// server decides when a session ends.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

/// Removes the cookie (same name and path).
pub fn removal(secure: bool) -> Cookie<'static> {
    let mut cookie = cookie(String::new(), secure);
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 32);
        assert_ne!(hash(&a), hash(&b));
    }

    #[test]
    fn cookie_is_http_only_lax_and_secure_on_https() {
        let text = cookie("t".into(), true).to_string();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax") && text.contains("Secure")
        );
        assert!(text.contains("Path=/"));
        assert!(!cookie("t".into(), false).to_string().contains("Secure"));
    }
}
