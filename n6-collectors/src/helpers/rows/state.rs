//! [`RowsState`]: the built-in state of a time-ordered-rows collector, with n6's key names.

use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize};

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
    #[serde(deserialize_with = "deserialize_rows")]
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

/// Reads the rows as a sequence and builds the set in one go. A saved set is sorted, and
/// `BTreeSet::from_iter` builds from sorted input in linear time, where serde's default
/// (one `insert` per row) searches the tree for every row: with 1M rows loading takes
/// about half as long (BENCHMARKS.md, benchmark 3). Unsorted or repeated rows (e.g. a
/// hand-edited JSON import) still give the same set as before.
fn deserialize_rows<'de, D: Deserializer<'de>>(deserializer: D) -> Result<BTreeSet<Row>, D::Error> {
    Vec::<Row>::deserialize(deserializer).map(BTreeSet::from_iter)
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
    fn unsorted_and_repeated_rows_give_the_sorted_set() {
        let state: RowsState = serde_json::from_str(
            r#"{"newest_row_time": "t", "newest_rows": ["c", "a", "b", "a"], "rows_count": 3}"#,
        )
        .expect("json");
        let rows: Vec<&[u8]> = state.newest_rows.iter().map(Row::as_bytes).collect();
        assert_eq!(rows, [&b"a"[..], b"b", b"c"]);
    }

    #[test]
    fn cbor_round_trip_of_many_rows() {
        let state = RowsState {
            newest_rows: (0..10_000)
                .map(|i| Row::from(format!("{i:05},x")))
                .collect(),
            ..RowsState::default()
        };
        let mut buf = Vec::new();
        ciborium::into_writer(&state, &mut buf).expect("encode");
        let back: RowsState = ciborium::from_reader(&buf[..]).expect("decode");
        assert_eq!(back, state);
        assert_eq!(back.newest_rows.len(), 10_000);
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
