//! n6's Python values as the fixtures' tagged JSON: `{"$set": [...]}` (sorted),
//! `{"$opset": [...]}`, `{"$tuple": [...]}`, `{"$datetime": "ISO"}`, `{"$date": "ISO"}`,
//! `{"$bytes_base64": "..."}`, `{"$dict_items": [[k, v], ...]}` (non-string keys), and
//! `{"$complex": [re, im]}` (which no n6 state holds).

use base64::Engine;
use n6_collectors::pickle::PyValue;
use serde_json::{Map, Value, json};

/// The tagged JSON of `value`.
pub fn to_tagged(value: &PyValue) -> Value {
    match value {
        PyValue::None => Value::Null,
        PyValue::Bool(b) => Value::Bool(*b),
        PyValue::Int(i) => i64::try_from(*i).map_or_else(|_| json!(i.to_string()), Value::from),
        PyValue::Float(f) => json!(f),
        PyValue::Str(text) => Value::String(text.clone()),
        PyValue::EscapedStr(escaped) => {
            Value::String(String::from_utf8_lossy(escaped.as_bytes()).into_owned())
        }
        PyValue::Complex(re, im) => json!({ "$complex": [re, im] }),
        PyValue::Bytes(raw) => json!({
            "$bytes_base64": base64::engine::general_purpose::STANDARD.encode(raw)
        }),
        PyValue::List(items) => Value::Array(items.iter().map(to_tagged).collect()),
        PyValue::Tuple(items) => {
            json!({ "$tuple": items.iter().map(to_tagged).collect::<Vec<_>>() })
        }
        PyValue::Set(items) | PyValue::FrozenSet(items) => {
            json!({ "$set": sorted(items.iter().map(to_tagged).collect()) })
        }
        PyValue::OpSet(items) => {
            json!({ "$opset": items.iter().map(to_tagged).collect::<Vec<_>>() })
        }
        PyValue::Dict(entries) => {
            if entries
                .iter()
                .all(|(k, _)| matches!(k, PyValue::Str(_) | PyValue::EscapedStr(_)))
            {
                let mut map = Map::new();
                for (k, v) in entries {
                    if let Value::String(key) = to_tagged(k) {
                        map.insert(key, to_tagged(v));
                    }
                }
                Value::Object(map)
            } else {
                json!({ "$dict_items": entries.iter().map(|(k, v)| json!([to_tagged(k), to_tagged(v)])).collect::<Vec<_>>() })
            }
        }
        PyValue::Date { year, month, day } => {
            json!({ "$date": format!("{year:04}-{month:02}-{day:02}") })
        }
        PyValue::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
        } => {
            let mut iso =
                format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
            if *microsecond != 0 {
                iso += &format!(".{microsecond:06}");
            }
            json!({ "$datetime": iso })
        }
    }
}

fn sorted(mut items: Vec<Value>) -> Vec<Value> {
    items.sort_by_key(Value::to_string);
    items
}

/// `value` with every `$set` sorted and every `$bytes_base64` object reduced to that key,
/// so that two tagged values compare equal when the Python values are equal.
pub fn normalized(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => {
            if let Some(Value::Array(items)) = map.get("$set") {
                return json!({ "$set": sorted(items.iter().map(normalized).collect()) });
            }
            if let Some(b64) = map.get("$bytes_base64") {
                return json!({ "$bytes_base64": b64 });
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), normalized(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}
