//! The order of the system calls behind every state save, watched with `strace`: the
//! new state goes to a fresh temporary file (`O_EXCL`), that file is fsynced, renamed
//! over the state file, and the directory is fsynced — and the state file itself is never
//! opened for writing. A crash at any point then leaves the old or the new state, and a
//! power loss after the save cannot undo it. (The kill tests see the first half of this
//! promise; only the syscalls show the fsyncs.)
//!
//! Skipped, loudly, when `strace` is not installed or may not trace (no ptrace).

use std::path::Path;
use std::process::Command;

use crate::reliability_support::{STATE_FILE, Site, code, stderr};

/// One traced system call: name, raw argument text, return value.
#[derive(Debug)]
struct Call {
    name: String,
    args: String,
    ret: String,
}

/// Parses `strace` lines like `openat(AT_FDCWD, "x", O_RDONLY) = 3`.
fn parse(trace: &str) -> Vec<Call> {
    trace
        .lines()
        .filter_map(|line| {
            // strace pads the result: `fsync(3)                = 0`.
            let open = line.find('(')?;
            let equals = line.rfind(" = ")?;
            let call = line[..equals].trim_end().strip_suffix(')')?;
            let name = line[..open].trim();
            if name.contains(' ') || name.starts_with('+') || name.starts_with('-') {
                return None; // signals, exits, unfinished calls
            }
            Some(Call {
                name: name.to_owned(),
                args: call.get(open + 1..)?.to_owned(),
                ret: line[equals + 3..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            })
        })
        .collect()
}

/// The first quoted string of `args`.
fn first_path(args: &str) -> Option<&str> {
    let start = args.find('"')? + 1;
    let end = start + args[start..].find('"')?;
    Some(&args[start..end])
}

/// Both quoted strings of a `rename`/`renameat`/`renameat2` call.
fn rename_paths(args: &str) -> Option<(String, String)> {
    let quoted: Vec<&str> = args.split('"').skip(1).step_by(2).collect();
    match quoted[..] {
        [from, to, ..] => Some((from.to_owned(), to.to_owned())),
        _ => None,
    }
}

fn strace_works() -> bool {
    let works = Command::new("strace")
        .args(["-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !works {
        eprintln!(
            "\n*** SKIPPING durability test: strace is not installed or cannot trace here \
             (apt-get install strace) ***\n"
        );
    }
    works
}

/// Runs the collector under strace; returns the calls of the run.
fn traced_run(site: &Site) -> Vec<Call> {
    let trace_file = site.path("trace.txt");
    let collector = site.command(&["--output", &site.path("out.jsonl").display().to_string()]);
    let out = Command::new("strace")
        .arg("-o")
        .arg(&trace_file)
        .args([
            "-s",
            "4096",
            "-e",
            "trace=openat,open,creat,fsync,fdatasync,rename,renameat,renameat2",
        ])
        .arg(collector.get_program())
        .args(collector.get_args())
        .env_remove("RUST_LOG")
        .output()
        .expect("run strace");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    parse(&std::fs::read_to_string(&trace_file).expect("trace"))
}

/// Checks every save in `calls` and returns how many there were.
fn check_saves(calls: &[Call], state_dir: &Path) -> usize {
    let state = state_dir.join(STATE_FILE).display().to_string();
    let dir = state_dir.display().to_string();
    let temp_prefix = format!("{dir}/.{STATE_FILE}.");
    let is_fsync = |c: &Call, fd: &str| {
        (c.name == "fsync" || c.name == "fdatasync") && c.args == fd && c.ret == "0"
    };
    let mut saves = 0;
    for (i, call) in calls.iter().enumerate() {
        let path = first_path(&call.args).unwrap_or("");
        if call.name.starts_with("open") && path == state {
            assert!(
                !call.args.contains("O_WRONLY") && !call.args.contains("O_RDWR"),
                "the state file was opened for writing: {call:?}"
            );
        }
        if !(call.name.starts_with("open") && path.starts_with(&temp_prefix)) {
            continue;
        }
        saves += 1;
        assert!(
            call.args.contains("O_EXCL"),
            "temp file not O_EXCL: {call:?}"
        );
        let temp = path.to_owned();
        let fd = call.ret.clone();
        let rest = &calls[i + 1..];
        let renamed = rest
            .iter()
            .position(|c| {
                c.name.starts_with("rename")
                    && rename_paths(&c.args) == Some((temp.clone(), state.clone()))
                    && c.ret == "0"
            })
            .unwrap_or_else(|| panic!("temp file {temp} never renamed over {state}"));
        assert!(
            rest[..renamed].iter().any(|c| is_fsync(c, &fd)),
            "temp file {temp} never fsynced before its rename: {:#?}",
            &rest[..=renamed]
        );
        let dir_open = rest[renamed..]
            .iter()
            .position(|c| c.name.starts_with("open") && first_path(&c.args) == Some(&dir))
            .map(|p| p + renamed)
            .unwrap_or_else(|| panic!("directory never opened after the rename"));
        let dir_fd = &rest[dir_open].ret;
        assert!(
            rest[dir_open..].iter().any(|c| is_fsync(c, dir_fd)),
            "directory not fsynced after the rename: {:#?}",
            &rest[renamed..]
        );
    }
    saves
}

#[test]
fn every_save_is_temp_fsync_rename_fsync_dir() {
    if !strace_works() {
        return;
    }
    let mut site = crate::reliability_support::site("reldurable");
    // The first save (no state file yet), then three checkpoint saves over an old file.
    site.grow(2);
    site.configure_local("");
    let calls = traced_run(&site);
    assert_eq!(check_saves(&calls, &site.path("state")), 1);
    assert_eq!(site.state_lines(), Some(2));

    site.grow(3);
    site.configure_local("checkpoint_every = 1");
    let calls = traced_run(&site);
    assert_eq!(check_saves(&calls, &site.path("state")), 3);
    assert_eq!(site.state_lines(), Some(5));

    // Nothing new: no save at all.
    let calls = traced_run(&site);
    assert_eq!(check_saves(&calls, &site.path("state")), 0);
}

/// A save as the store makes it, in strace's words, with `skip` lines left out.
fn synthetic_save(skip: &[usize]) -> String {
    let d = "/s";
    let lines = [
        format!(
            r#"openat(AT_FDCWD, "{d}/{STATE_FILE}", O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC) = 4"#
        ),
        format!(
            r#"openat(AT_FDCWD, "{d}/.{STATE_FILE}.1-2.tmp", O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0600) = 5"#
        ),
        "fsync(5)                          = 0".to_owned(),
        format!(r#"rename("{d}/.{STATE_FILE}.1-2.tmp", "{d}/{STATE_FILE}") = 0"#),
        format!(r#"openat(AT_FDCWD, "{d}", O_RDONLY|O_CLOEXEC) = 5"#),
        "fsync(5)                          = 0".to_owned(),
    ];
    lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

#[test]
fn the_checker_accepts_a_correct_save() {
    assert_eq!(
        check_saves(&parse(&synthetic_save(&[])), Path::new("/s")),
        1
    );
}

#[test]
#[should_panic(expected = "never fsynced")]
fn the_checker_refuses_a_save_without_fsync() {
    check_saves(&parse(&synthetic_save(&[2])), Path::new("/s"));
}

#[test]
#[should_panic(expected = "directory not fsynced")]
fn the_checker_refuses_a_save_without_directory_fsync() {
    check_saves(&parse(&synthetic_save(&[5])), Path::new("/s"));
}

#[test]
#[should_panic(expected = "opened for writing")]
fn the_checker_refuses_writing_the_state_file_in_place() {
    let trace = format!(
        "openat(AT_FDCWD, \"/s/{STATE_FILE}\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0600) = 5\n"
    );
    check_saves(&parse(&trace), Path::new("/s"));
}
