//! Conditional downloads across runs (`download_only_if_changed`,
//! `download_only_if_body_changed`), end to end: the real `reliability-test-collector`
//! binary against a scripted HTTP server on 127.0.0.1 and the real broker. A `304` run
//! publishes nothing, exits 0 and leaves the state file byte for byte; a changed source
//! is published and its new validators kept; a run killed before its confirms keeps no
//! validators. A collector without state keeps its validators too (in-process).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use n6_collectors::helpers::download::{DownloadHistory, DownloadingCollector};
use n6_collectors::prelude::*;
use n6_collectors::state::StateStore;
use n6_collectors::testing::Site as TestSite;

use crate::support::amqp::{Broker, Consumer, broker};
use crate::support::http::{AfterScript, Answer, Server};
use crate::support::site::{RELIABILITY, Site, rabbitmq_section};

fn v1() -> Answer {
    Answer::ok("row 1\nrow 2\n")
        .header("ETag", "\"v1\"")
        .header("Last-Modified", "Wed, 02 Dec 2026 01:00:00 GMT")
}

fn not_modified() -> Answer {
    Answer::status(304).header("ETag", "\"v1\"")
}

fn v2() -> Answer {
    Answer::ok("row 1\nrow 2\nrow 3\n").header("ETag", "\"v2\"")
}

/// A scratch site of the reliability test collector publishing to the broker, its feed
/// at `url`, with `options` in its section (and a gate directory for the crash test).
fn conditional_site(test: &str, broker: &Broker, url: &str, options: &str) -> Site {
    let site = Site::new(RELIABILITY)
        .suffix(&format!("cond_{test}_"))
        .publishing_to_broker();
    std::fs::create_dir_all(site.path("gate")).expect("mkdir gate");
    let config = format!(
        "{}[ReliabilityTestCollector]\ninput = /nonexistent\nurl = {url}\n\
         download_retries = 0\ngate_dir = {}\n{options}\n",
        rabbitmq_section(broker),
        site.path("gate").display(),
    );
    site.with_config(&config)
}

/// What only the conditional-download tests read of a site.
impl Site {
    /// A consumer of everything the site's runs publish.
    fn consumer(&self, broker: &Broker) -> Consumer {
        Consumer::bind(broker, &self.exchange(), "#", false)
    }

    /// The download history kept in the state file's envelope (empty without a file).
    fn downloads(&self) -> DownloadHistory {
        StateStore::read_envelope_untyped(&self.state_path())
            .expect("readable state file")
            .map(|(header, _)| header.downloads)
            .unwrap_or_default()
    }
}

/// What `n6-state show FILE` prints.
fn n6_state_show(file: &Path) -> String {
    use clap::Parser;
    use n6_collectors::tooling::generic::{self, Args};
    let file = file.display().to_string();
    let parsed = Args::try_parse_from(["n6-state", "show", file.as_str()]).expect("arguments");
    let mut printed = Vec::new();
    generic::run(&parsed.command, &mut printed).expect("show");
    String::from_utf8_lossy(&printed).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn bodies(consumer: &Consumer) -> Vec<String> {
    consumer
        .drain()
        .into_iter()
        .map(|m| String::from_utf8_lossy(&m.delivery.data).into_owned())
        .collect()
}

#[test]
fn a_304_run_publishes_nothing_exits_0_and_a_changed_source_is_published() {
    let Some(broker) = broker() else { return };
    let server = Server::script(vec![v1(), not_modified(), v2()])
        .after_script(AfterScript::HangUp)
        .start();
    let url = server.url("/feed");
    let site = conditional_site("304", &broker, &url, "download_only_if_changed = yes");
    let consumer = site.consumer(&broker);

    let first = site.run(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(bodies(&consumer), ["row 1", "row 2"]);
    assert_eq!(server.request_header(0, "if-none-match"), None);
    let kept = site.downloads();
    let known = kept.get(&url).expect("the URL's validators are kept");
    assert_eq!(known.etag.as_deref(), Some("\"v1\""));
    assert_eq!(
        known.last_modified.as_deref(),
        Some("Wed, 02 Dec 2026 01:00:00 GMT")
    );
    let after_first = site.state_bytes().expect("state saved");
    let shown = n6_state_show(&site.state_path());
    assert!(
        shown.contains(&format!(
            "last download:    {url}: ETag \"v1\", Last-Modified Wed, 02 Dec 2026 01:00:00 GMT\n"
        )),
        "{shown}"
    );

    let second = site.run(&[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("published 0 message(s)")
            && stderr(&second).contains("source unchanged"),
        "{}",
        stderr(&second)
    );
    assert_eq!(
        server.request_header(1, "if-none-match").as_deref(),
        Some("\"v1\"")
    );
    assert_eq!(
        server.request_header(1, "if-modified-since").as_deref(),
        Some("Wed, 02 Dec 2026 01:00:00 GMT")
    );
    assert!(bodies(&consumer).is_empty(), "a 304 publishes nothing");
    assert_eq!(
        site.state_bytes().as_deref(),
        Some(after_first.as_slice()),
        "a 304 leaves the state file byte for byte"
    );

    let third = site.run(&[]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    assert_eq!(
        server.request_header(2, "if-none-match").as_deref(),
        Some("\"v1\"")
    );
    assert_eq!(bodies(&consumer), ["row 3"], "only what is new");
    let kept = site.downloads();
    assert_eq!(
        kept.get(&url).and_then(|k| k.etag.as_deref()),
        Some("\"v2\"")
    );
    assert_eq!(
        kept.get(&url).and_then(|k| k.last_modified.as_deref()),
        None,
        "the new response had no Last-Modified"
    );
    consumer.delete();
}

/// Waits until the collector says it reached its gate (published, not yet confirmed
/// and saved).
fn wait_for_gate(site: &Site, child: &mut Child) {
    let started = Instant::now();
    loop {
        let reached = std::fs::read_dir(site.path("gate"))
            .expect("gate dir")
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("reached-"));
        if reached {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the collector ended before its gate: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the collector never reached its gate"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_run_killed_before_its_confirms_keeps_no_validators() {
    let Some(broker) = broker() else { return };
    let server = Server::script(vec![v1(), v1()])
        .after_script(AfterScript::HangUp)
        .start();
    let url = server.url("/feed");
    let site = conditional_site(
        "crash",
        &broker,
        &url,
        "download_only_if_changed = yes\ngate_after = 1",
    );
    let consumer = site.consumer(&broker);
    let mut child = site
        .command(&["-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_for_gate(&site, &mut child);
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert_eq!(
        site.state_bytes(),
        None,
        "killed before its confirms: nothing saved, no validators"
    );
    drop(consumer.drain());

    // The next run is not conditional: it downloads and publishes everything again.
    std::fs::write(site.path("gate/go"), "").expect("open the gate");
    let again = site.run(&[]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(
        server.request_header(1, "if-none-match"),
        None,
        "no validators were kept by the killed run"
    );
    assert_eq!(bodies(&consumer), ["row 1", "row 2"]);
    assert_eq!(
        site.downloads().get(&url).and_then(|k| k.etag.as_deref()),
        Some("\"v1\""),
        "kept once the broker confirmed"
    );
    consumer.delete();
}

#[test]
fn the_same_body_is_not_published_again_when_asked() {
    let Some(broker) = broker() else { return };
    fn plain() -> Answer {
        Answer::ok("row 1\n")
    }
    let server = Server::script(vec![plain(), plain()])
        .after_script(AfterScript::HangUp)
        .start();
    let url = server.url("/feed");
    let site = conditional_site("hash", &broker, &url, "download_only_if_body_changed = yes");
    let consumer = site.consumer(&broker);
    let first = site.run(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(bodies(&consumer), ["row 1"]);
    let known = site.downloads().get(&url).cloned().expect("kept");
    assert_eq!(
        known.etag, None,
        "validators are not kept without the option"
    );
    assert_eq!(known.sha256.as_deref().map(str::len), Some(64));
    let before = site.state_bytes();
    let second = site.run(&[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("source unchanged"),
        "{}",
        stderr(&second)
    );
    assert_eq!(server.request_header(1, "if-none-match"), None);
    assert!(bodies(&consumer).is_empty());
    assert_eq!(site.state_bytes(), before);
    consumer.delete();
}

/// A blacklist-like collector without state: one message per run, the whole download.
#[derive(StatefulCollector)]
#[collector(
    source = "test-org.blacklist",
    raw_type = "file",
    content_type = "text/plain",
    download
)]
#[config_spec("url :: str")]
pub struct StatelessListCollector {
    config: StatelessListCollectorConfig,
}

impl Collect for StatelessListCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let body = self.download(&self.config.url)?;
        out.publish(body)
    }
}

#[test]
fn a_collector_without_state_keeps_its_validators_beside_where_its_state_would_be() {
    let server = Server::script(vec![v1(), not_modified(), v1()])
        .after_script(AfterScript::HangUp)
        .start();
    let url = server.url("/feed");
    let mut site = TestSite::with_config(&format!(
        "[StatelessListCollector]\nurl = {url}\ndownload_only_if_changed = yes\n"
    ))
    .expect("site");
    let first = site.run::<StatelessListCollector>(&[], &[]).expect("run");
    assert_eq!(first.exit_code, 0);
    assert_eq!(first.texts(), ["row 1\nrow 2\n"]);
    assert_eq!(
        site.state_files(),
        ["StatelessListCollector.cbor", "StatelessListCollector.lock"]
    );
    let recording = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "operations-conditional-recorded-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&recording);
    let recorded = recording.display().to_string();
    let second = site
        .run::<StatelessListCollector>(&[], &["--record", &recorded])
        .expect("run");
    assert_eq!(second.exit_code, 0);
    assert!(second.published.is_empty(), "304: nothing published");
    assert_eq!(
        server.request_header(1, "if-none-match").as_deref(),
        Some("\"v1\"")
    );
    // Its replay starts from the validators the recorded run had: the same 304.
    let replayed = TestSite::with_config(&format!(
        "[StatelessListCollector]\nurl = {url}\ndownload_only_if_changed = yes\n"
    ))
    .expect("site")
    .replay::<StatelessListCollector>(&recording, &[])
    .expect("replay");
    assert_eq!(replayed.run.exit_code, 0);
    assert!(
        replayed.run.published.is_empty(),
        "{:?}",
        replayed.run.texts()
    );
    std::fs::remove_dir_all(&recording).expect("cleanup");

    // Without the option such a collector keeps no file at all, as before.
    site.write_config(&format!("[StatelessListCollector]\nurl = {url}\n"))
        .expect("config");
    std::fs::remove_file(site.state_dir().join("StatelessListCollector.cbor")).expect("rm");
    let plain = site.run::<StatelessListCollector>(&[], &[]).expect("run");
    assert_eq!(plain.exit_code, 0);
    assert_eq!(plain.published.len(), 1);
    assert_eq!(server.request_header(2, "if-none-match"), None);
    assert_eq!(site.state_files(), ["StatelessListCollector.lock"]);
}
