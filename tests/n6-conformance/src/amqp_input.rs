//! Replaying n6's `AMQPCollector` cases: the recorded input messages (the bodies n6's
//! consumer loop handed to `get_output_components`) are put into the case's input queue
//! on the local test broker, the collector is pointed at that broker, and, once it has
//! republished them all, it is stopped with SIGINT, as n6's test stopped its loop with
//! `KeyboardInterrupt`.
//!
//! Needs the test broker of `tests/support/with-broker.sh` (`N6_TEST_AMQP_PORT`,
//! `N6_TEST_USER`, `N6_TEST_PASSWORD`); only ever on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine;
use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use n6_collectors::config::ini::IniReader;
use serde_json::Value;

/// The only host the replay talks to.
const HOST: &str = "127.0.0.1";

/// How long the collector may take to republish the recorded messages.
const REPUBLISH_TIMEOUT: Duration = Duration::from_secs(60);

/// The test broker from the environment.
struct TestBroker {
    port: u16,
    user: String,
    password: String,
}

fn test_broker() -> Result<TestBroker, String> {
    let var = |name: &str| {
        std::env::var(name).map_err(|_| {
            format!(
                "replaying an AMQPCollector case needs the test broker ({name} is not set: \
                 run under tests/support/with-broker.sh)"
            )
        })
    };
    let port = var("N6_TEST_AMQP_PORT")?
        .parse()
        .map_err(|e| format!("N6_TEST_AMQP_PORT: {e}"))?;
    Ok(TestBroker {
        port,
        user: var("N6_TEST_USER")?,
        password: var("N6_TEST_PASSWORD")?,
    })
}

/// The bodies of the recorded input messages, in order.
fn recorded_bodies(fixture: &Path) -> Result<Vec<Vec<u8>>, String> {
    let path = fixture.join("inputs.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut bodies = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let call: Value =
            serde_json::from_str(line).map_err(|e| format!("{}: {e}", path.display()))?;
        if call["method"] != "get_output_components" {
            continue;
        }
        let body = &call["kwargs"]["body"];
        let bytes = match (body["$bytes_base64"].as_str(), body.as_str()) {
            (Some(b64), _) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|e| format!("{}: a body: {e}", path.display()))?,
            (None, Some(text)) => text.as_bytes().to_vec(),
            (None, None) => return Err(format!("{}: a call without a body", path.display())),
        };
        bodies.push(bytes);
    }
    Ok(bodies)
}

/// `input_queue_name` of `section` in the fixture's config.
fn input_queue(fixture: &Path, section: &str) -> Result<String, String> {
    let path = fixture.join("60_case.conf");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut reader = IniReader::new();
    reader.read_str(&path, &text);
    let raw = reader
        .finish()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    raw.sections
        .get(section)
        .and_then(|s| s.options.get("input_queue_name"))
        .map(|o| o.value.clone())
        .ok_or_else(|| format!("{}: no input_queue_name in [{section}]", path.display()))
}

/// Puts `bodies` into the durable queue `queue` (emptied first), each confirmed.
fn fill_queue(broker: &TestBroker, queue: &str, bodies: &[Vec<u8>]) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("a runtime for the feeder: {e}"))?;
    let url = format!(
        "amqp://{}:{}@{HOST}:{}/%2f",
        broker.user, broker.password, broker.port
    );
    let step =
        |what: &str, e: lapin::Error| format!("test broker on {HOST}:{}: {what}: {e}", broker.port);
    runtime.block_on(async {
        let connection = Connection::connect(&url, ConnectionProperties::default())
            .await
            .map_err(|e| step("connect", e))?;
        let channel = connection
            .create_channel()
            .await
            .map_err(|e| step("channel", e))?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| step("confirm.select", e))?;
        channel
            .queue_declare(
                queue.into(),
                QueueDeclareOptions {
                    durable: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| step("queue.declare", e))?;
        channel
            .queue_purge(queue.into(), QueuePurgeOptions::default())
            .await
            .map_err(|e| step("queue.purge", e))?;
        for body in bodies {
            channel
                .basic_publish(
                    "".into(),
                    queue.into(),
                    BasicPublishOptions::default(),
                    body,
                    BasicProperties::default(),
                )
                .await
                .map_err(|e| step("basic.publish", e))?
                .await
                .map_err(|e| step("confirm", e))?;
        }
        let _ = connection.close(200, "fed".into()).await;
        Ok(())
    })
}

/// Lines of `path` (0 while it does not exist).
fn lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Feeds the case's input queue and returns the `--n6config-override` values that point
/// the collector's `section` at the test broker (plain AMQP, the test user). A thread
/// sends this process SIGINT once `published` holds one line per recorded message.
pub fn feed(fixture: &Path, cmdline: &[String], published: &Path) -> Result<Vec<String>, String> {
    let broker = test_broker()?;
    let section = cmdline
        .first()
        .ok_or("an AMQPCollector case without a section name on its command line")?;
    let queue = input_queue(fixture, section)?;
    let bodies = recorded_bodies(fixture)?;
    fill_queue(&broker, &queue, &bodies)?;
    let expected = bodies.len();
    let published: PathBuf = published.to_owned();
    std::thread::spawn(move || {
        let start = Instant::now();
        while lines_in(&published) < expected && start.elapsed() < REPUBLISH_TIMEOUT {
            std::thread::sleep(Duration::from_millis(20));
        }
        if expected == 0 {
            std::thread::sleep(Duration::from_secs(1));
        }
        // SAFETY: sending a signal to this very process; the run's handler takes it.
        unsafe { libc::kill(libc::getpid(), libc::SIGINT) };
    });
    Ok([
        ("input_host", HOST.to_owned()),
        ("input_port", broker.port.to_string()),
        ("input_ssl", "false".to_owned()),
        ("input_password_auth", "true".to_owned()),
        ("input_username", broker.user),
        ("input_password", broker.password),
    ]
    .into_iter()
    .map(|(option, value)| format!("{section}.{option}={value}"))
    .collect())
}
