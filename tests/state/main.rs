//! State files and the state tooling: the corrupt-state matrix through a real process
//! ([`corrupt`]), the `state` subcommands of collectors in-process and as processes
//! (`tool_*`), the generic `n6-state` tool, and n6's pickles.

#[path = "../support/mod.rs"]
mod support;

mod corrupt;
mod tool_examples;
mod tool_generic;
mod tool_migration;
mod tool_pickle;
mod tool_process;
mod tool_rows;

/// The example collector with a state migration, used by two modules.
#[allow(dead_code)]
#[path = "../../examples/state_migration.rs"]
mod state_migration;

use std::path::Path;

/// A fresh directory for one test, removed at the end.
pub type Scratch = tempfile::TempDir;

/// A new [`Scratch`].
pub fn scratch() -> Scratch {
    tempfile::tempdir().expect("create scratch dir")
}

/// Runs a `state` subcommand of collector `C` in-process on a state file in `dir`, with
/// `stdin` as standard input; returns (exit code, stdout, stderr).
pub fn state_cmd<C: n6_collectors::StatefulCollector>(
    dir: &Path,
    command: n6_collectors::tooling::StateCommand,
    stdin: &[u8],
) -> (u8, String, String) {
    // The run lock this thread released may stay held for a moment by a child process
    // that another test's thread is starting: between fork and exec the child holds a
    // copy of every descriptor, the lock file's included. No test calls `state_cmd`
    // against a lock held on purpose (tool_process.rs does that with processes), so a
    // 75 here is that moment: try again briefly.
    let mut attempts = 0;
    loop {
        let result = state_cmd_once::<C>(dir, command.clone(), stdin);
        attempts += 1;
        if result.0 != n6_collectors::exit::ALREADY_RUNNING || attempts == 50 {
            return result;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn state_cmd_once<C: n6_collectors::StatefulCollector>(
    dir: &Path,
    command: n6_collectors::tooling::StateCommand,
    stdin: &[u8],
) -> (u8, String, String) {
    let meta = &C::META;
    let store = n6_collectors::state::StateStore::new(
        dir,
        &meta.state_file_name(),
        &meta.collector_id(),
        "state tool test",
    );
    let mut input = std::io::Cursor::new(stdin.to_vec());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut io = n6_collectors::tooling::StateIo {
        stdin: &mut input,
        stdout: &mut out,
        stderr: &mut err,
        interactive: false,
    };
    let code = match n6_collectors::tooling::execute_with::<C>(&command, &store, &mut io) {
        Ok(()) => 0,
        Err(e) => {
            err.extend_from_slice(e.to_string().as_bytes());
            e.exit_code()
        }
    };
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}
