//! `n6-state health [--max-silence DURATION] [--json] STATE_DIR...`: which collectors are
//! failing or have gone silent.
//!
//! It reads, in every STATE_DIR, the state files (`*.cbor`: their envelope keeps the last
//! success and the last new data when run tracking is on) and the run records beside them
//! (`*.cbor.lastrun`: the last run, its exit code and the collector's declared silence,
//! written at the end of every tracked run; see [`crate::run::metrics`]). A collector is
//! * `failing` when its last run did not succeed,
//! * `silent` when nothing new came for longer than its threshold — the silence the
//!   collector declares ([`crate::Collect::expected_silence`]), else `--max-silence` —
//!   or never,
//! * `unreadable` when its state file cannot be read,
//! * `ok` otherwise.
//!
//! The exit status is 0 when every collector is `ok`, [`UNHEALTHY`] when one is not; 74
//! when a directory cannot be listed. Like the rest of `n6-state`, it only reads.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};
use crate::run::metrics::{RUN_RECORD_SUFFIX, RunRecord};
use crate::state::{Activity, StateError};

/// The exit status of `n6-state health` when a collector is failing, silent or unreadable.
pub const UNHEALTHY: u8 = 1;

/// The `--max-silence` default: a day.
pub const DEFAULT_MAX_SILENCE: &str = "1d";

/// What `health` found about one collector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CollectorHealth {
    /// The collector's struct name (from its run record), else its collector id.
    pub collector: String,
    /// Its state file (it may not exist, for a collector without state).
    pub state_file: PathBuf,
    /// `ok`, `failing`, `silent` or `unreadable`.
    pub status: &'static str,
    /// Why, in words, when not `ok`.
    pub reason: Option<String>,
    /// When its last tracked run ended (RFC 3339).
    pub last_run: Option<String>,
    /// That run's exit code.
    pub last_run_exit_code: Option<u8>,
    /// Its last successful run (RFC 3339).
    pub last_success: Option<String>,
    /// Its last run that published something (RFC 3339).
    pub last_new_data: Option<String>,
    /// How long it may be silent before it is reported.
    pub silence_threshold_seconds: u64,
}

/// The whole report, as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HealthReport {
    /// True when every collector is `ok`.
    pub healthy: bool,
    /// One entry per collector, ordered by state file.
    pub collectors: Vec<CollectorHealth>,
}

impl HealthReport {
    /// One line per collector, for people.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for c in &self.collectors {
            let time = |t: &Option<String>| t.clone().unwrap_or_else(|| "never".to_owned());
            let exit = c
                .last_run_exit_code
                .map_or_else(|| "-".to_owned(), |code| code.to_string());
            text += &format!(
                "{} {}: last run {} (exit {exit}), last success {}, last new data {}",
                c.status,
                c.collector,
                time(&c.last_run),
                time(&c.last_success),
                time(&c.last_new_data),
            );
            if let Some(reason) = &c.reason {
                text += &format!(" — {reason}");
            }
            text.push('\n');
        }
        if self.collectors.is_empty() {
            text += "no state files or run records found\n";
        }
        text
    }
}

/// Checks every collector with a state file or a run record in `dirs`, as of `now`.
pub fn check(dirs: &[PathBuf], max_silence: Duration, now: OffsetDateTime) -> Result<HealthReport> {
    let mut found: BTreeMap<PathBuf, ()> = BTreeMap::new();
    for dir in dirs {
        let entries = std::fs::read_dir(dir).map_err(|source| {
            Error::StateLoad(StateError::Io {
                path: dir.clone(),
                action: "list",
                source,
            })
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(state_name) = name.strip_suffix(RUN_RECORD_SUFFIX) {
                found.insert(dir.join(state_name), ());
            } else if name.ends_with(".cbor") && !name.starts_with('.') {
                found.insert(path, ());
            }
        }
    }
    let collectors: Vec<CollectorHealth> = found
        .into_keys()
        .map(|state_file| assess(&state_file, max_silence, now))
        .collect();
    Ok(HealthReport {
        healthy: collectors.iter().all(|c| c.status == "ok"),
        collectors,
    })
}

fn assess(state_file: &Path, max_silence: Duration, now: OffsetDateTime) -> CollectorHealth {
    let record = RunRecord::read(&RunRecord::path_beside(state_file)).ok();
    let envelope = if state_file.exists() {
        Some(read_header(state_file))
    } else {
        None
    };
    let (collector_id, activity, unreadable) = match envelope {
        Some(Ok((collector, activity))) => (Some(collector), activity, None),
        Some(Err(e)) => (None, Activity::default(), Some(e.to_string())),
        None => (None, Activity::default(), None),
    };
    // The envelope is what the last save recorded; a run record may be newer.
    let latest = |a: Option<OffsetDateTime>, b: Option<OffsetDateTime>| a.max(b);
    let last_success = latest(
        activity.last_success,
        record.as_ref().and_then(|r| r.last_success),
    );
    let last_new_data = latest(
        activity.last_new_data,
        record.as_ref().and_then(|r| r.last_new_data),
    );
    let threshold = record
        .as_ref()
        .and_then(|r| r.expected_silence_seconds)
        .unwrap_or(max_silence.as_secs());
    let (status, reason) = if let Some(error) = unreadable {
        ("unreadable", Some(error))
    } else if let Some(r) = record.as_ref().filter(|r| r.exit_code != crate::exit::OK) {
        (
            "failing",
            Some(format!("the last run exited with {}", r.exit_code)),
        )
    } else {
        match last_new_data {
            None => (
                "silent",
                Some("no run has published anything yet".to_owned()),
            ),
            Some(t) if (now - t).whole_seconds() > threshold as i64 => (
                "silent",
                Some(format!(
                    "nothing new for {} s (threshold {threshold} s)",
                    (now - t).whole_seconds()
                )),
            ),
            Some(_) => ("ok", None),
        }
    };
    let text = |t: Option<OffsetDateTime>| t.and_then(|t| t.format(&Rfc3339).ok());
    CollectorHealth {
        collector: record
            .as_ref()
            .map(|r| r.collector.clone())
            .or(collector_id)
            .unwrap_or_else(|| state_file.display().to_string()),
        state_file: state_file.to_owned(),
        status,
        reason,
        last_run: text(record.as_ref().map(|r| r.last_run)),
        last_run_exit_code: record.as_ref().map(|r| r.exit_code),
        last_success: text(last_success),
        last_new_data: text(last_new_data),
        silence_threshold_seconds: threshold,
    }
}

/// The collector id and the run history of a state file's envelope (header only).
fn read_header(path: &Path) -> std::result::Result<(String, Activity), StateError> {
    let file = std::fs::File::open(path).map_err(|source| StateError::Io {
        path: path.to_owned(),
        action: "open",
        source,
    })?;
    let mut decoder = crate::state::envelope::EnvelopeDecoder::new(path, BufReader::new(file));
    let decoded = decoder.read_header()?;
    Ok((decoded.header.collector, decoded.header.activity))
}
