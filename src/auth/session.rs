//! Session tokens: 32 random bytes in the cookie, only their SHA-256 in the database. The
//! cookie itself is built in `web::cookies`.

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
}
