//! The corrupt-state matrix, through a real collector process
//! (`tests/bin/lines_collector.rs`): for every kind of unusable state file the run stops
//! before collecting, exits 65 (content) or 74 (I/O class, `StateError::is_io`), prints
//! exactly one error line naming the file (and the byte offset, for content errors), and
//! leaves the state directory — and whatever a symbolic link points to — exactly as it
//! was. Nothing is published.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::site::{LINES, Site, lines_site};
use n6_collectors::state::StateStore;
use serde::Serialize;

const STATE_FILE: &str = LINES.state_file;
const COLLECTOR: &str = "lines_test_collector.LinesTestCollector";
/// The test collector's state schema version.
const SCHEMA: u32 = 1;
const ERROR_PREFIX: &str = "LinesTestCollector: error: cannot load state: ";

/// The test collector's state, as it serializes it.
#[derive(Serialize)]
struct Seen {
    lines: u64,
}

/// A scratch deployment with a private (0700) state directory, so that the only thing
/// the collector has to say is the error.
fn site() -> Site {
    lines_site(&["a", "b"])
        .private_state_dir()
        .publishing_to_file()
}

/// A store for the state path with the given collector id (to write real files).
fn store(site: &Site, collector: &str) -> StateStore {
    StateStore::new(
        &site.state_dir(),
        STATE_FILE,
        collector,
        "corrupt-state-test",
    )
}

/// The bytes of a valid state file of the test collector (written, read, removed).
fn valid_bytes(site: &Site, lines: u64) -> Vec<u8> {
    store(site, COLLECTOR)
        .save(&Seen { lines }, SCHEMA)
        .expect("save a valid state");
    let bytes = fs::read(site.state_path()).expect("read the valid state");
    fs::remove_file(site.state_path()).expect("remove the valid state");
    bytes
}

fn published_anything(site: &Site) -> bool {
    fs::read(site.output_path()).is_ok_and(|b| !b.is_empty())
}

/// What is on disk at and below a path, without following symbolic links.
#[derive(Debug, PartialEq, Eq)]
enum Node {
    File {
        mode: u32,
        bytes: Option<Vec<u8>>,
    },
    Dir {
        mode: u32,
        entries: BTreeMap<String, Node>,
    },
    Symlink {
        target: PathBuf,
    },
    Fifo {
        mode: u32,
    },
    Missing,
}

fn snapshot(path: &Path) -> Node {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Node::Missing;
    };
    let mode = meta.permissions().mode() & 0o7777;
    let kind = meta.file_type();
    if kind.is_symlink() {
        Node::Symlink {
            target: fs::read_link(path).expect("read link"),
        }
    } else if kind.is_dir() {
        let entries = fs::read_dir(path)
            .expect("list dir")
            .map(|e| {
                let e = e.expect("dir entry");
                let name = e.file_name().to_string_lossy().into_owned();
                (name, snapshot(&e.path()))
            })
            .collect();
        Node::Dir { mode, entries }
    } else if kind.is_fifo() {
        Node::Fifo { mode }
    } else {
        Node::File {
            mode,
            // `None` only for a file this (non-root) test cannot read: mode still compared.
            bytes: fs::read(path).ok(),
        }
    }
}

/// The state directory as the run should leave it: as before, plus at most the lock
/// file that every run creates.
fn without_lock_file(mut node: Node) -> Node {
    if let Node::Dir { entries, .. } = &mut node {
        entries.remove(&format!("{STATE_FILE}.lock"));
    }
    node
}

/// What the run must say and do.
#[derive(Debug, Clone, Copy)]
struct Expected {
    /// The exit code: 65 (content) or 74 (I/O class).
    code: i32,
    /// `Some(n)`: the message names `byte offset n`; `None`: it names no offset.
    offset: Option<u64>,
    /// A phrase the message must contain.
    says: &'static str,
}

fn content(offset: u64, says: &'static str) -> Expected {
    Expected {
        code: 65,
        offset: Some(offset),
        says,
    }
}

fn io(says: &'static str) -> Expected {
    Expected {
        code: 74,
        offset: None,
        says,
    }
}

/// Checks the exit code and the one error line of a run, and that nothing was published.
fn check_output(site: &Site, expected: Expected, out: Output) {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(expected.code), "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr, got: {err}");
    let line = lines[0];
    assert!(line.starts_with(ERROR_PREFIX), "not an error line: {line}");
    let path = site.state_path().display().to_string();
    assert!(line.contains(&path), "path {path} not named: {line}");
    assert!(
        line.contains(expected.says),
        "{:?} not said: {line}",
        expected.says
    );
    match expected.offset {
        Some(offset) => assert!(
            line.contains(&format!("byte offset {offset}")),
            "byte offset {offset} not named: {line}"
        ),
        None => assert!(!line.contains("offset"), "unexpected offset: {line}"),
    }
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !published_anything(site),
        "published despite an unusable state"
    );
}

/// Runs the collector on the prepared site, checks its output, and that the state
/// directory (and every path of `also_unchanged`) is exactly as before.
fn check_with(site: &Site, expected: Expected, also_unchanged: &[&Path]) {
    check_with_command(site, expected, also_unchanged, site.command(&[]));
}

fn check_with_command(site: &Site, expected: Expected, also_unchanged: &[&Path], mut cmd: Command) {
    let dir_before = snapshot(&site.state_dir());
    let others_before: Vec<Node> = also_unchanged.iter().map(|p| snapshot(p)).collect();
    let out = cmd.output().expect("run the collector");
    check_output(site, expected, out);
    assert_eq!(
        without_lock_file(snapshot(&site.state_dir())),
        without_lock_file(dir_before),
        "the state directory changed"
    );
    let others_after: Vec<Node> = also_unchanged.iter().map(|p| snapshot(p)).collect();
    assert_eq!(
        others_after, others_before,
        "a file outside the state directory changed"
    );
}

/// Writes `bytes` as the state file and checks the run.
fn check_bytes(bytes: &[u8], expected: Expected) {
    let site = site();
    site.write_state(bytes);
    check_with(&site, expected, &[]);
}

/// Position just after the first occurrence of `needle` in `haystack`.
fn after(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + needle.len())
        .expect("needle in the file")
}

/// Deterministic pseudo-random bytes (a 64-bit LCG).
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 56) as u8
        })
        .collect()
}

// ---- content errors: exit 65, path and byte offset named ----

#[test]
fn empty_file() {
    check_bytes(b"", content(0, "the file is empty"));
}

#[test]
fn one_byte() {
    check_bytes(
        &[0xd9],
        content(1, "ends inside the CBOR self-describe tag"),
    );
}

#[test]
fn truncated_at_several_offsets() {
    let valid = valid_bytes(&site(), 7);
    let len = valid.len();
    for cut in [2, 3, 4, 10, 40, len / 2, len - 2, len - 1] {
        let site = site();
        site.write_state(&valid[..cut]);
        // For a truncated file the offset is where the data ran out.
        check_with(&site, content(cut as u64, "ends"), &[]);
    }
}

#[test]
fn random_garbage() {
    let mut bytes = garbage(512, 0x5eed);
    bytes[0] = 0x42; // not the first byte of the self-describe tag
    check_bytes(
        &bytes,
        content(0, "does not start with the CBOR self-describe tag"),
    );
}

#[test]
fn garbage_after_the_file_magic() {
    let mut bytes = vec![0xd9, 0xd9, 0xf7];
    let mut rest = garbage(256, 0xbad);
    rest[0] = 0x00; // an unsigned integer, not a map
    bytes.extend(rest);
    check_bytes(&bytes, content(3, "the envelope is not a CBOR map"));
}

#[test]
fn valid_cbor_without_the_envelope() {
    // The bare state, as a collector that skipped the envelope would write it.
    let mut bytes = Vec::new();
    ciborium::into_writer(&Seen { lines: 3 }, &mut bytes).expect("encode");
    check_bytes(
        &bytes,
        content(0, "does not start with the CBOR self-describe tag"),
    );
}

#[test]
fn valid_cbor_array_instead_of_the_envelope_map() {
    check_bytes(
        &[0xd9, 0xd9, 0xf7, 0x83, 0x01, 0x02, 0x03],
        content(3, "the envelope is not a CBOR map"),
    );
}

#[test]
fn valid_cbor_map_that_is_not_an_envelope() {
    let mut bytes = vec![0xd9, 0xd9, 0xf7];
    ciborium::into_writer(&Seen { lines: 3 }, &mut bytes).expect("encode");
    check_bytes(&bytes, content(4, "does not start with a `format` entry"));
}

#[test]
fn envelope_with_a_payload_of_the_wrong_shape() {
    let site = site();
    store(&site, COLLECTOR)
        .save(&vec!["not", "a", "struct"], SCHEMA)
        .expect("save");
    let bytes = fs::read(site.state_path()).expect("read");
    // Decoding stops after the payload's one-byte array header.
    let payload_at = after(&bytes, b"estate") as u64;
    check_with(
        &site,
        content(payload_at + 1, "the state does not have the expected shape"),
        &[],
    );
}

#[test]
fn envelope_with_a_payload_field_of_the_wrong_type() {
    #[derive(Serialize)]
    struct TextLines {
        lines: &'static str,
    }
    let site = site();
    store(&site, COLLECTOR)
        .save(&TextLines { lines: "three" }, SCHEMA)
        .expect("save");
    let bytes = fs::read(site.state_path()).expect("read");
    // The offending value follows the payload's `lines` key; decoding stops after the
    // value's one-byte header.
    let value_at = after(&bytes, b"elines") as u64;
    check_with(
        &site,
        content(value_at + 1, "the state does not have the expected shape"),
        &[],
    );
}

#[test]
fn another_collectors_file() {
    let site = site();
    store(&site, "other_collector.OtherCollector")
        .save(&Seen { lines: 1 }, SCHEMA)
        .expect("save");
    let bytes = fs::read(site.state_path()).expect("read");
    let offset = after(&bytes, b"icollector") as u64;
    check_with(
        &site,
        content(
            offset,
            "belongs to collector other_collector.OtherCollector, not to lines_test_collector.LinesTestCollector",
        ),
        &[],
    );
}

#[test]
fn newer_schema_version() {
    let site = site();
    store(&site, COLLECTOR)
        .save(&Seen { lines: 1 }, SCHEMA + 1)
        .expect("save");
    let bytes = fs::read(site.state_path()).expect("read");
    let offset = after(&bytes, b"nschema_version") as u64;
    check_with(&site, content(offset, "has state schema version 2"), &[]);
}

#[test]
fn older_schema_version_without_migration() {
    let site = site();
    store(&site, COLLECTOR)
        .save(&Seen { lines: 1 }, SCHEMA - 1)
        .expect("save");
    // The file is well formed; what is missing is the migration: no offset to name.
    let expected = Expected {
        code: 65,
        offset: None,
        says: "migrating the state from schema version 0 to 1 failed: the state file has schema version 0, this collector expects version 1 and declares no migration",
    };
    check_with(&site, expected, &[]);
}

#[test]
fn newer_envelope_version() {
    let site = site();
    let mut bytes = valid_bytes(&site, 1);
    let at = after(&bytes, b"penvelope_version");
    assert_eq!(bytes[at], 0x01, "envelope version 1 is one byte");
    bytes[at] = 0x02;
    site.write_state(&bytes);
    check_with(&site, content(at as u64, "has envelope version 2"), &[]);
}

#[test]
fn trailing_garbage() {
    let site = site();
    let mut bytes = valid_bytes(&site, 1);
    let end = bytes.len() as u64;
    bytes.extend_from_slice(b"\x00trailing");
    site.write_state(&bytes);
    check_with(
        &site,
        content(end, "trailing bytes after the end of the envelope"),
        &[],
    );
}

// ---- I/O class: exit 74, path named, nothing followed or changed ----

#[test]
fn directory_at_the_state_path() {
    let site = site();
    fs::create_dir(site.state_path()).expect("mkdir");
    fs::write(site.state_path().join("inside"), b"keep").expect("file inside");
    check_with(&site, io("is a directory, not a regular file"), &[]);
}

#[test]
fn fifo_at_the_state_path() {
    let site = site();
    let path = CString::new(site.state_path().as_os_str().as_bytes()).expect("c path");
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0, "mkfifo");
    check_with(&site, io("is a FIFO, not a regular file"), &[]);
}

#[test]
fn symlink_to_a_valid_state_file() {
    let site = site();
    let target = site.path("elsewhere.cbor");
    let valid = valid_bytes(&site, 1);
    fs::write(&target, &valid).expect("target");
    std::os::unix::fs::symlink(&target, site.state_path()).expect("symlink");
    check_with(
        &site,
        io("is a symbolic link; refusing to follow it"),
        &[&target],
    );
}

#[test]
fn dangling_symlink() {
    let site = site();
    let target = site.path("not-yet-there.cbor");
    std::os::unix::fs::symlink(&target, site.state_path()).expect("symlink");
    check_with(
        &site,
        io("is a symbolic link; refusing to follow it"),
        &[&target],
    );
    assert!(!target.exists(), "the link's target was created");
}

/// Capabilities that let root read any file (linux/capability.h).
const CAP_DAC_OVERRIDE: libc::c_ulong = 1;
const CAP_DAC_READ_SEARCH: libc::c_ulong = 2;

#[test]
fn unreadable_file() {
    let site = site();
    let valid = valid_bytes(&site, 1);
    site.write_state(&valid);
    fs::set_permissions(site.state_path(), fs::Permissions::from_mode(0o000)).expect("chmod");
    let mut cmd = site.command(&[]);
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        // Root reads a mode-000 file through CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH: drop
        // them from the bounding set in the child, so exec grants neither and the
        // permission bits apply to it as to any user.
        // SAFETY: only async-signal-safe prctl(2) calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                for cap in [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH] {
                    if libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
    }
    check_with_command(&site, io("cannot open state file"), &[], cmd);
}
