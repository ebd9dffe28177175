//! Shared by the `amqp_*` integration tests: where the test broker is
//! (`tests/support/broker.sh start`), sink settings for it, and an independent consumer.
//!
//! Without a broker the tests skip with a loud message; under CI (`CI` set) they fail.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use lapin::options::{
    BasicGetOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use n6_collectors::sink::amqp::{AmqpSettings, Auth, ClientCert, TlsSettings};

/// The test broker, as described by `broker.env`.
#[derive(Debug, Clone)]
pub struct Broker {
    pub host: String,
    pub amqp_port: u16,
    pub amqps_port: u16,
    pub server_name: String,
    pub ca: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
    pub client_cn: String,
    pub user: String,
    pub password: String,
    pub ctl: PathBuf,
}

fn parse_env_file(path: &Path) -> Option<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|line| line.strip_prefix("export "))
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}

/// The broker, from the environment (`N6_TEST_*`) or from
/// `$N6_TEST_BROKER_DIR/broker.env` (default `target/n6-test-broker/broker.env`).
/// `None` (after a loud message) when there is none and `CI` is not set.
pub fn broker() -> Option<Broker> {
    let mut vars: HashMap<String, String> = std::env::vars()
        .filter(|(k, _)| k.starts_with("N6_TEST_"))
        .collect();
    if !vars.contains_key("N6_TEST_AMQP_PORT") {
        let dir = vars
            .get("N6_TEST_BROKER_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/n6-test-broker"));
        if let Some(file) = parse_env_file(&dir.join("broker.env")) {
            vars.extend(file);
        }
    }
    let get = |k: &str| vars.get(k).cloned();
    let Some(port) = get("N6_TEST_AMQP_PORT") else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CI is set but no test broker is configured: run `tests/support/broker.sh start` \
                 (or export the N6_TEST_* variables it prints)"
            );
        }
        eprintln!(
            "\n*** SKIPPING AMQP integration test: no test broker (run `tests/support/broker.sh start`) ***\n"
        );
        return None;
    };
    let _ = port;
    Some(from_vars(&vars))
}

fn from_vars(vars: &HashMap<String, String>) -> Broker {
    let get = |k: &str| vars.get(k).cloned();
    let need =
        |k: &str| get(k).unwrap_or_else(|| panic!("{k} missing from the broker environment"));
    Broker {
        host: get("N6_TEST_AMQP_HOST").unwrap_or_else(|| "127.0.0.1".to_owned()),
        amqp_port: need("N6_TEST_AMQP_PORT")
            .parse()
            .expect("N6_TEST_AMQP_PORT"),
        amqps_port: need("N6_TEST_AMQPS_PORT")
            .parse()
            .expect("N6_TEST_AMQPS_PORT"),
        server_name: get("N6_TEST_SERVER_NAME").unwrap_or_else(|| "localhost".to_owned()),
        ca: need("N6_TEST_CA").into(),
        client_cert: need("N6_TEST_CLIENT_CERT").into(),
        client_key: need("N6_TEST_CLIENT_KEY").into(),
        client_cn: need("N6_TEST_CLIENT_CN"),
        user: need("N6_TEST_USER"),
        password: need("N6_TEST_PASSWORD"),
        ctl: need("N6_TEST_BROKER_CTL").into(),
    }
}

/// A broker node of a test's own (other ports, own work directory), for tests that stop
/// the broker. Shut down when dropped.
pub struct PrivateBroker {
    pub broker: Broker,
    env: Vec<(String, String)>,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/broker.sh")
}

impl PrivateBroker {
    /// Starts node `name` on `amqp_port` (TLS on `amqp_port - 1`). `None` (after a loud
    /// message) when RabbitMQ is not installed and `CI` is not set.
    pub fn start(name: &str, amqp_port: u16) -> Option<PrivateBroker> {
        if !Path::new("/usr/lib/rabbitmq/bin/rabbitmq-server").exists() {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but rabbitmq-server is not installed");
            }
            eprintln!("\n*** SKIPPING: rabbitmq-server is not installed ***\n");
            return None;
        }
        let dir =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/n6-test-broker-{name}"));
        let env = vec![
            ("N6_TEST_BROKER_DIR".to_owned(), dir.display().to_string()),
            ("N6_TEST_BROKER_NAME".to_owned(), name.to_owned()),
            ("N6_TEST_AMQP_PORT".to_owned(), amqp_port.to_string()),
            ("N6_TEST_AMQPS_PORT".to_owned(), (amqp_port - 1).to_string()),
        ];
        let out = Command::new(script())
            .arg("start")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("run broker.sh start");
        assert!(
            out.status.success(),
            "broker.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let vars = parse_env_file(&dir.join("broker.env")).expect("broker.env");
        Some(PrivateBroker {
            broker: from_vars(&vars),
            env,
        })
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .output();
    }
}

impl Broker {
    /// Settings for PLAIN over TCP as the test user.
    pub fn plain(&self) -> AmqpSettings {
        AmqpSettings {
            host: self.host.clone(),
            port: self.amqp_port,
            heartbeat: 30,
            tls: None,
            auth: Auth::Plain {
                username: self.user.clone(),
                password: self.password.clone(),
            },
            connect_timeout: Duration::from_secs(10),
            confirm_timeout: Duration::from_secs(30),
            max_unconfirmed: 2000,
        }
    }

    /// Settings for TLS to `host`, with the client certificate (EXTERNAL).
    pub fn external(&self, host: &str) -> AmqpSettings {
        AmqpSettings {
            host: host.to_owned(),
            port: self.amqps_port,
            tls: Some(TlsSettings {
                ca_file: self.ca.clone(),
                client_cert: Some(ClientCert {
                    cert_file: self.client_cert.clone(),
                    key_file: self.client_key.clone(),
                }),
                verify_hostname: true,
            }),
            auth: Auth::External,
            ..self.plain()
        }
    }

    /// `amqp://user:password@host:port/%2f` for independent clients.
    pub fn url(&self) -> String {
        format!(
            "amqp://{}:{}@{}:{}/%2f",
            self.user, self.password, self.host, self.amqp_port
        )
    }

    /// Runs `rabbitmqctl` against the test node; returns stdout.
    pub fn ctl(&self, args: &[&str]) -> String {
        let out = Command::new(&self.ctl)
            .args(args)
            .output()
            .expect("run rabbitmqctl");
        assert!(
            out.status.success(),
            "rabbitmqctl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// A queue bound to an exchange, read with an independent lapin connection.
pub struct Consumer {
    runtime: tokio::runtime::Runtime,
    _connection: Connection,
    channel: Channel,
    pub queue: String,
}

impl Consumer {
    /// Declares `exchange` as n6 does and binds a fresh queue to it with `binding_key`.
    /// A `durable` queue survives a broker restart.
    pub fn bind(broker: &Broker, exchange: &str, binding_key: &str, durable: bool) -> Consumer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let queue = format!("test-{exchange}-{}", std::process::id());
        let (connection, channel) = runtime.block_on(async {
            let connection = Connection::connect(&broker.url(), ConnectionProperties::default())
                .await
                .expect("consumer connection");
            let channel = connection.create_channel().await.expect("channel");
            channel
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
                .expect("exchange");
            channel
                .queue_declare(
                    queue.as_str().into(),
                    QueueDeclareOptions {
                        durable,
                        auto_delete: false,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .expect("queue");
            channel
                .queue_bind(
                    queue.as_str().into(),
                    exchange.into(),
                    binding_key.into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .expect("bind");
            (connection, channel)
        });
        Consumer {
            runtime,
            _connection: connection,
            channel,
            queue,
        }
    }

    /// Every message in the queue now (they are all there once the sink confirmed).
    pub fn drain(&self) -> Vec<lapin::message::BasicGetMessage> {
        self.runtime.block_on(async {
            let mut out = Vec::new();
            while let Some(message) = self
                .channel
                .basic_get(self.queue.as_str().into(), BasicGetOptions { no_ack: true })
                .await
                .expect("basic_get")
            {
                out.push(message);
            }
            out
        })
    }

    /// Deletes the queue.
    pub fn delete(self) {
        self.runtime.block_on(async {
            let _ = self
                .channel
                .queue_delete(self.queue.as_str().into(), Default::default())
                .await;
        });
    }
}

/// A TCP proxy on 127.0.0.1 in front of the broker that can be frozen: from then on it
/// swallows everything in both directions, like a network that silently stops
/// delivering (no reset, no close), so confirms never arrive.
pub struct FreezableProxy {
    pub port: u16,
    frozen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FreezableProxy {
    /// Listens on an ephemeral port and forwards every connection to `target_port`.
    pub fn start(target_port: u16) -> FreezableProxy {
        use std::net::{TcpListener, TcpStream};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let frozen = Arc::new(AtomicBool::new(false));
        let flag = frozen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(upstream) = TcpStream::connect(("127.0.0.1", target_port)) else {
                    return;
                };
                for (mut from, mut to) in [
                    (
                        client.try_clone().expect("clone"),
                        upstream.try_clone().expect("clone"),
                    ),
                    (upstream, client),
                ] {
                    let flag = flag.clone();
                    std::thread::spawn(move || {
                        use std::io::{Read, Write};
                        let mut buf = [0u8; 16384];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 {
                                return;
                            }
                            if !flag.load(Ordering::SeqCst) && to.write_all(&buf[..n]).is_err() {
                                return;
                            }
                        }
                    });
                }
            }
        });
        FreezableProxy { port, frozen }
    }

    /// From now on nothing gets through, in either direction.
    pub fn freeze(&self) {
        self.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}
