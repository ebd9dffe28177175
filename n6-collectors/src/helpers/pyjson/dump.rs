//! `json.dumps`: Python's default separators, `ensure_ascii` and float repr.

use std::fmt::Write as _;

use super::parse::JsonError;
use super::value::PyJson;
use n6_collectors_config::py::repr::py_float_repr;

/// The `json.dumps` keyword arguments that change the bytes: `ensure_ascii` and
/// `allow_nan` (`indent`, `separators` and `sort_keys` stay at Python's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DumpOptions {
    /// Escape every character outside `' '..='~'` as `\uXXXX` (surrogate pairs beyond
    /// the BMP); Python's default `True`.
    pub ensure_ascii: bool,
    /// Write non-finite floats as `NaN`, `Infinity`, `-Infinity`; when false they are
    /// an error (Python's `ValueError`; `requests`' `json=` bodies use `allow_nan=False`).
    pub allow_nan: bool,
}

impl Default for DumpOptions {
    /// Python's defaults: `ensure_ascii=True, allow_nan=True`.
    fn default() -> Self {
        DumpOptions {
            ensure_ascii: true,
            allow_nan: true,
        }
    }
}

/// `json.dumps(value)`.
pub fn dumps(value: &PyJson) -> String {
    let mut out = String::new();
    // (with allow_nan nothing can fail)
    let _ = write_value(&mut out, value, DumpOptions::default());
    out
}

/// `json.dumps(value, ensure_ascii=..., allow_nan=...)`; a non-finite float with
/// `allow_nan: false` is [`JsonError::OutOfRangeFloat`].
pub fn dumps_with(value: &PyJson, options: DumpOptions) -> Result<String, JsonError> {
    let mut out = String::new();
    write_value(&mut out, value, options)?;
    Ok(out)
}

fn write_value(out: &mut String, value: &PyJson, options: DumpOptions) -> Result<(), JsonError> {
    match value {
        PyJson::Null => out.push_str("null"),
        PyJson::Bool(true) => out.push_str("true"),
        PyJson::Bool(false) => out.push_str("false"),
        PyJson::Int(i) => out.push_str(i.as_decimal()),
        PyJson::Float(x) => out.push_str(&float_text(*x, options.allow_nan)?),
        PyJson::Str(s) => write_str(out, s, options.ensure_ascii),
        PyJson::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_value(out, item, options)?;
            }
            out.push(']');
        }
        PyJson::Object(object) => {
            out.push('{');
            for (n, (key, item)) in object.iter().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                write_str(out, key, options.ensure_ascii);
                out.push_str(": ");
                write_value(out, item, options)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

/// `json`'s `floatstr`: `float.__repr__`, with `NaN`, `Infinity`, `-Infinity`.
fn float_text(x: f64, allow_nan: bool) -> Result<String, JsonError> {
    let special = if x.is_nan() {
        "NaN"
    } else if x == f64::INFINITY {
        "Infinity"
    } else if x == f64::NEG_INFINITY {
        "-Infinity"
    } else {
        return Ok(py_float_repr(x));
    };
    if allow_nan {
        Ok(special.to_owned())
    } else {
        Err(JsonError::OutOfRangeFloat)
    }
}

/// `py_encode_basestring_ascii` / `py_encode_basestring`.
fn write_str(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            ' '..='~' => out.push(c),
            c if !ensure_ascii => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}
