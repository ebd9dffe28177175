//! `n6-state` (show / export / check) on state files written by the runtime and on n6
//! pickles made by CPython 3 in the test.

use std::path::Path;

use crate::scratch;
use crate::support::pickle::python_pickle;
use n6_collectors::pickle::Py2Strings;
use n6_collectors::state::StateStore;
use n6_collectors::tooling::generic::{GenericCommand, run};
use serde_json::json;

fn n6_state(command: GenericCommand) -> (u8, String, String) {
    let mut out = Vec::new();
    match run(&command, &mut out) {
        Ok(()) => (0, String::from_utf8(out).expect("utf-8"), String::new()),
        Err(e) => (
            e.exit_code(),
            String::from_utf8(out).expect("utf-8"),
            e.to_string(),
        ),
    }
}

fn show(file: &Path) -> GenericCommand {
    GenericCommand::Show {
        file: file.to_owned(),
        py2_strings: Py2Strings::default(),
    }
}

fn export(file: &Path) -> GenericCommand {
    GenericCommand::Export {
        file: file.to_owned(),
        py2_strings: Py2Strings::default(),
    }
}

fn check(file: &Path) -> GenericCommand {
    GenericCommand::Check {
        file: file.to_owned(),
    }
}

/// A state file as a collector saves it: bytes, a set of strings, a map with int keys.
fn saved_state(dir: &Path) -> std::path::PathBuf {
    use ciborium::Value as V;
    let store = StateStore::new(
        dir,
        "demo.Demo.cbor",
        "demo.Demo",
        "demo (n6-collectors 0.1.0)",
    );
    let state = V::Map(vec![
        (V::Text("raw".into()), V::Bytes(b"\xdd\x00".to_vec())),
        (
            V::Text("rows".into()),
            V::Array(vec![V::Text("a".into()), V::Text("b".into())]),
        ),
        (
            V::Text("by_id".into()),
            V::Map(vec![(V::Integer(7.into()), V::Bool(true))]),
        ),
        (V::Text("big".into()), V::Integer(u64::MAX.into())),
    ]);
    store.save(&state, 3).expect("save");
    store.path().to_owned()
}

#[test]
fn export_shows_the_raw_payload_with_markers() {
    let dir = scratch();
    let path = saved_state(dir.path());
    let (code, out, _) = n6_state(export(&path));
    assert_eq!(code, 0);
    let value: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        value,
        json!({
            "raw": {"$bytes_base64": "3QA="},
            "rows": ["a", "b"],
            "by_id": {"$map": [[7, true]]},
            "big": 18446744073709551615u64,
        })
    );
}

#[test]
fn show_and_check_print_the_header() {
    let dir = scratch();
    let path = saved_state(dir.path());
    let size = std::fs::metadata(&path).expect("stat").len();
    let (code, out, _) = n6_state(check(&path));
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], format!("{}: valid state file", path.display()));
    assert_eq!(lines[1], format!("state file:       {}", path.display()));
    assert_eq!(
        lines[2],
        "format:           n6-collectors-state (envelope version 1)"
    );
    assert_eq!(lines[3], "collector:        demo.Demo");
    assert_eq!(lines[4], "schema version:   3");
    assert!(
        lines[5].starts_with("saved at:         20") && lines[5].ends_with('Z'),
        "{}",
        lines[5]
    );
    assert_eq!(lines[6], "written by:       demo (n6-collectors 0.1.0)");
    assert_eq!(lines[7], format!("size:             {size} bytes"));
    let (code, out, _) = n6_state(show(&path));
    assert_eq!(code, 0);
    assert!(
        out.contains("\nstate:\n{\n  \"big\": 18446744073709551615,\n"),
        "{out}"
    );
}

#[test]
fn check_fails_with_the_byte_offset() {
    let dir = scratch();
    let path = saved_state(dir.path());
    let data = std::fs::read(&path).expect("read");
    let truncated = dir.path().join("truncated.cbor");
    std::fs::write(&truncated, &data[..data.len() - 3]).expect("write");
    let (code, _, message) = n6_state(check(&truncated));
    assert_eq!(code, 65);
    assert!(
        message.starts_with(&format!(
            "cannot load state: corrupt state file {} at byte offset ",
            truncated.display()
        )),
        "{message}"
    );
    let garbage = dir.path().join("garbage.cbor");
    std::fs::write(&garbage, b"hello").expect("write");
    assert_eq!(n6_state(check(&garbage)).0, 65);
    let (code, _, message) = n6_state(check(&dir.path().join("missing.cbor")));
    assert_eq!(code, 74, "{message}");
}

#[test]
fn n6_pickles_are_shown_as_python_and_json() {
    let dir = scratch();
    let path = dir
        .path()
        .join("n6datasources.collectors.misp.MispCollector.pickle");
    std::fs::write(
        &path,
        python_pickle(
            "",
            "{'events_last_proc_datetime': datetime.datetime(2024, 1, 2, 3, 4, 5), 'already_processed_sample_ids': {123}, 'row': 'ja\\udcdd'}",
            5,
        ),
    )
    .expect("write");
    let (code, out, _) = n6_state(show(&path));
    assert_eq!(code, 0);
    let size = std::fs::metadata(&path).expect("stat").len();
    assert_eq!(
        out,
        format!(
            "state file:       {}\nformat:           n6 pickle (protocol 5)\nsize:             {size} bytes\n\
             state (Python):\n{{'events_last_proc_datetime': datetime.datetime(2024, 1, 2, 3, 4, 5), 'already_processed_sample_ids': {{123}}, 'row': 'ja\\udcdd'}}\n\
             state (JSON):\n{{\n  \"already_processed_sample_ids\": [\n    123\n  ],\n  \"events_last_proc_datetime\": \"2024-01-02T03:04:05\",\n  \"row\": {{\n    \"$bytes_base64\": \"amHd\"\n  }}\n}}\n",
            path.display()
        )
    );
    let (code, out, _) = n6_state(check(&path));
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!("{}: valid n6 pickle", path.display())),
        "{out}"
    );
    // Protocol 1 (n6 refuses it too).
    std::fs::write(&path, python_pickle("", "{'a': 1}", 1)).expect("write");
    let (code, _, message) = n6_state(check(&path));
    assert_eq!(code, 65);
    assert!(
        message.contains("at byte offset 0: n6 pickle: the first two bytes do not look like"),
        "{message}"
    );
}
