//! Typed configuration values, as produced by the converters of [`crate::convert`].

use std::any::Any;
use std::fmt;
use std::path::PathBuf;

use crate::py::forms::float_to_json;

/// The value of a `py` option: the workspace's one Python value type, defined in
/// [`crate::py::value`] (re-exported here, where the other converted values are).
pub use crate::py::PyValue;

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
