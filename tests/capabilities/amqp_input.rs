//! The AMQP consumer input against a real RabbitMQ, through a collector process
//! (`tests/capabilities/bin/amqp_input_collector.rs`): it declares and binds as n6's
//! `AMQPCollector`, republishes every body, acks only what the broker confirmed, and on
//! SIGTERM finishes and exits 0.

use std::process::Child;
use std::time::{Duration, Instant};

use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Connection, ConnectionProperties};

use crate::message_id::n6_message_id;
use crate::support::amqp::{Broker, Consumer, broker};
use crate::support::site::{AMQP_INPUT, Site, rabbitmq_section};

/// One test's names (unique per process and test) and its site, whose runs publish to
/// exchange `raw_in{test}{pid}`.
struct Case {
    site: Site,
    section: String,
    queue: String,
    exchange: String,
}

impl Case {
    fn new(broker: &Broker, test: &str, exchange: bool, keys: &str) -> Case {
        let id = format!("{test}{}", std::process::id());
        let case = Case {
            site: Site::new(AMQP_INPUT).suffix(&format!("in{test}")),
            section: format!("amqp_collector__{test}"),
            queue: format!("capabilities-input-{id}"),
            exchange: if exchange {
                format!("capabilities-input-x-{id}")
            } else {
                String::new()
            },
        };
        case.site.write_config(&format!(
            "{rabbitmq}[{section}]\nsource_provider = example-prov-2\n\
             source_channel = example-chan-2\ninput_host = {host}\ninput_port = {port}\n\
             input_heartbeat_interval = 20\ninput_ssl = 0\ninput_password_auth = true\n\
             input_username = {user}\ninput_password = {password}\n\
             input_queue_name = {queue}\ninput_queue_exchange = {exchange}\n\
             input_queue_exchange_type = topic\ninput_queue_binding_keys = {keys}\n",
            rabbitmq = rabbitmq_section(broker),
            section = case.section,
            host = broker.host,
            port = broker.amqp_port,
            user = broker.user,
            password = broker.password,
            queue = case.queue,
            exchange = case.exchange,
        ));
        case
    }

    /// Starts the collector on the test's section, stdout and stderr captured.
    fn spawn(&self) -> Child {
        self.site.spawn(&[&self.section])
    }

    /// `(messages_ready, messages_unacknowledged)` of the input queue, once it exists.
    fn queue_counts(&self, broker: &Broker) -> Option<(u64, u64)> {
        let listing = broker.ctl(&[
            "list_queues",
            "name",
            "messages_ready",
            "messages_unacknowledged",
        ]);
        listing.lines().find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [name, ready, unacked] if *name == self.queue => {
                    Some((ready.parse().ok()?, unacked.parse().ok()?))
                }
                _ => None,
            }
        })
    }

    /// Waits until the collector consumes the input queue (it declared it by then).
    fn wait_consuming(&self, broker: &Broker, child: &mut Child) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let consumers = broker.ctl(&["list_consumers", "queue_name"]);
            if consumers.lines().any(|l| l.trim() == self.queue) {
                return;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("the collector ended early: {status}: {}", stderr(child));
            }
            assert!(Instant::now() < deadline, "the collector never consumed");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Deletes the input queue and exchange.
    fn clean_up(&self, broker: &Broker) {
        with_channel(broker, |channel| async move {
            let _ = channel
                .queue_delete(self.queue.as_str().into(), Default::default())
                .await;
            if !self.exchange.is_empty() {
                let _ = channel
                    .exchange_delete(self.exchange.as_str().into(), Default::default())
                    .await;
            }
        });
    }
}

fn stderr(child: &mut Child) -> String {
    use std::io::Read;
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut text);
    }
    text
}

fn with_channel<'a, F>(broker: &Broker, f: impl FnOnce(lapin::Channel) -> F + 'a)
where
    F: std::future::Future<Output = ()> + 'a,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let connection = Connection::connect(&broker.url(), ConnectionProperties::default())
            .await
            .expect("connect");
        f(connection.create_channel().await.expect("channel")).await;
        let _ = connection.close(200, "bye".into()).await;
    });
}

/// Publishes `(routing key, body)` pairs to `exchange` and waits for the broker's
/// confirms.
fn publish(broker: &Broker, exchange: &str, messages: &[(&str, &str)]) {
    with_channel(broker, |channel| async move {
        channel
            .confirm_select(Default::default())
            .await
            .expect("confirms");
        for (key, body) in messages {
            channel
                .basic_publish(
                    exchange.into(),
                    (*key).into(),
                    BasicPublishOptions::default(),
                    body.as_bytes(),
                    BasicProperties::default(),
                )
                .await
                .expect("publish")
                .await
                .expect("confirm");
        }
    });
}

/// Drains `consumer` until `count` messages arrived (or 30 s passed).
fn receive(consumer: &Consumer, count: usize) -> Vec<lapin::message::BasicGetMessage> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut got = Vec::new();
    while got.len() < count && Instant::now() < deadline {
        got.extend(consumer.drain());
        std::thread::sleep(Duration::from_millis(100));
    }
    got
}

fn sigterm(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

fn wait_exit(child: &mut Child) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code().unwrap_or(-1);
        }
        assert!(Instant::now() < deadline, "the collector did not exit");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn bound_messages_are_republished_acked_after_confirm_and_sigterm_exits_0() {
    let Some(broker) = broker() else { return };
    let test = "bound";
    let case = Case::new(&broker, test, true, "example.binding.key.first, b.*");
    let output = Consumer::bind(&broker, &case.site.exchange(), "#", false);
    let mut child = case.spawn();
    case.wait_consuming(&broker, &mut child);
    // The collector declared the exchange (durable topic) and bound the queue with each
    // key; a message no key matches never reaches the queue.
    let bindings = broker.ctl(&[
        "list_bindings",
        "source_name",
        "destination_name",
        "routing_key",
    ]);
    for key in ["example.binding.key.first", "b.*"] {
        assert!(
            bindings
                .lines()
                .any(|l| l.split_whitespace().collect::<Vec<_>>()
                    == [case.exchange.as_str(), case.queue.as_str(), key]),
            "{bindings}"
        );
    }
    publish(
        &broker,
        &case.exchange,
        &[
            ("example.binding.key.first", "body-A"),
            ("b.x", "body-B"),
            ("c.unbound", "body-never"),
            ("b.y", "body-C"),
        ],
    );
    let got = receive(&output, 3);
    let bodies: Vec<&[u8]> = got.iter().map(|m| &m.delivery.data[..]).collect();
    assert_eq!(bodies, [&b"body-A"[..], b"body-B", b"body-C"]);
    for message in &got {
        assert_eq!(
            message.delivery.routing_key.as_str(),
            "example-prov-2.example-chan-2"
        );
        let p = &message.delivery.properties;
        assert_eq!(p.kind().as_ref().map(|k| k.as_str()), Some("stream"));
        let timestamp = p.timestamp().expect("timestamp");
        assert_eq!(
            p.message_id().as_ref().map(|m| m.as_str().to_owned()),
            Some(n6_message_id(
                "example-prov-2.example-chan-2",
                timestamp,
                &message.delivery.data
            ))
        );
    }
    // Every input message was acked once its copy was confirmed.
    let deadline = Instant::now() + Duration::from_secs(10);
    while case.queue_counts(&broker) != Some((0, 0)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(case.queue_counts(&broker), Some((0, 0)));
    sigterm(&child);
    let code = wait_exit(&mut child);
    let log = stderr(&mut child);
    assert_eq!(code, 0, "{log}");
    assert!(log.contains("published 3 message(s)"), "{log}");
    // The queue is durable and outlives the collector.
    assert_eq!(case.queue_counts(&broker), Some((0, 0)));
    output.delete();
    case.clean_up(&broker);
}

#[test]
fn without_an_input_exchange_only_the_queue_is_declared() {
    let Some(broker) = broker() else { return };
    let test = "noexchange";
    let case = Case::new(&broker, test, false, "irrelevant");
    let output = Consumer::bind(&broker, &case.site.exchange(), "#", false);
    let mut child = case.spawn();
    case.wait_consuming(&broker, &mut child);
    let bindings = broker.ctl(&["list_bindings", "source_name", "destination_name"]);
    assert!(
        bindings
            .lines()
            .filter(|l| l.contains(case.queue.as_str()))
            .all(|l| l.split_whitespace().count() == 1),
        "only the default exchange's implicit binding: {bindings}"
    );
    // Through the default exchange, by queue name.
    publish(&broker, "", &[(case.queue.as_str(), "body-A")]);
    let got = receive(&output, 1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].delivery.data, b"body-A");
    sigterm(&child);
    assert_eq!(wait_exit(&mut child), 0);
    output.delete();
    case.clean_up(&broker);
}

#[test]
fn a_message_whose_copy_is_not_confirmed_stays_in_the_input_queue() {
    let Some(broker) = broker() else { return };
    let test = "unroutable";
    let case = Case::new(&broker, test, true, "k");
    // Nothing is bound to raw<suffix>: the copy comes back unroutable (mandatory).
    let mut child = case.spawn();
    case.wait_consuming(&broker, &mut child);
    publish(&broker, &case.exchange, &[("k", "body-A")]);
    let code = wait_exit(&mut child);
    let log = stderr(&mut child);
    assert_eq!(code, 69, "{log}");
    assert!(log.contains("unroutable"), "{log}");
    // Not acked: the broker keeps it for the next run.
    let deadline = Instant::now() + Duration::from_secs(10);
    while case.queue_counts(&broker) != Some((1, 0)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(case.queue_counts(&broker), Some((1, 0)));
    case.clean_up(&broker);
    let _ = std::fs::remove_dir_all(case.site.state_dir());
}
