//! n6's standard config-value converters (`n6lib.config.Config.BASIC_CONVERTERS`), plus the framework's
//! `download_timeout` (n6's `BaseDownloadingCollector` custom converter).
//!
//! Every converter takes the raw string of an option and returns a typed [`Value`] or a
//! [`ConvertError`] naming the Python exception class n6 would raise and its message.
//! Typed per-converter functions ([`to_bool`], [`to_int`], ...) are exposed for generated
//! code.

mod download;
mod json;
mod list;
mod namespaces;
mod number;
mod path;
pub(crate) mod pytext;
mod tlp;

use std::fmt;

use crate::value::Value;

pub use download::download_timeout;
pub use json::to_json;
pub use list::{split_list, to_list};
pub use namespaces::to_py_namespaces_dict;
pub use number::{to_float, to_int};
pub use path::to_path;
pub use tlp::to_tlp;

/// Names of n6's standard converters supported here, sorted (for "valid converters are:
/// ..." messages). n6's `importable_dotted_name` is Python-only and not supported.
pub const STANDARD_CONVERTER_NAMES: &[&str] = &[
    "bool",
    "bytes",
    "date",
    "datetime",
    "float",
    "int",
    "json",
    "list_of_bool",
    "list_of_bytes",
    "list_of_date",
    "list_of_datetime",
    "list_of_float",
    "list_of_int",
    "list_of_path",
    "list_of_str",
    "path",
    "py",
    "py_namespaces_dict",
    "str",
];

/// Converters the framework itself provides on top of the standard ones (n6 defines them
/// as custom converters of its collector base classes); [`Converter::from_name`] accepts
/// them too.
pub const FRAMEWORK_CONVERTER_NAMES: &[&str] = &["download_timeout"];

/// A converter failed: the Python exception class n6 raises (`kind`, e.g. `ValueError`)
/// and its message. Displayed as `"{kind}: {message}"`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ConvertError {
    /// The Python exception class name (`ValueError`, `TypeError`, `SyntaxError`, ...).
    pub kind: String,
    /// The exception message.
    pub message: String,
}

impl ConvertError {
    /// An error of the given Python exception class.
    pub fn new(kind: impl Into<String>, message: impl Into<String>) -> Self {
        ConvertError {
            kind: kind.into(),
            message: message.into(),
        }
    }

    /// A `ValueError`.
    pub fn value_error(message: impl Into<String>) -> Self {
        Self::new("ValueError", message)
    }

    /// A `TypeError`.
    pub fn type_error(message: impl Into<String>) -> Self {
        Self::new("TypeError", message)
    }
}

/// A converter name that is neither standard nor provided by the framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownConverter {
    /// The name as written in the spec.
    pub name: String,
}

impl UnknownConverter {
    /// True for n6 converters that exist only in Python (`importable_dotted_name`).
    pub fn is_python_only(&self) -> bool {
        self.name == "importable_dotted_name"
    }
}

impl fmt::Display for UnknownConverter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_python_only() {
            write!(
                f,
                "the config value converter `{}` imports a Python object and is not \
                 supported (define a custom converter function instead)",
                self.name
            )
        } else {
            write!(f, "unknown config value converter `{}`", self.name)
        }
    }
}

impl std::error::Error for UnknownConverter {}

/// The item converter of a `list_of_*` converter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// `list_of_str`
    Str,
    /// `list_of_bytes`
    Bytes,
    /// `list_of_bool`
    Bool,
    /// `list_of_int`
    Int,
    /// `list_of_float`
    Float,
    /// `list_of_date`
    Date,
    /// `list_of_datetime`
    DateTime,
    /// `list_of_path`
    Path,
}

impl ItemKind {
    /// The scalar converter applied to each item.
    pub fn converter(self) -> Converter {
        match self {
            ItemKind::Str => Converter::Str,
            ItemKind::Bytes => Converter::Bytes,
            ItemKind::Bool => Converter::Bool,
            ItemKind::Int => Converter::Int,
            ItemKind::Float => Converter::Float,
            ItemKind::Date => Converter::Date,
            ItemKind::DateTime => Converter::DateTime,
            ItemKind::Path => Converter::Path,
        }
    }
}

/// A config-value converter (by its n6 name, see [`Converter::from_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Converter {
    /// `str`: the value unchanged.
    Str,
    /// `bytes`: the UTF-8 encoding.
    Bytes,
    /// `bool`: see [`to_bool`].
    Bool,
    /// `int`: see [`to_int`].
    Int,
    /// `float`: see [`to_float`].
    Float,
    /// `date`: see [`to_date`].
    Date,
    /// `datetime`: see [`to_datetime`].
    DateTime,
    /// `path`: see [`to_path`].
    Path,
    /// `list_of_*`: see [`to_list`].
    ListOf(ItemKind),
    /// `py`: a Python literal, see [`to_py`].
    Py,
    /// `py_namespaces_dict`: see [`to_py_namespaces_dict`].
    PyNamespacesDict,
    /// `json`: see [`to_json`].
    Json,
    /// `download_timeout`: see [`download_timeout`].
    DownloadTimeout,
}

impl Converter {
    /// The converter of the given n6 name (`"int"`, `"list_of_path"`, ...).
    pub fn from_name(name: &str) -> Result<Converter, UnknownConverter> {
        let conv = match name {
            "str" => Converter::Str,
            "bytes" => Converter::Bytes,
            "bool" => Converter::Bool,
            "int" => Converter::Int,
            "float" => Converter::Float,
            "date" => Converter::Date,
            "datetime" => Converter::DateTime,
            "path" => Converter::Path,
            "list_of_str" => Converter::ListOf(ItemKind::Str),
            "list_of_bytes" => Converter::ListOf(ItemKind::Bytes),
            "list_of_bool" => Converter::ListOf(ItemKind::Bool),
            "list_of_int" => Converter::ListOf(ItemKind::Int),
            "list_of_float" => Converter::ListOf(ItemKind::Float),
            "list_of_date" => Converter::ListOf(ItemKind::Date),
            "list_of_datetime" => Converter::ListOf(ItemKind::DateTime),
            "list_of_path" => Converter::ListOf(ItemKind::Path),
            "py" => Converter::Py,
            "py_namespaces_dict" => Converter::PyNamespacesDict,
            "json" => Converter::Json,
            "download_timeout" => Converter::DownloadTimeout,
            _ => {
                return Err(UnknownConverter {
                    name: name.to_owned(),
                });
            }
        };
        Ok(conv)
    }

    /// The n6 name of this converter.
    pub fn name(&self) -> &'static str {
        match self {
            Converter::Str => "str",
            Converter::Bytes => "bytes",
            Converter::Bool => "bool",
            Converter::Int => "int",
            Converter::Float => "float",
            Converter::Date => "date",
            Converter::DateTime => "datetime",
            Converter::Path => "path",
            Converter::ListOf(ItemKind::Str) => "list_of_str",
            Converter::ListOf(ItemKind::Bytes) => "list_of_bytes",
            Converter::ListOf(ItemKind::Bool) => "list_of_bool",
            Converter::ListOf(ItemKind::Int) => "list_of_int",
            Converter::ListOf(ItemKind::Float) => "list_of_float",
            Converter::ListOf(ItemKind::Date) => "list_of_date",
            Converter::ListOf(ItemKind::DateTime) => "list_of_datetime",
            Converter::ListOf(ItemKind::Path) => "list_of_path",
            Converter::Py => "py",
            Converter::PyNamespacesDict => "py_namespaces_dict",
            Converter::Json => "json",
            Converter::DownloadTimeout => "download_timeout",
        }
    }

    /// Converts a raw config value.
    pub fn convert(&self, raw: &str) -> Result<Value, ConvertError> {
        Ok(match self {
            Converter::Str => Value::Str(raw.to_owned()),
            Converter::Bytes => Value::Bytes(raw.as_bytes().to_vec()),
            Converter::Bool => Value::Bool(to_bool(raw)?),
            Converter::Int => Value::Int(to_int(raw)?),
            Converter::Float => Value::Float(to_float(raw)?),
            Converter::Date => Value::Date(to_date(raw)?),
            Converter::DateTime => Value::DateTime(to_datetime(raw)?),
            Converter::Path => Value::Path(to_path(raw)?),
            Converter::ListOf(item) => {
                let item = item.converter();
                Value::List(to_list(raw, |s| item.convert(s))?)
            }
            Converter::Py => Value::Py(to_py(raw)?),
            Converter::PyNamespacesDict => Value::PyNamespacesDict(to_py_namespaces_dict(raw)?),
            Converter::Json => json::convert_json(raw)?,
            Converter::DownloadTimeout => {
                let (connect, read) = download_timeout(raw)?;
                Value::DownloadTimeout(connect, read)
            }
        })
    }
}

impl fmt::Display for Converter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const BOOL_TRUE: [&str; 6] = ["1", "y", "yes", "t", "true", "on"];
const BOOL_FALSE: [&str; 6] = ["0", "n", "no", "f", "false", "off"];

/// `bool`: case-insensitively one of `1 y yes t true on` (true) or `0 n no f false off`
/// (false). The value is **not** stripped.
pub fn to_bool(raw: &str) -> Result<bool, ConvertError> {
    if BOOL_TRUE.iter().any(|w| raw.eq_ignore_ascii_case(w)) {
        Ok(true)
    } else if BOOL_FALSE.iter().any(|w| raw.eq_ignore_ascii_case(w)) {
        Ok(false)
    } else {
        Err(ConvertError::value_error(format!(
            "\"{raw}\" is not a valid YES/NO flag (expected one of: \"0\", \"f\", \"false\", \
             \"n\", \"no\", \"off\", \"1\", \"on\", \"t\", \"true\", \"y\", \"yes\"; or a variant \
             of any of them with some letters upper-cased)"
        )))
    }
}

/// `bytes`: the UTF-8 encoding of the value.
pub fn to_bytes(raw: &str) -> Vec<u8> {
    raw.as_bytes().to_vec()
}

/// `date`: an ISO-8601 date (see [`crate::isotime::parse_iso_date`]).
pub fn to_date(raw: &str) -> Result<time::Date, ConvertError> {
    crate::isotime::parse_iso_date(raw)
}

/// `datetime`: an ISO-8601 date and time, normalised to UTC (see
/// [`crate::isotime::parse_iso_datetime_to_utc`]).
pub fn to_datetime(raw: &str) -> Result<time::UtcDateTime, ConvertError> {
    crate::isotime::parse_iso_datetime_to_utc(raw)
}

/// `py`: a Python literal (see [`crate::pyliteral::literal_eval`]), after stripping.
pub fn to_py(raw: &str) -> Result<crate::value::PyValue, ConvertError> {
    crate::pyliteral::literal_eval(pytext::py_strip(raw))
}

#[cfg(test)]
mod tests;
