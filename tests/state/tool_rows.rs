//! The time-ordered-rows state (`helpers::rows::RowsState`) through the `state`
//! subcommands: n6 pickles made by CPython 3 (with surrogate-escaped rows, as n6's
//! abuse.ch / cert.pl collectors store undecodable input) → `import-pickle` → `export`
//! with n6's keys → `import` → unchanged.

use std::collections::BTreeSet;

use crate::support::pickle::python_pickle;
use crate::{Scratch, scratch};
use n6_collectors::StatefulCollector;
use n6_collectors::helpers::rows::{Row, RowsState};
use n6_collectors::pickle::Py2Strings;
use n6_collectors::prelude::*;
use n6_collectors::state::StateStore;
use n6_collectors::tooling::StateCommand;

/// A rows collector as far as state goes (its collection is not under test here).
#[derive(StatefulCollector)]
#[collector(
    source = "example.rows",
    raw_type = "file",
    content_type = "text/csv",
    time_ordered_rows
)]
pub struct RowsCollector {
    config: RowsCollectorConfig,
    #[state]
    state: RowsState,
}

impl Collect for RowsCollector {
    fn collect(&mut self, _out: &mut Output<'_, RowsState>) -> Result<()> {
        Ok(())
    }
}

fn state_cmd(dir: &Scratch, command: StateCommand, stdin: &[u8]) -> (u8, String, String) {
    crate::state_cmd::<RowsCollector>(dir.path(), command, stdin)
}

fn import_pickle(dir: &Scratch, data: Vec<u8>, py2_strings: Py2Strings) -> (u8, String, String) {
    let file = dir.path().join("n6.pickle");
    std::fs::write(&file, data).expect("write");
    state_cmd(
        dir,
        StateCommand::ImportPickle {
            file,
            py2_strings,
            schema_version: None,
        },
        b"",
    )
}

fn saved(dir: &Scratch) -> RowsState {
    let meta = &RowsCollector::META;
    StateStore::new(
        dir.path(),
        &meta.state_file_name(),
        &meta.collector_id(),
        "x",
    )
    .load::<RowsState>(1, None)
    .expect("loads")
    .expect("exists")
    .state
}

const EXPORTED: &str = r#"{
  "newest_row_time": "2024-01-02 03:04:05",
  "newest_rows": [
    "\"1\",\"2024-01-02 03:04:05\",\"http://example.com/\"",
    {
      "$bytes_base64": "IjIiLCIyMDI0LTAxLTAyIDAzOjA0OjA1IiwiaHR0cDovL2phxbrFhCDdLyI="
    }
  ],
  "rows_count": 70000
}
"#;

#[test]
fn n6_rows_pickles_import_and_export_with_n6_keys() {
    // The second row had the byte 0xdd, which n6 read as '\udcdd' (surrogateescape).
    let expr = "{'newest_row_time': '2024-01-02 03:04:05', \
                 'newest_rows': {'\"1\",\"2024-01-02 03:04:05\",\"http://example.com/\"', \
                                 '\"2\",\"2024-01-02 03:04:05\",\"http://jaźń \\udcdd/\"'}, \
                 'rows_count': 70000}";
    for protocol in 2..=5 {
        let dir = scratch();
        let (code, _, err) = import_pickle(
            &dir,
            python_pickle("", expr, protocol),
            Py2Strings::default(),
        );
        assert_eq!(code, 0, "protocol {protocol}: {err}");
        let state = saved(&dir);
        assert_eq!(
            state.newest_rows,
            BTreeSet::from([
                Row::from("\"1\",\"2024-01-02 03:04:05\",\"http://example.com/\""),
                Row::from(
                    &b"\"2\",\"2024-01-02 03:04:05\",\"http://ja\xc5\xba\xc5\x84 \xdd/\""[..]
                ),
            ])
        );
        assert_eq!(state.rows_count, Some(70000));
        let (code, exported, _) = state_cmd(&dir, StateCommand::Export, b"");
        assert_eq!(code, 0);
        assert_eq!(exported, EXPORTED, "protocol {protocol}");
        // export → import → export is unchanged.
        let (code, _, err) = state_cmd(
            &dir,
            StateCommand::Import { file: "-".into() },
            exported.as_bytes(),
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(saved(&dir), state);
        assert_eq!(state_cmd(&dir, StateCommand::Export, b"").1, EXPORTED);
    }
}

#[test]
fn n6_default_rows_state_and_legacy_state_without_rows_count() {
    let dir = scratch();
    let (code, _, err) = import_pickle(
        &dir,
        python_pickle(
            "",
            "{'newest_row_time': '', 'newest_rows': set(), 'rows_count': 0}",
            5,
        ),
        Py2Strings::default(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(saved(&dir), RowsState::default());
    let (code, _, err) = import_pickle(
        &dir,
        python_pickle(
            "",
            "{'newest_row_time': '2019-07-13', 'newest_rows': {'a'}}",
            3,
        ),
        Py2Strings::default(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        state_cmd(&dir, StateCommand::Export, b"").1,
        "{\n  \"newest_row_time\": \"2019-07-13\",\n  \"newest_rows\": [\n    \"a\"\n  ]\n}\n"
    );
}

/// Python 2 8-bit strings, here in a rows state.
#[test]
fn python2_rows_state_with_8bit_strings() {
    // A Python 2 protocol-2 pickle of {'newest_row_time': 't', 'newest_rows': set(['a\xdd']), 'rows_count': 1}
    // hand-assembled in the form Python 2 writes (8-bit str as SHORT_BINSTRING, a set as
    // `__builtin__.set([...])`); Python 3 loads it, with n6's rows-collector kwargs, as
    // {'newest_row_time': 't', 'newest_rows': {'a\udcdd'}, 'rows_count': 1}.
    let mut data = b"\x80\x02}q\x00(U\x0fnewest_row_timeq\x01U\x01tU\x0bnewest_rowsq\x02c__builtin__\nset\nq\x03]q\x04U\x02a\xddq\x05a\x85Rq\x06U\nrows_countq\x07K\x01u.".to_vec();
    let dir = scratch();
    let (code, _, err) = import_pickle(&dir, data.clone(), Py2Strings::default());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        saved(&dir).newest_rows,
        BTreeSet::from([Row::from(&b"a\xdd"[..])])
    );
    let (code, _, err) = import_pickle(&dir, data.clone(), Py2Strings::Ascii);
    assert_eq!(code, 65);
    assert!(
        err.contains("'ascii' codec can't decode byte 0xdd in position 1"),
        "{err}"
    );
    // Truncated: nothing saved over the good state.
    data.truncate(40);
    let (code, _, err) = import_pickle(&dir, data, Py2Strings::default());
    assert_eq!(code, 65);
    assert!(err.contains("the pickle is truncated"), "{err}");
    assert_eq!(
        saved(&dir).newest_rows,
        BTreeSet::from([Row::from(&b"a\xdd"[..])])
    );
}
