//! `toasoan user …`: staff accounts from the command line (the first admin comes from here).

use std::io::BufRead;

use anyhow::{Context, bail};
use sqlx::PgPool;

use crate::{
    accounts,
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

pub async fn create_user(
    db: &PgPool,
    username: &str,
    display_name: &str,
    role: Role,
    email: Option<&str>,
    password_text: String,
) -> anyhow::Result<i64> {
    let username = accounts::check_username(username)?;
    let email = email.map(accounts::check_email).transpose()?.flatten();
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
    Ok(accounts::create(db, CLI, &new_user).await?)
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
    accounts::reset_password(db, CLI, user_id, username, &hash, None).await?;
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
}
