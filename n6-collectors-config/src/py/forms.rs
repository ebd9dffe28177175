//! A [`PyValue`] in other data models: JSON (showing a configuration, `--print-config`)
//! and CBOR (the serde-friendly form a typed state is deserialized from, shown by
//! `state show`).

use ciborium::Value as Cbor;
use serde_json::Value as Json;

use super::repr::py_complex_repr;
use super::value::PyValue;

impl PyValue {
    /// The value as JSON: tuples and all kinds of sets as arrays, a dict key that is not
    /// a `str` as its `Debug` text, complex numbers as their Python `repr` (`"(1-2j)"`, `"2j"`), dates as their
    /// `isoformat()`, bytes (and a `str`'s escaped bytes) as lossy text, an integer beyond
    /// 64 bits as its decimal text.
    pub fn to_json(&self) -> Json {
        match self {
            PyValue::None => Json::Null,
            PyValue::Bool(b) => Json::Bool(*b),
            PyValue::Int(i) => serde_json::Number::from_i128(*i)
                .map_or_else(|| Json::String(i.to_string()), Json::Number),
            PyValue::Float(f) => float_to_json(*f),
            PyValue::Complex(re, im) => Json::String(py_complex_repr(*re, *im)),
            PyValue::Str(s) => Json::String(s.clone()),
            PyValue::EscapedStr(s) => Json::String(String::from_utf8_lossy(s.as_bytes()).into()),
            PyValue::Bytes(b) => Json::String(String::from_utf8_lossy(b).into_owned()),
            PyValue::Tuple(items)
            | PyValue::List(items)
            | PyValue::Set(items)
            | PyValue::FrozenSet(items)
            | PyValue::OpSet(items) => Json::Array(items.iter().map(PyValue::to_json).collect()),
            PyValue::Dict(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            PyValue::Str(s) => s.clone(),
                            PyValue::EscapedStr(s) => {
                                String::from_utf8_lossy(s.as_bytes()).into_owned()
                            }
                            other => format!("{other:?}"),
                        };
                        (key, v.to_json())
                    })
                    .collect(),
            ),
            PyValue::Date { .. } | PyValue::DateTime { .. } => {
                Json::String(self.isoformat().unwrap_or_default())
            }
        }
    }

    /// The serde-friendly form used to build a typed state (and shown by `state show`):
    ///
    /// | Python | CBOR value |
    /// |---|---|
    /// | `None`, `bool`, `int`, `float` | null, bool, integer, float |
    /// | `str` | text; bytes (its `surrogateescape` bytes) when it holds escaped bytes |
    /// | `bytes` | bytes |
    /// | `list`, `tuple`, `set`, `frozenset`, `OPSet` | array (sets in their stored order) |
    /// | `dict` | map (insertion order) |
    /// | `date` | text `YYYY-MM-DD` |
    /// | naive `datetime` | text `YYYY-MM-DDTHH:MM:SS`, plus `.ffffff` when microseconds ≠ 0 (Python's `isoformat()`) |
    /// | `complex` | text, its `repr()` |
    pub fn to_cbor(&self) -> Cbor {
        match self {
            PyValue::None => Cbor::Null,
            PyValue::Bool(b) => Cbor::Bool(*b),
            PyValue::Int(i) => match ciborium::value::Integer::try_from(*i) {
                Ok(i) => Cbor::Integer(i),
                // Only a value built in code gets here: the pickle decoder refuses integers
                // outside the CBOR range, config literals fit in 64 bits.
                Err(_) => Cbor::Text(i.to_string()),
            },
            PyValue::Float(f) => Cbor::Float(*f),
            PyValue::Complex(re, im) => Cbor::Text(py_complex_repr(*re, *im)),
            PyValue::Str(text) => Cbor::Text(text.clone()),
            PyValue::EscapedStr(s) => Cbor::Bytes(s.as_bytes().to_vec()),
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
            PyValue::Date { .. } | PyValue::DateTime { .. } => {
                Cbor::Text(self.isoformat().unwrap_or_default())
            }
        }
    }
}

/// A finite float as a JSON number; NaN and the infinities as their Rust text.
pub(crate) fn float_to_json(f: f64) -> Json {
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .unwrap_or_else(|| Json::String(f.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> PyValue {
        PyValue::Str(s.into())
    }

    #[test]
    fn literals_render_as_json() {
        let v = PyValue::Dict(vec![
            (
                text("a"),
                PyValue::Tuple(vec![PyValue::Int(1), PyValue::None]),
            ),
            (PyValue::Int(2), PyValue::Complex(1.0, 2.0)),
            (text("b"), PyValue::Bytes(b"x\xff".to_vec())),
            (text("f"), PyValue::Float(f64::INFINITY)),
        ]);
        assert_eq!(
            v.to_json(),
            serde_json::json!({"a": [1, null], "Int(2)": "(1+2j)", "b": "x\u{fffd}", "f": "inf"})
        );
        // The same text as the value's repr (and its CBOR form), whatever the signs.
        assert_eq!(
            PyValue::Complex(1.0, -2.0).to_json(),
            serde_json::json!("(1-2j)")
        );
        assert_eq!(
            PyValue::Complex(0.0, 2.0).to_json(),
            serde_json::json!("2j")
        );
        assert_eq!(
            PyValue::Int(u64::MAX.into()).to_json(),
            serde_json::json!(u64::MAX)
        );
        assert_eq!(
            PyValue::Int(i128::from(u64::MAX) + 1).to_json(),
            serde_json::json!("18446744073709551616")
        );
    }

    #[test]
    fn state_values_render_as_json() {
        let v = PyValue::List(vec![
            PyValue::str_from_escaped(b"a\xdd".to_vec()),
            PyValue::OpSet(vec![PyValue::Int(1)]),
            PyValue::Date {
                year: 2024,
                month: 1,
                day: 2,
            },
        ]);
        assert_eq!(
            v.to_json(),
            serde_json::json!(["a\u{fffd}", [1], "2024-01-02"])
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
        let d = PyValue::Date {
            year: 2024,
            month: 1,
            day: 2,
        };
        assert_eq!(d.to_cbor(), Cbor::Text("2024-01-02".into()));
    }

    #[test]
    fn escaped_strings_become_bytes() {
        assert_eq!(text("jaźń").to_cbor(), Cbor::Text("jaźń".into()));
        let escaped = PyValue::str_from_escaped(b"ja\xc5\xba\xc5\x84 \xdd".to_vec());
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
            (text("c"), PyValue::Complex(0.0, 1.0)),
        ]);
        assert_eq!(
            v.to_string(),
            "{'newest_rows': {'a'}, 't': (None,), 'b': b\"\\xdc'\", 'e': set(), 'c': 1j}"
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
                (Cbor::Text("c".into()), Cbor::Text("1j".into())),
            ])
        );
    }
}
