//! The state files are private and never followed through a symbolic link, through a
//! real collector process (`tests/bin/lines_collector.rs`):
//! - a save creates the state directory 0700 and the state and lock files 0600 even
//!   under a permissive umask (0000), and a save replaces a too-open file by a 0600 one;
//! - a symbolic link at the state path is refused on load (the run) and on save (the
//!   `state reset`/`state import` subcommands, and a link planted during a run): exit
//!   74, one error line naming the path, the link and its target untouched, a dangling
//!   link's target never created; a link at the lock path is refused the same way.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use crate::support::process::stderr;
use crate::support::site::{Site, lines_site};
use std::thread::sleep;
use std::time::{Duration, Instant};

const SYMLINK_REFUSED: &str = "is a symbolic link; refusing to follow it";

/// A site whose state directory is `var/state`, one level below a directory that does
/// not exist yet, so a save creates both.
fn site() -> Site {
    lines_site(&["a", "b"]).state_dir_at("var/state")
}

/// A run that publishes to a file (so stdout stays empty).
fn run(site: &Site) -> Output {
    let out = site.output_path();
    site.run(&["--output", &out.display().to_string()])
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Runs with umask 0000, as a careless cron environment might.
fn with_open_umask(cmd: &mut Command) -> &mut Command {
    // SAFETY: umask(2) is async-signal-safe and cannot fail.
    unsafe {
        cmd.pre_exec(|| {
            libc::umask(0);
            Ok(())
        })
    }
}

#[test]
fn save_makes_dir_0700_and_files_0600_under_umask_0() {
    let site = site();
    let out = with_open_umask(&mut site.command(&[]))
        .arg("--output")
        .arg(site.path("out.jsonl"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&site.state_dir()), 0o700, "state directory");
    assert_eq!(mode(&site.state_path()), 0o600, "state file");
    assert_eq!(mode(&site.lock_path()), 0o600, "lock file");
    // The umask really was open: the missing parent got the default mode 0777 & !umask.
    assert_eq!(mode(&site.path("var")), 0o777, "umask not applied");
}

#[test]
fn state_subcommands_save_0600_under_umask_0() {
    let site = site();
    let out = with_open_umask(&mut site.command(&["state", "reset", "--yes"]))
        .output()
        .expect("reset");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&site.state_dir()), 0o700, "state directory");
    assert_eq!(mode(&site.state_path()), 0o600, "state file");
    assert_eq!(mode(&site.path("var")), 0o777, "umask not applied");
}

#[test]
fn save_replaces_a_too_open_state_file_with_a_0600_one() {
    let site = site();
    assert_eq!(run(&site).status.code(), Some(0));
    fs::set_permissions(site.state_path(), fs::Permissions::from_mode(0o666)).expect("chmod");
    fs::write(site.path("input.txt"), "a\nb\nc\n").expect("more input");
    let out = run(&site);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(mode(&site.state_path()), 0o600);
}

#[test]
fn an_existing_open_state_dir_is_left_alone_with_a_warning() {
    // A directory the collector did not create is not its to chmod: a mode that lets
    // group/others in is warned about and left as it is.
    let site = site();
    fs::create_dir_all(site.state_dir()).expect("dir");
    fs::set_permissions(site.state_dir(), fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = run(&site);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("has mode 0755: group/others can access it (left as it is"),
        "{}",
        stderr(&out)
    );
    assert_eq!(mode(&site.state_dir()), 0o755);
    assert_eq!(mode(&site.state_path()), 0o600);
}

/// Asserts a refused-symlink run: exit 74 and one error line naming `path`.
fn assert_refused(out: &Output, path: &Path, says: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(74), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {err}");
    assert!(lines[0].starts_with("LinesTestCollector: error: "), "{err}");
    assert!(
        lines[0].contains(&path.display().to_string()),
        "path not named: {err}"
    );
    assert!(lines[0].contains(says), "{says:?} not said: {err}");
}

/// A state directory whose state path is a symbolic link to a valid state file kept
/// elsewhere; returns the target and its bytes.
fn site_with_linked_state() -> (Site, PathBuf, Vec<u8>) {
    let site = site();
    assert_eq!(run(&site).status.code(), Some(0), "first run");
    let target = site.path("elsewhere.cbor");
    fs::rename(site.state_path(), &target).expect("move the state away");
    symlink(&target, site.state_path()).expect("symlink");
    let bytes = fs::read(&target).expect("target");
    (site, target, bytes)
}

fn assert_link_intact(site: &Site, target: &Path, bytes: &[u8]) {
    assert_eq!(
        fs::read_link(site.state_path()).expect("still a link"),
        target,
        "the link was replaced"
    );
    assert_eq!(
        fs::read(target).expect("target"),
        bytes,
        "the target changed"
    );
    assert_eq!(mode(target), 0o600, "the target's mode changed");
}

#[test]
fn symlinked_state_is_refused_on_load() {
    let (site, target, bytes) = site_with_linked_state();
    fs::write(site.path("input.txt"), "a\nb\nc\n").expect("more input");
    let out = run(&site);
    assert_refused(&out, &site.state_path(), SYMLINK_REFUSED);
    assert_link_intact(&site, &target, &bytes);
}

#[test]
fn symlinked_state_is_refused_on_save_by_state_reset() {
    let (site, target, bytes) = site_with_linked_state();
    let out = site
        .command(&["state", "reset", "--yes"])
        .output()
        .expect("reset");
    assert_refused(&out, &site.state_path(), SYMLINK_REFUSED);
    assert!(
        stderr(&out).contains("cannot save state"),
        "{}",
        stderr(&out)
    );
    assert_link_intact(&site, &target, &bytes);
}

#[test]
fn symlinked_state_is_refused_on_save_by_state_import() {
    let (site, target, bytes) = site_with_linked_state();
    fs::write(site.path("new.json"), r#"{"lines": 5}"#).expect("json");
    let out = site
        .command(&["state", "import"])
        .arg(site.path("new.json"))
        .output()
        .expect("import");
    assert_refused(&out, &site.state_path(), SYMLINK_REFUSED);
    assert_link_intact(&site, &target, &bytes);
}

#[test]
fn dangling_symlink_target_is_never_created() {
    let site = site();
    site.make_state_dir();
    let target = site.path("planted.cbor");
    symlink(&target, site.state_path()).expect("symlink");
    let out = run(&site);
    assert_refused(&out, &site.state_path(), SYMLINK_REFUSED);
    let out = site
        .command(&["state", "reset", "--yes"])
        .output()
        .expect("reset");
    assert_refused(&out, &site.state_path(), SYMLINK_REFUSED);
    assert!(!target.exists(), "the link's target was created");
    assert_eq!(fs::read_link(site.state_path()).expect("link"), target);
}

fn wait_for(path: &Path, child: &mut Child) {
    let start = Instant::now();
    while !path.exists() {
        if let Some(status) = child.try_wait().expect("try_wait") {
            panic!("the run ended before taking its lock: {status}");
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no lock file");
        sleep(Duration::from_millis(10));
    }
}

#[test]
fn symlink_planted_during_a_run_is_refused_at_save() {
    // No state yet: the run loads nothing, collects (sleeping 2.5 s first), then saves.
    // A link planted at the state path meanwhile must not redirect the save.
    let site = site();
    site.make_state_dir();
    let mut child = site
        .command(&["--n6config-override", "LinesTestCollector.sleep_ms=2500"])
        .arg("--output")
        .arg(site.path("out.jsonl"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    wait_for(&site.lock_path(), &mut child);
    // The load follows the lock at once; plant the link well inside the collect sleep.
    sleep(Duration::from_millis(700));
    let target = site.path("victim");
    fs::write(&target, b"precious").expect("victim");
    symlink(&target, site.state_path()).expect("plant the link");
    let out = child.wait_with_output().expect("wait");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(74), "{err}");
    assert!(err.contains(SYMLINK_REFUSED), "{err}");
    assert!(
        err.contains(&site.state_path().display().to_string()),
        "{err}"
    );
    assert_eq!(fs::read(&target).expect("victim"), b"precious");
    assert_eq!(fs::read_link(site.state_path()).expect("link"), target);
}

#[test]
fn symlinked_lock_file_is_refused() {
    let site = site();
    site.make_state_dir();
    let target = site.path("victim");
    fs::write(&target, b"precious").expect("victim");
    fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).expect("chmod");
    symlink(&target, site.lock_path()).expect("symlink");
    let out = run(&site);
    assert_refused(&out, &site.lock_path(), "cannot use lock file");
    assert_eq!(fs::read(&target).expect("victim"), b"precious");
    assert_eq!(mode(&target), 0o644, "the target's mode changed");
    assert!(!site.state_path().exists(), "ran without its lock");
}
