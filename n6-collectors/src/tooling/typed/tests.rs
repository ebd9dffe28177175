//! The `state` subcommands on a hand-written collector (the derive is tested elsewhere).

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::*;
use crate::collector::CollectorMeta;
use crate::config::spec::Spec;
use crate::config::validate::TypedConfig;
use crate::message::{Identity, RawType};

/// A state of n6's time-ordered-rows shape (strings only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rows {
    newest_row_time: String,
    newest_rows: BTreeSet<String>,
    rows_count: u64,
}

/// Schema version 1 of [`Rows`] had no `rows_count`.
#[derive(Debug, Deserialize)]
struct RowsV1 {
    newest_row_time: String,
    newest_rows: BTreeSet<String>,
}

struct Demo {
    state: Rows,
}

impl StatefulCollector for Demo {
    type Config = ();
    type State = Rows;
    type Args = crate::cli::NoArgs;

    const META: CollectorMeta = CollectorMeta {
        name: "Demo",
        module_path: "tooling_tests",
        identity: Identity {
            source: "demo.rows",
            raw_type: RawType::Stream,
            content_type: None,
            raw_format_version_tag: None,
        },
        state_file: None,
        state_version: 2,
        has_state: true,
    };

    fn config_spec() -> Spec {
        Spec::default()
    }

    fn build_config(_: TypedConfig) -> std::result::Result<(), String> {
        Ok(())
    }

    fn state_dir(_: &()) -> &Path {
        Path::new("/nonexistent")
    }

    fn make_default_state() -> Rows {
        Rows {
            newest_row_time: String::new(),
            newest_rows: BTreeSet::new(),
            rows_count: 0,
        }
    }

    fn migrate_state(from: u32, payload: ciborium::Value) -> std::result::Result<Rows, String> {
        if from != 1 {
            return Err(format!("no migration from version {from}"));
        }
        let v1: RowsV1 = payload.deserialized().map_err(|e| e.to_string())?;
        Ok(Rows {
            rows_count: v1.newest_rows.len() as u64,
            newest_row_time: v1.newest_row_time,
            newest_rows: v1.newest_rows,
        })
    }

    fn from_parts(_: (), state: Rows, _: crate::cli::NoArgs) -> Self {
        Demo { state }
    }

    fn state(&self) -> &Rows {
        &self.state
    }

    fn config(&self) -> &() {
        &()
    }
}

struct Run {
    result: Result<()>,
    stdout: String,
    stderr: String,
}

fn store(dir: &Path) -> StateStore {
    StateStore::new(
        dir,
        &Demo::META.state_file_name(),
        &Demo::META.collector_id(),
        "tooling-tests",
    )
}

fn run_with(dir: &Path, command: StateCommand, stdin: &[u8], interactive: bool) -> Run {
    let mut input = Cursor::new(stdin.to_vec());
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let mut io = StateIo {
        stdin: &mut input,
        stdout: &mut stdout,
        stderr: &mut stderr,
        interactive,
    };
    let result = execute_with::<Demo>(&command, &store(dir), &mut io);
    Run {
        result,
        stdout: String::from_utf8(stdout).expect("utf-8"),
        stderr: String::from_utf8(stderr).expect("utf-8"),
    }
}

fn run(dir: &Path, command: StateCommand) -> Run {
    run_with(dir, command, b"", false)
}

fn exit_code(run: &Run) -> u8 {
    run.result.as_ref().err().map_or(0, Error::exit_code)
}

fn state_on_disk(dir: &Path) -> Option<Rows> {
    store(dir)
        .load::<Rows>(2, None)
        .expect("loads")
        .map(|l| l.state)
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, data).expect("write");
    path
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

const EXPORTED: &str = "{\n  \"newest_row_time\": \"2019-07-13\",\n  \"newest_rows\": [\n    \"\\\"ham\\\",\\\"2019-07-13\\\"\"\n  ],\n  \"rows_count\": 7\n}\n";

#[test]
fn export_without_a_file_gives_the_default_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(dir.path(), StateCommand::Export);
    assert_eq!(exit_code(&r), 0);
    assert_eq!(
        r.stdout,
        "{\n  \"newest_row_time\": \"\",\n  \"newest_rows\": [],\n  \"rows_count\": 0\n}\n"
    );
    assert!(
        r.stderr.contains("exporting the default state"),
        "{}",
        r.stderr
    );
    assert_eq!(
        state_on_disk(dir.path()),
        None,
        "export creates no state file"
    );
}

#[test]
fn import_then_export_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = write(dir.path(), "in.json", EXPORTED.as_bytes());
    let r = run(dir.path(), StateCommand::Import { file: json });
    assert_eq!(exit_code(&r), 0, "{:?}", r.result.err());
    assert_eq!(
        state_on_disk(dir.path()),
        Some(Rows {
            newest_row_time: "2019-07-13".into(),
            newest_rows: BTreeSet::from(["\"ham\",\"2019-07-13\"".to_owned()]),
            rows_count: 7,
        })
    );
    let r = run(dir.path(), StateCommand::Export);
    assert_eq!(r.stdout, EXPORTED);
    // From stdin too, and the export is again the same.
    let r = run_with(
        dir.path(),
        StateCommand::Import { file: "-".into() },
        r.stdout.as_bytes(),
        false,
    );
    assert_eq!(exit_code(&r), 0);
    assert!(
        r.stderr.starts_with("imported <stdin> into "),
        "{}",
        r.stderr
    );
    assert_eq!(run(dir.path(), StateCommand::Export).stdout, EXPORTED);
}

#[test]
fn import_refuses_json_of_another_shape_and_keeps_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(
        dir.path(),
        StateCommand::Import {
            file: write(dir.path(), "ok.json", EXPORTED.as_bytes()),
        },
    );
    let bad = write(
        dir.path(),
        "bad.json",
        b"{\n  \"newest_row_time\": 5,\n  \"newest_rows\": [], \"rows_count\": 0}",
    );
    let r = run(dir.path(), StateCommand::Import { file: bad.clone() });
    assert_eq!(exit_code(&r), 65);
    let message = r.result.expect_err("refused").to_string();
    assert_eq!(
        message,
        format!(
            "import input {} at byte offset 23: not a valid state of Demo: invalid type: integer `5`, expected a string at line 2 column 22",
            bad.display()
        )
    );
    assert_eq!(run(dir.path(), StateCommand::Export).stdout, EXPORTED);
    let r = run(
        dir.path(),
        StateCommand::Import {
            file: dir.path().join("missing.json"),
        },
    );
    assert_eq!(exit_code(&r), 74);
}

#[test]
fn show_prints_the_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = run(dir.path(), StateCommand::Show);
    let path = dir.path().join("Demo.cbor");
    assert_eq!(
        r.stdout,
        format!(
            "state file:     {}\ncollector:      tooling_tests.Demo\nschema version: 2\nsaved at:       never: there is no state file; a run starts from the default state below\nstate:\n{{\n  \"newest_row_time\": \"\",\n  \"newest_rows\": [],\n  \"rows_count\": 0\n}}\n",
            path.display()
        )
    );
    run(
        dir.path(),
        StateCommand::Import {
            file: write(dir.path(), "ok.json", EXPORTED.as_bytes()),
        },
    );
    let r = run(dir.path(), StateCommand::Show);
    let size = std::fs::metadata(&path).expect("stat").len();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], format!("state file:     {}", path.display()));
    assert_eq!(lines[1], "collector:      tooling_tests.Demo");
    assert_eq!(lines[2], "schema version: 2");
    assert!(
        lines[3].starts_with("saved at:       20") && lines[3].ends_with("Z by tooling-tests"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], format!("size:           {size} bytes"));
    assert_eq!(lines[5], "state:");
    assert_eq!(lines[6..].join("\n") + "\n", EXPORTED);
}

#[test]
fn reset_asks_for_yes() {
    let dir = tempfile::tempdir().expect("tempdir");
    run(
        dir.path(),
        StateCommand::Import {
            file: write(dir.path(), "ok.json", EXPORTED.as_bytes()),
        },
    );
    let r = run(dir.path(), StateCommand::Reset { yes: false });
    assert_eq!(exit_code(&r), 64);
    assert!(
        r.result
            .expect_err("refused")
            .to_string()
            .contains("pass --yes to confirm")
    );
    let r = run_with(dir.path(), StateCommand::Reset { yes: false }, b"n\n", true);
    assert_eq!(exit_code(&r), 0);
    assert!(
        r.stderr.ends_with("[y/N] not reset; nothing changed\n"),
        "{}",
        r.stderr
    );
    assert_eq!(run(dir.path(), StateCommand::Export).stdout, EXPORTED);
    let r = run_with(
        dir.path(),
        StateCommand::Reset { yes: false },
        b"yes\n",
        true,
    );
    assert_eq!(exit_code(&r), 0);
    assert_eq!(state_on_disk(dir.path()), Some(Demo::make_default_state()));
    run(
        dir.path(),
        StateCommand::Import {
            file: write(dir.path(), "ok.json", EXPORTED.as_bytes()),
        },
    );
    let r = run(dir.path(), StateCommand::Reset { yes: true });
    assert_eq!(exit_code(&r), 0);
    assert_eq!(state_on_disk(dir.path()), Some(Demo::make_default_state()));
}

#[test]
fn every_subcommand_takes_the_run_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _held = store(dir.path()).lock().expect("lock");
    for command in [
        StateCommand::Show,
        StateCommand::Export,
        StateCommand::Import { file: "-".into() },
        StateCommand::Reset { yes: true },
        StateCommand::ImportPickle {
            file: "x.pickle".into(),
            py2_strings: Py2Strings::default(),
            schema_version: None,
        },
    ] {
        let r = run(dir.path(), command.clone());
        assert_eq!(exit_code(&r), 75, "{command:?}");
    }
}

/// `{'newest_row_time': '2019-07-13', 'newest_rows': {'"ham","2019-07-13"'}, 'rows_count': 7}`,
/// protocol 5, as captured from n6 (the shapes `n6datasources.collectors.base.StatefulCollectorMixin.load_state` reads).
const ROWS_PICKLE: &str = "8005955a000000000000007d94288c0f6e65776573745f726f775f74696d65948c0a323031392d30372d3133948c0b6e65776573745f726f7773948f94288c122268616d222c22323031392d30372d31332294908c0a726f77735f636f756e74944b07752e";

#[test]
fn import_pickle_then_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write(dir.path(), "n6.pickle", &hex(ROWS_PICKLE));
    let r = run(
        dir.path(),
        StateCommand::ImportPickle {
            file: file.clone(),
            py2_strings: Py2Strings::default(),
            schema_version: None,
        },
    );
    assert_eq!(exit_code(&r), 0, "{:?}", r.result.err());
    assert_eq!(
        r.stderr,
        format!(
            "imported n6 pickle {} (protocol 5) into {} (schema version 2)\n",
            file.display(),
            dir.path().join("Demo.cbor").display()
        )
    );
    assert_eq!(run(dir.path(), StateCommand::Export).stdout, EXPORTED);
}

#[test]
fn import_pickle_of_an_older_schema_runs_the_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    // {'newest_row_time': 'x', 'newest_rows': {'a', 'b'}}, protocol 4
    let data = hex(
        "80049535000000000000007d94288c0f6e65776573745f726f775f74696d65948c0178948c0b6e65776573745f726f7773948f94288c0161948c01629490752e",
    );
    let file = write(dir.path(), "v1.pickle", &data);
    let pickled = run(
        dir.path(),
        StateCommand::ImportPickle {
            file: file.clone(),
            py2_strings: Py2Strings::default(),
            schema_version: None,
        },
    );
    assert_eq!(
        exit_code(&pickled),
        65,
        "v1 content does not fit v2 directly"
    );
    let r = run(
        dir.path(),
        StateCommand::ImportPickle {
            file,
            py2_strings: Py2Strings::default(),
            schema_version: Some(1),
        },
    );
    assert_eq!(exit_code(&r), 0, "{:?}", r.result.err());
    assert_eq!(
        state_on_disk(dir.path()),
        Some(Rows {
            newest_row_time: "x".into(),
            newest_rows: BTreeSet::from(["a".into(), "b".into()]),
            rows_count: 2
        })
    );
    let r = run(
        dir.path(),
        StateCommand::ImportPickle {
            file: "x".into(),
            py2_strings: Py2Strings::default(),
            schema_version: Some(3),
        },
    );
    assert_eq!(exit_code(&r), 64);
}

#[test]
fn import_pickle_refuses_protocols_0_and_1_with_n6s_words() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Protocol 1 from Python 2.
    let file = write(
        dir.path(),
        "old.pickle",
        &hex(
            "7d710155036e6f777102636461746574696d650a6461746574696d650a710328550a07e608190f082f0c056274527104732e",
        ),
    );
    let r = run(
        dir.path(),
        StateCommand::ImportPickle {
            file: file.clone(),
            py2_strings: Py2Strings::default(),
            schema_version: None,
        },
    );
    assert_eq!(exit_code(&r), 65);
    assert_eq!(
        r.result.expect_err("refused").to_string(),
        format!(
            "import input {} at byte offset 0: cannot import this n6 pickle: the first two bytes do not look like the beginning of anything properly serialized using the Pickle Protocol 2 or newer (n6 refuses such files too; protocols 0 and 1 are not supported); you need to examine and fix (or remove) the file manually",
            file.display()
        )
    );
    assert_eq!(state_on_disk(dir.path()), None, "nothing saved");
}

#[test]
fn older_state_files_are_migrated_and_newer_ones_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    #[derive(Serialize)]
    struct V1<'a> {
        newest_row_time: &'a str,
        newest_rows: [&'a str; 1],
    }
    store(dir.path())
        .save(
            &V1 {
                newest_row_time: "t",
                newest_rows: ["r"],
            },
            1,
        )
        .expect("save v1");
    let r = run(dir.path(), StateCommand::Show);
    assert!(
        r.stdout.contains(
            "schema version: 1 in the file, shown migrated to 2 (the next save writes 2)\n"
        ),
        "{}",
        r.stdout
    );
    let r = run(dir.path(), StateCommand::Export);
    assert_eq!(
        r.stdout,
        "{\n  \"newest_row_time\": \"t\",\n  \"newest_rows\": [\n    \"r\"\n  ],\n  \"rows_count\": 1\n}\n"
    );
    StateStore::new(
        dir.path(),
        &Demo::META.state_file_name(),
        &Demo::META.collector_id(),
        "demo 9.9",
    )
    .save(&Demo::make_default_state(), 3)
    .expect("save v3");
    let r = run(dir.path(), StateCommand::Export);
    assert_eq!(exit_code(&r), 65);
    let message = r.result.expect_err("refused").to_string();
    assert!(message.contains("has state schema version 3, written by demo 9.9; this binary understands up to version 2"), "{message}");
}

#[test]
fn the_collector_command_line_has_the_state_subcommands() {
    use clap::Parser;

    use crate::run::cli::Cli;

    let parse = |args: &[&str]| {
        Cli::try_parse_from(std::iter::once("collector").chain(args.iter().copied()))
    };
    let cli = parse(&["state", "show"]).expect("parses");
    assert_eq!(cli.command, Some(Command::State(StateCommand::Show)));
    // The file-choosing options work before and after the subcommand.
    let cli =
        parse(&["--config-dir", "/c", "state", "export", "--state-dir", "/s"]).expect("parses");
    assert_eq!(cli.command, Some(Command::State(StateCommand::Export)));
    assert_eq!(
        (cli.config_dirs, cli.state_dir),
        (vec![PathBuf::from("/c")], Some(PathBuf::from("/s")))
    );
    let cli = parse(&["state", "import", "-"]).expect("parses");
    assert_eq!(
        cli.command,
        Some(Command::State(StateCommand::Import { file: "-".into() }))
    );
    let cli = parse(&["state", "reset", "--yes"]).expect("parses");
    assert_eq!(
        cli.command,
        Some(Command::State(StateCommand::Reset { yes: true }))
    );
    let cli = parse(&[
        "state",
        "import-pickle",
        "x.pickle",
        "--py2-strings",
        "latin1",
        "--schema-version",
        "1",
    ])
    .expect("parses");
    assert_eq!(
        cli.command,
        Some(Command::State(StateCommand::ImportPickle {
            file: "x.pickle".into(),
            py2_strings: Py2Strings::Latin1,
            schema_version: Some(1),
        }))
    );
    assert_eq!(parse(&[]).expect("parses").command, None);
    assert!(parse(&["state"]).is_err());
    assert!(parse(&["state", "import"]).is_err());
    assert!(parse(&["state", "import-pickle", "x", "--py2-strings", "utf-16"]).is_err());
}
