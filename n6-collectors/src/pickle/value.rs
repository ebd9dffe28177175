//! [`PyValue`]: what a supported pickle decodes to, and its serde-friendly form.

use std::fmt::{self, Write as _};

use ciborium::Value as Cbor;

/// A Python object from an n6 state pickle (the subset n6's collectors store, plus the
/// plain built-in types of any pickle protocol).
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `None`.
    None,
    /// `bool`.
    Bool(bool),
    /// `int` (within −2⁶⁴ .. 2⁶⁴ − 1, what CBOR integers hold).
    Int(i128),
    /// `float`.
    Float(f64),
    /// `str`, as the bytes `s.encode('utf-8', 'surrogateescape')` gives: UTF-8 for text,
    /// the raw byte for each surrogate-escaped byte (see [`super::text`]).
    Str(Vec<u8>),
    /// `bytes` / `bytearray`.
    Bytes(Vec<u8>),
    /// `list`.
    List(Vec<PyValue>),
    /// `tuple`.
    Tuple(Vec<PyValue>),
    /// `set`, in pickle order (which Python's hash seed decides: never meaningful).
    Set(Vec<PyValue>),
    /// `frozenset`.
    FrozenSet(Vec<PyValue>),
    /// `dict`, in insertion order.
    Dict(Vec<(PyValue, PyValue)>),
    /// `datetime.date`.
    Date {
        /// Year.
        year: u16,
        /// Month 1..=12.
        month: u8,
        /// Day 1..=31.
        day: u8,
    },
    /// Naive `datetime.datetime`.
    DateTime {
        /// Year.
        year: u16,
        /// Month 1..=12.
        month: u8,
        /// Day 1..=31.
        day: u8,
        /// Hour 0..=23.
        hour: u8,
        /// Minute 0..=59.
        minute: u8,
        /// Second 0..=59.
        second: u8,
        /// Microsecond 0..=999_999.
        microsecond: u32,
    },
    /// `n6lib.common_helpers.OPSet` (an ordered set), elements in order.
    OpSet(Vec<PyValue>),
}

impl PyValue {
    /// The serde-friendly form used to build a typed state (and shown by `state show`):
    ///
    /// | Python | CBOR value |
    /// |---|---|
    /// | `None`, `bool`, `int`, `float` | null, bool, integer, float |
    /// | `str` | text; bytes when it holds surrogate-escaped non-UTF-8 bytes |
    /// | `bytes` | bytes |
    /// | `list`, `tuple`, `set`, `frozenset`, `OPSet` | array (sets in pickle order) |
    /// | `dict` | map (insertion order) |
    /// | `date` | text `YYYY-MM-DD` |
    /// | naive `datetime` | text `YYYY-MM-DDTHH:MM:SS`, plus `.ffffff` when microseconds ≠ 0 (Python's `isoformat()`) |
    pub fn to_cbor(&self) -> Cbor {
        match self {
            PyValue::None => Cbor::Null,
            PyValue::Bool(b) => Cbor::Bool(*b),
            PyValue::Int(i) => match ciborium::value::Integer::try_from(*i) {
                Ok(i) => Cbor::Integer(i),
                // Unreachable: the decoder refuses integers outside the CBOR range.
                Err(_) => Cbor::Text(i.to_string()),
            },
            PyValue::Float(f) => Cbor::Float(*f),
            PyValue::Str(raw) => match String::from_utf8(raw.clone()) {
                Ok(text) => Cbor::Text(text),
                Err(e) => Cbor::Bytes(e.into_bytes()),
            },
            PyValue::Bytes(raw) => Cbor::Bytes(raw.clone()),
            PyValue::List(items)
            | PyValue::Tuple(items)
            | PyValue::Set(items)
            | PyValue::FrozenSet(items)
            | PyValue::OpSet(items) => Cbor::Array(items.iter().map(PyValue::to_cbor).collect()),
            PyValue::Dict(entries) => Cbor::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_cbor(), v.to_cbor()))
                    .collect(),
            ),
            PyValue::Date { .. } | PyValue::DateTime { .. } => Cbor::Text(self.iso()),
        }
    }

    /// Python's `isoformat()` of a date or datetime; empty for other values.
    fn iso(&self) -> String {
        match *self {
            PyValue::Date { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
            PyValue::DateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                microsecond,
            } => {
                let mut s =
                    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
                if microsecond != 0 {
                    let _ = write!(s, ".{microsecond:06}");
                }
                s
            }
            _ => String::new(),
        }
    }
}

/// Python-`repr`-like rendering (sets and dicts in pickle order), for messages and
/// `state show`.
impl fmt::Display for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn seq(
            f: &mut fmt::Formatter<'_>,
            open: &str,
            items: &[PyValue],
            close: &str,
        ) -> fmt::Result {
            f.write_str(open)?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item}")?;
            }
            if open == "(" && items.len() == 1 {
                f.write_str(",")?;
            }
            f.write_str(close)
        }
        match self {
            PyValue::None => f.write_str("None"),
            PyValue::Bool(true) => f.write_str("True"),
            PyValue::Bool(false) => f.write_str("False"),
            PyValue::Int(i) => write!(f, "{i}"),
            PyValue::Float(x) => f.write_str(&n6_collectors_config::py::repr::py_float_repr(*x)),
            PyValue::Str(raw) => match std::str::from_utf8(raw) {
                Ok(text) => f.write_str(&n6_collectors_config::py::repr::py_str_repr(text)),
                // Surrogate-escaped bytes: Python shows each as `\udcXX`.
                Err(_) => write_str_repr(f, raw),
            },
            PyValue::Bytes(raw) => f.write_str(&n6_collectors_config::py::repr::py_bytes_repr(raw)),
            PyValue::List(items) => seq(f, "[", items, "]"),
            PyValue::Tuple(items) => seq(f, "(", items, ")"),
            PyValue::Set(items) if items.is_empty() => f.write_str("set()"),
            PyValue::Set(items) => seq(f, "{", items, "}"),
            PyValue::FrozenSet(items) => seq(f, "frozenset({", items, "})"),
            PyValue::OpSet(items) => seq(f, "OPSet([", items, "])"),
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

/// A `str` in Python repr style; escaped bytes are shown as `\udcXX`, as Python shows them.
fn write_str_repr(f: &mut fmt::Formatter<'_>, raw: &[u8]) -> fmt::Result {
    f.write_char('\'')?;
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '\'' => f.write_str("\\'")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if c.is_control() => write!(f, "\\x{:02x}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        for &b in chunk.invalid() {
            write!(f, "\\udc{b:02x}")?;
        }
    }
    f.write_char('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> PyValue {
        PyValue::Str(s.as_bytes().to_vec())
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

    #[test]
    fn datetimes_become_isoformat_text() {
        let dt = PyValue::DateTime {
            year: 2022,
            month: 8,
            day: 25,
            hour: 15,
            minute: 8,
            second: 47,
            microsecond: 787_810,
        };
        assert_eq!(
            dt.to_cbor(),
            Cbor::Text("2022-08-25T15:08:47.787810".into())
        );
        let dt = PyValue::DateTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            microsecond: 0,
        };
        assert_eq!(dt.to_cbor(), Cbor::Text("1970-01-01T00:00:00".into()));
        assert_eq!(dt.to_string(), "datetime.datetime(1970, 1, 1, 0, 0)");
        let d = PyValue::Date {
            year: 2024,
            month: 1,
            day: 2,
        };
        assert_eq!(d.to_cbor(), Cbor::Text("2024-01-02".into()));
        assert_eq!(d.to_string(), "datetime.date(2024, 1, 2)");
    }

    #[test]
    fn escaped_strings_become_bytes() {
        assert_eq!(text("jaźń").to_cbor(), Cbor::Text("jaźń".into()));
        let escaped = PyValue::Str(b"ja\xc5\xba\xc5\x84 \xdd".to_vec());
        assert_eq!(
            escaped.to_cbor(),
            Cbor::Bytes(b"ja\xc5\xba\xc5\x84 \xdd".to_vec())
        );
        assert_eq!(escaped.to_string(), "'jaźń \\udcdd'");
    }

    #[test]
    fn containers_and_repr() {
        let v = PyValue::Dict(vec![
            (text("newest_rows"), PyValue::Set(vec![text("a")])),
            (text("t"), PyValue::Tuple(vec![PyValue::None])),
            (text("b"), PyValue::Bytes(b"\xdc'".to_vec())),
            (text("e"), PyValue::Set(vec![])),
        ]);
        assert_eq!(
            v.to_string(),
            "{'newest_rows': {'a'}, 't': (None,), 'b': b\"\\xdc'\", 'e': set()}"
        );
        assert_eq!(
            v.to_cbor(),
            Cbor::Map(vec![
                (
                    Cbor::Text("newest_rows".into()),
                    Cbor::Array(vec![Cbor::Text("a".into())])
                ),
                (Cbor::Text("t".into()), Cbor::Array(vec![Cbor::Null])),
                (Cbor::Text("b".into()), Cbor::Bytes(b"\xdc'".to_vec())),
                (Cbor::Text("e".into()), Cbor::Array(vec![])),
            ])
        );
    }
}
