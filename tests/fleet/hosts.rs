//! A fleet on one machine: one feed, several "hosts" (each with its own config dir,
//! state dir and outputs), all with `[n6_collectors_state] backend = etcd` on the test
//! cluster under a prefix of their own. The collector is the reliability test collector
//! (`tests/bin/reliability_collector.rs`); every run writes its messages to a JSON-lines
//! file of its own (`--output`), fsynced at each confirm.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cluster::Cluster;

/// The collector's section name.
pub const NAME: &str = "ReliabilityTestCollector";
/// The collector id (the etcd keys are `{prefix}/{COLLECTOR_ID}/...`).
pub const COLLECTOR_ID: &str = "reliability_test_collector.ReliabilityTestCollector";
/// The lease TTL of the test runs, seconds.
pub const TTL: u64 = 3;

/// The body of feed row `i`.
pub fn row(i: u64) -> String {
    format!("row {i}")
}

/// One feed and its hosts' shared etcd prefix.
pub struct Fleet {
    dir: tempfile::TempDir,
    /// The key prefix of this fleet.
    pub prefix: String,
    rows: u64,
    endpoints: String,
}

/// One "host": config dir, state dir, gate dir, and one output file per run.
pub struct Host {
    /// Its directory.
    pub dir: PathBuf,
    runs: AtomicU64,
}

impl Fleet {
    /// An empty feed under a new prefix.
    pub fn new(cluster: &Cluster, test: &str) -> Fleet {
        let fleet = Fleet {
            dir: tempfile::tempdir().expect("temp dir"),
            prefix: cluster.prefix(test),
            rows: 0,
            endpoints: cluster.endpoints_option(),
        };
        fs::write(fleet.input(), "").expect("input");
        fleet
    }

    fn input(&self) -> PathBuf {
        self.dir.path().join("input.txt")
    }

    /// Appends `n` rows to the feed; returns the new number of rows.
    pub fn grow(&mut self, n: u64) -> u64 {
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(self.input())
            .expect("open input");
        for i in self.rows + 1..=self.rows + n {
            writeln!(file, "{}", row(i)).expect("grow input");
        }
        self.rows += n;
        self.rows
    }

    /// Rows in the feed.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The etcd state key.
    pub fn state_key(&self) -> String {
        format!("{}/{COLLECTOR_ID}/state", self.prefix)
    }

    /// The etcd lock key.
    pub fn lock_key(&self) -> String {
        format!("{}/{COLLECTOR_ID}/lock", self.prefix)
    }

    /// A new host configured with the collector options `extra` and the
    /// `[n6_collectors_state]` lines `state_extra`.
    pub fn host(&self, name: &str, extra: &str, state_extra: &str) -> Host {
        let dir = self.dir.path().join(name);
        for sub in ["conf", "state", "gate", "out"] {
            fs::create_dir_all(dir.join(sub)).expect("host dirs");
        }
        let host = Host {
            dir,
            runs: AtomicU64::new(0),
        };
        self.configure(&host, extra, state_extra);
        host
    }

    /// Rewrites `host`'s config.
    pub fn configure(&self, host: &Host, extra: &str, state_extra: &str) {
        let text = format!(
            "[{NAME}]\ninput = {}\ngate_dir = {}\n{extra}\n\n\
             [n6_collectors_state]\nbackend = etcd\netcd_endpoints = {}\netcd_prefix = {}\n\
             etcd_lease_ttl = {TTL}\netcd_request_timeout = 0.5\n{state_extra}\n",
            self.input().display(),
            host.dir.join("gate").display(),
            self.endpoints,
            self.prefix,
        );
        fs::write(host.dir.join("conf/70_fleet.conf"), text).expect("config");
    }

    /// Every body written by every run of `hosts`; a torn last line (a killed run's)
    /// is not counted.
    pub fn bodies(hosts: &[&Host]) -> Vec<String> {
        let mut bodies = Vec::new();
        for host in hosts {
            let Ok(entries) = fs::read_dir(host.dir.join("out")) else {
                continue;
            };
            for entry in entries.flatten() {
                let text = fs::read_to_string(entry.path()).unwrap_or_default();
                for line in text.lines() {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                        bodies.push(v["body"].as_str().expect("text body").to_owned());
                    }
                }
            }
        }
        bodies
    }
}

impl Host {
    /// The collector on this host with `extra` arguments; output to a new file.
    pub fn command(&self, extra: &[&str]) -> Command {
        let n = self.runs.fetch_add(1, Ordering::SeqCst);
        let mut command = Command::new(env!("CARGO_BIN_EXE_reliability-test-collector"));
        command
            .arg("--config-dir")
            .arg(self.dir.join("conf"))
            .arg("--state-dir")
            .arg(self.dir.join("state"))
            .arg("--output")
            .arg(self.dir.join(format!("out/run-{n:05}.jsonl")))
            .args(extra)
            .env_remove("RUST_LOG")
            .env_remove("N6_TEST_DELAY_BEFORE_SAVE_MS")
            .stdin(Stdio::null());
        command
    }

    /// Runs the collector to the end.
    pub fn run(&self, extra: &[&str]) -> Output {
        self.command(extra).output().expect("run collector")
    }

    /// Starts the collector with stdout and stderr captured.
    pub fn spawn(&self, extra: &[&str]) -> Child {
        self.command(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn collector")
    }

    /// The host's local state dir (the etcd backend never writes there).
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// Bodies of this host's runs.
    pub fn bodies(&self) -> Vec<String> {
        Fleet::bodies(&[self])
    }
}

/// The `lines` of the envelope stored under `key` (`None`: no state key).
pub fn state_lines(cluster: &Cluster, key: &str) -> Option<u64> {
    let (bytes, _) = cluster.get(key)?;
    Some(decode_lines(&bytes))
}

/// The `lines` of an envelope's payload.
pub fn decode_lines(bytes: &[u8]) -> u64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("s.cbor");
    fs::write(&path, bytes).expect("write");
    let (_, payload) = n6_collectors::state::StateStore::read_envelope_untyped(&path)
        .expect("a valid envelope")
        .expect("present");
    let map = payload.as_map().expect("a map");
    map.iter()
        .find(|(k, _)| k.as_text() == Some("lines"))
        .and_then(|(_, v)| v.as_integer())
        .and_then(|i| u64::try_from(i).ok())
        .expect("lines")
}

/// How many times each row `1..=rows` appears in `bodies`.
pub fn copies(bodies: &[String], rows: u64) -> BTreeMap<u64, u64> {
    let mut counts: BTreeMap<u64, u64> = (1..=rows).map(|i| (i, 0)).collect();
    for body in bodies {
        let i: u64 = body
            .strip_prefix("row ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a feed row: {body:?}"));
        *counts.entry(i).or_insert(0) += 1;
    }
    counts
}

/// Rows never delivered.
pub fn lost(bodies: &[String], rows: u64) -> Vec<u64> {
    copies(bodies, rows)
        .into_iter()
        .filter(|&(_, n)| n == 0)
        .map(|(i, _)| i)
        .collect()
}

/// The exit code (`-1` for a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Sends `signal` to `child`.
pub fn signal(child: &Child, signal: i32) {
    // SAFETY: kill(2) on our own, not yet reaped, child.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
}

/// Whether `dir` has any file (the etcd backend must leave the local state dir empty).
pub fn has_files(dir: &Path) -> bool {
    fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false)
}
