//! Python-compatible JSON: [`loads`] parses as Python's `json.loads` does (object keys
//! in document order, a repeated key keeps its first place and takes its last value,
//! integers of any size, `NaN`/`Infinity`), and [`dumps`] writes the bytes Python's
//! `json.dumps(obj)` writes for the same data (`", "` and `": "` separators,
//! `ensure_ascii` escapes with surrogate pairs, Python's `float.__repr__`).
//!
//! n6 collectors publish `json.dumps(...)` bodies (MISP events, Cesnet Warden events,
//! URLhaus URL infos, Zone-H items, Withaname CSV files, TU Dresden entries); a port
//! builds the same [`PyJson`] value and gets the same bytes:
//!
//! ```
//! use n6_collectors::helpers::pyjson::{self, PyJson, PyObject};
//!
//! let api = pyjson::loads(br#"{"b": 1, "a": [1.0, 1e16, "\u017c"], "b": 2}"#)?;
//! let mut row = PyObject::new();
//! row.insert("url_id", "42");
//! row.insert("url_info_from_api", api);
//! assert_eq!(
//!     pyjson::dumps(&PyJson::from(vec![PyJson::Object(row)])),
//!     r#"[{"url_id": "42", "url_info_from_api": {"b": 2, "a": [1.0, 1e+16, "\u017c"]}}]"#
//! );
//! # Ok::<(), pyjson::JsonError>(())
//! ```
//!
//! Deviations from Python (documented, rare): a string holding a lone surrogate
//! (`"\ud800"` unpaired, or CESU-encoded bytes) is rejected ([`JsonError`]), since a Rust
//! `String` cannot hold it; nesting deeper than [`MAX_DEPTH`] is rejected where Python's
//! limit is its recursion limit.

mod dump;
mod parse;
mod value;

pub use dump::{DumpOptions, dumps, dumps_with};
pub use parse::{JsonError, MAX_DEPTH, loads, loads_str};
pub use value::{PyInt, PyJson, PyObject};
