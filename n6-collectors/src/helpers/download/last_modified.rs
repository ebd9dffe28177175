//! The `Last-Modified` response header as n6 reads it (`n6lib.http_helpers.RequestPerformer.get_dt_header`): tried as
//! `%a, %d %b %Y %H:%M:%S GMT`, `%A, %d-%b-%y %H:%M:%S GMT`, `%a %b %d %H:%M:%S %Y`
//! (Python `strptime`, case-insensitive, a space matching any run of whitespace), then
//! as ISO 8601 (normalised to UTC). The result is formatted as Python's `str(datetime)`.

use time::{Date, Month, PrimitiveDateTime, Time, UtcDateTime};

use crate::config::isotime::parse_iso_datetime_to_utc;
use crate::helpers::rows::format_py_datetime;

const RFC_1123: &str = "%a, %d %b %Y %H:%M:%S GMT";
const RFC_850: &str = "%A, %d-%b-%y %H:%M:%S GMT";
const ASCTIME: &str = "%a %b %d %H:%M:%S %Y";

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// `headers.meta.http_last_modified` for a `Last-Modified` value: `YYYY-MM-DD HH:MM:SS`
/// (naive UTC, `.ffffff` when the microseconds are not 0); `None` when unparseable.
pub fn http_last_modified(value: &str) -> Option<String> {
    [RFC_1123, RFC_850, ASCTIME]
        .iter()
        .find_map(|format| strptime(value, format))
        .or_else(|| parse_iso_datetime_to_utc(value).ok())
        .map(format_py_datetime)
}

#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u8>,
    day: Option<u8>,
    hour: u8,
    minute: u8,
    second: u8,
}

/// A subset of Python's `time.strptime` for the directives above (C locale).
fn strptime(input: &str, format: &str) -> Option<UtcDateTime> {
    let s = input.as_bytes();
    let f = format.as_bytes();
    let (mut i, mut j) = (0, 0);
    let mut fields = Fields::default();
    while j < f.len() {
        match f[j] {
            b'%' => {
                let directive = *f.get(j + 1)?;
                j += 2;
                i = directive_at(s, i, directive, &mut fields)?;
            }
            b' ' => {
                // A space in the format matches one or more whitespace characters.
                let start = i;
                while i < s.len() && s[i].is_ascii_whitespace() {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                j += 1;
            }
            c => {
                if !s.get(i)?.eq_ignore_ascii_case(&c) {
                    return None;
                }
                i += 1;
                j += 1;
            }
        }
    }
    if i != s.len() {
        return None;
    }
    let month = Month::try_from(fields.month?).ok()?;
    let date = Date::from_calendar_date(fields.year?, month, fields.day?).ok()?;
    let time = Time::from_hms(fields.hour, fields.minute, fields.second).ok()?;
    Some(PrimitiveDateTime::new(date, time).as_utc())
}

/// Matches one directive at `i`; returns the position after it.
fn directive_at(s: &[u8], i: usize, directive: u8, fields: &mut Fields) -> Option<usize> {
    match directive {
        b'a' | b'A' => {
            let full = directive == b'A';
            let (_, end) = DAYS.iter().find_map(|day| {
                let name = if full { *day } else { &day[..3] };
                prefix_ci(s, i, name).map(|end| (day, end))
            })?;
            Some(end)
        }
        b'b' => {
            let (n, end) = MONTHS
                .iter()
                .enumerate()
                .find_map(|(n, m)| prefix_ci(s, i, m).map(|end| (n, end)))?;
            fields.month = Some(n as u8 + 1);
            Some(end)
        }
        b'd' => {
            // Python: 3[01]|[12]\d|0[1-9]|[1-9]| [1-9]
            let start = if s.get(i) == Some(&b' ') { i + 1 } else { i };
            let (v, end) = digits(s, start, if start > i { 1 } else { 2 })?;
            fields.day = Some(u8::try_from(v).ok().filter(|d| (1..=31).contains(d))?);
            Some(end)
        }
        b'H' | b'M' | b'S' => {
            let (v, end) = digits(s, i, 2)?;
            let v = u8::try_from(v).ok()?;
            match directive {
                b'H' if v < 24 => fields.hour = v,
                b'M' if v < 60 => fields.minute = v,
                // %S accepts 60 and 61; `datetime` then rejects them.
                b'S' if v < 60 => fields.second = v,
                _ => return None,
            }
            Some(end)
        }
        b'Y' => {
            let (v, end) = digits(s, i, 4).filter(|(_, end)| end - i == 4)?;
            fields.year = Some(v as i32);
            Some(end)
        }
        b'y' => {
            let (v, end) = digits(s, i, 2).filter(|(_, end)| end - i == 2)?;
            fields.year = Some(if v < 69 {
                2000 + v as i32
            } else {
                1900 + v as i32
            });
            Some(end)
        }
        _ => None,
    }
}

/// The position after `name` at `i` (ASCII case-insensitive).
fn prefix_ci(s: &[u8], i: usize, name: &str) -> Option<usize> {
    let end = i + name.len();
    s.get(i..end)?
        .eq_ignore_ascii_case(name.as_bytes())
        .then_some(end)
}

/// Up to `max` ASCII digits at `i` (at least one).
fn digits(s: &[u8], i: usize, max: usize) -> Option<(u32, usize)> {
    let mut v = 0u32;
    let mut end = i;
    while end < s.len() && end - i < max && s[end].is_ascii_digit() {
        v = v * 10 + u32::from(s[end] - b'0');
        end += 1;
    }
    (end > i).then_some((v, end))
}

#[cfg(test)]
mod tests {
    use super::http_last_modified as lm;

    #[test]
    fn the_three_http_formats_and_iso() {
        assert_eq!(
            lm("Wed, 21 Oct 2015 07:28:00 GMT").as_deref(),
            Some("2015-10-21 07:28:00")
        );
        assert_eq!(
            lm("wed, 21 oct 2015 07:28:00 gmt").as_deref(),
            Some("2015-10-21 07:28:00")
        );
        assert_eq!(
            lm("Sunday, 06-Nov-94 08:49:37 GMT").as_deref(),
            Some("1994-11-06 08:49:37")
        );
        assert_eq!(
            lm("Sunday, 06-Nov-24 08:49:37 GMT").as_deref(),
            Some("2024-11-06 08:49:37")
        );
        assert_eq!(
            lm("Sun Nov  6 08:49:37 1994").as_deref(),
            Some("1994-11-06 08:49:37")
        );
        assert_eq!(
            lm("2024-01-02T03:04:05+01:00").as_deref(),
            Some("2024-01-02 02:04:05")
        );
        assert_eq!(
            lm("2024-01-02 03:04:05.25").as_deref(),
            Some("2024-01-02 03:04:05.250000")
        );
    }

    #[test]
    fn unparseable_values_give_nothing() {
        for v in [
            "",
            "yesterday",
            "Wed, 31 Feb 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 07:28:60 GMT",
            "Wed, 21 Oct 2015 07:28:00 CET",
        ] {
            assert_eq!(lm(v), None, "{v}");
        }
    }
}
