//! The `list_of_*` converters: n6's comma-separated list algorithm.

use super::ConvertError;
use crate::py::text::{py_rstrip, py_strip};

/// Splits a raw `list_of_*` value into items, exactly as n6 does: strip the whole value;
/// if it ends with `,`, remove that one comma and strip again on the right; an empty
/// result is the empty list; otherwise split on `,` and strip every item. Empty items in
/// the middle are kept (`"a,,b"` → `["a", "", "b"]`).
pub fn split_list(raw: &str) -> Vec<&str> {
    let mut s = py_strip(raw);
    if let Some(rest) = s.strip_suffix(',') {
        s = py_rstrip(rest);
    }
    if s.is_empty() {
        return Vec::new();
    }
    s.split(',').map(py_strip).collect()
}

/// A `list_of_*` converter: [`split_list`], then `item` on every item (the first error
/// is returned).
pub fn to_list<T>(
    raw: &str,
    item: impl Fn(&str) -> Result<T, ConvertError>,
) -> Result<Vec<T>, ConvertError> {
    split_list(raw).into_iter().map(item).collect()
}
