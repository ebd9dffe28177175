//! The `json` converter (Python's `json.loads`).

use super::ConvertError;
use crate::value::Value;

/// `json`: a JSON document, surrounding JSON whitespace allowed. Errors are
/// `JSONDecodeError: <what>: line L column C` (serde_json's wording, not Python's).
///
/// `NaN`, `Infinity` and `-Infinity` (which Python accepts) cannot be held by a
/// `serde_json::Value`, so this function rejects them; [`crate::convert::Converter::Json`]
/// accepts them as the *whole* value (giving [`Value::Float`]), not inside arrays or
/// objects.
pub fn to_json(raw: &str) -> Result<serde_json::Value, ConvertError> {
    serde_json::from_str(raw).map_err(|e| {
        let text = e.to_string();
        let what = text.split(" at line ").next().unwrap_or(&text);
        ConvertError::new(
            "JSONDecodeError",
            format!("{what}: line {} column {}", e.line(), e.column().max(1)),
        )
    })
}

/// The `json` converter as a [`Value`] (see [`to_json`] for the non-finite numbers).
pub(super) fn convert_json(raw: &str) -> Result<Value, ConvertError> {
    let special = match raw.trim_matches([' ', '\t', '\n', '\r']) {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    };
    match special {
        Some(x) => Ok(Value::Float(x)),
        None => to_json(raw).map(Value::Json),
    }
}
