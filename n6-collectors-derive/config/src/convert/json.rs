//! The `json` converter.

use super::ConvertError;
use crate::value::Value;

/// `json`: a JSON document (`json.loads`). Not yet implemented.
pub fn to_json(raw: &str) -> Result<serde_json::Value, ConvertError> {
    serde_json::from_str(raw).map_err(|e| ConvertError::new("JSONDecodeError", e.to_string()))
}

pub(super) fn convert_json(raw: &str) -> Result<Value, ConvertError> {
    to_json(raw).map(Value::Json)
}
