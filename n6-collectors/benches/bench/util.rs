//! Small measurement helpers: medians, child processes, key/value output, peak memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Errors of the bench driver: plain messages, printed once at the top.
pub type BenchResult<T> = Result<T, String>;

/// The median of `values` (mean of the two middle values for an even count); NaN if empty.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// What a finished child process left behind.
#[derive(Debug)]
pub struct ChildRun {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Its standard output.
    pub stdout: String,
}

/// Runs `command` to completion (stdin closed, stdout captured, stderr captured and shown
/// only on failure) and times it from spawn to exit.
pub fn run_child(command: &mut Command) -> BenchResult<ChildRun> {
    let shown = format!("{command:?}");
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let wall = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "{shown} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(ChildRun {
        wall,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    })
}

/// The number after `key` in whitespace-separated `key value` output, e.g.
/// `field("load 0.25s save 0.41s", "save") == Some(0.41)` (a trailing `s` is ignored).
pub fn field(output: &str, key: &str) -> Option<f64> {
    let mut words = output.split_whitespace();
    while let Some(word) = words.next() {
        if word == key {
            return words.next()?.trim_end_matches('s').parse().ok();
        }
    }
    None
}

/// Like [`field`], but an error naming the program output when the key is missing.
pub fn require_field(output: &str, key: &str) -> BenchResult<f64> {
    field(output, key).ok_or_else(|| format!("no `{key} <number>` in the output: {output:?}"))
}

/// This process's peak resident set size in KiB (`VmHWM` in `/proc/self/status`).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Removes `path` (file or directory tree) if it exists.
pub fn remove_all(path: &Path) -> BenchResult<()> {
    let result = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// Creates `path` and its parents.
pub fn make_dir(path: &Path) -> BenchResult<()> {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Writes `text` to `path`.
pub fn write_file(path: &Path, text: &str) -> BenchResult<()> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What a finished child process used, from `wait4`'s `rusage`.
#[derive(Debug, Clone)]
pub struct Usage {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// User + system CPU time.
    pub cpu: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`).
    pub peak_kib: u64,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// A started child whose usage [`Running::wait`] collects.
pub struct Running {
    child: std::process::Child,
    shown: String,
    started: Instant,
}

/// Starts `command` (stdin closed, stdout and stderr to files under `scratch`, so a
/// chatty child never blocks on a full pipe).
pub fn start(command: &mut Command, scratch: &Path) -> BenchResult<Running> {
    let shown = format!("{command:?}");
    make_dir(scratch)?;
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = |name: &str| {
        std::fs::File::create(scratch.join(format!("{id}.{name}")))
            .map_err(|e| format!("{}: {e}", scratch.display()))
    };
    command
        .stdin(Stdio::null())
        .stdout(file("out")?)
        .stderr(file("err")?);
    let started = Instant::now();
    let child = command
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    Ok(Running {
        child,
        shown: format!("{id} {shown}"),
        started,
    })
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Running {
    /// Waits for the child (`wait4`) and returns its usage; an error when it failed.
    pub fn wait(self, scratch: &Path) -> BenchResult<Usage> {
        let pid = self.child.id() as libc::pid_t;
        let mut status: libc::c_int = 0;
        // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let wall = self.started.elapsed();
        if rc != pid {
            return Err(format!(
                "wait4 {}: {}",
                self.shown,
                std::io::Error::last_os_error()
            ));
        }
        let id = self.shown.split(' ').next().unwrap_or_default().to_owned();
        let read = |name: &str| {
            let path = scratch.join(format!("{id}.{name}"));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let _ = std::fs::remove_file(&path);
            text
        };
        let (stdout, stderr) = (read("out"), read("err"));
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            return Err(format!(
                "{} failed (wait status {status}):\n{stdout}{stderr}",
                self.shown
            ));
        }
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        Ok(Usage {
            wall,
            cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
            peak_kib: usage.ru_maxrss as u64,
            stdout,
            stderr,
        })
    }
}

/// Runs `command` to completion and returns its usage ([`start`] + [`Running::wait`]).
pub fn run_usage(command: &mut Command, scratch: &Path) -> BenchResult<Usage> {
    start(command, scratch)?.wait(scratch)
}
