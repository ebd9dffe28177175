//! The `py_namespaces_dict` converter: a Python dict literal whose keys are all `str`,
//! recursively for values that are dicts (dicts inside lists, tuples etc. are not
//! checked, as in n6).

use super::{ConvertError, to_py};
use crate::py::PyValue;

/// `py_namespaces_dict`: [`to_py`], which must give a dict with only `str` keys (also in
/// every dict that is a value of such a dict, at any depth). Errors (as n6):
/// `TypeError: not a dict`; `_NonStrKey: this dict should contain only string keys (but
/// contains some non-string ones: 1)`; for nested dicts `_NonStrKey: for key 'a' -> for
/// key 'b' -> this subdict should contain only string keys (...)`.
pub fn to_py_namespaces_dict(raw: &str) -> Result<Vec<(String, PyValue)>, ConvertError> {
    let PyValue::Dict(entries) = to_py(raw)? else {
        return Err(ConvertError::type_error("not a dict"));
    };
    check_str_keys(&entries, &mut Vec::new())?;
    Ok(entries
        .into_iter()
        .map(|(k, v)| match k {
            PyValue::Str(k) => (k, v),
            // Unreachable: every key was checked to be a `str`.
            other => (other.to_string(), v),
        })
        .collect())
}

fn check_str_keys(
    entries: &[(PyValue, PyValue)],
    path: &mut Vec<String>,
) -> Result<(), ConvertError> {
    let non_str: Vec<String> = entries
        .iter()
        .filter(|(k, _)| !matches!(k, PyValue::Str(_)))
        .map(|(k, _)| k.to_string())
        .collect();
    if !non_str.is_empty() {
        let mut message: String = path
            .iter()
            .map(|key| format!("for key {key} -> "))
            .collect();
        message.push_str(&format!(
            "this {}dict should contain only string keys (but contains some non-string ones: {})",
            if path.is_empty() { "" } else { "sub" },
            non_str.join(", ")
        ));
        return Err(ConvertError::new("_NonStrKey", message));
    }
    for (key, value) in entries {
        if let PyValue::Dict(sub) = value {
            path.push(key.to_string());
            check_str_keys(sub, path)?;
            path.pop();
        }
    }
    Ok(())
}
