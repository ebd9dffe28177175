//! A collector in a crate of its own, `tests/own-crate/`, whose only dependency is
//! `n6-collectors`: it builds (outside this workspace, with the workspace's lock file and
//! target directory), and it runs twice, the second run going on from the state the first
//! one saved.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `tests/own-crate` to `dir` as an author's crate would sit anywhere: its
/// dependency path made absolute, and the workspace's `Cargo.lock` so the build uses the
/// same versions (offline) and reuses what the workspace built.
fn place_crate(dir: &Path) -> PathBuf {
    let source = repo().join("tests/own-crate");
    std::fs::create_dir_all(dir.join("src")).expect("crate dir");
    let manifest = std::fs::read_to_string(source.join("Cargo.toml")).expect("Cargo.toml");
    let runtime = repo().join("n6-collectors");
    let manifest = manifest.replace(
        "path = \"../../n6-collectors\"",
        &format!("path = {:?}", runtime.display().to_string()),
    );
    assert!(
        manifest.contains(&runtime.display().to_string()),
        "{manifest}"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
    std::fs::copy(source.join("src/main.rs"), dir.join("src/main.rs")).expect("main.rs");
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).expect("Cargo.lock");
    dir.join("Cargo.toml")
}

/// Builds the crate; returns its binary.
fn build(manifest: &Path) -> PathBuf {
    let target = repo().join("target");
    let output = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "--manifest-path"])
        .arg(manifest)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "the own crate does not build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    target.join("debug/own-crate-collector")
}

/// Runs the collector on `site`; returns the published message bodies.
fn run(binary: &Path, site: &Path, output: &str) -> Vec<String> {
    let out = Command::new(binary)
        .arg("--config-dir")
        .arg(site.join("conf"))
        .arg("--state-dir")
        .arg(site.join("state"))
        .arg("--output")
        .arg(site.join(output))
        .output()
        .expect("run the collector");
    assert!(
        out.status.success(),
        "run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(site.join(output)).unwrap_or_default();
    lines
        .lines()
        .map(|line| {
            let message: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            message["body"].as_str().expect("a text body").to_owned()
        })
        .collect()
}

#[test]
fn a_collector_in_its_own_crate_builds_and_continues_from_its_state() {
    let manifest = place_crate(&repo().join("target/own-crate"));
    let binary = build(&manifest);

    let site = tempfile::tempdir().expect("site");
    let feed = site.path().join("feed.txt");
    std::fs::write(&feed, "first\nsecond\n").expect("feed");
    std::fs::create_dir(site.path().join("conf")).expect("conf");
    std::fs::write(
        site.path().join("conf/60_own.conf"),
        format!("[OwnCrateCollector]\nurl = file://{}\n", feed.display()),
    )
    .expect("config");

    let first = run(&binary, site.path(), "run1.jsonl");
    assert_eq!(
        first,
        ["first (since 2024-01-02)", "second (since 2024-01-02)"]
    );

    std::fs::write(&feed, "first\nsecond\nthird\n").expect("feed");
    let second = run(&binary, site.path(), "run2.jsonl");
    assert_eq!(second, ["third (since 2024-01-02)"]);
}
