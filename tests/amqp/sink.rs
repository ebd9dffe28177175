//! The AMQP sink against a real RabbitMQ (`tests/support/broker.sh start`), read back with
//! an independent connection: topology, every n6 property, PLAIN, EXTERNAL over TLS,
//! wrong password, host-name mismatch, unroutable messages, the confirm window.

use crate::support::amqp::{Consumer, broker};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use n6_collectors::message::{HeaderTable, HeaderValue, Identity, Message, RawType};
use n6_collectors::sink::amqp::AmqpSink;
use n6_collectors::sink::{Sink, SinkError};

const FILE_ID: Identity = Identity {
    source: "my-provider.my-channel",
    raw_type: RawType::File,
    content_type: Some("text/csv"),
    raw_format_version_tag: Some("202401"),
};

const STREAM_ID: Identity = Identity {
    source: "another-provider.another-channel",
    raw_type: RawType::Stream,
    content_type: None,
    raw_format_version_tag: None,
};

fn exchange(test: &str) -> String {
    // `raw` plus an --n6output-suffix unique to this test run.
    format!("raw_{test}_{}", std::process::id())
}

fn short(s: &Option<ShortString>) -> Option<&str> {
    s.as_ref().map(ShortString::as_str)
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes()))
}

fn meta() -> HeaderTable {
    let mut misp = HeaderTable::default();
    misp.insert("to_ids", HeaderValue::Bool(true));
    misp.insert("event_id", HeaderValue::Int(42));
    misp.insert("timestamp", HeaderValue::Int(4_102_444_800));
    let mut meta = HeaderTable::default();
    meta.insert(
        "http_last_modified",
        HeaderValue::Str("2024-01-02 03:04:05".into()),
    );
    meta.insert("misp", HeaderValue::Table(misp));
    meta
}

#[test]
fn plain_auth_publishes_exactly_what_n6_publishes() {
    let Some(broker) = broker() else { return };
    let exchange = exchange("plain");
    let consumer = Consumer::bind(&broker, &exchange, "#", false);

    let mut sink = AmqpSink::connect(&broker.plain(), &[&exchange]).expect("connect");
    assert_eq!(
        sink.describe(),
        format!("amqp://{}:{}", broker.host, broker.amqp_port)
    );
    let file = FILE_ID.message(&exchange, b"<some body>".to_vec(), 1660218035, meta());
    let stream = STREAM_ID.message(
        &exchange,
        b"<some body>".to_vec(),
        1660218035,
        HeaderTable::default(),
    );
    sink.publish(&file).expect("publish file");
    sink.publish(&stream).expect("publish stream");
    sink.confirm().expect("confirm");
    sink.close().expect("close");

    // The exchange is declared as n6 declares it: durable topic, not auto-delete/internal.
    let exchanges = broker.ctl(&[
        "list_exchanges",
        "-q",
        "name",
        "type",
        "durable",
        "auto_delete",
        "internal",
    ]);
    assert!(
        exchanges
            .lines()
            .any(|l| l == format!("{exchange}\ttopic\ttrue\tfalse\tfalse")),
        "{exchanges}"
    );

    let got = consumer.drain();
    assert_eq!(got.len(), 2);
    let (a, b) = (&got[0].delivery, &got[1].delivery);

    assert_eq!(a.exchange.as_str(), exchange);
    assert_eq!(a.routing_key.as_str(), "my-provider.my-channel.202401");
    assert_eq!(a.data, b"<some body>");
    let p = &a.properties;
    assert_eq!(
        short(p.message_id()),
        Some("0ee79178d8d14de9c91b6499598f9135")
    );
    assert_eq!(short(p.kind()), Some("file"));
    assert_eq!(*p.timestamp(), Some(1660218035));
    assert_eq!(short(p.content_type()), Some("text/csv"));
    assert_eq!(*p.delivery_mode(), Some(2));
    for absent in [
        p.app_id(),
        p.content_encoding(),
        p.correlation_id(),
        p.reply_to(),
        p.expiration(),
        p.user_id(),
        p.cluster_id(),
    ] {
        assert_eq!(*absent, None);
    }
    assert_eq!(*p.priority(), None);
    let mut misp = FieldTable::default();
    misp.insert("to_ids".into(), AMQPValue::Boolean(true));
    misp.insert("event_id".into(), AMQPValue::LongInt(42));
    misp.insert("timestamp".into(), AMQPValue::LongLongInt(4_102_444_800));
    let mut meta = FieldTable::default();
    meta.insert("http_last_modified".into(), long("2024-01-02 03:04:05"));
    meta.insert("misp".into(), AMQPValue::FieldTable(misp));
    let mut headers = FieldTable::default();
    headers.insert("meta".into(), AMQPValue::FieldTable(meta));
    assert_eq!(p.headers().as_ref(), Some(&headers));

    assert_eq!(b.routing_key.as_str(), "another-provider.another-channel");
    let p = &b.properties;
    assert_eq!(
        short(p.message_id()),
        Some("078f339794e866e0461c7bfc584968d9")
    );
    assert_eq!(short(p.kind()), Some("stream"));
    assert_eq!(*p.timestamp(), Some(1660218035));
    assert_eq!(*p.content_type(), None);
    assert_eq!(*p.headers(), None);
    assert_eq!(*p.delivery_mode(), Some(2));
    consumer.delete();
}

#[test]
fn external_auth_over_tls_with_client_certificate() {
    let Some(broker) = broker() else { return };
    let exchange = exchange("external");
    let consumer = Consumer::bind(&broker, &exchange, "#", false);
    let settings = broker.external(&broker.server_name);
    let mut sink = AmqpSink::connect(&settings, &[&exchange]).expect("connect over TLS");
    assert_eq!(
        sink.describe(),
        format!("amqps://{}:{}", broker.server_name, broker.amqps_port)
    );
    // While connected, the broker sees the certificate's CN as the user, via EXTERNAL.
    let connections = broker.ctl(&[
        "list_connections",
        "-q",
        "user",
        "auth_mechanism",
        "ssl",
        "peer_port",
    ]);
    assert!(
        connections
            .lines()
            .any(|l| l.starts_with(&format!("{}\tEXTERNAL\ttrue\t", broker.client_cn))),
        "{connections}"
    );
    let msg = STREAM_ID.message(
        &exchange,
        b"over tls".to_vec(),
        1234,
        HeaderTable::default(),
    );
    sink.publish(&msg).expect("publish");
    sink.close().expect("close confirms");
    let got = consumer.drain();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].delivery.data, b"over tls");
    assert_eq!(
        short(got[0].delivery.properties.message_id()),
        Some(msg.properties.message_id.as_str())
    );
    consumer.delete();
}

#[test]
fn wrong_password_is_unavailable_with_a_clear_message() {
    let Some(broker) = broker() else { return };
    let mut settings = broker.plain();
    settings.auth = n6_collectors::sink::amqp::Auth::Plain {
        username: broker.user.clone(),
        password: "definitely-not-the-password".to_owned(),
    };
    let err = AmqpSink::connect(&settings, &["raw"]).expect_err("must fail");
    let text = err.to_string();
    eprintln!("error as the operator sees it: {text}");
    assert!(matches!(err, SinkError::Unavailable(_)), "{err:?}");
    assert!(
        text.starts_with(&format!(
            "broker unavailable: cannot connect to amqp://{}:{} as user {:?} (PLAIN): ",
            broker.host, broker.amqp_port, broker.user
        )),
        "{text}"
    );
    assert!(text.contains("ACCESS_REFUSED"), "{text}");
    assert!(!text.contains("definitely-not-the-password"), "{text}");
}

#[test]
fn host_name_mismatch_is_rejected_by_default_and_accepted_when_turned_off() {
    let Some(broker) = broker() else { return };
    // The server certificate names only `localhost`; 127.0.0.1 is not in it.
    let settings = broker.external("127.0.0.1");
    let err = AmqpSink::connect(&settings, &["raw"]).expect_err("must fail");
    let text = err.to_string();
    eprintln!("error as the operator sees it: {text}");
    assert!(matches!(err, SinkError::Unavailable(_)), "{err:?}");
    assert!(text.contains("certificate not valid for name"), "{text}");

    let mut lenient = broker.external("127.0.0.1");
    if let Some(tls) = &mut lenient.tls {
        tls.verify_hostname = false;
    }
    let mut sink = AmqpSink::connect(&lenient, &[]).expect("n6-compatible TLS connects");
    sink.close().expect("close");
}

#[test]
fn a_certificate_from_another_ca_is_rejected_even_without_host_name_checks() {
    let Some(broker) = broker() else { return };
    let mut settings = broker.external(&broker.server_name);
    if let Some(tls) = &mut settings.tls {
        // The client certificate is signed by the test CA, but it is not a CA itself.
        tls.ca_file = broker.client_cert.clone();
        tls.verify_hostname = false;
    }
    let err = AmqpSink::connect(&settings, &["raw"]).expect_err("must fail");
    eprintln!("error as the operator sees it: {err}");
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
}

#[test]
fn unroutable_message_fails_the_confirm_and_the_sink_stays_failed() {
    let Some(broker) = broker() else { return };
    // A fresh exchange with no queue bound: every message is returned.
    let exchange = exchange("unroutable");
    let mut sink = AmqpSink::connect(&broker.plain(), &[&exchange]).expect("connect");
    let msg = STREAM_ID.message(
        &exchange,
        b"nobody listens".to_vec(),
        1,
        HeaderTable::default(),
    );
    sink.publish(&msg).expect("publish is accepted locally");
    let err = sink.confirm().expect_err("confirm must fail");
    assert!(matches!(err, SinkError::Rejected(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "broker rejected a message: message returned as unroutable by the broker (312 NO_ROUTE): \
             exchange {exchange:?} has no queue bound for routing key \"another-provider.another-channel\""
        )
    );
    // Sticky: nothing can be confirmed after a failure.
    assert_eq!(
        sink.confirm().expect_err("still failed").to_string(),
        err.to_string()
    );
    assert_eq!(
        sink.publish(&msg).expect_err("still failed").to_string(),
        err.to_string()
    );
}

#[test]
fn many_messages_through_a_small_window_arrive_complete_and_in_order() {
    let Some(broker) = broker() else { return };
    let exchange = exchange("window");
    let consumer = Consumer::bind(&broker, &exchange, "#", false);
    let mut settings = broker.plain();
    settings.max_unconfirmed = 7;
    let mut sink = AmqpSink::connect(&settings, &[]).expect("connect");
    let messages: Vec<Message> = (0..500)
        .map(|i| {
            STREAM_ID.message(
                &exchange,
                format!("row {i}").into_bytes(),
                1000 + i,
                HeaderTable::default(),
            )
        })
        .collect();
    for (i, msg) in messages.iter().enumerate() {
        sink.publish(msg).expect("publish");
        assert!(sink.unconfirmed() <= 7, "window exceeded after {i}");
        if i == 249 {
            // A mid-run checkpoint.
            sink.confirm().expect("checkpoint confirm");
            assert_eq!(sink.unconfirmed(), 0);
        }
    }
    sink.close().expect("close");
    assert_eq!(sink.published(), 500);
    let bodies: Vec<Vec<u8>> = consumer
        .drain()
        .into_iter()
        .map(|m| m.delivery.data)
        .collect();
    let expected: Vec<Vec<u8>> = (0..500).map(|i| format!("row {i}").into_bytes()).collect();
    assert_eq!(bodies, expected);
    consumer.delete();
}

#[test]
fn missing_confirms_time_out_with_the_number_of_unconfirmed_messages() {
    let Some(broker) = broker() else { return };
    let exchange = exchange("timeout");
    let consumer = Consumer::bind(&broker, &exchange, "#", false);
    let proxy = crate::support::amqp::FreezableProxy::start(broker.amqp_port);
    let mut settings = broker.plain();
    settings.port = proxy.port;
    settings.confirm_timeout = std::time::Duration::from_secs(1);
    let mut sink = AmqpSink::connect(&settings, &[&exchange]).expect("connect via proxy");
    proxy.freeze();
    for i in 0..3 {
        let msg = STREAM_ID.message(
            &exchange,
            format!("lost {i}").into_bytes(),
            1,
            HeaderTable::default(),
        );
        sink.publish(&msg).expect("publish is accepted locally");
    }
    let err = sink.confirm().expect_err("no confirms can arrive");
    assert!(
        matches!(
            err,
            SinkError::ConfirmTimeout {
                seconds: 1,
                unconfirmed: 3
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "broker did not confirm within 1 s (3 message(s) unconfirmed)"
    );
    assert!(sink.confirm().is_err(), "the failure sticks");
    drop(sink);
    assert!(consumer.drain().is_empty());
    consumer.delete();
}

#[test]
fn heartbeats_are_negotiated_and_keep_running_while_the_collector_blocks() {
    let Some(broker) = broker() else { return };
    let exchange = exchange("heartbeat");
    let consumer = Consumer::bind(&broker, &exchange, "#", false);
    let mut settings = broker.plain();
    // The broker closes a connection after two missed heartbeats (2 s here).
    settings.heartbeat = 1;
    let mut sink = AmqpSink::connect(&settings, &[&exchange]).expect("connect");
    let connections = broker.ctl(&[
        "list_connections",
        "-q",
        "user",
        "timeout",
        "client_properties",
    ]);
    let pid = format!("PID: {}", std::process::id());
    assert!(
        connections
            .lines()
            .any(|l| l.starts_with(&format!("{}\t1\t", broker.user))
                && l.contains("information")
                && l.contains(&pid)),
        "{connections}"
    );
    // Blocking work in the collector's thread: lapin's I/O keeps the heartbeats going.
    std::thread::sleep(std::time::Duration::from_secs(5));
    let msg = STREAM_ID.message(
        &exchange,
        b"after a pause".to_vec(),
        1,
        HeaderTable::default(),
    );
    sink.publish(&msg).expect("still connected");
    sink.close().expect("confirmed");
    assert_eq!(consumer.drain().len(), 1);
    consumer.delete();
}

#[test]
fn plain_auth_over_tls_without_client_certificate() {
    let Some(broker) = broker() else { return };
    let exchange = exchange("plaintls");
    let consumer = Consumer::bind(&broker, &exchange, "#", false);
    let mut settings = broker.external(&broker.server_name);
    settings.auth = n6_collectors::sink::amqp::Auth::Plain {
        username: broker.user.clone(),
        password: broker.password.clone(),
    };
    if let Some(tls) = &mut settings.tls {
        tls.client_cert = None;
    }
    let mut sink = AmqpSink::connect(&settings, &[&exchange]).expect("connect");
    let connections = broker.ctl(&["list_connections", "-q", "user", "auth_mechanism", "ssl"]);
    assert!(
        connections
            .lines()
            .any(|l| l == format!("{}\tPLAIN\ttrue", broker.user)),
        "{connections}"
    );
    let msg = FILE_ID.message(&exchange, b"tls+plain".to_vec(), 1, HeaderTable::default());
    sink.publish(&msg).expect("publish");
    sink.close().expect("confirmed");
    assert_eq!(consumer.drain().len(), 1);
    consumer.delete();
}
