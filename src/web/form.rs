//! Form helpers: one message per field, and the shared validators.

use std::collections::BTreeMap;

use crate::{error::AppResult, text::clean};

/// Validation messages by field name.
#[derive(Debug, Default, Clone)]
pub(crate) struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub(crate) fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    pub(crate) fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many fields have a message (tests check that nothing else failed).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Plain text, cleaned (NFC, trimmed), required and at most `max` characters.
pub(crate) fn required(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max: usize,
) -> String {
    let value = clean(value);
    if value.is_empty() {
        errors.add(field, "Vui lòng nhập thông tin này.");
    } else {
        check_length(errors, field, &value, max);
    }
    value
}

/// Plain text, cleaned, optional, at most `max` characters.
pub(crate) fn optional(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    max: usize,
) -> String {
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

/// A unique constraint (or index) of the schema, and the message its field gets when a save
/// breaks it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unique {
    pub constraint: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

pub(crate) trait ConstraintExt<T> {
    /// A violation of one of `uniques` (a row that appeared after the form was checked, or a
    /// concurrent save) as the field error to show with the form; other errors stay errors.
    fn on_constraint(self, uniques: &[Unique]) -> AppResult<Result<T, FieldErrors>>;
}

impl<T> ConstraintExt<T> for Result<T, sqlx::Error> {
    fn on_constraint(self, uniques: &[Unique]) -> AppResult<Result<T, FieldErrors>> {
        let error = match self {
            Ok(value) => return Ok(Ok(value)),
            Err(error) => error,
        };
        let violated = match &error {
            sqlx::Error::Database(e) if e.is_unique_violation() => e.constraint(),
            _ => None,
        };
        match uniques.iter().find(|u| Some(u.constraint) == violated) {
            Some(unique) => {
                let mut errors = FieldErrors::default();
                errors.add(unique.field, unique.message);
                Ok(Err(errors))
            }
            None => Err(error.into()),
        }
    }
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
