//! The `py_namespaces_dict` converter.

use super::ConvertError;
use crate::value::PyValue;

/// `py_namespaces_dict` (being written).
pub fn to_py_namespaces_dict(raw: &str) -> Result<Vec<(String, PyValue)>, ConvertError> {
    Err(ConvertError::new(
        "NotImplementedError",
        format!("py_namespaces_dict: {raw}"),
    ))
}
