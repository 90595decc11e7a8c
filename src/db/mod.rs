//! Database access: one module per table, free async functions, no SQL anywhere else.

pub mod articles;
pub mod categories;
pub mod settings;
