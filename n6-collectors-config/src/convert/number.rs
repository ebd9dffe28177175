//! The `int` and `float` converters: Python's `int(s)` and `float(s)` on a `str`.

use super::ConvertError;
use crate::py::repr::py_str_repr;
use crate::py::text::{decimal_and_space_to_ascii, is_ascii_c_space};

/// `int`: Python `int(raw)` (base 10). Surrounding whitespace is ignored, a sign is
/// allowed, single `_` may separate digits, and any Unicode decimal digits count.
/// The result must fit in 64 bits (n6's Python ints are unbounded).
pub fn to_int(raw: &str) -> Result<i64, ConvertError> {
    let invalid = || {
        // Python formats this message with `%.200R`: the repr cut to 200 characters.
        let repr: String = py_str_repr(raw).chars().take(200).collect();
        ConvertError::value_error(format!("invalid literal for int() with base 10: {repr}"))
    };
    let ascii = decimal_and_space_to_ascii(raw).ok_or_else(invalid)?;
    let text = ascii.trim_matches(is_ascii_c_space);
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !valid_digits_with_underscores(digits) {
        return Err(invalid());
    }
    let mut value: i128 = 0;
    for b in digits.bytes().filter(|b| *b != b'_') {
        value = value * 10 + i128::from(b - b'0');
        if value > 1 << 63 {
            return Err(out_of_range(raw));
        }
    }
    let value = if negative { -value } else { value };
    i64::try_from(value).map_err(|_| out_of_range(raw))
}

fn out_of_range(raw: &str) -> ConvertError {
    let repr: String = py_str_repr(raw).chars().take(200).collect();
    ConvertError::value_error(format!(
        "the integer {repr} is out of range for a 64-bit integer \
         (-9223372036854775808..9223372036854775807)"
    ))
}

/// ASCII digits, possibly separated by single underscores (Python's rule): non-empty,
/// no leading/trailing `_`, no `__`.
fn valid_digits_with_underscores(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter().enumerate().all(|(i, &c)| {
            c.is_ascii_digit()
                || (c == b'_'
                    && i > 0
                    && b[i - 1].is_ascii_digit()
                    && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        })
}

/// `float`: Python `float(raw)`. Surrounding whitespace is ignored; accepts a sign,
/// `inf`/`infinity`/`nan` in any case, decimal and exponent notation, `_` between digits,
/// and any Unicode decimal digits.
pub fn to_float(raw: &str) -> Result<f64, ConvertError> {
    let invalid = || {
        ConvertError::value_error(format!(
            "could not convert string to float: {}",
            py_str_repr(raw)
        ))
    };
    let ascii = decimal_and_space_to_ascii(raw).ok_or_else(invalid)?;
    let b = ascii.as_bytes();
    let underscores_ok = b.iter().enumerate().all(|(i, &c)| {
        c != b'_'
            || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    if !underscores_ok {
        return Err(invalid());
    }
    let cleaned: String = ascii.chars().filter(|c| *c != '_').collect();
    let text = cleaned.trim_matches(is_ascii_c_space);
    if !is_python_float_syntax(text) {
        return Err(invalid());
    }
    text.parse::<f64>().map_err(|_| invalid())
}

/// The syntax `PyOS_string_to_double` accepts: `[sign] (inf | infinity | nan |
/// (digits [. [digits]] | . digits) [(e|E) [sign] digits])`.
fn is_python_float_syntax(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if ["inf", "infinity", "nan"]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w))
    {
        return true;
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = all_digits(int_part)
        && all_digits(frac_part)
        && !(int_part.is_empty() && frac_part.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && all_digits(digits)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_err(raw: &str) -> String {
        to_int(raw).unwrap_err().to_string()
    }

    #[test]
    fn int_table_2_8() {
        assert_eq!(to_int("42"), Ok(42));
        assert_eq!(to_int("-42"), Ok(-42));
        assert_eq!(to_int(" 42 "), Ok(42));
        assert_eq!(to_int("+7"), Ok(7));
        assert_eq!(to_int("1_000"), Ok(1000));
        assert_eq!(
            int_err("0x10"),
            "ValueError: invalid literal for int() with base 10: '0x10'"
        );
        assert_eq!(
            int_err("4.0"),
            "ValueError: invalid literal for int() with base 10: '4.0'"
        );
        assert_eq!(
            int_err(""),
            "ValueError: invalid literal for int() with base 10: ''"
        );
        assert_eq!(to_int("٣"), Ok(3));
        assert_eq!(to_int("007"), Ok(7));
    }

    #[test]
    fn int_python_edge_cases() {
        assert_eq!(to_int("\u{2003}5\u{2003}"), Ok(5));
        assert_eq!(to_int("٣٣"), Ok(33));
        assert_eq!(to_int("\t-0\n"), Ok(0));
        for bad in [
            "\x1c5", "5\x1c", "_1", "1_", "+_1", "- 5", "1__0", "+", "-", "1 2", "ś",
        ] {
            assert_eq!(
                int_err(bad),
                format!(
                    "ValueError: invalid literal for int() with base 10: {}",
                    py_str_repr(bad)
                )
            );
        }
        let long = "x".repeat(300);
        assert_eq!(
            int_err(&long),
            format!(
                "ValueError: invalid literal for int() with base 10: '{}",
                "x".repeat(199)
            )
        );
    }

    #[test]
    fn int_64_bit_range() {
        assert_eq!(to_int("9223372036854775807"), Ok(i64::MAX));
        assert_eq!(to_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(
            int_err("9223372036854775808"),
            "ValueError: the integer '9223372036854775808' is out of range for a 64-bit \
             integer (-9223372036854775808..9223372036854775807)"
        );
        assert!(int_err("-99999999999999999999999999999999999999999").contains("out of range"));
    }

    #[test]
    fn float_table_2_8() {
        assert_eq!(to_float("42"), Ok(42.0));
        assert_eq!(to_float("-42.2"), Ok(-42.2));
        assert_eq!(to_float("1e3"), Ok(1000.0));
        assert_eq!(to_float("inf"), Ok(f64::INFINITY));
        assert!(to_float("nan").is_ok_and(f64::is_nan));
        assert_eq!(to_float(" 1.5 "), Ok(1.5));
        assert_eq!(to_float("1_0.5"), Ok(10.5));
        assert_eq!(
            to_float("").unwrap_err().to_string(),
            "ValueError: could not convert string to float: ''"
        );
        assert_eq!(
            to_float("abc").unwrap_err().to_string(),
            "ValueError: could not convert string to float: 'abc'"
        );
    }

    #[test]
    fn float_python_edge_cases() {
        assert_eq!(to_float("1e1_0"), Ok(1e10));
        assert_eq!(to_float("٣.5"), Ok(3.5));
        assert_eq!(to_float(" -InFiniTy "), Ok(f64::NEG_INFINITY));
        assert_eq!(to_float("1.e5"), Ok(1e5));
        assert_eq!(to_float("+.5e-3"), Ok(0.0005));
        assert_eq!(to_float("5."), Ok(5.0));
        assert_eq!(to_float("1e5000"), Ok(f64::INFINITY));
        for bad in [
            "1._5",
            "1e",
            ".",
            "1_0e_1",
            "infinity_",
            "0x10",
            "1 2",
            "e5",
            "--1",
            "in",
        ] {
            assert_eq!(
                to_float(bad).unwrap_err().to_string(),
                format!(
                    "ValueError: could not convert string to float: {}",
                    py_str_repr(bad)
                )
            );
        }
    }
}
