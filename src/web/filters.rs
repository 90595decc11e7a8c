//! Askama filters: `{{ article.published_at|datetime_short }}`, `{{ total|count }}`.
//!
//! A module that defines a template brings them into scope with `use crate::web::filters;`
//! (askama looks custom filters up as `filters::name` beside the template struct). Each one
//! formats through [`crate::web::format`].
//!
//! Askama hands a filter a reference to its input, one more for each binding on the way (a
//! `{% for %}` item, an `{% if let %}` binding, a macro argument): [`Instant`] and [`Number`]
//! see through any number of them.

use time::OffsetDateTime;

use crate::web::format;

/// A point in time, however deeply borrowed.
pub(crate) trait Instant {
    fn instant(&self) -> OffsetDateTime;
}

impl Instant for OffsetDateTime {
    fn instant(&self) -> OffsetDateTime {
        *self
    }
}

impl<T: Instant + ?Sized> Instant for &T {
    fn instant(&self) -> OffsetDateTime {
        (**self).instant()
    }
}

/// A count, however deeply borrowed.
pub(crate) trait Number {
    fn number(&self) -> i64;
}

impl Number for i64 {
    fn number(&self) -> i64 {
        *self
    }
}

impl<T: Number + ?Sized> Number for &T {
    fn number(&self) -> i64 {
        (**self).number()
    }
}

/// "27/11/2026 20:13", in Vietnam's time.
#[askama::filter_fn]
pub(crate) fn datetime_short<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(format::datetime_short(at.instant()))
}

/// "Thứ Sáu, 27/11/2026 20:13", in Vietnam's time.
#[askama::filter_fn]
pub(crate) fn datetime_long<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(format::datetime_long(at.instant()))
}

/// "2026-11-27T20:13:45+07:00", for `<time datetime>` and `<meta content>`.
#[askama::filter_fn]
pub(crate) fn iso<T: Instant>(at: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(format::iso(at.instant()))
}

/// "1.234.567": thousands grouped with dots.
#[askama::filter_fn]
pub(crate) fn count<T: Number>(n: T, _: &dyn askama::Values) -> askama::Result<String> {
    Ok(format::count(n.number()))
}
