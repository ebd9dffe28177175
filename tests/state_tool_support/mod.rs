//! Helpers shared by the `state_tool_*` tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    /// Creates a new, empty directory.
    pub fn new() -> Scratch {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("n6-state-tool-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `pickle.dumps(expr, protocol=protocol)` made by the machine's `python3` (CPython 3.11,
/// n6's runtime); `prelude` runs first (imports, stand-in classes).
pub fn python_pickle(prelude: &str, expr: &str, protocol: u8) -> Vec<u8> {
    let code = format!(
        "import datetime, pickle, sys\n{prelude}\nsys.stdout.buffer.write(pickle.dumps({expr}, protocol={protocol}))"
    );
    let out = Command::new("python3")
        .args(["-c", &code])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs a `state` subcommand of collector `C` in-process on a state file in `dir`, with
/// `stdin` as standard input; returns (exit code, stdout, stderr).
pub fn state_cmd<C: n6_collectors::StatefulCollector>(
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
