//! Python's `repr()` (and `ascii()`) of [`PyValue`]s and their pieces, so that error
//! messages and diagnostics (`state show`) quote values exactly the way n6 (Python) does.

use std::fmt::{self, Write as _};

use super::value::PyValue;

/// Python `repr(s)` of a `str`: single quotes unless the text contains `'` and no `"`,
/// backslash escapes for the quote, `\`, `\t`, `\n`, `\r` and non-printable characters.
///
/// Printability follows Python's `str.isprintable()` for control, separator, format and
/// private-use characters; unassigned code points are treated as printable.
pub fn py_str_repr(s: &str) -> String {
    str_repr(s, false)
}

/// Python `ascii(s)` of a `str` (as `repr`, but every non-ASCII character escaped), used by
/// n6 messages formatted with `{!a}`.
pub fn py_ascii_repr(s: &str) -> String {
    str_repr(s, true)
}

/// Python `repr(s)` of a `str` holding surrogate-escaped bytes, given as its
/// `s.encode('utf-8', 'surrogateescape')` bytes: as [`py_str_repr`], each escaped byte
/// `XX` shown as `\udcXX` (as Python shows the lone surrogate).
pub fn py_escaped_str_repr(raw: &[u8]) -> String {
    str_repr_bytes(raw, false)
}

fn str_repr(s: &str, ascii_only: bool) -> String {
    str_repr_bytes(s.as_bytes(), ascii_only)
}

/// The repr of the `str` whose `surrogateescape` bytes are `raw` (for valid UTF-8, the
/// text itself).
fn str_repr_bytes(raw: &[u8], ascii_only: bool) -> String {
    // Escaped bytes are >= 0x80, so they never count as quotes.
    let quote = if raw.contains(&b'\'') && !raw.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(raw.len() + 2);
    out.push(quote);
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_char(&mut out, c, quote, ascii_only);
        }
        for &b in chunk.invalid() {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\udc{b:02x}");
        }
    }
    out.push(quote);
    out
}

/// One character of a `str` repr quoted with `quote`.
fn push_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c as u32 == 0x7f => push_escape(out, c),
        c if c.is_ascii() => out.push(c),
        c if !ascii_only && is_printable(c) => out.push(c),
        c => push_escape(out, c),
    }
}

fn push_escape(out: &mut String, c: char) {
    let code = c as u32;
    // Writing to a String cannot fail.
    let _ = if code <= 0xff {
        write!(out, "\\x{code:02x}")
    } else if code <= 0xffff {
        write!(out, "\\u{code:04x}")
    } else {
        write!(out, "\\U{code:08x}")
    };
}

/// Python's `str.isprintable()` for one non-ASCII character (approximation: categories
/// Cc, Zs (but space), Zl, Zp, Cf, Co, the noncharacters and the large unassigned blocks
/// of Unicode 15 are non-printable; small unassigned gaps count as printable).
fn is_printable(c: char) -> bool {
    let code = c as u32;
    let non_printable = matches!(code,
        0x80..=0xa0 | 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2
        | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064
        | 0x2066..=0x206f | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0xfffe..=0xffff | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0x14647..=0x167ff | 0x18d09..=0x1afef | 0x1bca4..=0x1ceff
        | 0x2fa1e..=0x2ffff | 0x323b0..=0xe00ff | 0xe01f0..=0x10ffff);
    !non_printable && (code & 0xfffe) != 0xfffe
}

/// Python `repr(b)` of a `bytes` value: `b'...'` (or `b"..."`), printable ASCII kept,
/// everything else as `\xNN` (`\t`, `\n`, `\r` by name).
pub fn py_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(b.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &byte in b {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            q if q == quote => {
                out.push('\\');
                out.push(q as char);
            }
            0x20..=0x7e => out.push(byte as char),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// Python `repr(x)` of a `float`: the shortest round-tripping digits, in positional
/// notation for `1e-4 <= |x| < 1e16` (always with a fractional part, e.g. `42.0`) and in
/// exponent notation otherwise (`1e+16`, `1.5e-05`); `inf`, `-inf`, `nan`.
pub fn py_float_repr(x: f64) -> String {
    float_repr(x, true)
}

/// Formats a float as Python does; `add_dot_0` is false inside complex numbers' repr.
fn float_repr(x: f64, add_dot_0: bool) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let decpt = exp + 1;
    let mut out = String::new();
    if x.is_sign_negative() {
        out.push('-');
    }
    let n = digits.len() as i32;
    if !(-3..=16).contains(&decpt) {
        out.push_str(&digits[..1]);
        if n > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-decpt) as usize));
        out.push_str(&digits);
    } else if decpt >= n {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (decpt - n) as usize));
        if add_dot_0 {
            out.push_str(".0");
        }
    } else {
        out.push_str(&digits[..decpt as usize]);
        out.push('.');
        out.push_str(&digits[decpt as usize..]);
    }
    out
}

/// Python `repr(complex(re, im))`: `2j`, `(1+2j)`, `(-0-1j)`, `(1+infj)`.
pub fn py_complex_repr(re: f64, im: f64) -> String {
    let im_s = float_repr(im, false);
    if re == 0.0 && re.is_sign_positive() {
        return format!("{im_s}j");
    }
    let sign = if im_s.starts_with('-') { "" } else { "+" };
    format!("({}{sign}{im_s}j)", float_repr(re, false))
}

/// `Display` is Python's `repr()` of the value (sets and dicts in their stored order).
impl fmt::Display for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PyValue::None => f.write_str("None"),
            PyValue::Bool(true) => f.write_str("True"),
            PyValue::Bool(false) => f.write_str("False"),
            PyValue::Int(i) => write!(f, "{i}"),
            PyValue::Float(x) => f.write_str(&py_float_repr(*x)),
            PyValue::Complex(re, im) => f.write_str(&py_complex_repr(*re, *im)),
            PyValue::Str(s) => f.write_str(&py_str_repr(s)),
            PyValue::EscapedStr(s) => f.write_str(&py_escaped_str_repr(s.as_bytes())),
            PyValue::Bytes(b) => f.write_str(&py_bytes_repr(b)),
            PyValue::Tuple(items) => {
                f.write_str("(")?;
                write_items(f, items)?;
                if items.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            PyValue::List(items) => write_seq(f, "[", items, "]"),
            PyValue::Set(items) if items.is_empty() => f.write_str("set()"),
            PyValue::Set(items) => write_seq(f, "{", items, "}"),
            PyValue::FrozenSet(items) if items.is_empty() => f.write_str("frozenset()"),
            PyValue::FrozenSet(items) => write_seq(f, "frozenset({", items, "})"),
            PyValue::OpSet(items) => write_seq(f, "OPSet([", items, "])"),
            PyValue::Dict(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
            PyValue::Date { year, month, day } => {
                write!(f, "datetime.date({year}, {month}, {day})")
            }
            PyValue::DateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                microsecond,
            } => {
                write!(
                    f,
                    "datetime.datetime({year}, {month}, {day}, {hour}, {minute}"
                )?;
                if *second != 0 || *microsecond != 0 {
                    write!(f, ", {second}")?;
                }
                if *microsecond != 0 {
                    write!(f, ", {microsecond}")?;
                }
                f.write_str(")")
            }
        }
    }
}

fn write_seq(
    f: &mut fmt::Formatter<'_>,
    open: &str,
    items: &[PyValue],
    close: &str,
) -> fmt::Result {
    f.write_str(open)?;
    write_items(f, items)?;
    f.write_str(close)
}

fn write_items(f: &mut fmt::Formatter<'_>, items: &[PyValue]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(py_str_repr("abc ś"), "'abc ś'");
        assert_eq!(py_str_repr(""), "''");
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("'\""), "'\\'\"'");
        assert_eq!(
            py_str_repr("a\\b\t\n\r\x1c\x7f"),
            "'a\\\\b\\t\\n\\r\\x1c\\x7f'"
        );
        assert_eq!(
            py_str_repr("\u{a0}\u{2003}\u{200b}x\u{e000}"),
            "'\\xa0\\u2003\\u200bx\\ue000'"
        );
        assert_eq!(py_str_repr("٣ \u{1F600}"), "'٣ \u{1F600}'");
        assert_eq!(py_ascii_repr("ś\u{1F600}"), "'\\u015b\\U0001f600'");
    }

    #[test]
    fn bytes_repr_matches_python() {
        assert_eq!(py_bytes_repr("abc ś".as_bytes()), "b'abc \\xc5\\x9b'");
        assert_eq!(py_bytes_repr(b""), "b''");
        assert_eq!(py_bytes_repr(b"'"), "b\"'\"");
        assert_eq!(py_bytes_repr(b"\0\t\\"), "b'\\x00\\t\\\\'");
    }

    #[test]
    fn float_repr_matches_python() {
        let cases: &[(f64, &str)] = &[
            (42.0, "42.0"),
            (-42.2, "-42.2"),
            (1000.0, "1000.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-5, "1.5e-05"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345e300, "1.2345e+300"),
            (45.6789, "45.6789"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (x, expected) in cases {
            assert_eq!(py_float_repr(*x), *expected, "{x:?}");
        }
    }

    #[test]
    fn complex_repr_matches_python() {
        assert_eq!(py_complex_repr(1.0, 2.0), "(1+2j)");
        assert_eq!(py_complex_repr(0.0, 2.0), "2j");
        assert_eq!(py_complex_repr(0.0, 1000.0), "1000j");
        assert_eq!(py_complex_repr(-0.0, -1.0), "(-0-1j)");
        assert_eq!(py_complex_repr(1.5, f64::INFINITY), "(1.5+infj)");
        assert_eq!(py_complex_repr(-1.0, -2.5), "(-1-2.5j)");
    }

    #[test]
    fn value_display_is_python_repr() {
        let v = PyValue::List(vec![
            PyValue::Tuple(vec![PyValue::Str("a".into())]),
            PyValue::Dict(vec![(PyValue::Int(42), PyValue::None)]),
            PyValue::Set(vec![]),
            PyValue::Set(vec![PyValue::Int(1), PyValue::Int(2)]),
            PyValue::Tuple(vec![]),
            PyValue::Bool(true),
            PyValue::Bytes(b"x".to_vec()),
            PyValue::Complex(1.0, 2.0),
            PyValue::Float(45.6789),
        ]);
        assert_eq!(
            v.to_string(),
            "[('a',), {42: None}, set(), {1, 2}, (), True, b'x', (1+2j), 45.6789]"
        );
    }

    #[test]
    fn escaped_str_repr_matches_python() {
        assert_eq!(
            py_escaped_str_repr(b"ja\xc5\xba\xc5\x84 \xdd"),
            "'jaźń \\udcdd'"
        );
        assert_eq!(py_escaped_str_repr(b"it's \xff"), "\"it's \\udcff\"");
        assert_eq!(py_escaped_str_repr(b"\x80\t\xc3"), "'\\udc80\\t\\udcc3'");
        assert_eq!(py_escaped_str_repr("ok".as_bytes()), py_str_repr("ok"));
    }

    #[test]
    fn state_values_display_as_python_repr() {
        let v = PyValue::List(vec![
            PyValue::str_from_escaped(b"a\xdd".to_vec()),
            PyValue::FrozenSet(vec![PyValue::Int(1)]),
            PyValue::FrozenSet(vec![]),
            PyValue::OpSet(vec![PyValue::Tuple(vec![PyValue::None])]),
            PyValue::Date {
                year: 2024,
                month: 1,
                day: 2,
            },
            PyValue::DateTime {
                year: 1970,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                second: 0,
                microsecond: 0,
            },
            PyValue::DateTime {
                year: 2022,
                month: 8,
                day: 25,
                hour: 15,
                minute: 8,
                second: 0,
                microsecond: 7,
            },
            PyValue::Int(-(1 << 63) - 1),
        ]);
        assert_eq!(
            v.to_string(),
            "['a\\udcdd', frozenset({1}), frozenset(), OPSet([(None,)]), \
             datetime.date(2024, 1, 2), datetime.datetime(1970, 1, 1, 0, 0), \
             datetime.datetime(2022, 8, 25, 15, 8, 0, 7), -9223372036854775809]"
        );
    }

    #[test]
    fn floats_print_as_python_repr() {
        for (x, python) in [
            (1e16, "1e+16"),
            (1.5, "1.5"),
            (2.0, "2.0"),
            (1e-5, "1e-05"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(PyValue::Float(x).to_string(), python, "{x:?}");
        }
        assert_eq!(
            PyValue::List(vec![PyValue::Float(1e16)]).to_string(),
            "[1e+16]"
        );
    }
}
