//! The state file is named after the collector struct (`LinesTestCollector.cbor`), and a
//! file of the older name (`{module path}.{StructName}.cbor`) is moved on the first run,
//! with a warning; with both present the run refuses (exit 65) and touches nothing.

use std::fs;

use crate::support::process::{code, stderr};
use crate::support::site::{LINES, Site, lines_site};

/// The older default name of the lines collector's state file.
const LEGACY: &str = "lines_test_collector.LinesTestCollector.cbor";

/// A site whose state sits under the older name: one run saved it (2 lines), then it
/// was renamed back to the older name, as an earlier version had left it.
fn site_with_legacy_state() -> (Site, Vec<u8>) {
    let site = lines_site(&["a", "b"]).publishing_to_file();
    assert_eq!(code(&site.run(&[])), 0);
    let bytes = site.state_bytes().expect("state saved");
    fs::rename(site.state_path(), site.state_dir().join(LEGACY)).expect("rename back");
    fs::remove_file(site.lock_path()).expect("remove the lock file");
    site.set_input(&["a", "b", "c"]);
    (site, bytes)
}

#[test]
fn the_state_file_is_named_after_the_struct() {
    let site = lines_site(&["a"]).publishing_to_file();
    assert_eq!(code(&site.run(&[])), 0);
    assert!(site.state_dir().join("LinesTestCollector.cbor").is_file());
    assert!(
        site.state_dir()
            .join("LinesTestCollector.cbor.lock")
            .is_file()
    );
    assert!(!site.state_dir().join(LEGACY).exists());
}

#[test]
fn a_state_file_of_the_older_name_is_moved_with_a_warning_and_continued() {
    let (site, _) = site_with_legacy_state();
    let out = site.run(&[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("moved state file"), "{err}");
    assert!(
        err.contains(LEGACY) && err.contains(LINES.state_file),
        "{err}"
    );
    assert!(
        !site.state_dir().join(LEGACY).exists(),
        "the old file is gone"
    );
    assert!(
        site.lock_path().exists(),
        "the lock file follows the new name"
    );
    // Continued from the moved state: only the new line.
    assert_eq!(site.published(), ["a", "b", "c"]);
    let again = site.run(&[]);
    assert!(!stderr(&again).contains("moved state file"), "moved once");
}

#[test]
fn both_names_present_is_refused_with_exit_65_and_nothing_touched() {
    let (site, bytes) = site_with_legacy_state();
    fs::write(site.state_path(), &bytes).expect("the new name too");
    let out = site.run(&[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 65, "{err}");
    assert!(err.contains("both exist"), "{err}");
    assert!(err.contains(LEGACY), "the older file is named: {err}");
    assert!(
        err.contains(&site.state_path().display().to_string()),
        "{err}"
    );
    assert_eq!(site.state_bytes(), Some(bytes.clone()));
    assert_eq!(fs::read(site.state_dir().join(LEGACY)).ok(), Some(bytes));
    assert_eq!(site.published(), ["a", "b"], "nothing published");
}

#[test]
fn state_tools_find_a_state_file_of_the_older_name() {
    let (site, _) = site_with_legacy_state();
    let out = site.run(&["--check-config"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        site.state_dir().join(LEGACY).exists(),
        "--check-config changes no file"
    );
    let out = site.run(&["state", "export"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let exported: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(exported["lines"], 2, "{exported}");
    assert!(site.state_path().is_file(), "moved by the state tool");
}

#[test]
fn a_state_file_of_the_older_name_is_not_moved_while_an_older_run_holds_its_lock() {
    let (site, bytes) = site_with_legacy_state();
    let legacy = site.state_dir().join(LEGACY);
    // What a run of the older version holds while it runs.
    let held = n6_collectors::state::RunLock::acquire(&legacy).expect("take the older lock");
    let out = site.run(&[]);
    assert_eq!(code(&out), 75, "{}", stderr(&out));
    assert_eq!(fs::read(&legacy).expect("still there"), bytes);
    assert!(!site.state_path().exists(), "nothing moved");
    drop(held);
    let out = site.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!legacy.exists(), "moved once the older run ended");
}

#[test]
fn an_n6_pickle_that_cannot_be_taken_over_is_named_as_n6_s_pickle_and_left_alone() {
    let site = lines_site(&["a"]).publishing_to_file();
    fs::create_dir_all(site.state_dir()).expect("state dir");
    let pickle = site.state_dir().join("LinesTestCollector.pickle");
    fs::write(&pickle, b"not a pickle").expect("write");
    let out = site.run(&[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 65, "{err}");
    assert!(err.contains("n6's state pickle"), "{err}");
    assert!(err.contains("cannot be taken over"), "{err}");
    assert!(!err.contains("corrupt state file"), "{err}");
    assert_eq!(fs::read(&pickle).expect("pickle"), b"not a pickle");
    assert!(!site.state_path().exists(), "nothing saved");
    assert!(site.published().is_empty(), "nothing published");
}
