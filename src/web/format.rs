//! Dates as Vietnamese readers expect them, in Vietnam's time (Asia/Ho_Chi_Minh).

use time::{
    Date, OffsetDateTime, PrimitiveDateTime, UtcOffset, Weekday,
    format_description::well_known::Rfc3339, macros::format_description,
};

/// Asia/Ho_Chi_Minh is UTC+7 all year: Vietnam has had no daylight saving time since 1975.
pub(crate) const VIETNAM: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("valid offset"),
};

fn local(at: OffsetDateTime) -> OffsetDateTime {
    at.to_offset(VIETNAM)
}

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Thứ Hai",
        Weekday::Tuesday => "Thứ Ba",
        Weekday::Wednesday => "Thứ Tư",
        Weekday::Thursday => "Thứ Năm",
        Weekday::Friday => "Thứ Sáu",
        Weekday::Saturday => "Thứ Bảy",
        Weekday::Sunday => "Chủ Nhật",
    }
}

/// "Thứ Sáu, 27/11/2026 20:13"
pub(crate) fn datetime_long(at: OffsetDateTime) -> String {
    let t = local(at);
    format!(
        "{}, {:02}/{:02}/{} {:02}:{:02}",
        weekday(t.weekday()),
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// "27/11/2026 20:13"
pub(crate) fn datetime_short(at: OffsetDateTime) -> String {
    let t = local(at);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// "20:13", for what happened today (the editor's "Đã lưu lúc 20:13").
pub(crate) fn time_short(at: OffsetDateTime) -> String {
    let t = local(at);
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// "Thứ Sáu, 27/11/2026", for the header.
pub(crate) fn date_long(at: OffsetDateTime) -> String {
    let t = local(at);
    format!(
        "{}, {:02}/{:02}/{}",
        weekday(t.weekday()),
        t.day(),
        u8::from(t.month()),
        t.year()
    )
}

/// "Friday, 27 November 2026", for English pages.
pub(crate) fn date_long_en(at: OffsetDateTime) -> String {
    let t = local(at);
    format!("{}, {} {} {}", t.weekday(), t.day(), t.month(), t.year())
}

/// Machine-readable, for `<time datetime>`: seconds precision, Vietnam's offset.
pub(crate) fn iso(at: OffsetDateTime) -> String {
    let t = local(at).replace_nanosecond(0).unwrap_or(at);
    t.format(&Rfc3339).unwrap_or_default()
}

/// An `<input type="datetime-local">` value, in Vietnam's time: "2026-11-27T20:13".
pub fn datetime_input(at: OffsetDateTime) -> String {
    let t = local(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The years a typed date may have: the database driver panics on some far out of range, and
/// no news article is dated outside these.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

/// Parses a `datetime-local` value (with or without seconds) typed in Vietnam's time, in
/// [`YEARS`].
pub(crate) fn parse_datetime_input(value: &str) -> Option<OffsetDateTime> {
    let with_seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let without = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    PrimitiveDateTime::parse(value, without)
        .or_else(|_| PrimitiveDateTime::parse(value, with_seconds))
        .ok()
        .filter(|at| YEARS.contains(&at.year()))
        .map(|at| at.assume_offset(VIETNAM))
}

/// A `YYYY-MM-DD` date (what `<input type="date">` sends) in [`YEARS`].
pub(crate) fn parse_date(value: &str) -> Option<Date> {
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year: i32 = value[..4].parse().ok().filter(|y| YEARS.contains(y))?;
    let month: u8 = value[5..7].parse().ok()?;
    let day: u8 = value[8..].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

/// "27/11/2026": a calendar date (a document's dates).
pub(crate) fn date_short(date: Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// "2026-11-27": a date as `<input type="date">` shows it.
pub(crate) fn date_input(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// "1.234.567": a count as Vietnamese writes it (one implementation, shared with `media`).
pub(crate) use crate::text::group_thousands as count;

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn long_form_is_in_vietnam_time_with_the_weekday() {
        // 13:13 UTC is 20:13 in Hà Nội.
        assert_eq!(
            datetime_long(datetime!(2026-11-27 13:13:45 UTC)),
            "Thứ Sáu, 27/11/2026 20:13"
        );
        // Late evening UTC is already the next day (a Sunday) in Vietnam.
        assert_eq!(
            datetime_long(datetime!(2026-11-28 18:05 UTC)),
            "Chủ Nhật, 29/11/2026 01:05"
        );
        assert_eq!(
            datetime_short(datetime!(2026-01-05 01:02 UTC)),
            "05/01/2026 08:02"
        );
        assert_eq!(
            date_long(datetime!(2026-11-30 02:00 UTC)),
            "Thứ Hai, 30/11/2026"
        );
    }

    #[test]
    fn datetime_local_is_read_in_vietnam_time() {
        let at = parse_datetime_input("2026-11-27T20:13").unwrap();
        assert_eq!(at, datetime!(2026-11-27 13:13 UTC));
        assert_eq!(datetime_input(at), "2026-11-27T20:13");
        assert!(parse_datetime_input("27/11/2026 20:13").is_none());
        assert!(parse_datetime_input("2026-13-01T00:00").is_none());
        for far in [
            "-9999-01-01T00:00",
            "0001-01-01T00:00",
            "1899-12-31T23:59",
            "+10000-01-01T00:00",
        ] {
            assert!(parse_datetime_input(far).is_none(), "{far}");
        }
        assert!(parse_datetime_input("9999-12-31T23:59").is_some());
    }

    #[test]
    fn iso_has_no_fractional_seconds() {
        assert_eq!(
            iso(datetime!(2026-11-27 13:13:45.123456 UTC)),
            "2026-11-27T20:13:45+07:00"
        );
    }
}
