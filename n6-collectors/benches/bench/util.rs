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
