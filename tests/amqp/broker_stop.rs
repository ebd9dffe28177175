//! The broker stops in the middle of a run: the sink fails with a clear error instead of
//! confirming, and a later run that re-sends everything unconfirmed loses nothing.
//!
//! Runs a broker node of its own (`tests/support/broker.sh` with other ports), so that
//! stopping it cannot disturb other tests.

use crate::support::amqp::{Consumer, PrivateBroker};
use n6_collectors::message::{HeaderTable, Identity, Message, RawType};
use n6_collectors::sink::amqp::AmqpSink;
use n6_collectors::sink::{Sink, SinkError};

const ID: Identity = Identity {
    source: "example-org.urls",
    raw_type: RawType::Stream,
    content_type: None,
    raw_format_version_tag: None,
};

fn message(i: u64) -> Message {
    ID.message(
        "raw",
        format!("row {i}").into_bytes(),
        1_700_000_000 + i,
        HeaderTable::default(),
    )
}

#[test]
fn broker_stopped_mid_run_fails_the_run_and_the_next_run_resends() {
    let Some(private) = PrivateBroker::start("n6teststop", 5702) else {
        return;
    };
    let broker = &private.broker;
    // A durable queue (and persistent messages) survive the broker's restart.
    let consumer = Consumer::bind(broker, "raw", "#", true);

    // Run 1: a checkpoint after 100 messages succeeds (state would be saved here)...
    let mut sink = AmqpSink::connect(&broker.plain(), &["raw"]).expect("connect");
    for i in 0..100 {
        sink.publish(&message(i)).expect("publish");
    }
    sink.confirm().expect("checkpoint");
    // ...then 50 more, and the broker stops before the next checkpoint.
    for i in 100..150 {
        sink.publish(&message(i)).expect("publish");
    }
    broker.ctl(&["stop_app"]);
    let publish_then_confirm = sink.publish(&message(150)).and_then(|()| sink.confirm());
    let err = publish_then_confirm.expect_err("the run must fail");
    eprintln!("error as the operator sees it: {err}");
    assert!(matches!(err, SinkError::Unavailable(_)), "{err:?}");
    // Depending on timing, the failure shows up when publishing or when confirming.
    let text = err.to_string();
    let port = broker.amqp_port;
    assert!(
        text == format!(
            "broker unavailable: cannot publish to amqp://127.0.0.1:{port}: the connection is \
             closed: the broker stopped or closed it, or the network failed (invalid channel \
             state: Error (basic.publish))"
        ) || text.starts_with(&format!(
            "broker unavailable: amqp://127.0.0.1:{port} went away before confirming: "
        )),
        "{text}"
    );
    // The failure sticks: no later confirm can succeed, so no state is saved.
    assert_eq!(
        sink.confirm().expect_err("still failed").to_string(),
        err.to_string()
    );
    drop(sink);
    drop(consumer);

    // Run 2, after the broker is back: re-send everything after the last checkpoint.
    broker.ctl(&["start_app"]);
    broker.ctl(&["await_startup"]);
    let mut sink = AmqpSink::connect(&broker.plain(), &["raw"]).expect("reconnect");
    for i in 100..151 {
        sink.publish(&message(i)).expect("publish");
    }
    sink.close().expect("confirmed");

    let consumer = Consumer::bind(broker, "raw", "#", true);
    let bodies: Vec<String> = consumer
        .drain()
        .into_iter()
        .map(|m| String::from_utf8(m.delivery.data).expect("utf-8"))
        .collect();
    // Nothing lost: the first 100 in order, then every later row at least once (rows of
    // the failed run that reached the queue before the stop are duplicates, as in n6).
    let expected_first: Vec<String> = (0..100).map(|i| format!("row {i}")).collect();
    assert_eq!(bodies[..100], expected_first[..]);
    for i in 100..151 {
        assert!(
            bodies.contains(&format!("row {i}")),
            "row {i} lost: {bodies:?}"
        );
    }
    assert_eq!(
        bodies[bodies.len() - 51..],
        (100..151).map(|i| format!("row {i}")).collect::<Vec<_>>()[..]
    );
    consumer.delete();

    // The broker blocks publishers (a memory alarm): nothing is confirmed, and the error
    // says why instead of a bare timeout.
    broker.ctl(&["set_vm_memory_high_watermark", "0.00001"]);
    let mut settings = broker.plain();
    settings.confirm_timeout = std::time::Duration::from_secs(2);
    let mut sink = AmqpSink::connect(&settings, &["raw"]).expect("connect");
    let result = sink.publish(&message(1000)).and_then(|()| sink.confirm());
    broker.ctl(&["set_vm_memory_high_watermark", "0.4"]);
    let err = result.expect_err("a blocked broker confirms nothing");
    eprintln!("error as the operator sees it: {err}");
    assert!(matches!(err, SinkError::Unavailable(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "broker unavailable: amqp://127.0.0.1:{} blocks publishers (low on memory) and did \
             not unblock within 2 s (1 message(s) unconfirmed)",
            broker.amqp_port
        )
    );
}
