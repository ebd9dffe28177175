//! Textfile metrics (`--metrics-file`, `[n6_collectors_metrics] textfile_dir`) and
//! `n6-state health`, through the real `lines-test-collector` and `n6-state` binaries.
//! The textfiles are read with a Prometheus text-format parser.

use std::collections::HashMap;
use std::path::Path;
use std::process::{ExitCode, Output};
use std::time::Duration;

use clap::Parser;
use n6_collectors::tooling::generic::{self, Args, GenericCommand};

use crate::support::site::{LINES, Site, lines_section};

/// A site of `lines-test-collector` with a two-line input, publishing JSON lines to
/// `out.jsonl`.
fn site() -> Site {
    let site = Site::new(LINES)
        .with_input(&["first", "second"])
        .publishing_to_file();
    site.write_config(&lines_section(&site, ""));
    site
}

/// [`site`] whose runs write their textfile metrics to `metrics.prom`.
fn tracked_site() -> Site {
    site().tracking_metrics()
}

/// `n6-state health ARGS STATE_DIR` in process for the site: its exit code and what it
/// printed.
fn health(site: &Site, args: &[&str]) -> (ExitCode, String) {
    health_of(args, &site.state_dir())
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
    let site = tracked_site();
    let metrics = site.metrics_path();

    let first = site.run(&[]);
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
    let quiet = site.run(&[]);
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
        file: site.state_path(),
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
    std::fs::remove_file(site.metrics_path()).expect("rm textfile");
    let record = site.state_path().display().to_string() + ".lastrun";
    std::fs::remove_file(record).expect("rm run record");

    // A failing run (new line, source fails): exit 69 in the metrics, the last success
    // kept from the envelope, the state as it was.
    site.set_input(&["first", "second", "third"]);
    let state_before = std::fs::read(site.state_path()).expect("state");
    let failed = site.run(&["--n6config-override", "LinesTestCollector.fail_after=0"]);
    assert_eq!(failed.status.code(), Some(69), "{}", stderr(&failed));
    let m3 = samples(&metrics);
    assert_eq!(m3["n6_collector_last_run_exit_code"], 69.0);
    assert_eq!(
        m3["n6_collector_last_success_timestamp_seconds"],
        m2["n6_collector_last_success_timestamp_seconds"]
    );
    assert_eq!(
        std::fs::read(site.state_path()).expect("state"),
        state_before
    );

    // A configuration error, before the state is read: still reported, history kept.
    let bad = site.run(&["--n6config-override", "LinesTestCollector.sleep_ms=soon"]);
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
    let site = site();
    let textfiles = site.path("textfiles");
    std::fs::create_dir_all(&textfiles).expect("mkdir");
    let conf = format!(
        "[n6_collectors_metrics]\ntextfile_dir = {}\n",
        textfiles.display()
    );
    site.write_config_file("50_metrics.conf", &conf);
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
    let site = site();
    let out = site.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let state = std::fs::read(site.state_path()).expect("state");
    let text = String::from_utf8_lossy(&state);
    assert!(!text.contains("last_success") && !text.contains("last_new_data"));
    assert_eq!(state[3], 0xa7, "the envelope has its usual seven entries");
    let files: Vec<_> = std::fs::read_dir(site.state_dir())
        .expect("list")
        .flatten()
        .collect();
    assert!(
        files
            .iter()
            .all(|f| !f.file_name().to_string_lossy().ends_with(".lastrun")),
        "no run record"
    );
    assert!(!site.metrics_path().exists());
}

#[test]
fn health_reports_failing_and_silent_collectors() {
    let site = tracked_site();
    let first = site.run(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let (code, text) = health(&site, &["--max-silence", "1h"]);
    assert_eq!(code, ExitCode::from(0), "{text}");
    assert!(
        text.starts_with("ok LinesTestCollector: last run "),
        "{text}"
    );

    // Silent: nothing new for longer than the threshold.
    std::thread::sleep(Duration::from_millis(2100));
    let (code, json) = health(&site, &["--max-silence", "1s", "--json"]);
    assert_eq!(code, ExitCode::from(1), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(report["healthy"], false);
    assert_eq!(report["collectors"][0]["status"], "silent");
    assert_eq!(report["collectors"][0]["collector"], "LinesTestCollector");
    assert_eq!(report["collectors"][0]["silence_threshold_seconds"], 1);

    // Failing: the last run did not succeed, however recent the last new data.
    let failed = site.run(&[
        "--n6config-override",
        "LinesTestCollector.input=/nonexistent",
    ]);
    assert_eq!(failed.status.code(), Some(69), "{}", stderr(&failed));
    let (code, json) = health(&site, &["--max-silence", "1h", "--json"]);
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
