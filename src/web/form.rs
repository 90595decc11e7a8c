//! Form helpers: one message per field, and the shared validators.

use std::collections::BTreeMap;

use crate::text::clean;

/// Validation messages by field name.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// Plain text, cleaned (NFC, trimmed), required and at most `max` characters.
pub fn required(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    let value = clean(value);
    if value.is_empty() {
        errors.add(field, "Vui lòng nhập thông tin này.");
    } else {
        check_length(errors, field, &value, max);
    }
    value
}

/// Plain text, cleaned, optional, at most `max` characters.
pub fn optional(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    let value = clean(value);
    check_length(errors, field, &value, max);
    value
}

fn check_length(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) {
    let length = value.chars().count();
    if length > max {
        errors.add(field, format!("Tối đa {max} ký tự (hiện có {length})."));
    }
}

/// Whether `error` is a violation of the named unique constraint or index (e.g.
/// `category_slug_key`): a row that appeared after the form was checked, to be shown as a
/// field error rather than a 500.
pub fn is_unique_violation(error: &sqlx::Error, constraint: &str) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation() && e.constraint() == Some(constraint))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_fields_are_cleaned_and_checked() {
        let mut errors = FieldErrors::default();
        assert_eq!(required(&mut errors, "title", "  Tin mới ", 10), "Tin mới");
        assert!(errors.is_empty());
        required(&mut errors, "name", "   ", 10);
        required(&mut errors, "content", "quá dài rồi đấy", 5);
        assert_eq!(errors.get("name").unwrap(), "Vui lòng nhập thông tin này.");
        assert_eq!(
            errors.get("content").unwrap(),
            "Tối đa 5 ký tự (hiện có 15)."
        );
    }

    #[test]
    fn the_first_message_for_a_field_wins() {
        let mut errors = FieldErrors::default();
        errors.add("slug", "một");
        errors.add("slug", "hai");
        assert_eq!(errors.get("slug").unwrap(), "một");
        assert_eq!(errors.len(), 1);
    }
}
