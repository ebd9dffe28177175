//! The `download_timeout` converter (n6's `BaseDownloadingCollector`
//! `_conv_download_timeout_from_config`): the timeout(s) for HTTP downloads.

use super::{ConvertError, to_py};
use crate::py::PyValue;

/// `download_timeout`: a Python literal that is a number `> 0` (used for both the connect
/// and the read timeout) or a 2-item list/tuple of numbers `> 0` (connect, read).
/// `True` counts as 1 (a Python `bool` is an `int`). Returns `(connect, read)` seconds.
pub fn download_timeout(raw: &str) -> Result<(f64, f64), ConvertError> {
    let value = to_py(raw)?;
    if let Some(x) = number(&value) {
        if x <= 0.0 {
            return Err(ConvertError::value_error("value should be > 0"));
        }
        return Ok((x, x));
    }
    let (PyValue::Tuple(items) | PyValue::List(items)) = &value else {
        return Err(ConvertError::type_error(
            "value should be one of the following types: int, float, 2-tuple of ints/floats",
        ));
    };
    if items.len() != 2 {
        return Err(ConvertError::value_error(
            "value should have exactly 2 items",
        ));
    }
    let invalid: Vec<&PyValue> = items.iter().filter(|v| number(v).is_none()).collect();
    if !invalid.is_empty() {
        // n6 joins the invalid values with `", ".join(...)`, which itself fails unless
        // they are all `str`.
        let mut texts = Vec::new();
        for (i, v) in invalid.iter().enumerate() {
            match v {
                PyValue::Str(s) => texts.push(s.as_str()),
                other => {
                    return Err(ConvertError::type_error(format!(
                        "sequence item {i}: expected str instance, {} found",
                        other.type_name()
                    )));
                }
            }
        }
        return Err(ConvertError::type_error(format!(
            "wrong type(s): {}",
            texts.join(", ")
        )));
    }
    let connect = number(&items[0]).unwrap_or(0.0);
    let read = number(&items[1]).unwrap_or(0.0);
    if connect <= 0.0 || read <= 0.0 {
        return Err(ConvertError::value_error("each value should be > 0"));
    }
    Ok((connect, read))
}

/// The value of a Python `int`/`float` (`bool` included).
fn number(v: &PyValue) -> Option<f64> {
    match v {
        PyValue::Bool(b) => Some(f64::from(u8::from(*b))),
        PyValue::Int(i) => Some(*i as f64),
        PyValue::Float(x) => Some(*x),
        _ => None,
    }
}
