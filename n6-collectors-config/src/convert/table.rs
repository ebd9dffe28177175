//! **The converter table**: every converter a config spec may name, one row each. The
//! runtime converts raw values with a row's `convert`; the derive gives the option's field
//! the row's `rust_type` and checks the spec's default with the row's `default_check`.
//!
//! To add a converter: write its parse function in the family file of `convert/` (a new
//! family also adds a [`Value`] variant in `value.rs`), add one row here, and, for a new
//! field type, one `FromValue` impl in the runtime (`n6-collectors/src/private.rs`).

use super::{ConvertError, download_timeout, to_json, to_list, to_path, to_py_namespaces_dict};
use super::{to_bool, to_bytes, to_date, to_datetime, to_float, to_int, to_py};
use crate::value::Value;

/// Who defines a converter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// One of n6's standard converters (n6's `n6lib.config.Config.BASIC_CONVERTERS`).
    N6,
    /// The framework, as n6 defines it as a custom converter of a collector base class
    /// (e.g. `BaseDownloadingCollector`'s `download_timeout`).
    Framework,
}

/// How a spec's default for an option of this converter is checked when the collector
/// is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultCheck {
    /// Converted at compile time: a default that does not convert fails the build.
    Convert,
    /// Converted at compile time unless it holds a `~`: that expands to the home
    /// directory of the user running the collector, not of the one building it.
    ConvertUnlessHomeRelative,
}

/// One converter: its name in specs, the Rust type of the fields it fills, how it
/// converts and how its defaults are checked.
#[derive(Debug)]
pub struct ConverterDef {
    /// The name after `::` in a spec (`int`, `list_of_path`, ...).
    pub name: &'static str,
    /// The type of the generated config field, as generated code spells it (paths
    /// through `::n6_collectors`, which every collector depends on).
    pub rust_type: &'static str,
    /// Converts a raw value.
    pub convert: fn(&str) -> Result<Value, ConvertError>,
    /// How a default is checked at compile time.
    pub default_check: DefaultCheck,
    /// Who defines it.
    pub provider: Provider,
}

/// A converter of n6's standard set.
const fn n6(
    name: &'static str,
    rust_type: &'static str,
    convert: fn(&str) -> Result<Value, ConvertError>,
) -> ConverterDef {
    ConverterDef {
        name,
        rust_type,
        convert,
        default_check: DefaultCheck::Convert,
        provider: Provider::N6,
    }
}

const PY_VALUE: &str = "::n6_collectors::config::PyValue";

/// Every converter, sorted by name (the order of "valid converters: ..." messages).
pub static CONVERTERS: &[ConverterDef] = &[
    n6("bool", "bool", |raw| to_bool(raw).map(Value::Bool)),
    n6("bytes", "::std::vec::Vec<u8>", |raw| {
        Ok(Value::Bytes(to_bytes(raw)))
    }),
    n6("date", "::n6_collectors::__private::time::Date", |raw| {
        to_date(raw).map(Value::Date)
    }),
    n6(
        "datetime",
        "::n6_collectors::__private::time::UtcDateTime",
        |raw| to_datetime(raw).map(Value::DateTime),
    ),
    ConverterDef {
        name: "download_timeout",
        rust_type: "(f64, f64)",
        convert: |raw| {
            download_timeout(raw).map(|(connect, read)| Value::DownloadTimeout(connect, read))
        },
        default_check: DefaultCheck::Convert,
        provider: Provider::Framework,
    },
    n6("float", "f64", |raw| to_float(raw).map(Value::Float)),
    n6("int", "i64", |raw| to_int(raw).map(Value::Int)),
    n6(
        "json",
        "::n6_collectors::__private::serde_json::Value",
        |raw| to_json(raw).map(Value::Json),
    ),
    n6("list_of_bool", "::std::vec::Vec<bool>", |raw| {
        list_of(raw, |s| to_bool(s).map(Value::Bool))
    }),
    n6(
        "list_of_bytes",
        "::std::vec::Vec<::std::vec::Vec<u8>>",
        |raw| list_of(raw, |s| Ok(Value::Bytes(to_bytes(s)))),
    ),
    n6(
        "list_of_date",
        "::std::vec::Vec<::n6_collectors::__private::time::Date>",
        |raw| list_of(raw, |s| to_date(s).map(Value::Date)),
    ),
    n6(
        "list_of_datetime",
        "::std::vec::Vec<::n6_collectors::__private::time::UtcDateTime>",
        |raw| list_of(raw, |s| to_datetime(s).map(Value::DateTime)),
    ),
    n6("list_of_float", "::std::vec::Vec<f64>", |raw| {
        list_of(raw, |s| to_float(s).map(Value::Float))
    }),
    n6("list_of_int", "::std::vec::Vec<i64>", |raw| {
        list_of(raw, |s| to_int(s).map(Value::Int))
    }),
    ConverterDef {
        default_check: DefaultCheck::ConvertUnlessHomeRelative,
        ..n6(
            "list_of_path",
            "::std::vec::Vec<::std::path::PathBuf>",
            |raw| list_of(raw, |s| to_path(s).map(Value::Path)),
        )
    },
    n6(
        "list_of_str",
        "::std::vec::Vec<::std::string::String>",
        |raw| list_of(raw, |s| Ok(Value::Str(s.to_owned()))),
    ),
    ConverterDef {
        default_check: DefaultCheck::ConvertUnlessHomeRelative,
        ..n6("path", "::std::path::PathBuf", |raw| {
            to_path(raw).map(Value::Path)
        })
    },
    n6("py", PY_VALUE, |raw| to_py(raw).map(Value::Py)),
    n6(
        "py_namespaces_dict",
        "::std::vec::Vec<(::std::string::String, ::n6_collectors::config::PyValue)>",
        |raw| to_py_namespaces_dict(raw).map(Value::PyNamespacesDict),
    ),
    n6("str", "::std::string::String", |raw| {
        Ok(Value::Str(raw.to_owned()))
    }),
];

/// A `list_of_*` converter: n6's list splitting, then `item` on every item.
fn list_of(
    raw: &str,
    item: fn(&str) -> Result<Value, ConvertError>,
) -> Result<Value, ConvertError> {
    to_list(raw, item).map(Value::List)
}
