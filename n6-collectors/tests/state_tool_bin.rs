//! The `n6-state` binary as a process: output streams and exit codes.

use std::process::{Command, Output};

use n6_collectors::state::StateStore;

fn n6_state(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_n6-state"))
        .args(args)
        .output()
        .expect("run n6-state")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_show_export_and_exit_codes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = StateStore::new(dir.path(), "m.C.cbor", "m.C", "c (n6-collectors 0.1.0)");
    store
        .save(&serde_json::json!({"lines": 3}), 1)
        .expect("save");
    let file = store.path().as_os_str();

    let out = n6_state(&["check".as_ref(), file]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with(&format!("{}: valid state file\n", store.path().display()))
    );

    let out = n6_state(&["export".as_ref(), file]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "{\n  \"lines\": 3\n}\n");

    let out = n6_state(&["show".as_ref(), file]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).ends_with("state:\n{\n  \"lines\": 3\n}\n"),
        "{}",
        text(&out.stdout)
    );

    let mut data = std::fs::read(store.path()).expect("read");
    data.push(0);
    let bad = dir.path().join("trailing.cbor");
    std::fs::write(&bad, &data).expect("write");
    let out = n6_state(&["check".as_ref(), bad.as_os_str()]);
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).starts_with(&format!(
            "n6-state: error: cannot load state: corrupt state file {} at byte offset ",
            bad.display()
        )),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    let out = n6_state(&[
        "check".as_ref(),
        dir.path().join("missing.cbor").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(74));
    let out = n6_state(&["frobnicate".as_ref()]);
    assert_eq!(out.status.code(), Some(64));
    let out = n6_state(&["--help".as_ref()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("Usage: n6-state [OPTIONS] <COMMAND>"),
        "{}",
        text(&out.stdout)
    );
}
