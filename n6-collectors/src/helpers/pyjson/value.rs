//! The values Python's `json` module produces: `None`, `bool`, `int`, `float`, `str`,
//! `list`, `dict` (insertion-ordered).

use std::fmt;

/// A JSON value as Python's `json.loads` returns it.
#[derive(Debug, Clone, PartialEq)]
pub enum PyJson {
    /// `None` (`null`).
    Null,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` of any size.
    Int(PyInt),
    /// A `float` (`NaN` and the infinities included).
    Float(f64),
    /// A `str`.
    Str(String),
    /// A `list` (or a tuple, which `json.dumps` writes the same way).
    Array(Vec<PyJson>),
    /// A `dict` with string keys, in insertion order.
    Object(PyObject),
}

impl PyJson {
    /// The string, if this is a `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyJson::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is an `int` that fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            PyJson::Int(i) => i.as_i64(),
            _ => None,
        }
    }

    /// The number as `f64`, if this is an `int` or a `float`.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            PyJson::Int(i) => i.0.parse().ok(),
            PyJson::Float(x) => Some(*x),
            _ => None,
        }
    }

    /// The items, if this is a `list`.
    pub fn as_array(&self) -> Option<&Vec<PyJson>> {
        match self {
            PyJson::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The dict, if this is one.
    pub fn as_object(&self) -> Option<&PyObject> {
        match self {
            PyJson::Object(o) => Some(o),
            _ => None,
        }
    }

    /// `value[key]` for a dict (None for a missing key or a non-dict).
    pub fn get(&self, key: &str) -> Option<&PyJson> {
        self.as_object().and_then(|o| o.get(key))
    }
}

impl fmt::Display for PyJson {
    /// `json.dumps(value)` (non-finite floats as `NaN`, `Infinity`, `-Infinity`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::dumps(self))
    }
}

/// A Python `int`: canonical decimal digits with an optional leading `-` (never `-0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PyInt(String);

impl PyInt {
    /// From decimal digits with an optional leading `-`; None unless canonical-izable
    /// (`-?[0-9]+`). Leading zeros are dropped and `-0` becomes `0`, as `int()` does.
    pub fn from_decimal(text: &str) -> Option<PyInt> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits = digits.trim_start_matches('0');
        Some(PyInt(match (negative, digits.is_empty()) {
            (_, true) => "0".to_owned(),
            (true, false) => format!("-{digits}"),
            (false, false) => digits.to_owned(),
        }))
    }

    /// The value, if it fits in `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    /// Python's `repr(int)`: the decimal digits.
    pub fn as_decimal(&self) -> &str {
        &self.0
    }
}

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for PyInt {
            fn from(i: $t) -> PyInt {
                PyInt(i.to_string())
            }
        }
        impl From<$t> for PyJson {
            fn from(i: $t) -> PyJson {
                PyJson::Int(PyInt::from(i))
            }
        }
    )*};
}
int_from!(
    i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, isize, usize
);

impl From<f64> for PyJson {
    fn from(x: f64) -> PyJson {
        PyJson::Float(x)
    }
}

impl From<bool> for PyJson {
    fn from(b: bool) -> PyJson {
        PyJson::Bool(b)
    }
}

impl From<&str> for PyJson {
    fn from(s: &str) -> PyJson {
        PyJson::Str(s.to_owned())
    }
}

impl From<String> for PyJson {
    fn from(s: String) -> PyJson {
        PyJson::Str(s)
    }
}

impl<T: Into<PyJson>> From<Option<T>> for PyJson {
    /// `None` is `null`.
    fn from(v: Option<T>) -> PyJson {
        v.map_or(PyJson::Null, Into::into)
    }
}

impl<T: Into<PyJson>> From<Vec<T>> for PyJson {
    fn from(v: Vec<T>) -> PyJson {
        PyJson::Array(v.into_iter().map(Into::into).collect())
    }
}

impl From<PyObject> for PyJson {
    fn from(o: PyObject) -> PyJson {
        PyJson::Object(o)
    }
}

impl From<PyInt> for PyJson {
    fn from(i: PyInt) -> PyJson {
        PyJson::Int(i)
    }
}

impl From<&serde_json::Value> for PyJson {
    /// A `serde_json` value; objects in the order `serde_json` iterates them (sorted by
    /// key unless its `preserve_order` feature is on). Integers keep their digits.
    fn from(v: &serde_json::Value) -> PyJson {
        use serde_json::Value as V;
        match v {
            V::Null => PyJson::Null,
            V::Bool(b) => PyJson::Bool(*b),
            V::Number(n) => match PyInt::from_decimal(&n.to_string()) {
                Some(i) => PyJson::Int(i),
                None => PyJson::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            V::String(s) => PyJson::Str(s.clone()),
            V::Array(a) => PyJson::Array(a.iter().map(PyJson::from).collect()),
            V::Object(o) => PyJson::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), PyJson::from(v)))
                    .collect(),
            ),
        }
    }
}

/// A Python `dict` with `str` keys: insertion-ordered; re-inserting a key replaces the
/// value in place (the key keeps its first position), as in Python.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PyObject(Vec<(String, PyJson)>);

impl PyObject {
    /// An empty dict.
    pub fn new() -> Self {
        PyObject(Vec::new())
    }

    /// `d[key] = value`: replaces in place, or appends a new key.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<PyJson>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    /// From parsed pairs in document order, in one pass: a repeated key keeps its first
    /// place and takes its last value (Python's `dict(pairs)`).
    pub(super) fn from_pairs(pairs: Vec<(String, PyJson)>) -> Self {
        let mut first: std::collections::HashMap<String, usize> =
            std::collections::HashMap::with_capacity(pairs.len());
        let mut out: Vec<(String, PyJson)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match first.get(&k) {
                Some(&at) => out[at].1 = v,
                None => {
                    first.insert(k.clone(), out.len());
                    out.push((k, v));
                }
            }
        }
        PyObject(out)
    }

    /// Builder form of [`PyObject::insert`].
    pub fn with(mut self, key: impl Into<String>, value: impl Into<PyJson>) -> Self {
        self.insert(key, value);
        self
    }

    /// `d.get(key)`.
    pub fn get(&self, key: &str) -> Option<&PyJson> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// `d.pop(key, None)`: removes the key, keeping the others' order.
    pub fn remove(&mut self, key: &str) -> Option<PyJson> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &PyJson)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K: Into<String>, V: Into<PyJson>> FromIterator<(K, V)> for PyObject {
    /// Inserts in order (a repeated key keeps its first place and its last value).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(items: I) -> Self {
        let mut object = PyObject::new();
        for (k, v) in items {
            object.insert(k, v);
        }
        object
    }
}
