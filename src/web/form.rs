//! Form helpers: the form extractor (which screens every field for control characters), one
//! message per field, and the shared validators.

use std::collections::BTreeMap;

use axum::{
    body::{Body, Bytes},
    extract::{FromRequest, Request, multipart::MultipartError},
    http::StatusCode,
    middleware::Next,
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;

use crate::{
    error::{AppError, AppResult, ErrorPage},
    text::{clean, has_control},
};

/// The message beside a field that holds a control character (a NUL byte, an escape…).
pub(crate) const CONTROL_CHARACTER: &str =
    "Có ký tự điều khiển không hợp lệ trong mục này. Xin xóa ký tự đó rồi gửi lại.";

/// Validation messages by field name.
#[derive(Debug, Default, Clone)]
pub(crate) struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.contains_key(field) {
            self.0.insert(field.to_owned(), message.into());
        }
    }

    /// Every field of a submitted form is screened here (urlencoded forms by [`Form`], the
    /// multipart article form as it is read): a control character other than tab and line
    /// breaks is refused with a message beside the field, and the form is shown again.
    pub(crate) fn screen(&mut self, field: &str, value: &str) {
        if has_control(field) || has_control(value) {
            self.add(field, CONTROL_CHARACTER);
        }
    }

    /// For a form that has no page to show again (a button, a note): a 422 page when a field
    /// was refused by [`FieldErrors::screen`].
    pub(crate) fn refuse_any(&self) -> AppResult<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(AppError::Page(ErrorPage::CONTROL_CHARACTER))
        }
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

/// A urlencoded form (`axum::Form`), and the messages for its fields that hold a control
/// character: the handler starts its validation from them, so the form comes back with the
/// input kept (422) instead of the character reaching the database.
pub(crate) struct Form<T>(pub T, pub FieldErrors);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let refused = |status| AppError::Page(ErrorPage::for_status(status));
        let (parts, body) = request.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| refused(rejection.status()))?;
        let mut errors = FieldErrors::default();
        for (field, value) in url::form_urlencoded::parse(&bytes) {
            errors.screen(&field, &value);
        }
        let request = Request::from_parts(parts, Body::from(bytes));
        let axum::Form(form) = axum::Form::<T>::from_request(request, state)
            .await
            .map_err(|rejection| refused(rejection.status()))?;
        Ok(Self(form, errors))
    }
}

/// The status for a multipart body that could not be read. axum says 500 when the body
/// stream itself broke, but that is the client going away mid-upload: a 400, logged at info.
pub(crate) fn unreadable_status(error: &MultipartError) -> StatusCode {
    tracing::info!(%error, "unreadable multipart form");
    match error.status() {
        status if status.is_server_error() => StatusCode::BAD_REQUEST,
        status => status,
    }
}

/// Query strings (search, filters, page numbers, `?msg=`) with a control character are refused
/// here, once for every route, with a 400 page: none of them is a form to show again.
pub(crate) async fn screen_query(request: Request, next: Next) -> Response {
    let query = request.uri().query().unwrap_or_default();
    let bad = url::form_urlencoded::parse(query.as_bytes())
        .any(|(key, value)| has_control(&key) || has_control(&value));
    if bad {
        return AppError::Page(ErrorPage::BAD_QUERY).into_response();
    }
    next.run(request).await
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
    fn fields_with_control_characters_get_a_message() {
        let mut errors = FieldErrors::default();
        errors.screen("title", "dòng 1\r\ndòng 2\tcột");
        assert!(errors.is_empty());
        errors.screen("title", "a\0b");
        errors.screen("x\u{1b}", "");
        assert_eq!(errors.get("title").unwrap(), CONTROL_CHARACTER);
        assert_eq!(errors.len(), 2);
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
