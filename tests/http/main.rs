//! HTTP tests: each test gets a fresh, migrated database and drives the real router.

mod support;

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
mod documents;
mod featured;
mod feeds;
mod files;
mod fuzz;
mod hardening;
mod heads;
mod home;
mod journey;
mod media_failures;
mod menu;
mod page_cache;
mod pages;
mod process;
mod resilience;
mod search;
mod security_headers;
mod site;
mod two_factor;
mod visitors;
