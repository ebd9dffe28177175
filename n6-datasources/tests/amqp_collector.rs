//! `n6collector_amqp SECTION` against the test broker (127.0.0.1): the section named on
//! the command line, n6's exchange declaration and bindings, the republished messages,
//! and the clean stop on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use serde_json::Value;

#[path = "../../tests/support/amqp.rs"]
mod amqp_support;

const BIN: &str = env!("CARGO_BIN_EXE_n6collector");

#[test]
fn the_named_section_s_queue_is_republished_until_sigterm() {
    let Some(broker) = amqp_support::broker() else {
        return;
    };
    let (port, user, password) = (broker.amqp_port, &broker.user, &broker.password);
    let id = std::process::id();
    let (exchange, queue) = (format!("test-amqp-in-{id}"), format!("test-amqp-q-{id}"));
    let conf = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        conf.path().join("60_amqp.conf"),
        format!(
            "[some_other_section]\nsource_provider = other\n\n\
             [amqp_test]\n\
             source_provider = example-prov\n\
             source_channel = example-chan\n\
             input_host = 127.0.0.1\n\
             input_port = {port}\n\
             input_heartbeat_interval = 76543\n\
             input_ssl = no\n\
             input_password_auth = true\n\
             input_username = {user}\n\
             input_password = {password}\n\
             input_queue_name = {queue}\n\
             input_queue_exchange = {exchange}\n\
             input_queue_exchange_type = topic\n\
             input_queue_binding_keys = first.key, second.key\n"
        ),
    )
    .expect("config");
    let published = state.path().join("published.jsonl");
    let mut child = Command::new(BIN)
        .args(["amqp", "amqp_test", "<ignored extra positional arg>", "-v"])
        .arg("--config-dir")
        .arg(conf.path())
        .arg("--state-dir")
        .arg(state.path())
        .arg("--output")
        .arg(&published)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut log = String::new();
    while !log.contains("consuming the input queue") {
        let mut line = String::new();
        if stderr.read_line(&mut line).expect("read stderr") == 0 {
            panic!("the collector ended before consuming: {log}");
        }
        log += &line;
    }
    assert!(log.contains("extra command-line arguments"), "{log}");
    assert!(log.contains("65535 is used"), "{log}");

    // The collector declared the exchange and bound its queue with both keys: a message
    // with another key goes nowhere.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let url = format!("amqp://{user}:{password}@127.0.0.1:{port}/%2f");
        let connection = Connection::connect(&url, ConnectionProperties::default())
            .await
            .expect("connect");
        let channel = connection.create_channel().await.expect("channel");
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .expect("confirms");
        for (key, body) in [
            ("first.key", "body-A"),
            ("unbound.key", "body-X"),
            ("second.key", "body-B"),
        ] {
            channel
                .basic_publish(
                    exchange.as_str().into(),
                    key.into(),
                    BasicPublishOptions::default(),
                    body.as_bytes(),
                    BasicProperties::default(),
                )
                .await
                .expect("publish")
                .await
                .expect("confirm");
        }
        let _ = connection.close(200, "done".into()).await;
    });
    let start = Instant::now();
    let count = || {
        std::fs::read_to_string(&published)
            .map(|t| t.lines().count())
            .unwrap_or(0)
    };
    while count() < 2 && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: a signal to the child this test started.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let status = child.wait().expect("wait");
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
    assert_eq!(status.code(), Some(0), "{log}{rest}");

    let messages: Vec<Value> = std::fs::read_to_string(&published)
        .expect("published")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let bodies: Vec<&str> = messages
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect();
    assert_eq!(bodies, ["body-A", "body-B"]);
    for m in &messages {
        assert_eq!(m["exchange"], "raw");
        assert_eq!(m["routing_key"], "example-prov.example-chan");
        assert_eq!(m["properties"]["type"], "stream");
        assert!(m["properties"].get("content_type").is_none(), "{m}");
    }

    // Both were acked: the queue is empty. Then the test's queue and exchange go.
    runtime.block_on(async {
        let url = format!("amqp://{user}:{password}@127.0.0.1:{port}/%2f");
        let connection = Connection::connect(&url, ConnectionProperties::default())
            .await
            .expect("connect");
        let channel = connection.create_channel().await.expect("channel");
        let left = channel
            .queue_delete(queue.as_str().into(), Default::default())
            .await
            .expect("queue.delete");
        assert_eq!(left, 0, "messages left in the input queue");
        let _ = channel
            .exchange_delete(exchange.as_str().into(), Default::default())
            .await;
        let _ = connection.close(200, "done".into()).await;
    });
}
