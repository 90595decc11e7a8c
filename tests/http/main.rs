//! HTTP tests: each test gets a fresh, migrated database and drives the real router.

mod support;

mod articles;
mod categories;
mod demo;
mod home;
mod resilience;
mod site;
