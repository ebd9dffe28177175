//! n6's standard config-value converters (`n6lib.config.Config.BASIC_CONVERTERS`), plus the framework's
//! `download_timeout` (n6's `BaseDownloadingCollector` custom converter).
//!
//! Every converter takes the raw string of an option and returns a typed [`Value`] or a
//! [`ConvertError`] naming the Python exception class n6 would raise and its message.
//! [`table`] lists them all (name, field type, function, default check): a [`Converter`]
//! is a row of it. The typed functions ([`to_bool`], [`to_int`], ...) are also usable on
//! their own, e.g. in a collector's custom converter.

mod download;
mod json;
mod list;
mod namespaces;
mod number;
mod path;
pub mod table;
mod tlp;

use std::fmt;

use crate::value::Value;

pub use download::download_timeout;
pub use json::to_json;
pub use list::{split_list, to_list};
pub use namespaces::to_py_namespaces_dict;
pub use number::{to_float, to_int};
pub use path::to_path;
pub use table::{ConverterDef, DefaultCheck, Provider};
pub use tlp::to_tlp;

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

/// A converter: a row of [the converter table](table::CONVERTERS), found by its name.
#[derive(Debug, Clone, Copy)]
pub struct Converter(&'static ConverterDef);

impl Converter {
    /// The converter of the given name (`"int"`, `"list_of_path"`, ...).
    pub fn from_name(name: &str) -> Result<Converter, UnknownConverter> {
        table::CONVERTERS
            .iter()
            .find(|def| def.name == name)
            .map(Converter)
            .ok_or_else(|| UnknownConverter {
                name: name.to_owned(),
            })
    }

    /// Every converter, sorted by name.
    pub fn all() -> impl Iterator<Item = Converter> {
        table::CONVERTERS.iter().map(Converter)
    }

    /// Its name in specs.
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// Its table row.
    pub fn def(&self) -> &'static ConverterDef {
        self.0
    }

    /// The type of the config fields it fills, as generated code spells it.
    pub fn rust_type(&self) -> &'static str {
        self.0.rust_type
    }

    /// Converts a raw config value.
    pub fn convert(&self, raw: &str) -> Result<Value, ConvertError> {
        (self.0.convert)(raw)
    }

    /// Checks a spec's default when the collector is built (see [`DefaultCheck`]).
    pub fn check_default(&self, default: &str) -> Result<(), ConvertError> {
        match self.0.default_check {
            DefaultCheck::ConvertUnlessHomeRelative if default.contains('~') => Ok(()),
            _ => self.convert(default).map(|_| ()),
        }
    }
}

impl PartialEq for Converter {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Converter {}

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

/// `py`: a Python literal (see [`crate::py::literal::literal_eval`]), after stripping.
pub fn to_py(raw: &str) -> Result<crate::value::PyValue, ConvertError> {
    crate::py::literal::literal_eval(crate::py::text::py_strip(raw))
}

#[cfg(test)]
mod tests;
