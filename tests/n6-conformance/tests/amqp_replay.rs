//! n6's `AMQPCollector` cases, replayed through the local test broker: the messages the
//! Rust collector republishes are n6's, and the one difference listed in
//! `deviations.txt` (n6's runs end in `KeyboardInterrupt`, the Rust collector stops
//! cleanly with exit 0 on SIGINT) is the only one.

use std::path::Path;
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn amqp_cases_differ_from_n6_only_in_the_exit_status() {
    if std::env::var_os("N6_TEST_AMQP_PORT").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but no test broker is configured"
        );
        eprintln!(
            "\n*** SKIPPING the AMQPCollector replay: no test broker (run under tests/support/with-broker.sh) ***\n"
        );
        return;
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &here.join("fixtures/AMQPCollector"),
        &root.path().join("AMQPCollector"),
    );
    let no_deviations = root.path().join("none.txt");
    std::fs::write(&no_deviations, "").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_n6-replay"))
        .arg("suite")
        .arg(root.path())
        .arg(&no_deviations)
        .output()
        .expect("n6-replay runs");
    let report = String::from_utf8_lossy(&output.stdout);
    let cases = std::fs::read_dir(root.path().join("AMQPCollector"))
        .expect("cases")
        .count();
    assert!(cases >= 4, "{cases} cases");
    assert!(
        report.contains(&format!("0 passed, {cases} failed")),
        "{report}"
    );
    let problems: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(str::trim)
        .collect();
    assert_eq!(problems.len(), cases, "{report}");
    assert!(
        problems
            .iter()
            .all(|p| *p == "the run succeeded, n6's failed"),
        "{report}"
    );
}
