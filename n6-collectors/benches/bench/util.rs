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
///
/// The child is started through a small launcher (this bench binary in its mode
/// `child-launch`), which runs it and reports its `wait4` usage: Linux counts the memory
/// of the process that started a program into the program's `ru_maxrss` (`exec` keeps the
/// high-water mark of the address space it replaces), so a program started directly by
/// this driver — which holds a whole feed for a while — would show the driver's peak.
/// The launcher is a fresh, small process.
pub struct Running {
    child: std::process::Child,
    shown: String,
    id: u64,
}

/// The bench binary, for the launcher (set once by `main`).
pub static LAUNCHER: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Starts `command` (stdin closed, stdout and stderr to files under `scratch`, so a
/// chatty child never blocks on a full pipe) through the launcher.
pub fn start(command: &mut Command, scratch: &Path) -> BenchResult<Running> {
    let shown = format!("{command:?}");
    make_dir(scratch)?;
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = |name: &str| {
        std::fs::File::create(scratch.join(format!("{id}.{name}")))
            .map_err(|e| format!("{}: {e}", scratch.display()))
    };
    let launcher = LAUNCHER.get().ok_or("the launcher is not set")?;
    let mut launch = Command::new(launcher);
    launch
        .arg("child-launch")
        .arg(scratch.join(format!("{id}.usage")))
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        launch.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => launch.env(key, value),
            None => launch.env_remove(key),
        };
    }
    launch
        .stdin(Stdio::null())
        .stdout(file("out")?)
        .stderr(file("err")?);
    let child = launch
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    Ok(Running { child, shown, id })
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Running {
    /// Waits for the child and returns its usage; an error when it failed.
    pub fn wait(mut self, scratch: &Path) -> BenchResult<Usage> {
        let launched = self
            .child
            .wait()
            .map_err(|e| format!("wait {}: {e}", self.shown))?;
        let read = |name: &str| {
            let path = scratch.join(format!("{}.{name}", self.id));
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let _ = std::fs::remove_file(&path);
            text
        };
        let (stdout, stderr, report) = (read("out"), read("err"), read("usage"));
        let number = |key: &str| field(&report, key);
        let status = number("status");
        if !launched.success() || status != Some(0.0) {
            return Err(format!(
                "{} failed ({launched}, {report}):\n{stdout}{stderr}",
                self.shown
            ));
        }
        let micros = |key: &str| Duration::from_micros(number(key).unwrap_or(0.0) as u64);
        Ok(Usage {
            wall: micros("wall_us"),
            cpu: micros("cpu_us"),
            peak_kib: number("maxrss_kib").unwrap_or(0.0) as u64,
            stdout,
            stderr,
        })
    }
}

/// `bench child-launch REPORT PROGRAM ARGS...`: runs PROGRAM (stdio inherited), waits for
/// it with `wait4` and writes `status N wall_us N cpu_us N maxrss_kib N` to REPORT.
pub fn launch(report: &Path, program: &std::ffi::OsStr, args: &[String]) -> BenchResult<()> {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.to_string_lossy()))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to the two out-parameters, our own child's pid.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if rc != pid {
        return Err(format!("wait4: {}", std::io::Error::last_os_error()));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    write_file(
        report,
        &format!(
            "status {code} wall_us {} cpu_us {} maxrss_kib {}\n",
            wall.as_micros(),
            micros(usage.ru_utime) + micros(usage.ru_stime),
            usage.ru_maxrss
        ),
    )
}

/// Runs `command` to completion and returns its usage ([`start`] + [`Running::wait`]).
pub fn run_usage(command: &mut Command, scratch: &Path) -> BenchResult<Usage> {
    start(command, scratch)?.wait(scratch)
}
