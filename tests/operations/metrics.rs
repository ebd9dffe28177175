//! Textfile metrics (`--metrics-file`, `[n6_collectors_metrics] textfile_dir`) and
//! `n6-state health`, through the real `lines-test-collector` and `n6-state` binaries.
//! The textfiles are read with a Prometheus text-format parser.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use clap::Parser;
use n6_collectors::tooling::generic::{self, Args, GenericCommand};
use std::time::Duration;

/// A scratch site: config dir, state dir, a two-line input, a metrics file path.
struct Site {
    dir: PathBuf,
}

impl Site {
    fn new(test: &str, extra_config: &str) -> Site {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("operations-metrics-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("conf")).expect("mkdir conf");
        std::fs::write(dir.join("input.txt"), "first\nsecond\n").expect("write input");
        let text = format!(
            "[LinesTestCollector]\ninput = {}\nstate_dir = {}\n\n{extra_config}",
            dir.join("input.txt").display(),
            dir.join("state").display(),
        );
        std::fs::write(dir.join("conf/60_lines.conf"), text).expect("write config");
        Site { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Runs the collector with JSON lines into `out.jsonl` and `args`.
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_lines-test-collector"))
            .arg("--config-dir")
            .arg(self.path("conf"))
            .arg("--output")
            .arg(self.path("out.jsonl"))
            .args(args)
            .output()
            .expect("run lines-test-collector")
    }

    fn run_with_metrics(&self, args: &[&str]) -> Output {
        let metrics = self.path("metrics.prom").display().to_string();
        let mut all = vec!["--metrics-file", metrics.as_str()];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// `n6-state health ARGS STATE_DIR` in process: its exit code and what it printed.
    fn health(&self, args: &[&str]) -> (ExitCode, String) {
        health_of(args, &self.path("state"))
    }

    fn state_file(&self) -> PathBuf {
        let entries = std::fs::read_dir(self.path("state")).expect("state dir");
        entries
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "cbor"))
            .expect("a state file")
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn health_of(args: &[&str], dir: &Path) -> (ExitCode, String) {
    let dir = dir.display().to_string();
    let argv: Vec<&str> = ["n6-state", "health"]
        .into_iter()
        .chain(args.iter().copied())
        .chain([dir.as_str()])
        .collect();
    let code = generic::main_from(argv.clone());
    let parsed = Args::try_parse_from(argv).expect("arguments");
    let mut printed = Vec::new();
    let _ = generic::run(&parsed.command, &mut printed);
    (code, String::from_utf8_lossy(&printed).into_owned())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The samples of a textfile: metric name → value, every sample labelled with the
/// collector (checked).
fn samples(path: &Path) -> HashMap<String, f64> {
    let text = std::fs::read_to_string(path).expect("read the metrics file");
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("valid Prometheus text format");
    scrape
        .samples
        .into_iter()
        .map(|sample| {
            assert_eq!(
                sample.labels.get("collector"),
                Some("LinesTestCollector"),
                "{}",
                sample.metric
            );
            let value = match sample.value {
                prometheus_parse::Value::Gauge(v) => v,
                other => panic!("{}: not a gauge: {other:?}", sample.metric),
            };
            (sample.metric, value)
        })
        .collect()
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64()
}

#[test]
fn every_run_writes_the_metrics_and_successes_survive_failures() {
    let site = Site::new("runs", "");
    let metrics = site.path("metrics.prom");

    let first = site.run_with_metrics(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let m1 = samples(&metrics);
    assert_eq!(m1.len(), 7, "all seven metrics: {m1:?}");
    assert_eq!(m1["n6_collector_last_run_exit_code"], 0.0);
    assert_eq!(m1["n6_collector_last_run_messages"], 2.0);
    assert!(m1["n6_collector_last_run_bytes"] > 0.0);
    assert!(m1["n6_collector_last_run_duration_seconds"] >= 0.0);
    assert!((now() - m1["n6_collector_last_run_timestamp_seconds"]).abs() < 60.0);
    assert_eq!(
        m1["n6_collector_last_success_timestamp_seconds"],
        m1["n6_collector_last_new_data_timestamp_seconds"]
    );

    // Nothing new: a success, but the last new data stays the first run's.
    std::thread::sleep(Duration::from_millis(1100));
    let quiet = site.run_with_metrics(&[]);
    assert_eq!(quiet.status.code(), Some(0), "{}", stderr(&quiet));
    let m2 = samples(&metrics);
    assert_eq!(m2["n6_collector_last_run_messages"], 0.0);
    assert!(
        m2["n6_collector_last_success_timestamp_seconds"]
            > m1["n6_collector_last_success_timestamp_seconds"]
    );
    assert_eq!(
        m2["n6_collector_last_new_data_timestamp_seconds"],
        m1["n6_collector_last_new_data_timestamp_seconds"]
    );

    // The envelope keeps both times (so they survive a lost textfile or run record).
    let show = GenericCommand::Show {
        file: site.state_file(),
        py2_strings: Default::default(),
    };
    let mut shown = Vec::new();
    generic::run(&show, &mut shown).expect("n6-state show");
    let shown = String::from_utf8_lossy(&shown);
    let rfc3339 = |seconds: f64| {
        time::OffsetDateTime::from_unix_timestamp(seconds as i64)
            .expect("time")
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format")
    };
    let last_success = rfc3339(m2["n6_collector_last_success_timestamp_seconds"]);
    let last_new_data = rfc3339(m2["n6_collector_last_new_data_timestamp_seconds"]);
    assert!(
        shown.contains(&format!("last success:     {last_success}\n")),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("last new data:    {last_new_data}\n")),
        "{shown}"
    );
    std::fs::remove_file(site.path("metrics.prom")).expect("rm textfile");
    let record = site.state_file().display().to_string() + ".lastrun";
    std::fs::remove_file(record).expect("rm run record");

    // A failing run (new line, source fails): exit 69 in the metrics, the last success
    // kept from the envelope, the state as it was.
    std::fs::write(site.path("input.txt"), "first\nsecond\nthird\n").expect("grow input");
    let state_before = std::fs::read(site.state_file()).expect("state");
    let failed = site.run_with_metrics(&["--n6config-override", "LinesTestCollector.fail_after=0"]);
    assert_eq!(failed.status.code(), Some(69), "{}", stderr(&failed));
    let m3 = samples(&metrics);
    assert_eq!(m3["n6_collector_last_run_exit_code"], 69.0);
    assert_eq!(
        m3["n6_collector_last_success_timestamp_seconds"],
        m2["n6_collector_last_success_timestamp_seconds"]
    );
    assert_eq!(
        std::fs::read(site.state_file()).expect("state"),
        state_before
    );

    // A configuration error, before the state is read: still reported, history kept.
    let bad = site.run_with_metrics(&["--n6config-override", "LinesTestCollector.sleep_ms=soon"]);
    assert_eq!(bad.status.code(), Some(78), "{}", stderr(&bad));
    let m4 = samples(&metrics);
    assert_eq!(m4["n6_collector_last_run_exit_code"], 78.0);
    assert_eq!(
        m4["n6_collector_last_success_timestamp_seconds"],
        m2["n6_collector_last_success_timestamp_seconds"]
    );
}

#[test]
fn the_site_wide_textfile_dir_names_a_file_per_collector() {
    let site = Site::new("dir", "");
    let textfiles = site.path("textfiles");
    std::fs::create_dir_all(&textfiles).expect("mkdir");
    let conf = format!(
        "[n6_collectors_metrics]\ntextfile_dir = {}\n",
        textfiles.display()
    );
    std::fs::write(site.path("conf/50_metrics.conf"), conf).expect("write config");
    let out = site.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let m = samples(&textfiles.join("n6_collector_LinesTestCollector.prom"));
    assert_eq!(m["n6_collector_last_run_messages"], 2.0);
    let names: Vec<_> = std::fs::read_dir(&textfiles)
        .expect("list")
        .flatten()
        .collect();
    assert_eq!(names.len(), 1, "no temporary files are left");
}

#[test]
fn without_run_tracking_nothing_changes_on_disk() {
    let site = Site::new("off", "");
    let out = site.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state = std::fs::read(site.state_file()).expect("state");
    let text = String::from_utf8_lossy(&state);
    assert!(!text.contains("last_success") && !text.contains("last_new_data"));
    assert_eq!(state[3], 0xa7, "the envelope has its usual seven entries");
    let files: Vec<_> = std::fs::read_dir(site.path("state"))
        .expect("list")
        .flatten()
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.file_name().to_string_lossy().ends_with(".lastrun")),
        "no run record"
    );
    assert!(!site.path("metrics.prom").exists());
}

#[test]
fn health_reports_failing_and_silent_collectors() {
    let site = Site::new("health", "");
    let first = site.run_with_metrics(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let (code, text) = site.health(&["--max-silence", "1h"]);
    assert_eq!(code, ExitCode::from(0), "{text}");
    assert!(
        text.starts_with("ok LinesTestCollector: last run "),
        "{text}"
    );

    // Silent: nothing new for longer than the threshold.
    std::thread::sleep(Duration::from_millis(2100));
    let (code, json) = site.health(&["--max-silence", "1s", "--json"]);
    assert_eq!(code, ExitCode::from(1), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(report["healthy"], false);
    assert_eq!(report["collectors"][0]["status"], "silent");
    assert_eq!(report["collectors"][0]["collector"], "LinesTestCollector");
    assert_eq!(report["collectors"][0]["silence_threshold_seconds"], 1);

    // Failing: the last run did not succeed, however recent the last new data.
    let failed = site.run_with_metrics(&[
        "--n6config-override",
        "LinesTestCollector.input=/nonexistent",
    ]);
    assert_eq!(failed.status.code(), Some(69), "{}", stderr(&failed));
    let (code, json) = site.health(&["--max-silence", "1h", "--json"]);
    assert_eq!(code, ExitCode::from(1), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(report["collectors"][0]["status"], "failing");
    assert_eq!(report["collectors"][0]["last_run_exit_code"], 69);
}

#[test]
fn health_of_a_missing_directory_is_an_io_error() {
    let (code, _) = health_of(&[], Path::new("/nonexistent/n6-state-dir"));
    assert_eq!(code, ExitCode::from(74));
}
