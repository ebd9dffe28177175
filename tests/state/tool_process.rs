//! The `state` subcommands through a real collector process
//! (`tests/bin/lines_collector.rs`, state `{"lines": N}`): stdout/stderr, exit codes,
//! stdin that is not a terminal, the run lock held by another process, and the state
//! seen by the next run.

use std::io::Write;
use std::process::{Output, Stdio};

use crate::support::pickle::python_pickle;
use crate::support::site::{LINES, Site};
use n6_collectors::state::{RunLock, StateStore};

const COLLECTOR_ID: &str = "lines_test_collector.LinesTestCollector";

/// A lines-collector site whose input is `lines` (config: only `input`).
fn site(lines: &[&str]) -> Site {
    let site = Site::new(LINES);
    site.write_config(&format!(
        "[LinesTestCollector]\ninput = {}\n",
        site.input_path().display()
    ));
    site.set_input(lines);
    site
}

/// `lines-test-collector state ARGS... --config-dir conf --state-dir state` with `stdin`.
fn state(site: &Site, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = site
        .command(&[&["state"], args].concat())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait")
}

/// A collection run; returns the published bodies.
fn run(site: &Site) -> Vec<String> {
    let out = site.output_path();
    let _ = std::fs::remove_file(&out);
    let status = site.run(&["--output", &out.display().to_string()]);
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    site.published()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn show_export_import_and_the_next_run() {
    let site = site(&["a", "b", "c"]);
    let out = state(&site, &["show"], b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "state file:     {}\ncollector:      {COLLECTOR_ID}\nschema version: 1\nsaved at:       never: there is no state file; a run starts from the default state below\nstate:\n{{\n  \"lines\": 0\n}}\n",
            site.state_path().display()
        )
    );
    assert_eq!(run(&site), ["a", "b", "c"]);
    let out = state(&site, &["export"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "{\n  \"lines\": 3\n}\n");

    let out = state(&site, &["import", "-"], b"{\"lines\": 1}");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        format!(
            "imported <stdin> into {} (schema version 1)\n",
            site.state_path().display()
        )
    );
    assert_eq!(run(&site), ["b", "c"]);

    let out = state(&site, &["import", "-"], b"{\"lines\": -1}");
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).contains("import input <stdin> at byte offset 11: not a valid state of LinesTestCollector: invalid value: integer `-1`, expected u64"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&state(&site, &["export"], b"").stdout),
        "{\n  \"lines\": 3\n}\n"
    );
}

#[test]
fn reset_needs_yes_without_a_terminal() {
    let site = site(&["a", "b"]);
    run(&site);
    let out = state(&site, &["reset"], b"y\n");
    assert_eq!(out.status.code(), Some(64));
    assert!(
        text(&out.stderr).contains("pass --yes to confirm (stdin is not a terminal)"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        text(&state(&site, &["export"], b"").stdout),
        "{\n  \"lines\": 2\n}\n"
    );
    let out = state(&site, &["reset", "--yes"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&state(&site, &["export"], b"").stdout),
        "{\n  \"lines\": 0\n}\n"
    );
    assert_eq!(run(&site), ["a", "b"]);
}

#[test]
fn every_state_command_exits_75_while_another_process_holds_the_lock() {
    let site = site(&["a"]);
    std::fs::write(site.path("s.json"), "{\"lines\": 0}").expect("write");
    let lock = RunLock::acquire(&site.state_path()).expect("lock");
    let json = site.path("s.json");
    let json = json.to_str().expect("utf-8");
    for args in [
        &["show"][..],
        &["export"],
        &["import", json],
        &["reset", "--yes"],
        &["import-pickle", json],
    ] {
        let out = state(&site, args, b"");
        assert_eq!(out.status.code(), Some(75), "{args:?}");
        assert!(
            text(&out.stderr).contains("another run of this collector is in progress"),
            "{}",
            text(&out.stderr)
        );
    }
    drop(lock);
    assert_eq!(state(&site, &["show"], b"").status.code(), Some(0));
}

#[test]
fn import_pickle_then_run() {
    let site = site(&["a", "b", "c"]);
    let pickle = site.path("n6.pickle");
    std::fs::write(&pickle, python_pickle("", "{'lines': 2}", 4)).expect("write");
    let out = state(
        &site,
        &["import-pickle", pickle.to_str().expect("utf-8")],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        format!(
            "imported n6 pickle {} (protocol 4) into {} (schema version 1)\n",
            pickle.display(),
            site.state_path().display()
        )
    );
    assert_eq!(run(&site), ["c"]);
    std::fs::write(&pickle, python_pickle("", "{'lines': 'two'}", 4)).expect("write");
    let out = state(
        &site,
        &["import-pickle", pickle.to_str().expect("utf-8")],
        b"",
    );
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr)
            .contains("the pickle's content does not fit the state of LinesTestCollector: ")
            && text(&out.stderr).contains("the pickle holds: {'lines': 'two'}"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_newer_schema_version_is_refused_naming_the_writer() {
    let site = site(&["a"]);
    StateStore::new(
        &site.path("state"),
        LINES.state_file,
        COLLECTOR_ID,
        "lines-test-collector 9.9 (n6-collectors 9.9.0)",
    )
    .save(&serde_json::json!({"lines": 1}), 2)
    .expect("save v2");
    let out = state(&site, &["show"], b"");
    assert_eq!(out.status.code(), Some(65));
    assert!(
        text(&out.stderr).contains("has state schema version 2, written by lines-test-collector 9.9 (n6-collectors 9.9.0); this binary understands up to version 1"),
        "{}",
        text(&out.stderr)
    );
}
