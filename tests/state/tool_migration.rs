//! The example collector `examples/state_migration.rs` (state schema version 2 with a
//! migration from version 1) run in-process: a version-1 state file is migrated by a
//! run, a version-3 file is refused, and the `state` subcommands round-trip its state
//! through JSON and through n6 pickles made by CPython 3.

use crate::state_migration as example;

use std::io::Cursor as Input;
use std::path::Path;

use crate::support::site::{Site, in_process};
use example::{CsvRowsCollector, Cursor};
use n6_collectors::StatefulCollector;
use n6_collectors::pickle::Py2Strings;
use n6_collectors::state::StateStore;
use n6_collectors::tooling::{StateCommand, StateIo, execute_with};
use serde_json::json;

/// A site of the example collector, run in-process: `rows.csv` holds `rows`.
fn site(rows: &str) -> Site {
    let site = Site::new(in_process("CsvRowsCollector", "10_csv_rows.conf"));
    std::fs::write(site.path("rows.csv"), rows).expect("write");
    site.write_config(&format!(
        "[CsvRowsCollector]\ninput_file = {}\nstate_dir = {}\n",
        site.path("rows.csv").display(),
        site.state_dir().display()
    ));
    site
}

fn store(site: &Site, written_by: &str) -> StateStore {
    let meta = &CsvRowsCollector::META;
    StateStore::new(
        &site.state_dir(),
        &meta.state_file_name(),
        &meta.collector_id(),
        written_by,
    )
}

fn run(site: &Site, extra: &[&str]) -> u8 {
    let mut args: Vec<String> = vec![
        "state_migration".into(),
        "--config-dir".into(),
        site.conf_dir().display().to_string(),
    ];
    if extra.first() != Some(&"state") {
        args.extend(["--output".into(), site.output_path().display().to_string()]);
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    n6_collectors::run_from::<CsvRowsCollector, _, _>(args)
}

fn published(site: &Site) -> Vec<String> {
    let text = std::fs::read_to_string(site.output_path()).unwrap_or_default();
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            v["body"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v["body"].to_string())
        })
        .collect()
}

fn state(site: &Site) -> (u32, Cursor) {
    let loaded = store(site, "test")
        .load::<Cursor>(2, None)
        .expect("loads")
        .expect("exists");
    (loaded.header.schema_version, loaded.state)
}

/// Runs a `state` subcommand in-process; returns (exit code, stdout, stderr).
fn state_cmd(site: &Site, command: StateCommand, stdin: &[u8]) -> (u8, String, String) {
    let mut input = Input::new(stdin.to_vec());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = StateIo {
        stdin: &mut input,
        stdout: &mut out,
        stderr: &mut err,
        interactive: false,
    };
    let code = match execute_with::<CsvRowsCollector>(
        &command,
        &store(site, "state_migration (test)"),
        &mut io,
    ) {
        Ok(()) => 0,
        Err(e) => {
            err.extend_from_slice(e.to_string().as_bytes());
            e.exit_code()
        }
    };
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}

const ROWS: &str =
    "2024-01-02 03:04:05,1,http://example.com/a\n2024-01-02 03:04:06,2,http://example.com/b\n";

#[test]
fn a_version_1_state_is_migrated_by_a_run() {
    let site = site(ROWS);
    // 2024-01-02 03:04:05 UTC: row 1 was published by version 1 of the collector.
    store(&site, "state_migration (v1)")
        .save(&json!({"newest": 1_704_164_645}), 1)
        .expect("save v1");
    assert_eq!(run(&site, &[]), 0);
    assert_eq!(
        published(&site),
        vec!["2024-01-02 03:04:06,2,http://example.com/b"]
    );
    assert_eq!(
        state(&site),
        (
            2,
            Cursor {
                newest_row_time: "2024-01-02 03:04:06".into(),
                rows_published: 1
            }
        )
    );
}

#[test]
fn a_migrated_state_is_saved_even_when_nothing_is_new() {
    let site = site(ROWS);
    // 2024-01-02 03:04:06 UTC: both rows were published by version 1 of the collector.
    store(&site, "state_migration (v1)")
        .save(&json!({"newest": 1_704_164_646}), 1)
        .expect("save v1");
    assert_eq!(run(&site, &[]), 0);
    assert!(published(&site).is_empty());
    assert_eq!(
        state(&site).0,
        2,
        "the file was not rewritten with the new schema version"
    );
}

#[test]
fn migration_errors_and_newer_versions_are_refused_and_leave_the_file() {
    let site = site(ROWS);
    store(&site, "state_migration (v1)")
        .save(&json!({"newest": "yesterday"}), 1)
        .expect("save bad v1");
    let path = store(&site, "x").path().to_owned();
    let before = std::fs::read(&path).expect("read");
    assert_eq!(run(&site, &[]), 65);
    assert_eq!(std::fs::read(&path).expect("read"), before);

    store(&site, "state_migration 9.9 (n6-collectors 0.9.0)")
        .save(&Cursor::default(), 3)
        .expect("save v3");
    let before = std::fs::read(&path).expect("read");
    assert_eq!(run(&site, &[]), 65);
    assert_eq!(std::fs::read(&path).expect("read"), before);
    let (c, _, err) = state_cmd(&site, StateCommand::Show, b"");
    assert_eq!(c, 65);
    assert!(err.contains("has state schema version 3, written by state_migration 9.9 (n6-collectors 0.9.0); this binary understands up to version 2"), "{err}");
    assert!(published(&site).is_empty());
}

#[test]
fn migrate_cursor_directly() {
    let v1 = |v: serde_json::Value| ciborium::Value::serialized(&v).expect("cbor");
    assert_eq!(
        example::migrate_cursor(1, v1(json!({"newest": 0}))),
        Ok(Cursor::default())
    );
    assert_eq!(
        example::migrate_cursor(1, v1(json!({"newest": 1_704_164_645}))),
        Ok(Cursor {
            newest_row_time: "2024-01-02 03:04:05".into(),
            rows_published: 0
        })
    );
    assert!(example::migrate_cursor(1, v1(json!({"newest": 1, "x": 2}))).is_err());
    assert_eq!(
        example::migrate_cursor(7, v1(json!({}))),
        Err("there is no migration from schema version 7".into())
    );
}

#[test]
fn export_import_round_trip_through_the_cli_and_in_process() {
    let site = site(ROWS);
    assert_eq!(run(&site, &[]), 0);
    let (c, exported, _) = state_cmd(&site, StateCommand::Export, b"");
    assert_eq!(c, 0);
    assert_eq!(
        exported,
        "{\n  \"newest_row_time\": \"2024-01-02 03:04:06\",\n  \"rows_published\": 2\n}\n"
    );
    // Reset through the collector's command line, then import the export back.
    assert_eq!(run(&site, &["state", "reset", "--yes"]), 0);
    assert_eq!(state(&site), (2, Cursor::default()));
    let json = site.path("state.json");
    std::fs::write(&json, &exported).expect("write");
    assert_eq!(
        run(&site, &["state", "import", json.to_str().expect("utf-8")]),
        0
    );
    assert_eq!(state_cmd(&site, StateCommand::Export, b"").1, exported);
    // Import refuses another shape (an old v1 JSON) and keeps the state.
    let (c, _, err) = state_cmd(
        &site,
        StateCommand::Import { file: "-".into() },
        b"{\"newest\": 5}",
    );
    assert_eq!(c, 65, "{err}");
    assert_eq!(state_cmd(&site, StateCommand::Export, b"").1, exported);
    // A run after the import publishes nothing new.
    assert_eq!(run(&site, &[]), 0);
    assert_eq!(published(&site).len(), 2);
}

fn python_pickle(path: &Path, expr: &str, protocol: u8) {
    std::fs::write(
        path,
        crate::support::pickle::python_pickle("", expr, protocol),
    )
    .expect("write");
}

#[test]
fn import_pickle_then_export_for_both_schema_versions() {
    let site = site(ROWS);
    let pickle = site.path("n6.pickle");
    for protocol in 2..=5 {
        python_pickle(
            &pickle,
            "{'newest_row_time': '2024-01-02 03:04:05', 'rows_published': 9}",
            protocol,
        );
        let (c, _, err) = state_cmd(
            &site,
            StateCommand::ImportPickle {
                file: pickle.clone(),
                py2_strings: Py2Strings::default(),
                schema_version: None,
            },
            b"",
        );
        assert_eq!(c, 0, "{err}");
        assert_eq!(
            state_cmd(&site, StateCommand::Export, b"").1,
            "{\n  \"newest_row_time\": \"2024-01-02 03:04:05\",\n  \"rows_published\": 9\n}\n",
            "protocol {protocol}"
        );
        // A version-1 shaped pickle goes through the migration with --schema-version 1.
        python_pickle(&pickle, "{'newest': 1704164646}", protocol);
        let (c, _, err) = state_cmd(
            &site,
            StateCommand::ImportPickle {
                file: pickle.clone(),
                py2_strings: Py2Strings::default(),
                schema_version: Some(1),
            },
            b"",
        );
        assert_eq!(c, 0, "{err}");
        assert_eq!(
            state(&site),
            (
                2,
                Cursor {
                    newest_row_time: "2024-01-02 03:04:06".into(),
                    rows_published: 0
                }
            )
        );
    }
    // Through the command line too; then a run publishes only the newer row... none here.
    python_pickle(
        &pickle,
        "{'newest_row_time': '2024-01-02 03:04:05', 'rows_published': 1}",
        5,
    );
    assert_eq!(
        run(
            &site,
            &["state", "import-pickle", pickle.to_str().expect("utf-8")]
        ),
        0
    );
    assert_eq!(run(&site, &[]), 0);
    assert_eq!(
        published(&site),
        vec!["2024-01-02 03:04:06,2,http://example.com/b"]
    );
    assert_eq!(
        state(&site),
        (
            2,
            Cursor {
                newest_row_time: "2024-01-02 03:04:06".into(),
                rows_published: 2
            }
        )
    );
}
