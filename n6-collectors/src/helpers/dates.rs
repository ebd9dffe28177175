//! `dateutil.parser.parse` for the forms n6's collectors feed it. n6 calls it in one
//! collector, TU Dresden's (`clean_entry_time`: `parse(raw).strftime('%Y-%m-%dT%H:%M:%S')`
//! on the API's `timestamp_request`, ISO 8601 like `2025-08-02T08:41:25.7719`).
//!
//! Accepted, exactly as `dateutil` reads them (other texts are [`DateError`], where
//! `dateutil` might still guess):
//!
//! * ISO 8601: `YYYY-MM-DD` or `YYYYMMDD`, optionally followed by `T` or one space and
//!   `HH:MM`, `HH:MM:SS` or `HHMMSS`, an optional fraction of any length (`.` or `,`;
//!   cut to microseconds, not rounded), and an optional zone: `Z`, ` UTC`, ` GMT`,
//!   `±HH:MM`, `±HHMM` or `±HH`;
//! * RFC 2822 (e-mail and HTTP dates): `[Tue, ]10 Jan 2023 12:00[:00][ ±HHMM| GMT| UTC| Z]`
//!   (English month names, any case).
//!
//! A missing time is midnight; a date alone has no zone (naive, as in `dateutil`).
//!
//! ```
//! use n6_collectors::helpers::dates::dateutil_parse;
//!
//! let t = dateutil_parse("2025-08-02T08:41:25.7719")?;
//! assert_eq!(t.strftime_iso_seconds(), "2025-08-02T08:41:25");
//! assert_eq!(t.to_python_str(), "2025-08-02 08:41:25.771900");
//! assert_eq!(dateutil_parse("Tue, 10 Jan 2023 12:00:00 +0200")?.to_python_str(), "2023-01-10 12:00:00+02:00");
//! # Ok::<(), n6_collectors::helpers::dates::DateError>(())
//! ```

use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// A text `dateutil_parse` does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported date/time format: {0:?}")]
pub struct DateError(pub String);

/// What `dateutil.parser.parse` returns: a date and time, with an offset when the text
/// gave a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDateTime {
    /// The date and time as written (not converted to UTC).
    pub local: PrimitiveDateTime,
    /// The zone's offset, if the text had one (`tzutc()` is zero).
    pub offset: Option<UtcOffset>,
}

impl ParsedDateTime {
    /// `strftime('%Y-%m-%dT%H:%M:%S')` (the fields as written, zone ignored).
    pub fn strftime_iso_seconds(&self) -> String {
        let (d, t) = (self.local.date(), self.local.time());
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.year(),
            u8::from(d.month()),
            d.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    /// Python's `str(datetime)`: `YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]`.
    pub fn to_python_str(&self) -> String {
        let mut out = self.strftime_iso_seconds().replacen('T', " ", 1);
        let micro = self.local.time().microsecond();
        if micro != 0 {
            out.push_str(&format!(".{micro:06}"));
        }
        if let Some(offset) = self.offset {
            let (h, m, s) = offset.as_hms();
            let sign = if offset.is_negative() { '-' } else { '+' };
            out.push_str(&format!("{sign}{:02}:{:02}", h.abs(), m.abs()));
            if s != 0 {
                out.push_str(&format!(":{:02}", s.abs()));
            }
        }
        out
    }

    /// The same instant in UTC, naive (for an offset-less value: as written).
    pub fn to_utc(&self) -> PrimitiveDateTime {
        match self.offset {
            Some(offset) => {
                let utc = self.local.assume_offset(offset).to_offset(UtcOffset::UTC);
                PrimitiveDateTime::new(utc.date(), utc.time())
            }
            None => self.local,
        }
    }
}

/// `dateutil.parser.parse(text)` for the forms in the module docs.
pub fn dateutil_parse(text: &str) -> Result<ParsedDateTime, DateError> {
    let bad = || DateError(text.to_owned());
    let s = text.trim();
    let parsed = if s.starts_with(|c: char| c.is_ascii_digit()) && !is_rfc2822_start(s) {
        parse_iso(s)
    } else {
        parse_rfc2822(s)
    };
    parsed.ok_or_else(bad)
}

/// `10 Jan ...` starts with digits too.
fn is_rfc2822_start(s: &str) -> bool {
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    digits <= 2 && s[digits..].starts_with(' ')
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_iso(s: &str) -> Option<ParsedDateTime> {
    let (date_part, rest) = match s.find(['T', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let date = if date_part.len() == 10
        && date_part.as_bytes()[4] == b'-'
        && date_part.as_bytes()[7] == b'-'
    {
        make_date(
            num(&date_part[..4])?,
            num(&date_part[5..7])?,
            num(&date_part[8..])?,
        )?
    } else if date_part.len() == 8 {
        make_date(
            num(&date_part[..4])?,
            num(&date_part[4..6])?,
            num(&date_part[6..])?,
        )?
    } else {
        return None;
    };
    let Some(rest) = rest else {
        return Some(ParsedDateTime {
            local: PrimitiveDateTime::new(date, Time::MIDNIGHT),
            offset: None,
        });
    };
    let (clock, zone) = split_zone(rest)?;
    let (hms, fraction) = match clock.find(['.', ',']) {
        Some(i) => (&clock[..i], Some(&clock[i + 1..])),
        None => (clock, None),
    };
    let (h, m, sec) = if hms.contains(':') {
        let mut parts = hms.split(':');
        let h = num(parts.next()?)?;
        let m = num(parts.next()?)?;
        let sec = parts.next().map(num).unwrap_or(Some(0))?;
        if parts.next().is_some() {
            return None;
        }
        (h, m, sec)
    } else if hms.len() == 6 {
        (num(&hms[..2])?, num(&hms[2..4])?, num(&hms[4..])?)
    } else if hms.len() == 4 {
        (num(&hms[..2])?, num(&hms[2..])?, 0)
    } else {
        return None;
    };
    if fraction.is_some() && !hms.contains(':') && hms.len() != 6 {
        return None;
    }
    let micro = match fraction {
        Some(f) => {
            num(f)?;
            let six: String = f.chars().chain(std::iter::repeat('0')).take(6).collect();
            num(&six)?
        }
        None => 0,
    };
    let time = Time::from_hms_micro(
        u8::try_from(h).ok()?,
        u8::try_from(m).ok()?,
        u8::try_from(sec).ok()?,
        micro,
    )
    .ok()?;
    Some(ParsedDateTime {
        local: PrimitiveDateTime::new(date, time),
        offset: zone,
    })
}

fn make_date(y: u32, m: u32, d: u32) -> Option<Date> {
    let month = Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()
}

/// Splits a trailing zone off: `Z`, ` UTC`, ` GMT`, `±HH:MM`, `±HHMM`, `±HH`.
fn split_zone(s: &str) -> Option<(&str, Option<UtcOffset>)> {
    for name in ["Z", " UTC", " GMT", " Z", "UTC", "GMT"] {
        if let Some(clock) = s.strip_suffix(name) {
            return Some((clock.trim_end(), Some(UtcOffset::UTC)));
        }
    }
    let Some(i) = s.rfind(['+', '-']) else {
        return Some((s, None));
    };
    let (clock, zone) = (s[..i].trim_end(), &s[i + 1..]);
    let sign: i32 = if s.as_bytes()[i] == b'-' { -1 } else { 1 };
    let (h, m) = match zone.len() {
        5 if zone.as_bytes()[2] == b':' => (num(&zone[..2])?, num(&zone[3..])?),
        4 => (num(&zone[..2])?, num(&zone[2..])?),
        2 => (num(zone)?, 0),
        _ => return None,
    };
    let seconds = sign * i32::try_from(h * 3600 + m * 60).ok()?;
    Some((clock, Some(UtcOffset::from_whole_seconds(seconds).ok()?)))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_rfc2822(s: &str) -> Option<ParsedDateTime> {
    let mut rest = s;
    if let Some((day, after)) = rest.split_once(',') {
        if !DAYS.contains(&day.trim().to_ascii_lowercase().get(..3)?) {
            return None;
        }
        rest = after.trim_start();
    }
    let words: Vec<&str> = rest.split_whitespace().collect();
    if words.len() < 3 {
        return None;
    }
    let day = num(words[0]).filter(|_| words[0].len() <= 2)?;
    let month_name = words[1].to_ascii_lowercase();
    let month = MONTHS
        .iter()
        .position(|m| month_name == *m || (month_name.len() > 3 && month_name.starts_with(m)))?;
    let year = num(words[2]).filter(|_| words[2].len() == 4)?;
    let date = make_date(year, u32::try_from(month + 1).ok()?, day)?;
    let (time, offset) = match &words[3..] {
        [] => (Time::MIDNIGHT, None),
        [clock, zone @ ..] => {
            let mut parts = clock.split(':');
            let h = num(parts.next()?)?;
            let m = num(parts.next()?)?;
            let sec = parts.next().map(num).unwrap_or(Some(0))?;
            if parts.next().is_some() {
                return None;
            }
            let time = Time::from_hms(
                u8::try_from(h).ok()?,
                u8::try_from(m).ok()?,
                u8::try_from(sec).ok()?,
            )
            .ok()?;
            let offset = match zone {
                [] => None,
                [z] if matches!(*z, "GMT" | "UTC" | "Z" | "UT") => Some(UtcOffset::UTC),
                [z] => {
                    let (clock, offset) = split_zone(z)?;
                    if !clock.is_empty() {
                        return None;
                    }
                    Some(offset?)
                }
                _ => return None,
            };
            (time, offset)
        }
    };
    Some(ParsedDateTime {
        local: PrimitiveDateTime::new(date, time),
        offset,
    })
}
