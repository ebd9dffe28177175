//! Interop with n6's own client library: messages published by the Rust AMQP sink are
//! consumed by Python `pika` (`tests/interop/pika_consume.py`), which checks every
//! property n6's parsers read, recomputing `message_id` itself.

#[path = "support/amqp.rs"]
mod amqp_support;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use amqp_support::broker;
use n6_collectors::message::{HeaderTable, HeaderValue, Identity, RawType};
use n6_collectors::output::Sink;
use n6_collectors::output::amqp::AmqpSink;
use n6_collectors::output::jsonl;

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

    let dir = tempfile_dir();
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
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(format!("amqp-interop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}
