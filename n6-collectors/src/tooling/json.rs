//! Untyped CBOR → JSON, for looking at a state whose collector is not at hand.
//!
//! | CBOR | JSON |
//! |---|---|
//! | null, bool, text, array | the same |
//! | integer within i64 / u64 | number |
//! | integer beyond (to −2⁶⁴) | `{"$integer": "-18446744073709551616"}` |
//! | float | number; NaN and ±infinity as `{"$float": "NaN"}`, `"inf"`, `"-inf"` |
//! | byte string | `{"$bytes_base64": "<standard base64 with padding>"}` |
//! | map with only text keys | object (keys sorted) |
//! | map with other keys | `{"$map": [[key, value], ...]}` |
//! | tag N | `{"$tag": N, "value": ...}` |
//!
//! The `$`-objects cannot be confused with a state's own maps unless a state has a map
//! whose only key starts with `$`; this form is for reading, not for importing.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciborium::Value as Cbor;
use serde_json::{Map, Value as Json, json};

/// The JSON form of an untyped CBOR value (see the module documentation).
pub fn cbor_to_json(value: &Cbor) -> Json {
    match value {
        Cbor::Null => Json::Null,
        Cbor::Bool(b) => Json::Bool(*b),
        Cbor::Integer(i) => {
            let wide = i128::from(*i);
            if let Ok(v) = i64::try_from(wide) {
                Json::from(v)
            } else if let Ok(v) = u64::try_from(wide) {
                Json::from(v)
            } else {
                json!({ "$integer": wide.to_string() })
            }
        }
        Cbor::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => Json::Number(n),
            None if f.is_nan() => json!({ "$float": "NaN" }),
            None if *f > 0.0 => json!({ "$float": "inf" }),
            None => json!({ "$float": "-inf" }),
        },
        Cbor::Bytes(b) => json!({ "$bytes_base64": STANDARD.encode(b) }),
        Cbor::Text(t) => Json::String(t.clone()),
        Cbor::Array(items) => Json::Array(items.iter().map(cbor_to_json).collect()),
        Cbor::Map(entries) => {
            let all_text = entries.iter().all(|(k, _)| matches!(k, Cbor::Text(_)));
            let mut object = Map::new();
            if all_text {
                for (k, v) in entries {
                    if let Cbor::Text(k) = k {
                        object.insert(k.clone(), cbor_to_json(v));
                    }
                }
                // Duplicate text keys would collapse: fall back to the pair list then.
                if object.len() == entries.len() {
                    return Json::Object(object);
                }
            }
            let pairs = entries
                .iter()
                .map(|(k, v)| Json::Array(vec![cbor_to_json(k), cbor_to_json(v)]))
                .collect();
            json!({ "$map": Json::Array(pairs) })
        }
        Cbor::Tag(tag, inner) => json!({ "$tag": tag, "value": cbor_to_json(inner) }),
        // `ciborium::Value` is non-exhaustive.
        _ => json!({ "$unknown": format!("{value:?}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_json_form() {
        let value = Cbor::Map(vec![
            (Cbor::Text("n".into()), Cbor::Null),
            (Cbor::Text("i".into()), Cbor::Integer((-5).into())),
            (Cbor::Text("u".into()), Cbor::Integer(u64::MAX.into())),
            (
                Cbor::Text("big".into()),
                Cbor::Integer(
                    ciborium::value::Integer::try_from(-(1i128 << 64)).expect("in range"),
                ),
            ),
            (Cbor::Text("f".into()), Cbor::Float(1.5)),
            (Cbor::Text("nan".into()), Cbor::Float(f64::NAN)),
            (Cbor::Text("inf".into()), Cbor::Float(f64::NEG_INFINITY)),
            (Cbor::Text("b".into()), Cbor::Bytes(b"\xdc\x00ab".to_vec())),
            (
                Cbor::Text("a".into()),
                Cbor::Array(vec![Cbor::Bool(true), Cbor::Text("x".into())]),
            ),
            (
                Cbor::Text("m".into()),
                Cbor::Map(vec![(Cbor::Integer(1.into()), Cbor::Text("one".into()))]),
            ),
            (
                Cbor::Text("t".into()),
                Cbor::Tag(1, Box::new(Cbor::Integer(0.into()))),
            ),
        ]);
        let expected = json!({
            "n": null,
            "i": -5,
            "u": 18446744073709551615u64,
            "big": {"$integer": "-18446744073709551616"},
            "f": 1.5,
            "nan": {"$float": "NaN"},
            "inf": {"$float": "-inf"},
            "b": {"$bytes_base64": "3ABhYg=="},
            "a": [true, "x"],
            "m": {"$map": [[1, "one"]]},
            "t": {"$tag": 1, "value": 0},
        });
        assert_eq!(cbor_to_json(&value), expected);
    }

    #[test]
    fn duplicate_text_keys_keep_every_entry() {
        let value = Cbor::Map(vec![
            (Cbor::Text("k".into()), Cbor::Integer(1.into())),
            (Cbor::Text("k".into()), Cbor::Integer(2.into())),
        ]);
        assert_eq!(cbor_to_json(&value), json!({"$map": [["k", 1], ["k", 2]]}));
    }
}
