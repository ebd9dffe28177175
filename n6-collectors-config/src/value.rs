//! Typed configuration values, as produced by the converters of [`crate::convert`].

use std::any::Any;
use std::fmt;
use std::path::PathBuf;

/// A Python literal value, as accepted by n6's `py` converter (`ast.literal_eval`).
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `None`
    None,
    /// `True` / `False`
    Bool(bool),
    /// An integer (n6 allows arbitrary precision; here it must fit in 64 bits).
    Int(i64),
    /// A float.
    Float(f64),
    /// A complex number `(re, im)`.
    Complex(f64, f64),
    /// A `str` literal.
    Str(String),
    /// A `bytes` literal.
    Bytes(Vec<u8>),
    /// A tuple.
    Tuple(Vec<PyValue>),
    /// A list.
    List(Vec<PyValue>),
    /// A set (element order as written, duplicates removed).
    Set(Vec<PyValue>),
    /// A dict (insertion order kept, a repeated key keeps its first position and last value).
    Dict(Vec<(PyValue, PyValue)>),
}

/// A converted config value.
///
/// One variant per family of standard converters; `Custom` holds the result of a
/// collector's own converter function.
pub enum Value {
    /// `str`
    Str(String),
    /// `bytes`
    Bytes(Vec<u8>),
    /// `bool`
    Bool(bool),
    /// `int`
    Int(i64),
    /// `float`
    Float(f64),
    /// `date`
    Date(time::Date),
    /// `datetime` (naive in n6; always UTC here)
    DateTime(time::UtcDateTime),
    /// `path`
    Path(PathBuf),
    /// `list_of_*`
    List(Vec<Value>),
    /// `py`
    Py(PyValue),
    /// `py_namespaces_dict`: a dict with `str` keys, in insertion order.
    PyNamespacesDict(Vec<(String, PyValue)>),
    /// `json`
    Json(serde_json::Value),
    /// `download_timeout`: `(connect, read)` seconds (a single number gives both).
    DownloadTimeout(f64, f64),
    /// The value of a collector-defined converter.
    Custom(Box<dyn Any + Send + Sync>),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(v) => f.debug_tuple("Str").field(v).finish(),
            Value::Bytes(v) => f.debug_tuple("Bytes").field(v).finish(),
            Value::Bool(v) => f.debug_tuple("Bool").field(v).finish(),
            Value::Int(v) => f.debug_tuple("Int").field(v).finish(),
            Value::Float(v) => f.debug_tuple("Float").field(v).finish(),
            Value::Date(v) => f.debug_tuple("Date").field(v).finish(),
            Value::DateTime(v) => f.debug_tuple("DateTime").field(v).finish(),
            Value::Path(v) => f.debug_tuple("Path").field(v).finish(),
            Value::List(v) => f.debug_tuple("List").field(v).finish(),
            Value::Py(v) => f.debug_tuple("Py").field(v).finish(),
            Value::PyNamespacesDict(v) => f.debug_tuple("PyNamespacesDict").field(v).finish(),
            Value::Json(v) => f.debug_tuple("Json").field(v).finish(),
            Value::DownloadTimeout(c, r) => {
                f.debug_tuple("DownloadTimeout").field(c).field(r).finish()
            }
            Value::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}
