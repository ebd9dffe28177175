//! Python literals (n6's `py` converter = `ast.literal_eval`) and Python's `repr()`.

mod repr;

pub use repr::{py_ascii_repr, py_bytes_repr, py_complex_repr, py_float_repr, py_str_repr};

use crate::convert::ConvertError;
use crate::value::PyValue;

/// Python `ast.literal_eval(text)` (being written).
pub fn literal_eval(text: &str) -> Result<PyValue, ConvertError> {
    Err(ConvertError::new(
        "NotImplementedError",
        format!("py: {text}"),
    ))
}
