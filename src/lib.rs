//! Tòa Soạn: a server-rendered news CMS for a Vietnamese district news portal.

#[macro_use]
mod vocabulary;

pub mod accounts;
pub mod assets;
pub mod auth;
pub mod captcha;
pub mod changes;
pub mod cli;
pub mod config;
pub mod database;
pub mod db;
pub mod demo;
pub mod diff;
pub mod error;
pub mod http;
pub mod mail;
pub mod media;
pub mod metrics;
pub mod notices;
pub mod replica;
pub mod sanitize;
pub mod scheduler;
pub mod server;
pub mod site;
pub mod state;
pub mod text;
pub mod view_counter;
pub mod visitor_counter;
pub mod web;

pub use error::{AppError, AppResult};
pub use state::AppState;

/// The schema, embedded in the binary and applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();
