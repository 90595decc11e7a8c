//! Our cookies, all from one constructor: `HttpOnly` (no script reads them), `SameSite=Lax`,
//! the whole site (`Path=/`), and `Secure` when the site is served over https.

use axum_extra::extract::cookie::{Cookie, SameSite};
use time::Duration;

use crate::auth::session;

/// The cookie naming the image challenge the article page's comment form shows.
pub(crate) const CAPTCHA: &str = "toasoan_captcha";

/// How long the captcha cookie is kept.
const CAPTCHA_AGE: Duration = Duration::minutes(10);

/// The cookie naming a login waiting for its two-factor code.
pub(crate) const PENDING_LOGIN: &str = "toasoan_pending_login";

fn ours(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

/// The session cookie. No Max-Age: the server decides when a session ends.
pub(crate) fn session(token: String, secure: bool) -> Cookie<'static> {
    ours(session::COOKIE, token, secure)
}

/// Removes the session cookie (same name and path).
pub(crate) fn session_removal(secure: bool) -> Cookie<'static> {
    removal(session::COOKIE, secure)
}

/// Names a login waiting for its two-factor code; kept as long as the server keeps the login.
pub(crate) fn pending_login(token: String, secure: bool) -> Cookie<'static> {
    let mut cookie = ours(PENDING_LOGIN, token, secure);
    cookie.set_max_age(Duration::minutes(
        crate::db::pending_logins::LIFETIME_MINUTES.into(),
    ));
    cookie
}

/// Removes the pending-login cookie once the login is over.
pub(crate) fn pending_login_removal(secure: bool) -> Cookie<'static> {
    removal(PENDING_LOGIN, secure)
}

fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie = ours(name, String::new(), secure);
    cookie.make_removal();
    cookie
}

/// Names the image challenge of `/ma-kiem-tra.png` for the comment form.
pub(crate) fn captcha(captcha_id: String, secure: bool) -> Cookie<'static> {
    let mut cookie = ours(CAPTCHA, captcha_id, secure);
    cookie.set_max_age(CAPTCHA_AGE);
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_lax_site_wide_and_secure_on_https() {
        for text in [
            session("t".into(), true).to_string(),
            captcha("c".into(), true).to_string(),
        ] {
            assert!(
                text.contains("HttpOnly")
                    && text.contains("SameSite=Lax")
                    && text.contains("Secure"),
                "{text}"
            );
            assert!(text.contains("Path=/"), "{text}");
        }
        assert!(!session("t".into(), false).to_string().contains("Secure"));
        assert!(!captcha("c".into(), false).to_string().contains("Secure"));
    }

    #[test]
    fn only_the_captcha_cookie_expires_by_itself() {
        assert!(!session("t".into(), true).to_string().contains("Max-Age"));
        assert!(
            captcha("c".into(), true)
                .to_string()
                .contains("Max-Age=600")
        );
    }
}
