//! Shared by the reliability tests: what a site of the reliability test collector
//! (`tests/bin/reliability_collector.rs`) adds to the shared [`Site`] (its config, a
//! growing feed, the gate, the state file's identity), an independent AMQP client to
//! bind, read and delete queues, a TCP proxy that can cut connections, and helpers to
//! read the state file and the operator's error line.
//!
//! Where the broker is comes from `tests/support/amqp.rs` (environment / `broker.env`):
//! without one the tests skip loudly, under CI (`CI` set) they fail.
#![allow(dead_code)]

pub use crate::support::amqp;
pub use crate::support::process::{code, stderr};
pub use crate::support::site::{DELAY_ENV, RELIABILITY, Site};

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::process::{Child, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use lapin::options::{
    BasicGetOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};

#[allow(unused_imports)] // not every test file uses both
pub use amqp::{Broker, broker};

/// The collector's name: its main config section and the prefix of its messages.
pub const NAME: &str = RELIABILITY.section;
/// The collector's source, i.e. the routing key of its messages.
pub const SOURCE: &str = "test-org.reliability";
/// The state file name in the state directory.
pub const STATE_FILE: &str = RELIABILITY.state_file;

/// The body of feed row `i`.
pub fn row(i: u64) -> String {
    format!("row {i}")
}

/// Where a collector publishes: host, port and PLAIN credentials.
#[derive(Debug, Clone)]
pub struct Target {
    /// Host name or address.
    pub host: String,
    /// AMQP port (plain TCP).
    pub port: u16,
    /// PLAIN user name.
    pub user: String,
    /// PLAIN password.
    pub password: String,
}

impl Target {
    /// The broker as the test user.
    pub fn of(broker: &Broker) -> Target {
        Target {
            host: broker.host.clone(),
            port: broker.amqp_port,
            user: broker.user.clone(),
            password: broker.password.clone(),
        }
    }

    /// The same, on another port (a proxy, or a port nobody listens on).
    pub fn on_port(&self, port: u16) -> Target {
        Target {
            port,
            ..self.clone()
        }
    }

    /// The same, with another password.
    pub fn with_password(&self, password: &str) -> Target {
        Target {
            password: password.to_owned(),
            ..self.clone()
        }
    }
}

/// A site of the reliability collector whose messages go to exchange `raw_{tag}{pid}`;
/// the input is empty, the gate closed.
pub fn site(tag: &str) -> Site {
    let site = Site::new(RELIABILITY).suffix(tag);
    fs::create_dir(site.path("gate")).expect("gate dir");
    fs::write(site.input_path(), "").expect("input");
    site
}

/// What only the reliability tests need of a site.
impl Site {
    /// Writes the config: `[rabbitmq]` for `target` (PLAIN over TCP) and the collector's
    /// section with `extra` (lines like `checkpoint_every = 3`).
    pub fn configure(&self, target: &Target, extra: &str) {
        self.configure_with_confirm_timeout(target, extra, 30);
    }

    /// [`Site::configure`] with the AMQP output's `confirm_timeout` (seconds).
    pub fn configure_with_confirm_timeout(&self, target: &Target, extra: &str, seconds: u64) {
        let text = format!(
            "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
             password_auth = true\nusername = {}\npassword = {}\n\n\
             [n6_collectors_amqp]\nconnect_timeout = 10\nconfirm_timeout = {seconds}\n\n\
             [{NAME}]\ninput = {}\ngate_dir = {}\n{extra}\n",
            target.host,
            target.port,
            target.user,
            target.password,
            self.path("input.txt").display(),
            self.path("gate").display(),
        );
        fs::write(self.path("conf/70_reliability.conf"), text).expect("config");
    }

    /// Writes the config without `[rabbitmq]` (for runs with `--output FILE`).
    pub fn configure_local(&self, extra: &str) {
        let text = format!(
            "[{NAME}]\ninput = {}\ngate_dir = {}\n{extra}\n",
            self.path("input.txt").display(),
            self.path("gate").display(),
        );
        fs::write(self.path("conf/70_reliability.conf"), text).expect("config");
    }

    /// The bodies a run with `--output out.jsonl` wrote (all runs).
    pub fn jsonl_bodies(&self) -> Vec<String> {
        self.published()
    }

    /// Appends rows `self.rows()..self.rows() + n` to the input; returns the new count.
    pub fn grow(&mut self, n: u64) -> u64 {
        let mut file = fs::OpenOptions::new()
            .append(true)
            .open(self.path("input.txt"))
            .expect("open input");
        let mut text = String::new();
        for i in self.rows..self.rows + n {
            text.push_str(&row(i));
            text.push('\n');
        }
        file.write_all(text.as_bytes()).expect("append input");
        self.rows += n;
        self.rows
    }

    /// Rows in the input so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// `--check-config`: loads and validates the configuration and the state file.
    pub fn check_state(&self) -> Output {
        self.run(&["--check-config"])
    }

    /// The state file's inode (a save replaces the file, so the inode changes).
    pub fn state_inode(&self) -> Option<u64> {
        fs::metadata(self.state_path()).ok().map(|m| m.ino())
    }

    /// The number of lines recorded in the state file (`None` when there is none).
    pub fn state_lines(&self) -> Option<u64> {
        self.state_bytes().map(|bytes| decode_lines(&bytes))
    }

    /// Leftover temporary files of the state store (`.{state file}.*.tmp`).
    pub fn temp_files(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.path("state")) else {
            return Vec::new();
        };
        let prefix = format!(".{STATE_FILE}.");
        let mut names: Vec<String> = entries
            .map(|e| {
                e.expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.starts_with(&prefix) && name.ends_with(".tmp"))
            .collect();
        names.sort();
        names
    }

    /// Whether a temporary file of the state store exists that is not in `known`
    /// (a save has begun since `known` was listed).
    pub fn new_temp_file(&self, known: &[String]) -> bool {
        self.temp_files().iter().any(|name| !known.contains(name))
    }

    /// The pids of the runs that reached the gate (each wrote `gate/reached-{pid}`).
    pub fn at_gate(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = fs::read_dir(self.path("gate"))
            .expect("gate dir")
            .filter_map(|e| {
                let name = e.expect("dir entry").file_name();
                name.to_str()?.strip_prefix("reached-")?.parse().ok()
            })
            .collect();
        pids.sort_unstable();
        pids
    }

    /// Waits until `child` stands at the gate.
    pub fn wait_at_gate(&self, child: &mut Child) {
        let start = Instant::now();
        while !self.at_gate().contains(&child.id()) {
            if let Some(status) = child.try_wait().expect("try_wait") {
                panic!("the collector exited ({status}) before reaching the gate");
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the collector never reached the gate"
            );
            sleep(Duration::from_millis(5));
        }
    }

    /// Lets the run waiting at the gate go on.
    pub fn open_gate(&self) {
        fs::write(self.path("gate/go"), "").expect("open gate");
    }

    /// Closes the gate for the next run.
    pub fn reset_gate(&self) {
        let _ = fs::remove_file(self.path("gate/go"));
        for pid in self.at_gate() {
            let _ = fs::remove_file(self.path(&format!("gate/reached-{pid}")));
        }
    }

    /// Identity of the state file as it is now: inode, length, modification time; a
    /// save that started writing in place (or replaced the file) changes it.
    pub fn state_stamp(&self) -> Option<(u64, u64, i64, i64)> {
        fs::metadata(self.state_path())
            .ok()
            .map(|m| (m.ino(), m.len(), m.mtime(), m.mtime_nsec()))
    }
}

/// The `lines` of a state file's payload; panics (with the reason) on a torn or invalid
/// envelope.
pub fn decode_lines(bytes: &[u8]) -> u64 {
    assert!(
        bytes.starts_with(&[0xd9, 0xd9, 0xf7]),
        "state file does not start with the self-describe tag: {bytes:02x?}"
    );
    let value: ciborium::Value = ciborium::from_reader(bytes)
        .unwrap_or_else(|e| panic!("state file is not CBOR ({e}): {bytes:02x?}"));
    let ciborium::Value::Tag(55799, envelope) = value else {
        panic!("state file is not a tagged envelope: {value:?}");
    };
    let map = envelope.as_map().expect("envelope map");
    let entry = |key: &str| {
        map.iter()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("envelope has no {key:?}: {map:?}"))
    };
    assert_eq!(entry("format").as_text(), Some("n6-collectors-state"));
    let state = entry("state").as_map().expect("state payload map");
    let lines = state
        .iter()
        .find(|(k, _)| k.as_text() == Some("lines"))
        .and_then(|(_, v)| v.as_integer())
        .expect("payload has integer `lines`");
    u64::try_from(i128::from(lines)).expect("lines fits u64")
}

/// The one line that tells the operator what went wrong: exactly one stderr line
/// reports an error, it is the collector's `NAME: error: ...` line, and it is the last.
pub fn error_line(out: &Output) -> String {
    let text = stderr(out);
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("error:") || l.contains(" ERROR "))
        .collect();
    assert_eq!(errors.len(), 1, "expected one error line, got: {text}");
    let prefix = format!("{NAME}: error: ");
    assert!(
        errors[0].starts_with(&prefix),
        "not the collector's error line: {text}"
    );
    assert_eq!(
        text.lines().last(),
        Some(errors[0]),
        "the error line is not the last line: {text}"
    );
    eprintln!("operator sees: {}", errors[0]);
    errors[0].to_owned()
}

/// How often each row of `0..rows` occurs in `bodies`; panics on a body that is no row
/// of the feed.
pub fn copies(bodies: &[String], rows: u64) -> BTreeMap<u64, u64> {
    let mut counts: BTreeMap<u64, u64> = (0..rows).map(|i| (i, 0)).collect();
    for body in bodies {
        let i: u64 = body
            .strip_prefix("row ")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("unexpected message body {body:?}"));
        *counts
            .get_mut(&i)
            .unwrap_or_else(|| panic!("row {i} is not in the feed (0..{rows})")) += 1;
    }
    counts
}

/// An independent AMQP client (own connection) to set up and read queues.
pub struct Admin {
    runtime: tokio::runtime::Runtime,
    _connection: Connection,
    channel: Channel,
}

impl Admin {
    /// Connects to `broker` as the test user.
    pub fn connect(broker: &Broker) -> Admin {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let (connection, channel) = runtime.block_on(async {
            let connection = Connection::connect(&broker.url(), ConnectionProperties::default())
                .await
                .expect("admin connection");
            let channel = connection.create_channel().await.expect("channel");
            (connection, channel)
        });
        Admin {
            runtime,
            _connection: connection,
            channel,
        }
    }

    /// Declares `exchange` as n6 does and a durable queue `queue` bound to it with the
    /// collector's routing key. `max_length`: the queue refuses (nacks) further messages
    /// once it holds that many (`x-overflow = reject-publish`).
    pub fn bind(&self, exchange: &str, queue: &str, max_length: Option<i64>) {
        let mut args = FieldTable::default();
        if let Some(max) = max_length {
            args.insert(
                ShortString::from("x-max-length"),
                AMQPValue::LongLongInt(max),
            );
            args.insert(
                ShortString::from("x-overflow"),
                AMQPValue::LongString("reject-publish".into()),
            );
        }
        self.runtime.block_on(async {
            self.channel
                .exchange_declare(
                    exchange.into(),
                    ExchangeKind::Topic,
                    ExchangeDeclareOptions {
                        durable: true,
                        ..ExchangeDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .expect("declare exchange");
            self.channel
                .queue_declare(
                    queue.into(),
                    QueueDeclareOptions {
                        durable: true,
                        ..QueueDeclareOptions::default()
                    },
                    args,
                )
                .await
                .expect("declare queue");
            self.channel
                .queue_bind(
                    queue.into(),
                    exchange.into(),
                    SOURCE.into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .expect("bind queue");
        });
    }

    /// Takes every message out of `queue`; returns the bodies in queue order.
    pub fn drain(&self, queue: &str) -> Vec<String> {
        self.runtime.block_on(async {
            let mut bodies = Vec::new();
            while let Some(message) = self
                .channel
                .basic_get(queue.into(), BasicGetOptions { no_ack: true })
                .await
                .expect("basic_get")
            {
                bodies.push(String::from_utf8(message.delivery.data).expect("utf-8 body"));
            }
            bodies
        })
    }

    /// Deletes `queue`.
    pub fn delete(&self, queue: &str) {
        self.runtime.block_on(async {
            self.channel
                .queue_delete(queue.into(), QueueDeleteOptions::default())
                .await
                .expect("delete queue");
        });
    }
}

/// A TCP proxy on 127.0.0.1 in front of a broker port. [`CutProxy::cut`] closes every
/// connection through it and refuses new ones, as a broker that went away would;
/// [`CutProxy::freeze`] silently stops passing anything on (no close, no reset), as a
/// network that stopped delivering would.
pub struct CutProxy {
    /// Where the proxy listens.
    pub port: u16,
    open: Arc<Mutex<Vec<TcpStream>>>,
    refusing: Arc<AtomicBool>,
    frozen: Arc<AtomicBool>,
}

impl CutProxy {
    /// Forwards every connection to `127.0.0.1:target_port`.
    pub fn start(target_port: u16) -> CutProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let refusing = Arc::new(AtomicBool::new(false));
        let frozen = Arc::new(AtomicBool::new(false));
        let (streams, refuse, freeze) = (open.clone(), refusing.clone(), frozen.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if refuse.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let mut list = streams.lock().expect("proxy list");
                for stream in [&client, &upstream] {
                    list.push(stream.try_clone().expect("clone stream"));
                }
                drop(list);
                freezable_pump(
                    client.try_clone().expect("clone"),
                    upstream.try_clone().expect("clone"),
                    freeze.clone(),
                );
                freezable_pump(upstream, client, freeze.clone());
            }
        });
        CutProxy {
            port,
            open,
            refusing,
            frozen,
        }
    }

    /// From now on nothing gets through in either direction; connections stay open.
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    /// Closes every connection (both directions) and refuses new ones.
    pub fn cut(&self) {
        self.refusing.store(true, Ordering::SeqCst);
        for stream in self.open.lock().expect("proxy list").drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

/// A TCP proxy on 127.0.0.1 that holds what the client sends for `delay` before passing
/// it on, and drops what it still holds when the client goes away: a link on which the
/// last moments of a killed process's traffic are lost, as on a real network. Whatever
/// the broker confirmed has passed it; whatever it still holds was never confirmed.
pub struct LossyProxy {
    /// Where the proxy listens.
    pub port: u16,
}

impl LossyProxy {
    /// Forwards every connection to `127.0.0.1:target_port`, client data `delay` late.
    pub fn start(target_port: u16, delay: Duration) -> LossyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                pump(
                    upstream.try_clone().expect("clone"),
                    client.try_clone().expect("clone"),
                );
                delayed_pump(client, upstream, delay);
            }
        });
        LossyProxy { port }
    }
}

fn delayed_pump(mut from: TcpStream, mut to: TcpStream, delay: Duration) {
    let (send, receive) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
    let gone = Arc::new(AtomicBool::new(false));
    let client_gone = gone.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            match std::io::Read::read(&mut from, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if send
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        client_gone.store(true, Ordering::SeqCst);
    });
    std::thread::spawn(move || {
        for (due, bytes) in receive {
            sleep(due.saturating_duration_since(Instant::now()));
            if gone.load(Ordering::SeqCst) || to.write_all(&bytes).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

fn freezable_pump(mut from: TcpStream, mut to: TcpStream, frozen: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            match std::io::Read::read(&mut from, &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) if !frozen.load(Ordering::SeqCst) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                Ok(_) => {} // frozen: swallowed
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

fn pump(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut from, &mut to);
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

/// A port on 127.0.0.1 where nothing listens (bound once, then released).
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// Sends SIGKILL to `child` (a no-op if it already exited but was not reaped yet).
pub fn sigkill(child: &Child) {
    // SAFETY: kill(2) on our own, not yet reaped, child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
}
