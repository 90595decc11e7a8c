//! HTTP tests: each `#[db_test]` gets a fresh, migrated database (test_db.rs) and drives the
//! real router.

// `#[db_test]` in every module, without an import.
#[macro_use]
extern crate toasoan_test_macros;

mod support;
mod test_db;

mod admin_articles;
mod admin_auth;
mod admin_categories;
mod admin_comments;
mod admin_people;
mod admin_roles;
mod articles;
mod bad_input;
mod caching;
mod categories;
mod comments;
mod contact;
mod cross_site;
mod demo;
mod desk;
mod documents;
mod featured;
mod feeds;
mod files;
mod fuzz;
mod hardening;
mod heads;
mod home;
mod journey;
mod library;
mod media_failures;
mod menu;
mod metrics;
mod notices;
mod page_cache;
mod pages;
mod process;
mod replica;
mod resilience;
mod revisions;
mod s3;
mod search;
mod security_headers;
mod site;
mod two_factor;
mod two_instances;
mod visitors;
