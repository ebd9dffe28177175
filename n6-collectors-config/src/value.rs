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

impl Value {
    /// The value as JSON, for showing a configuration (`--print-config`): dates as ISO 8601
    /// strings, bytes as lossy text, a custom converter's value as `"<custom value>"`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            Value::Str(s) => Json::String(s.clone()),
            Value::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => float_to_json(*f),
            Value::Date(d) => Json::String(d.to_string()),
            Value::DateTime(dt) => Json::String(format!("{} {}", dt.date(), dt.time())),
            Value::Path(p) => Json::String(p.display().to_string()),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Py(py) => py.to_json(),
            Value::PyNamespacesDict(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
            Value::Json(j) => j.clone(),
            Value::DownloadTimeout(connect, read) => {
                Json::Array(vec![float_to_json(*connect), float_to_json(*read)])
            }
            Value::Custom(_) => Json::String("<custom value>".to_owned()),
        }
    }
}

impl PyValue {
    /// The value as JSON: tuples and sets as arrays, a dict key that is not a `str` as
    /// its `Debug` text, complex numbers as `"(re+imj)"`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match self {
            PyValue::None => Json::Null,
            PyValue::Bool(b) => Json::Bool(*b),
            PyValue::Int(i) => Json::from(*i),
            PyValue::Float(f) => float_to_json(*f),
            PyValue::Complex(re, im) => Json::String(format!("({re}+{im}j)")),
            PyValue::Str(s) => Json::String(s.clone()),
            PyValue::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
            PyValue::Tuple(items) | PyValue::List(items) | PyValue::Set(items) => {
                Json::Array(items.iter().map(PyValue::to_json).collect())
            }
            PyValue::Dict(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            PyValue::Str(s) => s.clone(),
                            other => format!("{other:?}"),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
        }
    }
}

/// A finite float as a JSON number; NaN and the infinities as their Rust text.
fn float_to_json(f: f64) -> serde_json::Value {
    serde_json::Number::from_f64(f)
        .map(serde_json::Value::Number)
        .unwrap_or_else(|| serde_json::Value::String(f.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_render_as_json() {
        assert_eq!(Value::Int(3).to_json(), serde_json::json!(3));
        assert_eq!(
            Value::List(vec![Value::Bool(true), Value::Str("a".into())]).to_json(),
            serde_json::json!([true, "a"])
        );
        assert_eq!(
            Value::DownloadTimeout(12.1, 25.0).to_json(),
            serde_json::json!([12.1, 25.0])
        );
        assert_eq!(
            Value::PyNamespacesDict(vec![("k".into(), PyValue::Int(42))]).to_json(),
            serde_json::json!({"k": 42})
        );
    }
}
