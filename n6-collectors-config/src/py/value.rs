//! [`PyValue`]: the one Python value of the workspace, what a `py` config literal
//! (`ast.literal_eval`) evaluates to and what an n6 state pickle decodes to.
//!
//! Its `repr()` is the `Display` impl in [`super::repr`]; its JSON and CBOR forms are
//! in `forms.rs` ([`PyValue::to_json`], [`PyValue::to_cbor`]).

use std::fmt;

/// A Python value: the literals of n6's `py` converter, and the objects n6's collectors
/// keep in their state pickles (plus the plain built-in types of any pickle protocol).
///
/// A `str` is [`PyValue::Str`] whenever it is valid Unicode text, which every config
/// literal is; only a pickled `str` holding surrogate-escaped bytes (`'\udcXX'`) is an
/// [`PyValue::EscapedStr`]. [`PyValue::str_from_escaped`] picks the right one, so each
/// Python string has exactly one representation and `==` compares strings as Python does.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int`. A config literal must fit in 64 bits; a pickled one in −2⁶⁴ .. 2⁶⁴ − 1
    /// (what CBOR integers hold).
    Int(i128),
    /// A `float`.
    Float(f64),
    /// A `complex` number `(re, im)` (config literals only; no n6 state holds one).
    Complex(f64, f64),
    /// A `str` that is valid Unicode text.
    Str(String),
    /// A `str` holding surrogate-escaped bytes (never valid UTF-8: see [`EscapedStr`]).
    EscapedStr(EscapedStr),
    /// `bytes` (a pickled `bytearray` too).
    Bytes(Vec<u8>),
    /// A `tuple`.
    Tuple(Vec<PyValue>),
    /// A `list`.
    List(Vec<PyValue>),
    /// A `set`: a config literal's in the order written, duplicates removed; a pickled
    /// one in pickle order (which Python's hash seed decides: never meaningful).
    Set(Vec<PyValue>),
    /// A `frozenset` (pickles only).
    FrozenSet(Vec<PyValue>),
    /// A `dict`, in insertion order (in a config literal, a repeated key keeps its first
    /// position and last value).
    Dict(Vec<(PyValue, PyValue)>),
    /// A `datetime.date` (pickles only).
    Date {
        /// Year.
        year: u16,
        /// Month 1..=12.
        month: u8,
        /// Day 1..=31.
        day: u8,
    },
    /// A naive `datetime.datetime` (pickles only).
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
    /// An `n6lib.common_helpers.OPSet` (an ordered set), elements in order (pickles only).
    OpSet(Vec<PyValue>),
}

/// A Python `str` that holds surrogate-escaped bytes, as n6's time-ordered-rows
/// collectors make when they decode non-UTF-8 input with `errors='surrogateescape'`.
///
/// Held as the bytes `s.encode('utf-8', 'surrogateescape')` gives: UTF-8 for the text,
/// the raw byte `XX` for each escaped `'\udcXX'`. Those bytes are never valid UTF-8
/// ([`EscapedStr::new`] refuses valid UTF-8), so a string that is plain text is always a
/// [`PyValue::Str`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EscapedStr(Vec<u8>);

impl EscapedStr {
    /// The string whose `surrogateescape` bytes are `bytes`; `Err` gives back the text
    /// when they are valid UTF-8 (a plain `str`, not an escaped one).
    pub fn new(bytes: Vec<u8>) -> Result<EscapedStr, String> {
        match String::from_utf8(bytes) {
            Ok(text) => Err(text),
            Err(e) => Ok(EscapedStr(e.into_bytes())),
        }
    }

    /// The `surrogateescape` bytes (never valid UTF-8).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The `surrogateescape` bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

/// The `str`'s Python `repr()`, as `Debug` shows it.
impl fmt::Debug for EscapedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::repr::py_escaped_str_repr(&self.0))
    }
}

impl PyValue {
    /// The `str` whose `s.encode('utf-8', 'surrogateescape')` bytes are `bytes`:
    /// [`PyValue::Str`] when they are valid UTF-8, else [`PyValue::EscapedStr`].
    pub fn str_from_escaped(bytes: Vec<u8>) -> PyValue {
        match EscapedStr::new(bytes) {
            Ok(escaped) => PyValue::EscapedStr(escaped),
            Err(text) => PyValue::Str(text),
        }
    }

    /// A `str`'s `s.encode('utf-8', 'surrogateescape')` bytes (its UTF-8 when it is plain
    /// text); `None` for a value that is not a `str`.
    pub fn str_escaped_bytes(&self) -> Option<&[u8]> {
        match self {
            PyValue::Str(text) => Some(text.as_bytes()),
            PyValue::EscapedStr(escaped) => Some(escaped.as_bytes()),
            _ => None,
        }
    }

    /// The name of the value's Python type (`type(v).__name__`).
    pub fn type_name(&self) -> &'static str {
        match self {
            PyValue::None => "NoneType",
            PyValue::Bool(_) => "bool",
            PyValue::Int(_) => "int",
            PyValue::Float(_) => "float",
            PyValue::Complex(..) => "complex",
            PyValue::Str(_) | PyValue::EscapedStr(_) => "str",
            PyValue::Bytes(_) => "bytes",
            PyValue::Tuple(_) => "tuple",
            PyValue::List(_) => "list",
            PyValue::Set(_) => "set",
            PyValue::FrozenSet(_) => "frozenset",
            PyValue::Dict(_) => "dict",
            PyValue::Date { .. } => "date",
            PyValue::DateTime { .. } => "datetime",
            PyValue::OpSet(_) => "OPSet",
        }
    }

    /// Python's `isoformat()` of a `date` or naive `datetime` (`YYYY-MM-DD`,
    /// `YYYY-MM-DDTHH:MM:SS`, plus `.ffffff` when microseconds ≠ 0); `None` for other
    /// values.
    pub fn isoformat(&self) -> Option<String> {
        match *self {
            PyValue::Date { year, month, day } => Some(format!("{year:04}-{month:02}-{day:02}")),
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
                    s.push_str(&format!(".{microsecond:06}"));
                }
                Some(s)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_str_has_one_form() {
        assert_eq!(
            PyValue::str_from_escaped("jaźń".as_bytes().to_vec()),
            PyValue::Str("jaźń".into())
        );
        let escaped = PyValue::str_from_escaped(b"ja \xdd".to_vec());
        let PyValue::EscapedStr(inner) = &escaped else {
            panic!("not escaped: {escaped:?}");
        };
        assert_eq!(inner.as_bytes(), b"ja \xdd");
        assert_eq!(escaped.str_escaped_bytes(), Some(&b"ja \xdd"[..]));
        assert_eq!(
            PyValue::Str("a".into()).str_escaped_bytes(),
            Some(&b"a"[..])
        );
        assert_eq!(PyValue::Bytes(b"a".to_vec()).str_escaped_bytes(), None);
        assert_eq!(EscapedStr::new(b"ok".to_vec()), Err("ok".to_owned()));
        assert_eq!(format!("{inner:?}"), "'ja \\udcdd'");
    }

    #[test]
    fn dates_have_isoformat() {
        let d = PyValue::Date {
            year: 24,
            month: 1,
            day: 2,
        };
        assert_eq!(d.isoformat().as_deref(), Some("0024-01-02"));
        assert_eq!(PyValue::None.isoformat(), None);
    }
}
