//! Staff accounts: the rules for usernames and e-mail addresses, creating an account and
//! resetting its password. The command line and the back office both go through here.

use sqlx::PgPool;

use crate::{
    db::{
        self,
        audit::{Actor, AuditAction, Target},
        users::NewUser,
    },
    text::clean,
};

/// A value the account rules refuse; the message names the rule (for the command line; the
/// back office shows its own Vietnamese message).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(&'static str);

/// A username: 2–40 characters of a-z, 0-9, `.`, `_`, `-` (typed case is ignored).
pub fn check_username(username: &str) -> Result<String, Invalid> {
    let username = username.trim().to_lowercase();
    let valid = (2..=40).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !valid {
        return Err(Invalid(
            "username must be 2-40 characters: a-z, 0-9, '.', '_' or '-'",
        ));
    }
    Ok(username)
}

/// An optional e-mail address, trimmed: `None` when empty, refused unless it looks like
/// `name@example.vn`.
pub fn check_email(email: &str) -> Result<Option<String>, Invalid> {
    let email = clean(email);
    if email.is_empty() {
        return Ok(None);
    }
    let well_formed = |local: &str, domain: &str| {
        !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
    };
    let valid = email.chars().count() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| well_formed(local, domain));
    if !valid {
        return Err(Invalid("the e-mail address must look like name@example.vn"));
    }
    Ok(Some(email))
}

/// Stores a new account and its `user.created` audit entry in one transaction.
pub async fn create(db: &PgPool, actor: Actor<'_>, user: &NewUser<'_>) -> sqlx::Result<i64> {
    let mut tx = db.begin().await?;
    let user_id = db::users::insert(&mut *tx, user).await?;
    let details = format!("{} ({})", user.username, user.role.as_str());
    db::audit::record(
        &mut *tx,
        actor,
        AuditAction::UserCreated,
        Target::User(user_id),
        &details,
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

/// Gives an account a new password hash and ends its sessions (except `keep`, the session of
/// an admin resetting their own password), with a `user.password_reset` audit entry, in one
/// transaction.
pub async fn reset_password(
    db: &PgPool,
    actor: Actor<'_>,
    user_id: i64,
    username: &str,
    password_hash: &str,
    keep: Option<&[u8]>,
) -> sqlx::Result<()> {
    let mut tx = db.begin().await?;
    db::users::set_password(&mut *tx, user_id, password_hash).await?;
    db::sessions::delete_others(&mut *tx, user_id, keep).await?;
    db::audit::record(
        &mut *tx,
        actor,
        AuditAction::UserPasswordReset,
        Target::User(user_id),
        username,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercase_ascii() {
        assert_eq!(check_username(" ThuThuy ").unwrap(), "thuthuy");
        assert!(check_username("thu thuỷ").is_err());
        assert!(check_username("a").is_err());
    }

    #[test]
    fn emails_are_optional_but_must_look_like_addresses() {
        assert_eq!(check_email("  ").unwrap(), None);
        assert_eq!(
            check_email(" thuy@baothang.vn ").unwrap().as_deref(),
            Some("thuy@baothang.vn")
        );
        for bad in [
            "thuy",
            "@baothang.vn",
            "thuy@",
            "thuy@localhost",
            "a@b@c.vn",
            "thu thuy@x.vn",
            "a@.vn",
            "a@x..vn",
        ] {
            assert!(check_email(bad).is_err(), "{bad:?}");
        }
    }
}
