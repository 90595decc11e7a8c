//! Extractors for what comes in URLs. Anything malformed is a 404, never a 400 or a 500.

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};

use crate::{error::AppError, text::is_slug};

/// A `{slug}` path segment that has the shape of a slug.
pub(crate) struct SlugParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for SlugParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(slug) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        if is_slug(&slug) {
            Ok(Self(slug))
        } else {
            Err(AppError::NotFound)
        }
    }
}

/// An `{id}` path segment: a positive decimal integer (row ids are `bigint` identities).
pub(crate) struct IdParam(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IdParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        parse_id(&id).map(Self).ok_or(AppError::NotFound)
    }
}

/// `…/{id}/revisions/{revision}`: two ids, 404 unless both are well formed.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct RevisionPath {
    id: String,
    revision: String,
}

impl RevisionPath {
    /// `(id, revision)`.
    pub(crate) fn ids(
        path: Result<Path<Self>, axum::extract::rejection::PathRejection>,
    ) -> Result<(i64, i64), AppError> {
        let Ok(Path(path)) = path else {
            return Err(AppError::NotFound);
        };
        match (parse_id(&path.id), parse_id(&path.revision)) {
            (Some(id), Some(revision)) => Ok((id, revision)),
            _ => Err(AppError::NotFound),
        }
    }
}

/// An id: plain decimal digits, at least 1, fitting an `i64`.
pub(crate) fn parse_id(value: &str) -> Option<i64> {
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|id| *id >= 1)
}

/// The page number of a listing, from `?trang=N` (1 when absent).
pub(crate) struct PageParam(pub u32);

/// The query parameter that carries the page number ("trang" = page).
pub(crate) const PAGE_PARAM: &str = "trang";

impl<S: Send + Sync> FromRequestParts<S> for PageParam {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let mut values = url::form_urlencoded::parse(query.as_bytes())
            .filter(|(key, _)| key == PAGE_PARAM)
            .map(|(_, value)| value);
        let page = match (values.next(), values.next()) {
            (None, _) => 1,
            (Some(value), None) => parse_page(&value).ok_or(AppError::NotFound)?,
            (Some(_), Some(_)) => return Err(AppError::NotFound),
        };
        Ok(Self(page))
    }
}

/// A page number: plain decimal digits, at least 1.
fn parse_page(value: &str) -> Option<u32> {
    if value.is_empty() || value.len() > 9 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|page| *page >= 1)
}

#[cfg(test)]
mod tests {
    use super::{parse_id, parse_page};

    #[test]
    fn ids_are_plain_positive_integers() {
        assert_eq!(parse_id("1"), Some(1));
        assert_eq!(
            parse_id("123456789012345678"),
            Some(123_456_789_012_345_678)
        );
        for bad in [
            "",
            "0",
            "-1",
            "+2",
            "abc",
            "1e3",
            "2.0",
            " 3",
            "0x10",
            "9999999999999999999",
        ] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn page_numbers_are_plain_positive_integers() {
        assert_eq!(parse_page("1"), Some(1));
        assert_eq!(parse_page("42"), Some(42));
        for bad in [
            "",
            "0",
            "-1",
            "+2",
            "abc",
            "1e3",
            "2.0",
            " 3",
            "99999999999999999999",
        ] {
            assert_eq!(parse_page(bad), None, "{bad:?}");
        }
    }
}
