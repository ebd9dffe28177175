//! `--record DIR` and `--replay DIR`: a live run against a scripted server on 127.0.0.1
//! is recorded, the server is gone, and the replay publishes the same messages — bodies
//! and properties, `timestamp` and `message_id` included, since the clock is recorded
//! too; a modified recording fails clearly.

use std::path::{Path, PathBuf};
use std::process::Command;

use n6_collectors::helpers::download::DownloadingCollector;
use n6_collectors::prelude::*;
use n6_collectors::record::{INDEX_FILE, RecordingIndex};
use n6_collectors::testing::Site;

use crate::support::http::{AfterScript, Answer, Server};

/// Publishes each line of its download that earlier runs did not publish.
#[derive(StatefulCollector)]
#[collector(source = "test-org.recorded", raw_type = "stream", download)]
#[config_spec("url :: str")]
pub struct RecordedLinesCollector {
    config: RecordedLinesCollectorConfig,
    #[state(default = Progress::default())]
    state: Progress,
}

/// How many lines were published.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    lines: usize,
}

impl Collect for RecordedLinesCollector {
    fn collect(&mut self, out: &mut Output<'_, Progress>) -> Result<()> {
        let body = self.download(&self.config.url)?;
        let text = String::from_utf8_lossy(&body).into_owned();
        for line in text.lines().skip(self.state.lines) {
            out.publish(line.to_owned())?;
            self.state.lines += 1;
        }
        Ok(())
    }
}

fn first() -> Answer {
    Answer::ok("alpha\nbeta\n")
        .header("ETag", "\"v1\"")
        .header("Last-Modified", "Wed, 02 Dec 2026 01:00:00 GMT")
}

fn second() -> Answer {
    Answer::ok("alpha\nbeta\ngamma\n").header("Last-Modified", "Wed, 02 Dec 2026 02:00:00 GMT")
}

fn recording_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "operations-recording-{test}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn config(url: &str) -> String {
    format!("[RecordedLinesCollector]\nurl = {url}\n")
}

/// Records the second of two live runs (so the recording starts from a saved state);
/// returns the recording and what that run published.
fn record_second_run(test: &str) -> (PathBuf, n6_collectors::testing::Run, String) {
    let server = Server::script(vec![first(), second()])
        .after_script(AfterScript::HangUp)
        .start();
    let url = server.url("/feed");
    let mut live = Site::with_config(&config(&url)).expect("site");
    let first = live.run::<RecordedLinesCollector>(&[], &[]).expect("run");
    assert_eq!(first.texts(), ["alpha", "beta"]);
    let dir = recording_dir(test);
    let recording = dir.display().to_string();
    let recorded = live
        .run::<RecordedLinesCollector>(&[], &["--record", &recording])
        .expect("recorded run");
    assert_eq!(recorded.exit_code, 0);
    assert_eq!(recorded.texts(), ["gamma"]);
    assert_eq!(server.arrivals().len(), 2);
    (dir, recorded, url)
}

#[test]
fn a_recorded_run_replays_offline_to_the_same_messages() {
    let (dir, recorded, url) = record_second_run("same");
    let index = RecordingIndex::read(&dir).expect("index");
    assert_eq!(index.collector, "RecordedLinesCollector");
    assert_eq!(index.exchanges.len(), 1);
    assert_eq!(index.exchanges[0].request.url, url);
    assert_eq!(index.exchanges[0].response.status, 200);
    assert_eq!(
        std::fs::read(dir.join(&index.exchanges[0].response.body)).expect("body"),
        b"alpha\nbeta\ngamma\n"
    );
    assert!(
        index.state_before.is_some(),
        "the run started from a state file"
    );

    // Nothing listens at the URL any more: the replay never asks it.
    let mut offline = Site::with_config(&config(&url)).expect("site");
    let replayed = offline
        .replay::<RecordedLinesCollector>(&dir, &[])
        .expect("replay");
    assert_eq!(replayed.run.exit_code, 0);
    replayed.assert_same_as_recorded();
    assert_eq!(
        replayed.run.published, recorded.published,
        "bodies and properties, timestamp and message_id included"
    );
    assert_eq!(
        offline
            .saved_state::<RecordedLinesCollector>()
            .expect("state"),
        Some(Progress { lines: 3 })
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn a_modified_recording_fails_clearly() {
    let (dir, _, url) = record_second_run("modified");
    let index = RecordingIndex::read(&dir).expect("index");

    // A body edited by hand: the replay publishes something else, and says what.
    std::fs::write(
        dir.join(&index.exchanges[0].response.body),
        "alpha\nbeta\ndelta\n",
    )
    .expect("edit body");
    let mut offline = Site::with_config(&config(&url)).expect("site");
    let replayed = offline
        .replay::<RecordedLinesCollector>(&dir, &[])
        .expect("replay");
    assert_eq!(replayed.run.exit_code, 0);
    let differences = replayed.differences();
    assert!(
        differences
            .iter()
            .any(|d| d.starts_with("message 1: body \"delta\", recorded \"gamma\"")),
        "{differences:?}"
    );

    // A URL that is not the one the collector asks for: exit 66, naming both.
    let mut edited = index.clone();
    edited.exchanges[0].request.url = format!("{url}?page=2");
    edited.write(&dir).expect("edit index");
    let replayed = Site::with_config(&config(&url))
        .expect("site")
        .replay::<RecordedLinesCollector>(&dir, &[])
        .expect("replay");
    assert_eq!(replayed.run.exit_code, 66, "not in the recording");
    assert!(replayed.run.published.is_empty());

    // Not a recording at all.
    std::fs::write(dir.join(INDEX_FILE), "{}").expect("garbage");
    let error = Site::with_config(&config(&url))
        .expect("site")
        .replay::<RecordedLinesCollector>(&dir, &[])
        .expect_err("unreadable");
    assert!(error.to_string().contains(INDEX_FILE), "{error}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn the_command_line_records_and_replays_and_names_a_request_the_recording_lacks() {
    let server = Server::script(vec![Answer::ok("row 1\nrow 2\n")])
        .after_script(AfterScript::HangUp)
        .start();
    let root = recording_dir("cli");
    std::fs::create_dir_all(root.join("conf")).expect("conf");
    std::fs::write(
        root.join("conf/60_reliability.conf"),
        format!(
            "[ReliabilityTestCollector]\ninput = /nonexistent\nurl = {}\ndownload_retries = 0\n",
            server.url("/feed")
        ),
    )
    .expect("config");
    let recording = root.join("recording");
    let collector = |args: &[&str], state: &str| {
        Command::new(env!("CARGO_BIN_EXE_reliability-test-collector"))
            .arg("--config-dir")
            .arg(root.join("conf"))
            .arg("--state-dir")
            .arg(root.join(state))
            .args(args)
            .output()
            .expect("run the collector")
    };
    let live = collector(
        &[
            "--record",
            &recording.display().to_string(),
            "--output",
            &root.join("live.jsonl").display().to_string(),
        ],
        "live-state",
    );
    assert_eq!(
        live.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let live_lines = std::fs::read_to_string(root.join("live.jsonl")).expect("live output");
    assert_eq!(live_lines.lines().count(), 2);
    assert_eq!(
        std::fs::read_to_string(recording.join("published.jsonl")).expect("recorded"),
        live_lines
    );

    // No --output: JSON lines on stdout, never the broker; the same lines, byte for byte.
    let replay = collector(
        &["--replay", &recording.display().to_string()],
        "replay-state",
    );
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&replay.stdout), live_lines);

    let elsewhere = "http://127.0.0.1:9/elsewhere";
    let lacking = collector(
        &[
            "--replay",
            &recording.display().to_string(),
            "--n6config-override",
            &format!("ReliabilityTestCollector.url={elsewhere}"),
        ],
        "lacking-state",
    );
    let stderr = String::from_utf8_lossy(&lacking.stderr);
    assert_eq!(lacking.status.code(), Some(66), "{stderr}");
    assert!(
        stderr.contains(&format!("GET {elsewhere} is not in the recording"))
            && stderr.contains(&format!("GET {}", server.url("/feed"))),
        "{stderr}"
    );
    assert!(lacking.stdout.is_empty());
    assert_eq!(server.arrivals().len(), 1, "replays send nothing");
    std::fs::remove_dir_all(&root).expect("cleanup");
}

#[test]
fn a_recorded_retry_is_replayed_as_a_retry() {
    let server = Server::script(vec![
        Answer::new(503, "busy").header("Retry-After", "1"),
        Answer::ok("one\ntwo\n"),
    ])
    .after_script(AfterScript::HangUp)
    .start();
    let url = server.url("/feed");
    let dir = recording_dir("retry");
    let recording = dir.display().to_string();
    let mut live = Site::with_config(&config(&url)).expect("site");
    let recorded = live
        .run::<RecordedLinesCollector>(&[], &["--record", &recording])
        .expect("recorded run");
    assert_eq!(recorded.exit_code, 0);
    assert_eq!(recorded.texts(), ["one", "two"]);
    let index = RecordingIndex::read(&dir).expect("index");
    let statuses: Vec<u16> = index.exchanges.iter().map(|e| e.response.status).collect();
    assert_eq!(statuses, [503, 200], "every attempt is recorded");

    let replayed = Site::with_config(&config(&url))
        .expect("site")
        .replay::<RecordedLinesCollector>(&dir, &[])
        .expect("replay");
    assert_eq!(replayed.run.exit_code, 0);
    replayed.assert_same_as_recorded();
    assert_eq!(server.arrivals().len(), 2, "the replay sent nothing");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
