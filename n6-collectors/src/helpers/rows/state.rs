//! [`RowsState`]: the built-in state of a time-ordered-rows collector, with n6's key names.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::row::Row;

/// n6's `BaseTimeOrderedRowsCollector` state:
/// `{'newest_row_time': ..., 'newest_rows': {...}, 'rows_count': ...}`.
///
/// Use it as the collector's state field: `#[state] state: RowsState`. The default
/// (no state file) is n6's: `newest_row_time = ""`, no rows, `rows_count = 0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowsState {
    /// The newest row time seen by the last run that had fresh rows (n6: a `str`, compared
    /// lexicographically; `""` sorts before every time).
    pub newest_row_time: String,
    /// The rows that had `newest_row_time` (sorted, so state files are deterministic).
    pub newest_rows: BTreeSet<Row>,
    /// How many usable rows that run saw. `None` for legacy n6 states that lack the key:
    /// the next run skips the count check and writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows_count: Option<u64>,
}

impl Default for RowsState {
    fn default() -> Self {
        RowsState {
            newest_row_time: String::new(),
            newest_rows: BTreeSet::new(),
            rows_count: Some(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_state_without_rows_count_and_json_shape() {
        let legacy: RowsState =
            serde_json::from_str(r#"{"newest_row_time": "x", "newest_rows": ["a", "b"]}"#)
                .expect("legacy");
        assert_eq!(legacy.rows_count, None);
        assert_eq!(
            serde_json::to_string(&legacy).expect("json"),
            r#"{"newest_row_time":"x","newest_rows":["a","b"]}"#
        );
        assert_eq!(
            serde_json::to_string(&RowsState::default()).expect("json"),
            r#"{"newest_row_time":"","newest_rows":[],"rows_count":0}"#
        );
    }

    #[test]
    fn cbor_round_trip_keeps_bytes() {
        let mut state = RowsState::default();
        state.newest_rows.insert(Row::from(&b"\xff\xfe,t"[..]));
        state.newest_rows.insert(Row::from("ok,t"));
        let mut buf = Vec::new();
        ciborium::into_writer(&state, &mut buf).expect("encode");
        let back: RowsState = ciborium::from_reader(&buf[..]).expect("decode");
        assert_eq!(back, state);
    }
}
