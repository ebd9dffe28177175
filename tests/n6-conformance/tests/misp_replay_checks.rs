//! The MISP replay checks the port's requests against n6's recorded calls: a search for
//! another window (the recorded `since`), a sample n6 did not download, and a request
//! after the last recorded call are each a `MISMATCH` of the case; the case as recorded
//! has none.

use std::path::{Path, PathBuf};
use std::process::Command;

fn case(prefix: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/MispCollector");
    std::fs::read_dir(&root)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .expect("the fixture")
}

/// Copies `case` under `dir` (as `MispCollector/<name>`, so the replay knows the class)
/// with `inputs.jsonl` edited by `edit`, replays it, and returns the MISMATCH lines.
fn mismatches(dir: &Path, case: &Path, edit: impl Fn(String) -> String) -> Vec<String> {
    let copy = dir
        .join("MispCollector")
        .join(case.file_name().expect("name"));
    std::fs::create_dir_all(copy.join("inputs")).expect("mkdir");
    for entry in std::fs::read_dir(case).expect("case").flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy");
        }
    }
    for entry in std::fs::read_dir(case.join("inputs"))
        .expect("inputs")
        .flatten()
    {
        std::fs::copy(entry.path(), copy.join("inputs").join(entry.file_name())).expect("copy");
    }
    let inputs = std::fs::read_to_string(copy.join("inputs.jsonl")).expect("inputs.jsonl");
    std::fs::write(copy.join("inputs.jsonl"), edit(inputs)).expect("write");
    let out = dir.join("out");
    let _ = std::fs::remove_dir_all(&out);
    Command::new(env!("CARGO_BIN_EXE_n6-replay"))
        .arg("replay")
        .arg(&copy)
        .arg(&out)
        .output()
        .expect("n6-replay runs");
    std::fs::read_to_string(out.join("requests.log"))
        .expect("requests.log")
        .lines()
        .filter(|l| l.starts_with("MISMATCH"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn requests_must_be_n6s_recorded_calls() {
    let dir = tempfile::tempdir().expect("tempdir");
    let all = case("030__");
    assert_eq!(mismatches(dir.path(), &all, |t| t), Vec::<String>::new());

    let other_window = mismatches(dir.path(), &all, |t| {
        t.replacen("2017-02-09T12:00:00", "2017-02-10T12:00:00", 1)
    });
    assert!(
        other_window
            .iter()
            .any(|m| m.contains("15855m") && m.contains("14415m")),
        "{other_window:?}"
    );

    let other_sample = mismatches(dir.path(), &all, |t| {
        t.replacen("download/144659", "download/144999", 1)
    });
    assert!(
        other_sample
            .iter()
            .any(|m| m.contains("/exampleUrlPath/download/144999")),
        "{other_sample:?}"
    );

    let fewer_calls = mismatches(dir.path(), &all, |t| {
        t.lines().take(2).map(|l| format!("{l}\n")).collect()
    });
    assert!(
        fewer_calls
            .iter()
            .any(|m| m.contains("GET /exampleUrlPath/download/144659: n6 made no further call")),
        "{fewer_calls:?}"
    );
}
