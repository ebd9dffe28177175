//! ISO-8601 dates and date-times exactly as n6 parses them (`n6sdk.datetime_helpers`:
//! `parse_iso_date` and `parse_iso_datetime_to_utc`, used by the `date` and `datetime`
//! converters), including n6's error messages and quirks.
//!
//! Accepted (after Python `strip()`):
//! * date: `YYYY-MM-DD`, `YYYY-Www-D` (ISO week), `YYYY-DDD` (ordinal day); each `-` is
//!   optional on its own;
//! * date-time: a date, then `T` or one ASCII whitespace character, then
//!   `HH[:]MM[[:]SS[.fraction]]`, then optionally `Z` or `±HH[[:]MM]`.
//!
//! Quirks kept from n6: hour `24` means 00 of the next day (any minutes allowed); second
//! `60` becomes 59.999999; the fraction is truncated to microseconds; a zone `±HH`
//! without minutes raises `TypeError`; a zone `-00:MM` is *east* of UTC (the sign of a
//! zero hour is lost).

use time::{Date, Duration, Month, Time, UtcDateTime};

use crate::convert::ConvertError;
use crate::py::repr::py_ascii_repr;
use crate::py::text::py_strip;

/// The date part of a match (the groups of n6's `ISO_DATE_REGEX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateFields {
    Calendar { year: i32, month: u32, day: u32 },
    IsoWeek { year: i32, week: u32, weekday: u32 },
    Ordinal { year: i32, day: u32 },
}

/// The time part of a match (the groups of n6's `ISO_TIME_REGEX`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct TimeFields<'a> {
    hour: u32,
    minute: u32,
    second: Option<u32>,
    fraction: Option<&'a str>,
    /// `tzhour` with its sign (`+02` → 2, `-01` → -1) and `tzminute`.
    zone: Option<(i32, Option<u32>)>,
}

/// `date`: n6's `parse_iso_date(raw)`.
pub fn parse_iso_date(raw: &str) -> Result<Date, ConvertError> {
    let s = py_strip(raw);
    let fields = date_matches(s.as_bytes())
        .into_iter()
        .find(|(_, end)| *end == s.len())
        .map(|(fields, _)| fields)
        .ok_or_else(|| {
            ConvertError::value_error(format!("could not parse {} as ISO date", py_ascii_repr(s)))
        })?;
    make_date(fields)
}

/// `datetime`: n6's `parse_iso_datetime_to_utc(raw)`: the date-time with its zone offset
/// applied (a value without a zone is taken as UTC).
pub fn parse_iso_datetime_to_utc(raw: &str) -> Result<UtcDateTime, ConvertError> {
    let s = py_strip(raw);
    let b = s.as_bytes();
    let matched = date_matches(b).into_iter().find_map(|(date, end)| {
        let sep = *b.get(end)?;
        if sep != b'T' && !sep.is_ascii_whitespace() && sep != b'\x0b' {
            return None;
        }
        // The separator is ASCII, so `end + 1` is a char boundary.
        match_time(&s[end + 1..]).map(|time| (date, time))
    });
    let Some((date_fields, time_fields)) = matched else {
        return Err(ConvertError::value_error(format!(
            "could not parse {} as ISO combined date + time",
            py_ascii_repr(s)
        )));
    };
    let mut date = make_date(date_fields)?;
    let (time, offset_minutes) = make_time(&time_fields)?;
    if time_fields.hour == 24 {
        date = add_days(date, 1)
            .ok_or_else(|| ConvertError::new("OverflowError", "date value out of range"))?;
    }
    let local = UtcDateTime::new(date, time);
    let Some(offset) = offset_minutes else {
        return Ok(local);
    };
    if offset.abs() >= 24 * 60 {
        return Err(ConvertError::value_error(
            "offset must be a timedelta strictly between -timedelta(hours=24) and \
             timedelta(hours=24).",
        ));
    }
    local
        .checked_sub(Duration::minutes(offset.into()))
        .filter(|utc| (1..=9999).contains(&utc.year()))
        .ok_or_else(|| ConvertError::new("OverflowError", "date value out of range"))
}

/// All ways n6's date regex can match a prefix of `b`, in the regex engine's order of
/// preference: `(fields, end of the date part)`.
fn date_matches(b: &[u8]) -> Vec<(DateFields, usize)> {
    let mut out = Vec::new();
    let Some(year) = digits(b, 0, 4) else {
        return out;
    };
    let year = year as i32;
    let dash_options: &[usize] = if b.get(4) == Some(&b'-') {
        &[5, 4]
    } else {
        &[4]
    };
    for &p in dash_options {
        // (?P<month>\d{2}) -? (?P<day>\d{2})
        if let Some(month) = digits(b, p, 2) {
            let inner: &[usize] = if b.get(p + 2) == Some(&b'-') {
                &[p + 3, p + 2]
            } else {
                &[p + 2]
            };
            for &q in inner {
                if let Some(day) = digits(b, q, 2) {
                    out.push((DateFields::Calendar { year, month, day }, q + 2));
                }
            }
        }
        // W (?P<isoweek>\d{2}) -? (?P<isoweekday>\d)
        if b.get(p) == Some(&b'W')
            && let Some(week) = digits(b, p + 1, 2)
        {
            let inner: &[usize] = if b.get(p + 3) == Some(&b'-') {
                &[p + 4, p + 3]
            } else {
                &[p + 3]
            };
            for &q in inner {
                if let Some(weekday) = digits(b, q, 1) {
                    out.push((
                        DateFields::IsoWeek {
                            year,
                            week,
                            weekday,
                        },
                        q + 1,
                    ));
                }
            }
        }
        // (?P<ordinalday>\d{3})
        if let Some(day) = digits(b, p, 3) {
            out.push((DateFields::Ordinal { year, day }, p + 3));
        }
    }
    out
}

/// n6's time regex, anchored at both ends of `s`.
fn match_time(s: &str) -> Option<TimeFields<'_>> {
    let b = s.as_bytes();
    let hour = digits(b, 0, 2)?;
    let mut p = 2;
    if b.get(p) == Some(&b':') {
        p += 1;
    }
    let minute = digits(b, p, 2)?;
    p += 2;
    // Optional `:? SS (.fraction)?`; only one alternative can lead to a match.
    let mut second = None;
    let mut fraction = None;
    let q = if b.get(p) == Some(&b':') { p + 1 } else { p };
    if let Some(sec) = digits(b, q, 2) {
        second = Some(sec);
        p = q + 2;
        if b.get(p) == Some(&b'.') {
            let n = b[p + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n > 0 {
                fraction = Some(&s[p + 1..p + 1 + n]);
                p += 1 + n;
            }
        }
    }
    // Optional zone: `Z` or `[+-]HH (:? MM)?`.
    let mut zone = None;
    match b.get(p) {
        Some(b'Z') => p += 1,
        Some(&sign @ (b'+' | b'-')) => {
            if let Some(h) = digits(b, p + 1, 2) {
                let h = if sign == b'-' { -(h as i32) } else { h as i32 };
                p += 3;
                let q = if b.get(p) == Some(&b':') { p + 1 } else { p };
                let minutes = digits(b, q, 2);
                if minutes.is_some() {
                    p = q + 2;
                }
                zone = Some((h, minutes));
            }
        }
        _ => {}
    }
    (p == b.len()).then_some(TimeFields {
        hour,
        minute,
        second,
        fraction,
        zone,
    })
}

/// `n` ASCII digits at `b[at..]`, as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let chunk = b.get(at..at + n)?;
    chunk.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// n6's `_make_date_from_match`, with Python's `datetime.date` range checks.
fn make_date(fields: DateFields) -> Result<Date, ConvertError> {
    match fields {
        DateFields::Calendar { year, month, day } => python_date(year, month, day),
        DateFields::IsoWeek {
            year,
            week,
            weekday,
        } => date_by_isoweekday(year, week, weekday),
        DateFields::Ordinal { year, day } => {
            if !(1..=366).contains(&day) {
                return Err(ConvertError::value_error(format!(
                    "ordinal day number {day} is out of range 001..366"
                )));
            }
            if day == 366 && !is_leap(year) {
                return Err(ConvertError::value_error(format!(
                    "ordinal day number 366 is out of range for year {year} (which is not a \
                     leap year)"
                )));
            }
            date_by_ordinalday(year, i64::from(day))
        }
    }
}

/// `datetime.date(year, month, day)`.
fn python_date(year: i32, month: u32, day: u32) -> Result<Date, ConvertError> {
    if !(1..=9999).contains(&year) {
        return Err(ConvertError::value_error(format!(
            "year {year} is out of range"
        )));
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| ConvertError::value_error("month must be in 1..12"))?;
    u8::try_from(day)
        .ok()
        .and_then(|d| Date::from_calendar_date(year, month, d).ok())
        .ok_or_else(|| ConvertError::value_error("day is out of range for month"))
}

/// n6's `date_by_ordinalday`: January 1st plus `ordinal - 1` days.
fn date_by_ordinalday(year: i32, ordinal: i64) -> Result<Date, ConvertError> {
    let jan1 = python_date(year, 1, 1)?;
    add_days(jan1, ordinal - 1).ok_or_else(|| ConvertError::value_error("date value out of range"))
}

/// n6's `date_by_isoweekday`.
fn date_by_isoweekday(year: i32, week: u32, weekday: u32) -> Result<Date, ConvertError> {
    if !(1..=53).contains(&week) {
        return Err(ConvertError::value_error(format!(
            "ISO week number {week} is out of range 01..53"
        )));
    }
    if !(1..=7).contains(&weekday) {
        return Err(ConvertError::value_error(format!(
            "ISO week day number {weekday} is out of range 1..7"
        )));
    }
    let jan4 = python_date(year, 1, 4)?;
    let correction = i64::from(jan4.weekday().number_from_monday()) + 3;
    let ordinal = 7 * i64::from(week) + i64::from(weekday) - correction;
    let d = date_by_ordinalday(year, ordinal)?;
    let (iso_year, iso_week, _) = d.to_iso_week_date();
    if (iso_year, u32::from(iso_week)) != (year, week) {
        return Err(ConvertError::value_error(format!(
            "ISO week number {week} is out of range for ISO-week-numbering year {year}"
        )));
    }
    Ok(d)
}

/// `date + timedelta(days)`, within Python's year range 1..=9999.
fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Duration::days(days))
        .filter(|d| (1..=9999).contains(&d.year()))
}

fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// n6's `_make_time_from_match`: the naive time and the zone offset in minutes.
fn make_time(f: &TimeFields<'_>) -> Result<(Time, Option<i32>), ConvertError> {
    let hour = if f.hour == 24 { 0 } else { f.hour };
    let mut microsecond = f.fraction.map_or(0, |frac| {
        // int(frac) * 1000000 // 10 ** len(frac): truncation to 6 digits.
        let six: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
        six.parse::<u32>().unwrap_or(0)
    });
    let mut second = f.second.unwrap_or(0);
    if second == 60 {
        second = 59;
        microsecond = 999_999;
    }
    let offset = match f.zone {
        None => None,
        Some((_, None)) => {
            return Err(ConvertError::type_error(
                "int() argument must be a string, a bytes-like object or a real number, not \
                 'NoneType'",
            ));
        }
        Some((tzhour, Some(tzminute))) => {
            if tzminute > 59 {
                return Err(ConvertError::value_error(format!(
                    "minute part {tzminute} in time zone designator is out of range 00..59"
                )));
            }
            let base = tzhour * 60;
            Some(if base >= 0 {
                base + tzminute as i32
            } else {
                base - tzminute as i32
            })
        }
    };
    if hour > 23 {
        return Err(ConvertError::value_error("hour must be in 0..23"));
    }
    if f.minute > 59 {
        return Err(ConvertError::value_error("minute must be in 0..59"));
    }
    if second > 59 {
        return Err(ConvertError::value_error("second must be in 0..59"));
    }
    // All components were range-checked above.
    let time = Time::from_hms_micro(hour as u8, f.minute as u8, second as u8, microsecond)
        .map_err(|e| ConvertError::value_error(e.to_string()))?;
    Ok((time, offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, utc_datetime};

    fn dt_err(raw: &str) -> String {
        parse_iso_datetime_to_utc(raw).unwrap_err().to_string()
    }

    fn date_err(raw: &str) -> String {
        parse_iso_date(raw).unwrap_err().to_string()
    }

    #[test]
    fn date_table_2_8() {
        assert_eq!(parse_iso_date("2010-07-19"), Ok(date!(2010 - 07 - 19)));
        assert_eq!(parse_iso_date("20100719"), Ok(date!(2010 - 07 - 19)));
        assert_eq!(parse_iso_date("2013-W24-3"), Ok(date!(2013 - 06 - 12)));
        assert_eq!(parse_iso_date("2013-001"), Ok(date!(2013 - 01 - 01)));
        assert_eq!(parse_iso_date(" 2010-07-19 "), Ok(date!(2010 - 07 - 19)));
        assert_eq!(
            date_err("2010-7-19"),
            "ValueError: could not parse '2010-7-19' as ISO date"
        );
        assert_eq!(
            date_err("2010-02-30"),
            "ValueError: day is out of range for month"
        );
        assert_eq!(
            date_err("2010-07-19T00:00"),
            "ValueError: could not parse '2010-07-19T00:00' as ISO date"
        );
    }

    #[test]
    fn date_n6_doctests_and_more() {
        assert_eq!(parse_iso_date("99991231"), Ok(date!(9999 - 12 - 31)));
        assert_eq!(parse_iso_date("2013-W01-1"), Ok(date!(2012 - 12 - 31)));
        assert_eq!(parse_iso_date("2011-W52-7"), Ok(date!(2012 - 01 - 01)));
        assert_eq!(parse_iso_date("2013W243"), Ok(date!(2013 - 06 - 12)));
        assert_eq!(parse_iso_date("2013-365"), Ok(date!(2013 - 12 - 31)));
        assert_eq!(parse_iso_date("2012366"), Ok(date!(2012 - 12 - 31)));
        assert_eq!(parse_iso_date("2010-0719"), Ok(date!(2010 - 07 - 19)));
        assert_eq!(parse_iso_date("201007-19"), Ok(date!(2010 - 07 - 19)));
        assert_eq!(parse_iso_date("2015-W53-7"), Ok(date!(2016 - 01 - 03)));
        assert_eq!(date_err("0000-01-01"), "ValueError: year 0 is out of range");
        assert_eq!(date_err("2013-13-01"), "ValueError: month must be in 1..12");
        assert_eq!(
            date_err("2013-W54-1"),
            "ValueError: ISO week number 54 is out of range 01..53"
        );
        assert_eq!(
            date_err("2013-W00-1"),
            "ValueError: ISO week number 0 is out of range 01..53"
        );
        assert_eq!(
            date_err("2013-W22-8"),
            "ValueError: ISO week day number 8 is out of range 1..7"
        );
        assert_eq!(
            date_err("2013-W53-1"),
            "ValueError: ISO week number 53 is out of range for ISO-week-numbering year 2013"
        );
        assert_eq!(
            date_err("2013-000"),
            "ValueError: ordinal day number 0 is out of range 001..366"
        );
        assert_eq!(
            date_err("2013-367"),
            "ValueError: ordinal day number 367 is out of range 001..366"
        );
        assert_eq!(
            date_err("2013-366"),
            "ValueError: ordinal day number 366 is out of range for year 2013 (which is not a \
             leap year)"
        );
        assert_eq!(date_err("0000-366"), "ValueError: year 0 is out of range");
        assert_eq!(
            date_err("9999-W52-6"),
            "ValueError: date value out of range"
        );
        for bad in [
            "13-01-01",
            "01-01-2013",
            "2013-6-01",
            "2013-W1-1",
            "2013-W01-01",
            "2013-1",
            "",
            "2013-12-3",
            "２０１３-01-01",
        ] {
            assert_eq!(
                date_err(bad),
                format!(
                    "ValueError: could not parse {} as ISO date",
                    py_ascii_repr(py_strip(bad))
                )
            );
        }
        assert_eq!(
            date_err("2013-01-0ś"),
            "ValueError: could not parse '2013-01-0\\u015b' as ISO date"
        );
    }

    #[test]
    fn datetime_table_2_8() {
        assert_eq!(
            parse_iso_datetime_to_utc("2010-07-19 12:39:45+02:00"),
            Ok(utc_datetime!(2010-07-19 10:39:45))
        );
        assert_eq!(
            parse_iso_datetime_to_utc("2010-07-19T12:39"),
            Ok(utc_datetime!(2010-07-19 12:39))
        );
        assert_eq!(
            parse_iso_datetime_to_utc("2010-07-19T12:39:45.123456789Z"),
            Ok(utc_datetime!(2010-07-19 12:39:45.123456))
        );
        assert_eq!(
            parse_iso_datetime_to_utc("20100719T1239"),
            Ok(utc_datetime!(2010-07-19 12:39))
        );
        assert_eq!(
            parse_iso_datetime_to_utc("2010-07-19T24:00"),
            Ok(utc_datetime!(2010-07-20 00:00))
        );
        assert_eq!(
            dt_err("2010-07-19"),
            "ValueError: could not parse '2010-07-19' as ISO combined date + time"
        );
        let e = parse_iso_datetime_to_utc("2010-07-19 12:39+02").unwrap_err();
        assert_eq!(e.kind, "TypeError");
        assert_eq!(
            e.message,
            "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"
        );
        assert_eq!(
            parse_iso_datetime_to_utc("2010-07-19 12:39-0130"),
            Ok(utc_datetime!(2010-07-19 14:09))
        );
        assert_eq!(
            parse_iso_datetime_to_utc("2010-07-19T12:39:60"),
            Ok(utc_datetime!(2010-07-19 12:39:59.999999))
        );
    }

    #[test]
    fn datetime_n6_doctests_and_quirks() {
        let ok = |s: &str| parse_iso_datetime_to_utc(s).unwrap();
        assert_eq!(ok("2013-06-13T10:02Z"), utc_datetime!(2013-06-13 10:02));
        assert_eq!(ok("2013-06-13 10:02"), utc_datetime!(2013-06-13 10:02));
        assert_eq!(
            ok("2013-06-13 10:02+02:00"),
            utc_datetime!(2013-06-13 08:02)
        );
        assert_eq!(
            ok("2013-06-13T22:02:04.1234-07:00"),
            utc_datetime!(2013-06-14 05:02:04.1234)
        );
        assert_eq!(
            ok("  2013-06-13T10:02Z  \t"),
            utc_datetime!(2013-06-13 10:02)
        );
        assert_eq!(ok("2013-06-13\t10:02"), utc_datetime!(2013-06-13 10:02));
        assert_eq!(ok("2013-164T100203"), utc_datetime!(2013-06-13 10:02:03));
        assert_eq!(ok("2013-W24-4T1002"), utc_datetime!(2013-06-13 10:02));
        assert_eq!(ok("2010-07-19T24:30"), utc_datetime!(2010-07-20 00:30));
        assert_eq!(
            ok("2010-07-19T12:39:60.5"),
            utc_datetime!(2010-07-19 12:39:59.999999)
        );
        assert_eq!(
            ok("2010-07-19T12:39:45.1"),
            utc_datetime!(2010-07-19 12:39:45.1)
        );
        // A zero hour loses its sign: `-00:30` is 30 minutes *east* of UTC.
        assert_eq!(
            ok("2010-07-19T12:39-00:30"),
            utc_datetime!(2010-07-19 12:09)
        );
        assert_eq!(ok("0001-01-01T00:00Z"), utc_datetime!(0001-01-01 00:00));
        assert_eq!(
            ok("2010-01-01T00:00+23:59"),
            utc_datetime!(2009-12-31 00:01)
        );
    }

    #[test]
    fn datetime_errors() {
        let could_not =
            |s: &str| format!("ValueError: could not parse '{s}' as ISO combined date + time");
        for bad in [
            "2010-07-19t12:39",
            "2010-07-19T12:39z",
            "2010-07-19  12:39",
            "2010-07-19T1239.5",
            "2010-07-19T12:39:45.",
            "2010-07-19T12",
            "2010-07-19T12:39+2",
            "2010-07-19T12:39+02:0",
            "2010-07-19T12:39:45,5",
        ] {
            assert_eq!(dt_err(bad), could_not(bad), "{bad}");
        }
        assert_eq!(
            dt_err("2010-07-19T25:00"),
            "ValueError: hour must be in 0..23"
        );
        assert_eq!(
            dt_err("2010-07-19T12:60"),
            "ValueError: minute must be in 0..59"
        );
        assert_eq!(
            dt_err("2010-07-19T12:39:61"),
            "ValueError: second must be in 0..59"
        );
        assert_eq!(
            dt_err("2010-02-30T12:39"),
            "ValueError: day is out of range for month"
        );
        assert_eq!(
            dt_err("2010-07-19T12:39+02:60"),
            "ValueError: minute part 60 in time zone designator is out of range 00..59"
        );
        assert_eq!(
            dt_err("2010-07-19T12:39+24:00"),
            "ValueError: offset must be a timedelta strictly between -timedelta(hours=24) and \
             timedelta(hours=24)."
        );
        assert_eq!(
            dt_err("9999-12-31T24:00"),
            "OverflowError: date value out of range"
        );
        assert_eq!(
            dt_err("9999-12-31T23:00-02:00"),
            "OverflowError: date value out of range"
        );
        assert_eq!(
            dt_err("0001-01-01T01:00+02:00"),
            "OverflowError: date value out of range"
        );
    }
}
