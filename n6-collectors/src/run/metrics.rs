//! What a run leaves behind for monitoring, shaped for short-lived cron runs: a
//! Prometheus textfile (for node_exporter's textfile collector) and a run record beside the
//! state file (for `n6-state health`).
//!
//! Both are written at the end of every run — success or not — when run tracking is on:
//! `--metrics-file PATH`, or `textfile_dir` in the site-wide `[n6_collectors_metrics]`
//! section (one `n6_collector_<StructName>.prom` per collector in that directory). With
//! tracking on, the times of the last success and of the last new data are kept in the
//! state file's envelope, so they survive across runs; a successful run then saves the
//! state file even when the state itself did not change.
//!
//! Writing them never changes the outcome of a run: a failure to write is logged as a
//! warning and the exit code stays the run's.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::run::summary::RunStats;
use crate::state::Activity;

/// The site-wide section of the metrics options.
pub const METRICS_SECTION: &str = "n6_collectors_metrics";

/// The spec of [`METRICS_SECTION`]: `textfile_dir` (empty: no textfile).
pub const METRICS_CONFIG_SPEC: &str = "\
[n6_collectors_metrics]
textfile_dir = :: str
";

/// The suffix of the run record beside a state file (`<state file>.lastrun`).
pub const RUN_RECORD_SUFFIX: &str = ".lastrun";

/// What one run did, as the metrics and the run record report it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// The collector's struct name (the `collector` label).
    pub collector: String,
    /// When the run ended.
    #[serde(with = "time::serde::rfc3339")]
    pub last_run: OffsetDateTime,
    /// The run's exit code.
    pub exit_code: u8,
    /// Messages published by the run.
    pub messages: u64,
    /// Body bytes published by the run.
    pub bytes: u64,
    /// How long the run took.
    pub duration_seconds: f64,
    /// The last successful run (this one, if it succeeded).
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_success: Option<OffsetDateTime>,
    /// The last run that published something.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_new_data: Option<OffsetDateTime>,
    /// How long the collector's source may stay silent before `n6-state health` reports it
    /// (declared by the collector; `None`: the health check's `--max-silence`).
    pub expected_silence_seconds: Option<u64>,
}

impl RunRecord {
    /// The Prometheus text exposition of the record (format 0.0.4), one gauge per metric,
    /// labelled `collector="<StructName>"`. Times are Unix seconds; never-seen times are
    /// left out.
    pub fn to_prometheus_text(&self) -> String {
        let label = escape_label_value(&self.collector);
        let mut text = String::new();
        let mut gauge = |name: &str, help: &str, value: Option<f64>| {
            let Some(value) = value else { return };
            // Writing to a String cannot fail.
            let _ = writeln!(text, "# HELP {name} {help}");
            let _ = writeln!(text, "# TYPE {name} gauge");
            let _ = writeln!(text, "{name}{{collector=\"{label}\"}} {}", number(value));
        };
        let seconds = |t: OffsetDateTime| t.unix_timestamp() as f64;
        gauge(
            "n6_collector_last_run_timestamp_seconds",
            "When the collector's last run ended (Unix time).",
            Some(seconds(self.last_run)),
        );
        gauge(
            "n6_collector_last_success_timestamp_seconds",
            "When the collector's last successful run ended (Unix time).",
            self.last_success.map(seconds),
        );
        gauge(
            "n6_collector_last_run_exit_code",
            "Exit code of the collector's last run (0: success).",
            Some(f64::from(self.exit_code)),
        );
        gauge(
            "n6_collector_last_run_messages",
            "Messages published by the collector's last run.",
            Some(self.messages as f64),
        );
        gauge(
            "n6_collector_last_run_bytes",
            "Body bytes published by the collector's last run.",
            Some(self.bytes as f64),
        );
        gauge(
            "n6_collector_last_run_duration_seconds",
            "How long the collector's last run took.",
            Some(self.duration_seconds),
        );
        gauge(
            "n6_collector_last_new_data_timestamp_seconds",
            "When the collector's last run that published something ended (Unix time).",
            self.last_new_data.map(seconds),
        );
        text
    }

    /// The run record's path beside `state_file`.
    pub fn path_beside(state_file: &Path) -> PathBuf {
        let mut name = state_file.as_os_str().to_owned();
        name.push(RUN_RECORD_SUFFIX);
        PathBuf::from(name)
    }

    /// Reads a run record written by [`write_atomically`] of its JSON.
    pub fn read(path: &Path) -> io::Result<RunRecord> {
        let bytes = std::fs::read(path)?;
        serde_json::from_slice(&bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// The record as the JSON stored in the run record file.
    pub fn to_json(&self) -> String {
        // A struct of plain fields always serializes.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// Run tracking for one run: what [`crate::run`] learns as the run goes, written out by
/// [`RunTracking::finish`] at its end.
#[derive(Debug)]
pub(crate) struct RunTracking {
    collector: &'static str,
    /// `--metrics-file`, or the collector's file in `textfile_dir`.
    textfile: Option<PathBuf>,
    /// Where the run record goes (beside the state file), once the state is known.
    run_record: Option<PathBuf>,
    /// Not a collection run (`--print-config`, `state ...`, `--dry-run`): nothing written.
    cancelled: bool,
    /// The history before this run (envelope, else the previous run record).
    prior: Activity,
    /// When this run's success was stamped into the envelope it saved.
    stamped: Option<OffsetDateTime>,
    expected_silence: Option<Duration>,
    /// What the run published (kept here so a failed run still reports it).
    pub(crate) stats: RunStats,
}

impl RunTracking {
    /// Tracking for `collector`, with `--metrics-file` if given.
    pub(crate) fn new(collector: &'static str, metrics_file: Option<PathBuf>) -> Self {
        RunTracking {
            collector,
            textfile: metrics_file,
            run_record: None,
            cancelled: false,
            prior: Activity::default(),
            stamped: None,
            expected_silence: None,
            stats: RunStats::default(),
        }
    }

    /// Uses `textfile_dir` from the configuration unless `--metrics-file` was given.
    pub(crate) fn configure(&mut self, textfile_dir: Option<&Path>) {
        if self.textfile.is_none() {
            self.textfile = textfile_dir.map(|dir| textfile_in(dir, self.collector));
        }
    }

    /// Whether this run is tracked (a metrics destination is configured).
    pub(crate) fn enabled(&self) -> bool {
        self.textfile.is_some() && !self.cancelled
    }

    /// This is not a collection run: [`Self::finish`] writes nothing.
    pub(crate) fn cancel(&mut self) {
        self.cancelled = true;
    }

    /// The run's state file is `state_file` and its envelope held `activity`.
    pub(crate) fn state_loaded(
        &mut self,
        state_file: &Path,
        activity: Option<Activity>,
        expected_silence: Option<Duration>,
    ) {
        let record = RunRecord::path_beside(state_file);
        self.prior = match activity {
            Some(activity) if activity != Activity::default() => activity,
            // First tracked run, or a collector without a state file: the last record.
            _ => RunRecord::read(&record)
                .map(|r| Activity {
                    last_success: r.last_success,
                    last_new_data: r.last_new_data,
                })
                .unwrap_or_default(),
        };
        self.run_record = Some(record);
        self.expected_silence = expected_silence;
    }

    /// The history to write into the envelope of the run's final save, assuming the run
    /// succeeds (a run whose save fails reports its failure; the file keeps the old one).
    pub(crate) fn success_activity(&mut self) -> Activity {
        let now = now_in_seconds();
        self.stamped = Some(now);
        Activity {
            last_success: Some(now),
            last_new_data: if self.stats.messages > 0 {
                Some(now)
            } else {
                self.prior.last_new_data
            },
        }
    }

    /// The activity before this run, to keep in saves made during the run (checkpoints).
    pub(crate) fn prior_activity(&self) -> Activity {
        self.prior
    }

    /// Writes the textfile and the run record for a run that ended with `exit_code` after
    /// `duration`. Failures to write are warnings: they never change the run's outcome.
    pub(crate) fn finish(&self, exit_code: u8, duration: Duration) {
        // A run refused because another one holds the lock leaves the report to that one.
        if !self.enabled() || exit_code == crate::exit::ALREADY_RUNNING {
            return;
        }
        let now = now_in_seconds();
        let succeeded = exit_code == crate::exit::OK;
        let this_run = self.stamped.unwrap_or(now);
        // A run that failed before its state was read knows its history only from the
        // last textfile.
        let prior = match (&self.run_record, &self.textfile) {
            (None, Some(textfile)) => std::fs::read_to_string(textfile)
                .map(|text| activity_in_textfile(&text))
                .unwrap_or_default(),
            _ => self.prior,
        };
        let record = RunRecord {
            collector: self.collector.to_owned(),
            last_run: now,
            exit_code,
            messages: self.stats.messages,
            bytes: self.stats.bytes,
            duration_seconds: duration.as_secs_f64(),
            last_success: if succeeded {
                Some(this_run)
            } else {
                prior.last_success
            },
            last_new_data: if succeeded && self.stats.messages > 0 {
                Some(this_run)
            } else {
                prior.last_new_data
            },
            expected_silence_seconds: self.expected_silence.map(|d| d.as_secs()),
        };
        if let Some(path) = &self.textfile
            && let Err(e) = write_atomically(path, &record.to_prometheus_text())
        {
            tracing::warn!("cannot write the metrics file {}: {e}", path.display());
        }
        if let Some(path) = &self.run_record
            && path.parent().is_some_and(Path::is_dir)
            && let Err(e) = write_atomically(path, &record.to_json())
        {
            tracing::warn!("cannot write the run record {}: {e}", path.display());
        }
    }
}

/// The last success and last new data a textfile written by [`RunRecord::to_prometheus_text`]
/// reports.
fn activity_in_textfile(text: &str) -> Activity {
    let time_of = |metric: &str| {
        text.lines()
            .filter(|line| line.starts_with(metric) && line[metric.len()..].starts_with('{'))
            .find_map(|line| line.rsplit(' ').next()?.parse::<i64>().ok())
            .and_then(|seconds| OffsetDateTime::from_unix_timestamp(seconds).ok())
    };
    Activity {
        last_success: time_of("n6_collector_last_success_timestamp_seconds"),
        last_new_data: time_of("n6_collector_last_new_data_timestamp_seconds"),
    }
}

fn now_in_seconds() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// Where the textfile of `collector` goes in a node_exporter textfile directory.
pub fn textfile_in(dir: &Path, collector: &str) -> PathBuf {
    dir.join(format!("n6_collector_{collector}.prom"))
}

/// Replaces `path` with `text` atomically: a temporary file in the same directory, then a
/// rename, so a reader (node_exporter) never sees half a file.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file path"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".tmp{}", std::process::id()));
    let temp = dir.join(temp_name);
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Parses a duration as operators write it: `90`, `90s`, `15m`, `36h`, `2d`, `1w`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let amount: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 90s, 15m, 36h, 2d)"))?;
    let unit_seconds = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => {
            return Err(format!(
                "{text:?}: unknown unit {unit:?} (use s, m, h, d or w)"
            ));
        }
    };
    amount
        .checked_mul(unit_seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// Prometheus label values escape `\`, `"` and line feeds.
fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A sample value: integers without a fraction, others as Rust's shortest float.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> RunRecord {
        RunRecord {
            collector: "SpamhausDropCollector".into(),
            last_run: OffsetDateTime::from_unix_timestamp(1_764_633_600).expect("time"),
            exit_code: 69,
            messages: 3,
            bytes: 1200,
            duration_seconds: 0.25,
            last_success: Some(OffsetDateTime::from_unix_timestamp(1_764_630_000).expect("time")),
            last_new_data: None,
            expected_silence_seconds: Some(7200),
        }
    }

    #[test]
    fn the_textfile_has_one_labelled_gauge_per_known_metric() {
        let text = record().to_prometheus_text();
        assert!(text.contains(
            "n6_collector_last_run_timestamp_seconds{collector=\"SpamhausDropCollector\"} 1764633600\n"
        ));
        assert!(
            text.contains(
                "n6_collector_last_run_exit_code{collector=\"SpamhausDropCollector\"} 69\n"
            )
        );
        assert!(text.contains(
            "n6_collector_last_run_duration_seconds{collector=\"SpamhausDropCollector\"} 0.25\n"
        ));
        assert!(
            !text.contains("n6_collector_last_new_data_timestamp_seconds"),
            "never seen: left out"
        );
        assert_eq!(text.matches("# TYPE").count(), 6);
    }

    #[test]
    fn the_run_record_round_trips_through_json() {
        let record = record();
        let back: RunRecord = serde_json::from_str(&record.to_json()).expect("JSON");
        assert_eq!(back, record);
        assert_eq!(
            RunRecord::path_beside(Path::new("/s/X.cbor")),
            PathBuf::from("/s/X.cbor.lastrun")
        );
    }

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("36h"), Ok(Duration::from_secs(129_600)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        for bad in ["", "h", "3x", "-1h", "1.5h", "99999999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_textfile_gives_back_the_history_it_reports() {
        let mut record = record();
        record.last_new_data =
            Some(OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("time"));
        let activity = activity_in_textfile(&record.to_prometheus_text());
        assert_eq!(activity.last_success, record.last_success);
        assert_eq!(activity.last_new_data, record.last_new_data);
        assert_eq!(activity_in_textfile("garbage\n"), Activity::default());
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn atomic_writes_replace_the_file_and_leave_no_temp_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("m.prom");
        write_atomically(&path, "one\n").expect("first write");
        write_atomically(&path, "two\n").expect("second write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "two\n");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }
}
