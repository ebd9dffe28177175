//! Per-message identity: a message overrides the collector's source (hence routing key
//! and `message_id`), version tag, exchange, raw type, content type, `headers.meta` and
//! top-level headers; n6's wire rules still hold; confirms and `mandatory` work on every
//! exchange of a run.

use n6_collectors::message::{HeaderTable, HeaderValue, MessageOptions, RawType};
use n6_collectors::prelude::*;
use serde_json::{Value as Json, json};

use crate::message_id::n6_message_id;
use crate::support::amqp::{Broker, Consumer, broker};
use crate::support::site::{Site, rabbitmq_section};

/// Publishes the messages its `plan` lists (a JSON array of objects: `body` and any of
/// `source`, `tag` (string or null), `exchange`, `raw_type`, `content_type`, `meta`,
/// `headers`), through the builder or `publish_with` alternately; the state counts runs.
#[derive(StatefulCollector)]
#[collector(
    source = "default-org.default",
    raw_type = "stream",
    raw_format_version_tag = "201901"
)]
#[config_spec("plan :: json")]
pub struct PlanCollector {
    config: PlanCollectorConfig,
    #[state]
    state: Runs,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Runs {
    runs: u32,
}

fn table(value: Option<&Json>) -> HeaderTable {
    match value.map(HeaderValue::from_json) {
        Some(HeaderValue::Table(table)) => table,
        _ => HeaderTable::default(),
    }
}

fn options(item: &Json) -> MessageOptions {
    let mut options = MessageOptions::new();
    if let Some(source) = item["source"].as_str() {
        options = options.source(source);
    }
    if let Some(tag) = item.get("tag") {
        options = options.raw_format_version_tag(tag.as_str());
    }
    if let Some(exchange) = item["exchange"].as_str() {
        options = options.exchange(exchange);
    }
    if let Some(raw_type) = item["raw_type"].as_str().and_then(RawType::from_name) {
        options = options.raw_type(raw_type);
    }
    if let Some(content_type) = item["content_type"].as_str() {
        options = options.content_type(content_type);
    }
    for (key, value) in table(item.get("headers")).0 {
        options = options.header(key, value);
    }
    options.meta(table(item.get("meta")))
}

impl Collect for PlanCollector {
    fn collect(&mut self, out: &mut Output<'_, Runs>) -> Result<()> {
        let plan = self.config.plan.as_array().cloned().unwrap_or_default();
        for (i, item) in plan.iter().enumerate() {
            let body = item["body"].as_str().unwrap_or_default().to_owned();
            if i % 2 == 0 {
                out.publish_with(body, options(item))?;
            } else {
                out.message(body).options(options(item)).publish()?;
            }
        }
        self.state.runs += 1;
        Ok(())
    }
}

const STATE_FILE: &str = "PlanCollector.cbor";

fn config(plan: &Json) -> String {
    format!("[PlanCollector]\nplan = {plan}\n")
}

/// A site whose runs publish `plan` as JSON lines to `out.jsonl`.
fn file_site(plan: &Json) -> Site {
    Site::in_process(&config(plan)).publishing_to_file()
}

/// A site whose runs publish `plan` to the test broker, on exchanges suffixed
/// `_{tag}{pid}`.
fn broker_site(broker: &Broker, tag: &str, plan: &Json) -> Site {
    Site::in_process(&format!("{}{}", rabbitmq_section(broker), config(plan)))
        .suffix(tag)
        .publishing_to_broker()
}

fn run(site: &Site, extra: &[&str]) -> u8 {
    site.run_in_process::<PlanCollector>(extra)
}

/// The message id of a JSON line is n6's md5 over the line's own source.
fn assert_n6_message_id(line: &Json) {
    let source = line["source"].as_str().expect("source");
    let timestamp = line["properties"]["timestamp"].as_u64().expect("timestamp");
    let body = line["body"].as_str().expect("body");
    assert_eq!(
        line["properties"]["message_id"].as_str(),
        Some(n6_message_id(source, timestamp, body.as_bytes()).as_str()),
        "{line}"
    );
}

#[test]
fn each_message_carries_its_own_identity_in_json_lines() {
    let plan = json!([
        {"body": "defaults"},
        {"body": "scan", "source": "shadowserver.scan-ntp", "tag": "201412",
         "raw_type": "file", "content_type": "text/csv"},
        {"body": "untagged", "source": "shadowserver.honeypot", "tag": null},
        {"body": "sample", "source": "test.misp", "exchange": "sample", "raw_type": "file",
         "content_type": "application/json", "meta": {"misp": {"id": "144662", "to_ids": true}}},
        {"body": "manual", "source": "manual.unrestricted", "raw_type": "file",
         "content_type": "text/plain", "meta": {"dry_run": true},
         "headers": {"_do_not_resolve_fqdn_to_ip": false}},
    ]);
    let site = file_site(&plan);
    assert_eq!(run(&site, &["--n6output-suffix", "_t"]), 0);
    let lines = site.json_lines("out.jsonl");
    assert_eq!(lines.len(), 5);
    let shape = |line: &Json| {
        let mut line = line.clone();
        let properties = line["properties"].as_object_mut().expect("properties");
        properties.remove("message_id");
        properties.remove("timestamp");
        line
    };
    let expected = [
        json!({"exchange": "raw_t", "routing_key": "default-org.default.201901",
               "properties": {"type": "stream", "delivery_mode": 2},
               "body": "defaults", "source": "default-org.default"}),
        json!({"exchange": "raw_t", "routing_key": "shadowserver.scan-ntp.201412",
               "properties": {"type": "file", "content_type": "text/csv", "delivery_mode": 2},
               "body": "scan", "source": "shadowserver.scan-ntp"}),
        json!({"exchange": "raw_t", "routing_key": "shadowserver.honeypot",
               "properties": {"type": "stream", "delivery_mode": 2},
               "body": "untagged", "source": "shadowserver.honeypot"}),
        json!({"exchange": "sample_t", "routing_key": "test.misp.201901",
               "properties": {"type": "file", "content_type": "application/json",
                              "headers": {"meta": {"misp": {"id": "144662", "to_ids": true}}},
                              "delivery_mode": 2},
               "body": "sample", "source": "test.misp"}),
        // n6's ManualCollector: headers.meta, then the top-level header.
        json!({"exchange": "raw_t", "routing_key": "manual.unrestricted.201901",
               "properties": {"type": "file", "content_type": "text/plain",
                              "headers": {"meta": {"dry_run": true},
                                          "_do_not_resolve_fqdn_to_ip": false},
                              "delivery_mode": 2},
               "body": "manual", "source": "manual.unrestricted"}),
    ];
    for (line, expected) in lines.iter().zip(&expected) {
        assert_eq!(&shape(line), expected);
        assert_n6_message_id(line);
    }
    // The JSON line keeps n6's header order: meta first.
    let text = std::fs::read_to_string(site.path("out.jsonl")).expect("read");
    let manual = text.lines().last().expect("line");
    assert!(
        manual
            .contains(r#""headers":{"meta":{"dry_run":true},"_do_not_resolve_fqdn_to_ip":false}"#),
        "{manual}"
    );
}

#[test]
fn a_message_breaking_n6_rules_fails_the_run_before_anything_is_sent() {
    for (bad, what) in [
        (
            json!({"body": "x", "source": "Test.misp"}),
            "upper-case source",
        ),
        (json!({"body": "x", "source": "no-dot"}), "no channel"),
        (json!({"body": "x", "tag": "2019"}), "tag not YYYYMM"),
        (
            json!({"body": "x", "headers": {"meta": 1}}),
            "meta as a header",
        ),
    ] {
        let plan = json!([{"body": "first"}, bad]);
        let site = file_site(&plan);
        assert_eq!(run(&site, &[]), 78, "{what}: {plan}");
        // The first message went out (JSON lines are written at once), the bad one did
        // not, and the state was not saved.
        let lines = site.json_lines("out.jsonl");
        assert_eq!(lines.len(), 1, "{plan}");
        assert_eq!(site.state_file_bytes(STATE_FILE), None, "{plan}");
    }
}

fn header_str(
    message: &lapin::message::BasicGetMessage,
    path: &[&str],
) -> Option<lapin::types::AMQPValue> {
    let mut table = message.delivery.properties.headers().clone()?;
    let (last, inner) = path.split_last()?;
    for key in inner {
        match table.inner().get(*key)? {
            lapin::types::AMQPValue::FieldTable(t) => table = t.clone(),
            _ => return None,
        }
    }
    table.inner().get(*last).cloned()
}

#[test]
fn messages_go_to_their_own_exchanges_with_confirms_on_a_real_broker() {
    let Some(broker) = broker() else { return };
    let plan = json!([
        {"body": "events", "source": "test.misp", "tag": null},
        {"body": "sample-1", "source": "test.misp", "tag": null, "exchange": "sample",
         "raw_type": "file", "content_type": "application/json", "meta": {"misp": {"id": "1"}}},
        {"body": "manual", "source": "manual.pl", "tag": null, "raw_type": "file",
         "content_type": "text/plain", "headers": {"_do_not_resolve_fqdn_to_ip": true}},
    ]);
    let site = broker_site(&broker, "capid", &plan);
    let suffix = site.output_suffix().expect("a suffix");
    let raw = Consumer::bind(&broker, &site.exchange(), "#", false);
    let sample = Consumer::bind(&broker, &format!("sample{suffix}"), "#", false);
    let code = run(&site, &[]);
    assert_eq!(code, 0);
    assert!(
        site.state_file_bytes(STATE_FILE).is_some(),
        "state saved after the confirms"
    );
    let raw_messages = raw.drain();
    let sample_messages = sample.drain();
    assert_eq!(
        raw_messages
            .iter()
            .map(|m| (
                m.delivery.routing_key.as_str().to_owned(),
                m.delivery.data.clone()
            ))
            .collect::<Vec<_>>(),
        [
            ("test.misp".to_owned(), b"events".to_vec()),
            ("manual.pl".to_owned(), b"manual".to_vec())
        ]
    );
    assert_eq!(sample_messages.len(), 1);
    let s = &sample_messages[0];
    assert_eq!(s.delivery.routing_key.as_str(), "test.misp");
    let p = &s.delivery.properties;
    assert_eq!(p.kind().as_ref().map(|t| t.as_str()), Some("file"));
    assert_eq!(
        p.content_type().as_ref().map(|t| t.as_str()),
        Some("application/json")
    );
    let timestamp = p.timestamp().expect("timestamp");
    assert_eq!(
        p.message_id().as_ref().map(|t| t.as_str().to_owned()),
        Some(n6_message_id("test.misp", timestamp, b"sample-1"))
    );
    assert!(header_str(s, &["meta", "misp", "id"]).is_some());
    let manual = &raw_messages[1];
    assert_eq!(
        header_str(manual, &["_do_not_resolve_fqdn_to_ip"]),
        Some(lapin::types::AMQPValue::Boolean(true))
    );
    assert_eq!(header_str(manual, &["meta"]), None);
    raw.delete();
    sample.delete();
}

#[test]
fn an_unroutable_message_on_a_second_exchange_fails_the_run_and_saves_no_state() {
    let Some(broker) = broker() else { return };
    let plan = json!([
        {"body": "events"},
        {"body": "sample", "exchange": "sample", "raw_type": "file",
         "content_type": "application/json"},
    ]);
    let site = broker_site(&broker, "capun", &plan);
    let suffix = site.output_suffix().expect("a suffix");
    let raw = Consumer::bind(&broker, &site.exchange(), "#", false);
    // Nothing is bound to sample<suffix>: the broker returns the message (mandatory).
    let code = run(&site, &[]);
    assert_eq!(code, 69);
    assert_eq!(site.state_file_bytes(STATE_FILE), None);
    assert_eq!(raw.drain().len(), 1, "the raw message itself was confirmed");
    // The exchange was declared as n6 declares it (durable topic).
    let exchanges = broker.ctl(&["list_exchanges", "name", "type", "durable"]);
    assert!(
        exchanges
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == [format!("sample{suffix}").as_str(), "topic", "true"]),
        "{exchanges}"
    );
    raw.delete();
    delete_exchange(&broker, &format!("sample{suffix}"));
}

#[test]
fn an_exchange_of_another_type_fails_the_run_and_saves_no_state() {
    let Some(broker) = broker() else { return };
    let plan = json!([
        {"body": "events"},
        {"body": "sample", "exchange": "sample", "raw_type": "file",
         "content_type": "application/json"},
    ]);
    let site = broker_site(&broker, "capft", &plan);
    let suffix = site.output_suffix().expect("a suffix");
    let raw = Consumer::bind(&broker, &site.exchange(), "#", false);
    declare_fanout(&broker, &format!("sample{suffix}"));
    let code = run(&site, &[]);
    assert_eq!(code, 69);
    assert_eq!(site.state_file_bytes(STATE_FILE), None);
    raw.delete();
    delete_exchange(&broker, &format!("sample{suffix}"));
}

/// Runs `f` on a channel of a fresh connection to the test broker.
fn with_channel<F>(broker: &Broker, f: impl FnOnce(lapin::Channel) -> F)
where
    F: std::future::Future<Output = ()>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let connection =
            lapin::Connection::connect(&broker.url(), lapin::ConnectionProperties::default())
                .await
                .expect("connect");
        f(connection.create_channel().await.expect("channel")).await;
        let _ = connection.close(200, "bye".into()).await;
    });
}

fn delete_exchange(broker: &Broker, name: &str) {
    with_channel(broker, |channel| async move {
        channel
            .exchange_delete(name.into(), Default::default())
            .await
            .expect("delete exchange");
    });
}

/// Declares `name` as a non-durable fanout exchange, which the collector's durable
/// topic declaration of the same name then conflicts with.
fn declare_fanout(broker: &Broker, name: &str) {
    with_channel(broker, |channel| async move {
        channel
            .exchange_declare(
                name.into(),
                lapin::ExchangeKind::Fanout,
                lapin::options::ExchangeDeclareOptions {
                    durable: false,
                    auto_delete: false,
                    ..Default::default()
                },
                lapin::types::FieldTable::default(),
            )
            .await
            .expect("declare fanout");
    });
}
