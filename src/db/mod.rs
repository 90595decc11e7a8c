//! Database access: one module per table, free async functions, no SQL anywhere else.

pub mod articles;
pub mod audit;
pub mod captchas;
pub mod categories;
pub mod comments;
pub mod feeds;
pub mod login_attempts;
pub mod revisions;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod users;
