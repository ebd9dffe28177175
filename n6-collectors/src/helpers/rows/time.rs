//! How a row's time is found: the [`RowTime`] trait (n6's `should_row_be_used`,
//! `pick_raw_row_time`, `clean_row_time`) and ready-made pieces for CSV feeds.

use std::borrow::Cow;

use super::text::TimeText;

use crate::config::isotime::parse_iso_datetime_to_utc;
use n6_collectors_config::py::text::is_py_space;

/// How to find a row's time; the only thing a time-ordered-rows collector must supply.
///
/// Rows are the exact bytes of one line of the feed (without the `\n`; a `\r` before it
/// stays). Times are strings compared byte-wise (= Python's `str` order for UTF-8),
/// returned as [`TimeText`]: borrowed from the row when the row already holds the time
/// (`TimeText::from(&str)`), else made in a small buffer inside the value
/// ([`TimeText::copied`], [`TimeText::format`]), so that no row costs an allocation.
/// `TimeText` also converts from a `String` or a `Cow<str>` (`.into()`).
///
/// ```
/// use std::borrow::Cow;
/// use n6_collectors::helpers::rows::{RowTime, TimeText, csv_field, iso_utc_time};
///
/// /// cert.pl-like: tab-separated, the time in column 2 as UTC.
/// struct Column2;
///
/// impl RowTime for Column2 {
///     fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
///         csv_field(row, 2, b'\t')
///     }
///
///     fn clean_row_time<'r>(&self, raw: Cow<'r, [u8]>) -> Option<TimeText<'r>> {
///         iso_utc_time(raw)
///     }
/// }
///
/// let time = Column2.extract_row_time(b"1\tx.example\t2020-06-03T14:00:00+02:00");
/// assert_eq!(time.as_deref(), Some("2020-06-03 12:00:00"));
/// ```
pub trait RowTime {
    /// n6's `should_row_be_used`: by default, a row is used when it is not blank and does
    /// not start with `#` ([`is_used_by_default`]).
    fn should_row_be_used(&self, row: &[u8]) -> bool {
        is_used_by_default(row)
    }

    /// n6's `pick_raw_row_time`: the raw time field of a row, or `None` to skip the row.
    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>>;

    /// n6's `clean_row_time`: the sortable time, or `None` to skip the row. By default the
    /// raw time verbatim (rows whose raw time is not UTF-8 are skipped).
    fn clean_row_time<'r>(&self, raw: Cow<'r, [u8]>) -> Option<TimeText<'r>> {
        utf8(raw)
    }

    /// n6's `extract_row_time`: the three steps above.
    fn extract_row_time<'r>(&self, row: &'r [u8]) -> Option<TimeText<'r>> {
        if !self.should_row_be_used(row) {
            return None;
        }
        let raw = self.pick_raw_row_time(row)?;
        self.clean_row_time(raw)
    }
}

/// n6's default `should_row_be_used`: `row.strip()` is non-empty (Python whitespace,
/// undecodable bytes are not whitespace) and the row does not start with `#` (no
/// stripping before that test: `"  # x"` is used).
#[inline]
pub fn is_used_by_default(row: &[u8]) -> bool {
    !row.starts_with(b"#") && !is_blank(row)
}

/// Python's `not row.strip()` for a row decoded with `surrogateescape`.
#[inline]
pub fn is_blank(row: &[u8]) -> bool {
    // Fast path: almost every row starts with a printable ASCII character.
    match row.first() {
        None => return true,
        Some(&b) if b.is_ascii() && !is_py_space(char::from(b)) => return false,
        _ => {}
    }
    row.utf8_chunks()
        .all(|chunk| chunk.invalid().is_empty() && chunk.valid().chars().all(is_py_space))
}

/// Bytes to text without copying when they are valid UTF-8; `None` otherwise.
#[inline]
pub fn utf8(raw: Cow<'_, [u8]>) -> Option<TimeText<'_>> {
    match raw {
        Cow::Borrowed(b) => std::str::from_utf8(b).ok().map(TimeText::from),
        Cow::Owned(v) => String::from_utf8(v).ok().map(TimeText::from),
    }
}

/// Field `index` (0-based) of a CSV row, as Python's `csv.reader` with `delimiter` and
/// `"` quoting reads it (non-strict: text after a closing quote is kept, an unterminated
/// quoted field ends at the end of the row; a `""` inside quotes is one `"`). `None` when
/// the row has fewer fields. Borrowed unless the field contains `""`.
#[inline]
pub fn csv_field(row: &[u8], index: usize, delimiter: u8) -> Option<Cow<'_, [u8]>> {
    let mut pos = 0;
    for _ in 0..index {
        pos = skip_field(row, pos, delimiter)?;
    }
    Some(read_field(row, pos, delimiter))
}

/// The start of the field after the one starting at `pos`, or `None` at the end of the record.
#[inline]
fn skip_field(row: &[u8], mut pos: usize, delimiter: u8) -> Option<usize> {
    if row.get(pos) == Some(&b'"') {
        pos += 1;
        loop {
            // The closing quote, or the end of the record inside the quotes.
            let at = pos + memchr::memchr(b'"', row.get(pos..)?)?;
            if row.get(at + 1) == Some(&b'"') {
                pos = at + 2;
            } else {
                pos = at + 1;
                break;
            }
        }
    }
    let rest = row.get(pos..)?;
    match memchr::memchr3(delimiter, b'\r', b'\n', rest) {
        Some(at) if rest[at] == delimiter => Some(pos + at + 1),
        _ => None,
    }
}

/// The field starting at `pos` (which may be the end of the row: an empty field).
#[inline]
fn read_field(row: &[u8], pos: usize, delimiter: u8) -> Cow<'_, [u8]> {
    let rest = &row[pos.min(row.len())..];
    let end_unquoted = |s: &[u8]| {
        s.iter()
            .position(|&b| b == delimiter || b == b'\r' || b == b'\n')
            .unwrap_or(s.len())
    };
    let Some(inner) = rest.strip_prefix(b"\"") else {
        return Cow::Borrowed(&rest[..end_unquoted(rest)]);
    };
    // Quoted: find the closing quote, noting whether `""` occurs.
    let mut i = 0;
    let mut doubled = false;
    while i < inner.len() {
        if inner[i] == b'"' {
            if inner.get(i + 1) == Some(&b'"') {
                doubled = true;
                i += 2;
                continue;
            }
            break;
        }
        i += 1;
    }
    let quoted = &inner[..i];
    let after = inner.get(i + 1..).unwrap_or(&[]);
    let tail = &after[..end_unquoted(after)];
    if !doubled && tail.is_empty() {
        return Cow::Borrowed(quoted);
    }
    let mut field = Vec::with_capacity(quoted.len() + tail.len());
    let mut j = 0;
    while j < quoted.len() {
        field.push(quoted[j]);
        j += if quoted[j] == b'"' { 2 } else { 1 };
    }
    field.extend_from_slice(tail);
    Cow::Owned(field)
}

/// `str(parse_iso_datetime_to_utc(raw))` — the row time of n6's abuse.ch and cert.pl
/// collectors: `YYYY-MM-DD HH:MM:SS`, plus `.ffffff` when the microseconds are not 0.
/// `None` when `raw` is not an ISO date-time (n6 skips such rows). Values already in
/// that form are returned borrowed; others are written into the [`TimeText`]'s own
/// buffer: no form allocates.
pub fn iso_utc_time(raw: Cow<'_, [u8]>) -> Option<TimeText<'_>> {
    if is_canonical(&raw) {
        return utf8(raw);
    }
    let text = std::str::from_utf8(&raw).ok()?;
    let dt = parse_iso_datetime_to_utc(text).ok()?;
    Some(TimeText::format(|w| write_py_datetime(w, dt)))
}

/// Python's `str(datetime)` of a naive date-time.
pub fn format_py_datetime(dt: time::UtcDateTime) -> String {
    let mut s = String::with_capacity(26);
    // Writing into a `String` cannot fail.
    let _ = write_py_datetime(&mut s, dt);
    s
}

/// Writes Python's `str(datetime)` of a naive date-time.
fn write_py_datetime(w: &mut dyn std::fmt::Write, dt: time::UtcDateTime) -> std::fmt::Result {
    write!(
        w,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )?;
    if dt.microsecond() != 0 {
        write!(w, ".{:06}", dt.microsecond())?;
    }
    Ok(())
}

/// The field at `pos` when it is exactly `"YYYY-MM-DD HH:MM:SS"` (quoted, canonical,
/// nothing after the closing quote but the end of the field): what [`read_field`] and
/// [`iso_utc_time`] would give, borrowed. `None` for anything else.
#[inline]
fn quoted_canonical_at(row: &[u8], pos: usize) -> Option<TimeText<'_>> {
    let field = row.get(pos..pos + 21)?;
    let after = row.get(pos + 21);
    if field[0] != b'"' || field[20] != b'"' || !matches!(after, None | Some(b',' | b'\r' | b'\n'))
    {
        return None;
    }
    let inner = &field[1..20];
    if !is_canonical(inner) {
        return None;
    }
    // Canonical times are ASCII.
    std::str::from_utf8(inner).ok().map(TimeText::from)
}

/// True for `YYYY-MM-DD HH:MM:SS` with a valid date and time (second < 60, year ≥ 1):
/// exactly what `str(parse_iso_datetime_to_utc(...))` gives back unchanged.
fn is_canonical(b: &[u8]) -> bool {
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b' '
        || b[13] != b':'
        || b[16] != b':'
    {
        return false;
    }
    let num = |from: usize, len: usize| -> Option<u32> {
        b[from..from + len].iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        num(0, 4),
        num(5, 2),
        num(8, 2),
        num(11, 2),
        num(14, 2),
        num(17, 2),
    ) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days_in_month).contains(&day) && hour < 24 && minute < 60 && second < 60
}

/// A [`RowTime`] for CSV feeds: the time is field `column`, verbatim (n6's test
/// collector, `TestBaseTimeOrderedRowsCollector`: column 1, `,`).
#[derive(Debug, Clone, Copy)]
pub struct CsvColumn {
    /// 0-based column index.
    pub column: usize,
    /// The field delimiter, e.g. `b','`.
    pub delimiter: u8,
}

impl RowTime for CsvColumn {
    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
        csv_field(row, self.column, self.delimiter)
    }
}

/// A [`RowTime`] for abuse.ch feeds: field `column` of a `,`-separated row, as
/// `str(parse_iso_datetime_to_utc(field))`; rows whose field is not an ISO date-time are
/// skipped (n6: `should_row_be_used` tries to parse it). Unlike n6, a row with too few
/// columns is skipped instead of aborting the run.
#[derive(Debug, Clone, Copy)]
pub struct CsvIsoUtcColumn {
    /// 0-based column index (abuse.ch: 1 for URLhaus URLs, 0 for the others).
    pub column: usize,
}

impl RowTime for CsvIsoUtcColumn {
    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
        csv_field(row, self.column, b',')
    }

    /// The three steps of [`RowTime::extract_row_time`], with a shortcut for the form
    /// abuse.ch's feeds use, a quoted canonical time (`"YYYY-MM-DD HH:MM:SS"`): one check
    /// of its 21 bytes where the field starts gives the same result as the general path.
    #[inline]
    fn extract_row_time<'r>(&self, row: &'r [u8]) -> Option<TimeText<'r>> {
        if !is_used_by_default(row) {
            return None;
        }
        let mut pos = 0;
        for _ in 0..self.column {
            pos = skip_field(row, pos, b',')?;
        }
        if let Some(time) = quoted_canonical_at(row, pos) {
            return Some(time);
        }
        iso_utc_time(read_field(row, pos, b','))
    }

    fn clean_row_time<'r>(&self, raw: Cow<'r, [u8]>) -> Option<TimeText<'r>> {
        iso_utc_time(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(row: &str, i: usize) -> Option<String> {
        csv_field(row.as_bytes(), i, b',').map(|f| String::from_utf8_lossy(&f).into_owned())
    }

    #[test]
    fn csv_fields_like_python_csv() {
        assert_eq!(
            field("\"ham\",\"2019-07-13\"", 1).as_deref(),
            Some("2019-07-13")
        );
        assert_eq!(field("\"ham\",\"2019-07-13\"", 0).as_deref(), Some("ham"));
        assert_eq!(field("\"ham\",\"2019-07-13\"", 2), None);
        assert_eq!(field("a,b", 1).as_deref(), Some("b"));
        assert_eq!(field("a,", 1).as_deref(), Some(""));
        assert_eq!(field("a", 1), None);
        assert_eq!(field("\"x,\"\"y\"\"\",z", 0).as_deref(), Some("x,\"y\""));
        assert_eq!(field("\"x,\"\"y\"\"\",z", 1).as_deref(), Some("z"));
        assert_eq!(field("\"ab\"cd,e", 0).as_deref(), Some("abcd"));
        assert_eq!(field("a\"b,c", 0).as_deref(), Some("a\"b"));
        assert_eq!(field("\"open,x", 0).as_deref(), Some("open,x"));
        assert_eq!(field("a,b\r", 1).as_deref(), Some("b"));
        assert_eq!(field("a\r,b", 1), None);
        assert_eq!(
            csv_field(b"1\tx\t2020", 2, b'\t').as_deref(),
            Some(&b"2020"[..])
        );
    }

    #[test]
    fn blank_and_comment_rows() {
        for row in ["", "\t", " \r", "\u{a0}\u{3000}", "\x0b\x1c"] {
            assert!(!is_used_by_default(row.as_bytes()), "{row:?}");
        }
        for row in ["#", "# halo,mówię...", "#\t"] {
            assert!(!is_used_by_default(row.as_bytes()), "{row:?}");
        }
        for row in ["  # x", "x", " \u{200b}"] {
            assert!(is_used_by_default(row.as_bytes()), "{row:?}");
        }
        assert!(is_used_by_default(b" \xff"));
    }

    /// The shortcut of `CsvIsoUtcColumn::extract_row_time` gives what the three steps do.
    #[test]
    fn csv_iso_utc_shortcut_equals_the_general_path() {
        struct General(CsvIsoUtcColumn);
        impl RowTime for General {
            fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
                self.0.pick_raw_row_time(row)
            }
            fn clean_row_time<'r>(&self, raw: Cow<'r, [u8]>) -> Option<TimeText<'r>> {
                self.0.clean_row_time(raw)
            }
        }
        let rows: [&[u8]; 16] = [
            b"\"1\",\"2024-01-01 00:00:00\",\"http://x\"",
            b"\"1\",\"2024-01-01 00:00:00\"",
            b"\"1\",\"2024-01-01 00:00:00\"\r",
            b"\"1\",\"2024-01-01 00:00:00\"x,y",
            b"\"1\",\"2024-01-01 00:00:00\"\",y",
            b"\"1\",\"2024-02-30 00:00:00\",y",
            b"\"1\",\"2024-01-01T00:00:00Z\",y",
            b"\"1\",2024-01-01 00:00:00,y",
            b"\"1,\"\"x\"\"\",\"2024-01-01 00:00:00\",y",
            b"\"1\",\"2024-01-01 00:00:0\",y",
            b"\"1\"",
            b"\"1\",",
            b"# \"1\",\"2024-01-01 00:00:00\"",
            b"  ",
            b"\"1\",\" 2024-01-01 00:00:00.5Z\",y",
            b"\"open,\"2024-01-01 00:00:00\"",
        ];
        for column in [0, 1, 2] {
            let time = CsvIsoUtcColumn { column };
            for row in rows {
                assert_eq!(
                    time.extract_row_time(row),
                    General(time).extract_row_time(row),
                    "column {column}: {}",
                    row.escape_ascii()
                );
            }
        }
    }

    fn iso(raw: &str) -> Option<String> {
        iso_utc_time(Cow::Borrowed(raw.as_bytes())).map(TimeText::into_owned)
    }

    #[test]
    fn iso_times_as_python_str_datetime() {
        assert_eq!(
            iso("2019-08-20 03:00:00").as_deref(),
            Some("2019-08-20 03:00:00")
        );
        assert!(
            iso_utc_time(Cow::Borrowed(b"2019-08-20 03:00:00")).is_some_and(|t| t.is_borrowed())
        );
        for raw in ["2020-06-03T14:00:00+00:00", " 2020-06-03 14:00:00.5Z"] {
            assert!(
                iso_utc_time(Cow::Borrowed(raw.as_bytes())).is_some_and(|t| t.is_inline()),
                "{raw}: made without allocating"
            );
        }
        assert_eq!(
            iso("2020-06-03T14:00:00+00:00").as_deref(),
            Some("2020-06-03 14:00:00")
        );
        assert_eq!(
            iso("2020-06-03T14:00:00+02:00").as_deref(),
            Some("2020-06-03 12:00:00")
        );
        assert_eq!(
            iso(" 2020-06-03 14:00:00.5Z").as_deref(),
            Some("2020-06-03 14:00:00.500000")
        );
        assert_eq!(iso("2019-02-29 00:00:00"), None);
        assert_eq!(
            iso("2019-08-20 24:00:00").as_deref(),
            Some("2019-08-21 00:00:00")
        );
        assert_eq!(
            iso("2019-08-20 23:59:60").as_deref(),
            Some("2019-08-20 23:59:59.999999")
        );
        assert_eq!(iso("dateadded"), None);
        assert_eq!(iso("2019-08-20"), None);
    }
}
