//! Interop with n6's own client library: messages published by the Rust AMQP sink are
//! consumed by Python `pika` (`tests/interop/pika_consume.py`), which checks every
//! property n6's parsers read, recomputing `message_id` itself.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::support::amqp::broker;
use crate::support::site::{Site, in_process};
use n6_collectors::message::{HeaderTable, HeaderValue, Identity, RawType};
use n6_collectors::sink::Sink;
use n6_collectors::sink::amqp::AmqpSink;
use n6_collectors::sink::jsonl;
use n6_collectors::{Collect, Output, StatefulCollector};

fn python_with_pika() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pika"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but python3 with pika is not installed");
        }
        eprintln!("\n*** SKIPPING pika interop test: python3 -c 'import pika' fails ***\n");
    }
    ok
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/pika_consume.py")
}

fn run_python(args: &[&str]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(script())
        .args(args)
        .output()
        .expect("run python3");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn pika_reads_every_n6_property_of_what_rust_published() {
    let Some(broker) = broker() else { return };
    if !python_with_pika() {
        return;
    }
    // `--n6output-suffix _interop<pid>`: appended verbatim to `raw`.
    let exchange = format!("raw_interop{}", std::process::id());
    let queue = format!("pika-interop-{}", std::process::id());
    let url = broker.url();
    let (ok, text) = run_python(&["bind", &url, &exchange, &queue]);
    assert!(ok, "pika bind failed: {text}");

    let file = Identity {
        source: "abuse-ch.feodotracker",
        raw_type: RawType::File,
        content_type: Some("text/csv"),
        raw_format_version_tag: Some("202110"),
    };
    let blacklist = Identity {
        source: "example-org.blacklist",
        raw_type: RawType::Blacklist,
        content_type: Some("application/json"),
        raw_format_version_tag: None,
    };
    let stream = Identity {
        source: "my-provider.my-channel",
        raw_type: RawType::Stream,
        content_type: None,
        raw_format_version_tag: None,
    };
    let mut http_meta = HeaderTable::default();
    http_meta.insert(
        "http_last_modified",
        HeaderValue::Str("2021-10-01 12:00:00".into()),
    );
    let mut misp = HeaderTable::default();
    misp.insert("to_ids", HeaderValue::Bool(false));
    misp.insert("event_id", HeaderValue::Int(7));
    misp.insert("timestamp", HeaderValue::Int(4_102_444_800));
    misp.insert("comment", HeaderValue::Str("zażółć \u{1F600}".into()));
    let mut misp_meta = HeaderTable::default();
    misp_meta.insert("minimum_tlp", HeaderValue::Str("amber".into()));
    misp_meta.insert("misp", HeaderValue::Table(misp));
    let messages = vec![
        file.message(
            &exchange,
            b"# comment\n\"2021-10-01 11:00:00\",\"1.2.3.4\"".to_vec(),
            1660218035,
            http_meta,
        ),
        blacklist.message(
            &exchange,
            br#"{"a": "\u017c"}"#.to_vec(),
            1234,
            HeaderTable::default(),
        ),
        stream.message(&exchange, b"<some body>".to_vec(), 1660218035, misp_meta),
    ];

    let mut sink = AmqpSink::connect(&broker.plain(), &[&exchange]).expect("connect");
    for m in &messages {
        sink.publish(m).expect("publish");
    }
    sink.close().expect("confirmed");

    let (_site, dir) = tempfile_dir("sink");
    let expected = dir.join("expected.jsonl");
    let mut f = std::fs::File::create(&expected).expect("create");
    for m in &messages {
        writeln!(f, "{}", jsonl::render(m)).expect("write");
    }
    drop(f);
    let (ok, text) = run_python(&["check", &url, &queue, &expected.display().to_string()]);
    eprintln!("{text}");
    assert!(ok, "pika found differences:\n{text}");
    assert!(
        text.contains("3 message(s) exactly as n6 publishes them"),
        "{text}"
    );
}

/// A fresh directory for one test (a site of the in-process collector, kept by the
/// caller; its directory is returned).
fn tempfile_dir(test: &str) -> (Site, std::path::PathBuf) {
    let _ = test;
    let site = Site::new(in_process("InteropCollector", "70_interop.conf"));
    let dir = site.root().to_owned();
    (site, dir)
}

/// A collector like n6's downloading ones: one `file` message per run, under a version
/// tag, with `headers.meta` (incl. a nested table and a 64-bit integer).
#[derive(StatefulCollector)]
#[collector(
    source = "example-org.interop",
    raw_type = "file",
    content_type = "text/csv",
    raw_format_version_tag = "202401"
)]
pub struct InteropCollector {
    config: InteropCollectorConfig,
    #[state]
    state: Runs,
}

#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Runs {
    runs: u64,
}

impl Collect for InteropCollector {
    fn collect(&mut self, out: &mut Output<'_, Runs>) -> n6_collectors::Result<()> {
        let mut misp = HeaderTable::default();
        misp.insert("to_ids", HeaderValue::Bool(true));
        misp.insert("id", HeaderValue::Int(3_000_000_000));
        let mut meta = HeaderTable::default();
        meta.insert(
            "http_last_modified",
            HeaderValue::Str("2024-01-02 03:04:05".into()),
        );
        meta.insert("misp", HeaderValue::Table(misp));
        out.publish_with_meta("\"2024-01-02 03:04:05\",\"http://example.com/ż\"", meta)?;
        out.publish("second message, no meta")?;
        self.state.runs += 1;
        Ok(())
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[test]
fn pika_reads_what_a_collector_run_published_to_rabbitmq() {
    let Some(broker) = broker() else { return };
    if !python_with_pika() {
        return;
    }
    let (_site, dir) = tempfile_dir("run");
    let suffix = format!("_interoprun{}", std::process::id());
    let exchange = format!("raw{suffix}");
    let queue = format!("pika-interop-run-{}", std::process::id());
    let url = broker.url();
    let (ok, text) = run_python(&["bind", &url, &exchange, &queue]);
    assert!(ok, "pika bind failed: {text}");

    let conf = |state: &str| {
        format!(
            "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
             password_auth = true\nusername = {}\npassword = {}\n\n\
             [InteropCollector]\nstate_dir = {}\n",
            broker.host,
            broker.amqp_port,
            broker.user,
            broker.password,
            dir.join(state).display()
        )
    };
    let run = |output: Option<&Path>| {
        let mut args = vec![
            "n6collector_interop".to_owned(),
            "--config-dir".to_owned(),
            dir.join("conf").display().to_string(),
            "--n6output-suffix".to_owned(),
            suffix.clone(),
        ];
        if let Some(path) = output {
            args.extend(["--output".to_owned(), path.display().to_string()]);
        }
        n6_collectors::run_from::<InteropCollector, _, _>(args)
    };
    // The same collector, once to JSON lines (what we expect) and once to RabbitMQ.
    std::fs::write(dir.join("conf/70_interop.conf"), conf("state-jsonl")).expect("conf");
    let expected = dir.join("expected.jsonl");
    assert_eq!(run(Some(&expected)), 0);
    std::fs::write(dir.join("conf/70_interop.conf"), conf("state-amqp")).expect("conf");
    let lo = unix_now();
    assert_eq!(run(None), 0);
    let hi = unix_now();

    let (ok, text) = run_python(&[
        "check",
        &url,
        &queue,
        &expected.display().to_string(),
        &format!("{lo},{hi}"),
    ]);
    eprintln!("{text}");
    assert!(ok, "pika found differences:\n{text}");
    assert!(
        text.contains("2 message(s) exactly as n6 publishes them"),
        "{text}"
    );
}
