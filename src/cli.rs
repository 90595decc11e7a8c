//! `toasoan user …`: staff accounts from the command line (the first admin comes from here).

use std::io::BufRead;

use anyhow::{Context, bail};
use sqlx::PgPool;

use crate::{
    auth::{Role, password},
    db::{self, audit::Actor, users::NewUser},
    text::clean,
};

const CLI: Actor<'static> = Actor {
    user_id: None,
    name: "dòng lệnh",
    ip: "",
};

/// The first line of standard input, without its line ending.
pub fn read_password(input: impl BufRead) -> anyhow::Result<String> {
    let line = input
        .lines()
        .next()
        .context("no password on standard input")??;
    if let Some(problem) = password::check_new(&line) {
        bail!(
            "{problem} (password must have at least {} characters)",
            password::MIN_LENGTH
        );
    }
    Ok(line)
}

pub fn check_username(username: &str) -> anyhow::Result<String> {
    let username = username.trim().to_lowercase();
    let valid = (2..=40).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !valid {
        bail!("username must be 2-40 characters: a-z, 0-9, '.', '_' or '-'");
    }
    Ok(username)
}

/// An optional e-mail address, trimmed: `None` when empty, an error unless it looks like
/// `name@example.vn` (the back office checks addresses with this too).
pub fn check_email(email: &str) -> anyhow::Result<Option<String>> {
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
        bail!("the e-mail address must look like name@example.vn");
    }
    Ok(Some(email))
}

pub async fn create_user(
    db: &PgPool,
    username: &str,
    display_name: &str,
    role: Role,
    email: Option<&str>,
    password_text: String,
) -> anyhow::Result<i64> {
    let username = check_username(username)?;
    let email = email.map(check_email).transpose()?.flatten();
    let display_name = clean(display_name);
    if display_name.is_empty() || display_name.chars().count() > db::users::DISPLAY_NAME_MAX {
        bail!(
            "display name must have 1-{} characters",
            db::users::DISPLAY_NAME_MAX
        );
    }
    if db::users::find_id_by_username(db, &username)
        .await?
        .is_some()
    {
        bail!("a user named {username} already exists");
    }
    let hash = password::hash(password_text).await?;
    let new_user = NewUser {
        username: &username,
        email: email.as_deref(),
        display_name: &display_name,
        role,
        password_hash: &hash,
    };
    Ok(insert_user(db, CLI, &new_user).await?)
}

/// Stores a new account and its `user.created` audit entry in one transaction (the command
/// line and the back office both create accounts through here).
pub async fn insert_user(db: &PgPool, actor: Actor<'_>, user: &NewUser<'_>) -> sqlx::Result<i64> {
    let mut tx = db.begin().await?;
    let user_id = db::users::insert(&mut *tx, user).await?;
    let details = format!("{} ({})", user.username, user.role.as_str());
    db::audit::record(
        &mut *tx,
        actor,
        "user.created",
        Some(("user", user_id)),
        &details,
    )
    .await?;
    tx.commit().await?;
    Ok(user_id)
}

pub async fn set_password(
    db: &PgPool,
    username: &str,
    password_text: String,
) -> anyhow::Result<()> {
    let Some(user_id) = db::users::find_id_by_username(db, username).await? else {
        bail!("no user named {username}");
    };
    let hash = password::hash(password_text).await?;
    reset_password(db, CLI, user_id, username, &hash, None).await?;
    Ok(())
}

/// Gives an account a new password hash and ends its sessions (except `keep`, the session of
/// an admin resetting their own password), with a `user.password_reset` audit entry, in one
/// transaction (shared by the command line and the back office).
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
        "user.password_reset",
        Some(("user", user_id)),
        username,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One line per user: username, role, status, display name.
pub async fn list_users(db: &PgPool) -> anyhow::Result<String> {
    let mut out = String::new();
    for u in db::users::list(db).await? {
        let status = if u.is_active { "active" } else { "inactive" };
        out.push_str(&format!(
            "{:<24} {:<10} {:<9} {}\n",
            u.username,
            u.role.as_str(),
            status,
            u.display_name
        ));
    }
    Ok(out)
}

/// How to create the first admin, printed when a server starts without one.
pub const NO_ADMIN_HINT: &str = "no active admin account: create one with\n  \
     echo 'a-long-password' | toasoan user create --username admin --display-name 'Quản trị' --role admin";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_the_first_line_of_stdin() {
        assert_eq!(
            read_password("mật khẩu dài lắm\nthừa\n".as_bytes()).unwrap(),
            "mật khẩu dài lắm"
        );
        assert_eq!(
            read_password("mật khẩu dài lắm\r\n".as_bytes()).unwrap(),
            "mật khẩu dài lắm"
        );
        assert!(read_password("ngắn\n".as_bytes()).is_err());
        assert!(read_password("".as_bytes()).is_err());
    }

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
