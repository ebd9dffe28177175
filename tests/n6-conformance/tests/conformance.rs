//! Replays every n6 fixture (`fixtures/<n6 class>/<case>/`) with the Rust ports and
//! compares as the oracle's `compare.py` does; prints `N passed, N failed`.
//!
//! The test fails when a case fails and is not listed in `deviations.txt`; a case of a
//! class without a Rust port fails too.

use std::io::Write;
use std::path::Path;
use std::process::Command;

#[test]
fn every_fixture_replays_as_n6_ran_it() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO_BIN_EXE_n6-replay"))
        .arg("suite")
        .arg(here.join("fixtures"))
        .arg(here.join("deviations.txt"))
        .output()
        .expect("n6-replay runs");
    let report = String::from_utf8_lossy(&output.stdout);
    // Straight to stderr (not captured by the test harness): the figures belong in the
    // output of tests/run-all.
    let _ = std::io::stderr().write_all(report.as_bytes());
    assert!(
        report.contains(" passed, "),
        "no summary line; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "cases failed (see FAILED lines above)"
    );
}
