//! `n6collector_abusechurlhauspayloadsamples` against a local URLhaus API (127.0.0.1):
//! which payloads become messages, their headers, the state across runs, and the
//! messages on a real broker's `sample` exchange.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::Value;

#[path = "../../tests/support/amqp.rs"]
mod amqp_support;

use amqp_support::Consumer;

const BIN: &str = env!("CARGO_BIN_EXE_n6collector");

/// A payload the fake API knows: its info answer and its download.
struct Payload {
    info: String,
    download: Vec<u8>,
}

fn zip_of(name: &str, content: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut writer = zip::ZipWriter::new(&mut buf);
    writer
        .start_file(name, zip::write::SimpleFileOptions::default())
        .expect("zip member");
    writer.write_all(content).expect("zip write");
    writer.finish().expect("zip finish");
    buf.into_inner()
}

fn info(hash: &str, status: &str) -> String {
    serde_json::json!({
        "query_status": status,
        "md5_hash": format!("md5-of-{hash}"),
        "sha256_hash": hash,
        "signature": null,
        "firstseen": "2024-01-01 10:00:00",
        "lastseen": "2024-01-03 10:00:00",
        "urls": [
            {"url_id": "20", "url": format!("http://late.example/{hash}"), "firstseen": "2024-01-02"},
            {"url_id": "12", "url": format!("http://second.example/{hash}"), "firstseen": "2024-01-01"},
            {"url_id": "11", "url": format!("http://first.example/{hash}"), "firstseen": "2024-01-01"}
        ]
    })
    .to_string()
}

/// Serves `/recent/`, `POST /info/` (form `sha256_hash=...`) and `/download/<hash>`;
/// returns the base URL and the log of `METHOD path [form]` lines.
fn fake_api(
    hashes: &[&str],
    payloads: HashMap<String, Payload>,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let recent = serde_json::json!({
        "query_status": "ok",
        "payloads": hashes.iter().map(|h| serde_json::json!({"sha256_hash": h})).collect::<Vec<_>>()
    })
    .to_string();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut length = 0;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = header.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let form = String::from_utf8_lossy(&body).into_owned();
            let mut parts = line.split_whitespace();
            let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            seen.lock()
                .expect("log")
                .push(format!("{method} {path} {form}").trim().to_owned());
            let answer: Option<Vec<u8>> = match (method, path) {
                ("GET", "/recent/") => Some(recent.clone().into_bytes()),
                ("POST", "/info/") => form
                    .strip_prefix("sha256_hash=")
                    .and_then(|h| payloads.get(h))
                    .map(|p| p.info.clone().into_bytes()),
                ("GET", p) => p
                    .strip_prefix("/download/")
                    .and_then(|h| payloads.get(h))
                    .map(|p| p.download.clone()),
                _ => None,
            };
            let mut stream = stream;
            let (status, body) = match answer {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", b"not here".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nLast-Modified: Wed, 03 Jan 2024 10:00:00 GMT\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    (base, log)
}

/// aaa and ddd are fine; bbb's info says `no_results`; ccc's download is no ZIP; eee's
/// info is not JSON.
fn the_api() -> (String, Arc<Mutex<Vec<String>>>) {
    let mut payloads = HashMap::new();
    for hash in ["aaa", "ddd"] {
        payloads.insert(
            hash.to_owned(),
            Payload {
                info: info(hash, "ok"),
                download: zip_of(hash, format!("sample {hash}").as_bytes()),
            },
        );
    }
    payloads.insert(
        "bbb".into(),
        Payload {
            info: info("bbb", "no_results"),
            download: zip_of("bbb", b"never"),
        },
    );
    payloads.insert(
        "ccc".into(),
        Payload {
            info: info("ccc", "ok"),
            download: b"not a zip".to_vec(),
        },
    );
    payloads.insert(
        "eee".into(),
        Payload {
            info: "<html>".into(),
            download: zip_of("eee", b"never"),
        },
    );
    fake_api(&["aaa", "bbb", "ccc", "eee", "ddd"], payloads)
}

fn config(dir: &Path, base: &str, samples_per_run: u32, extra: &str) {
    std::fs::write(
        dir.join("60_samples.conf"),
        format!(
            "[AbuseChUrlhausPayloadSamplesCollector]\n\
             payload_summaries_url = {base}/recent/\n\
             payload_info_url = {base}/info/\n\
             payload_dl_url = {base}/download/\n\
             samples_per_run = {samples_per_run}\n\
             max_samples_in_memory = 50\n\
             download_retries = 0\n\
             {extra}"
        ),
    )
    .expect("config");
}

fn run(conf: &Path, state: &Path, output: &str) -> Output {
    let out = Command::new(BIN)
        .args(["abusechurlhauspayloadsamples", "--config-dir"])
        .arg(conf)
        .arg("--state-dir")
        .arg(state)
        .args(["--output", output])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn usable_payloads_become_sample_messages_once() {
    let (base, log) = the_api();
    let conf = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    config(conf.path(), &base, 5, "");
    let published = state.path().join("published.jsonl");
    run(
        conf.path(),
        state.path(),
        published.to_str().expect("utf-8"),
    );

    let messages = lines(&published);
    let bodies: Vec<&str> = messages
        .iter()
        .map(|m| m["body"].as_str().expect("body"))
        .collect();
    assert_eq!(bodies, ["sample aaa", "sample ddd"]);
    let first = &messages[0];
    assert_eq!(first["exchange"], "sample");
    assert_eq!(first["routing_key"], "abuse-ch.urlhaus-payload-samples");
    assert_eq!(first["properties"]["type"], "file");
    assert_eq!(
        first["properties"]["content_type"],
        "application/octet-stream"
    );
    let meta = first["properties"]["headers"]["meta"]
        .as_object()
        .expect("meta");
    // In n6's order (the wire order of the AMQP table); `signature` is null in the
    // info: left out (n6 warns).
    let text = std::fs::read_to_string(&published).expect("published");
    let line = text.lines().next().expect("a line");
    let keys = [
        "http_last_modified",
        "tlp",
        "md5_hash",
        "sha256_hash",
        "firstseen",
        "lastseen",
        "url",
    ];
    let at: Vec<usize> = keys
        .iter()
        .map(|k| line.find(&format!("\"{k}\":")).expect(k))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
    assert_eq!(meta.len(), keys.len(), "{line}");
    assert_eq!(meta["tlp"], "white");
    assert_eq!(meta["md5_hash"], "md5-of-aaa");
    assert_eq!(meta["url"], "http://first.example/aaa");
    assert_eq!(meta["http_last_modified"], "2024-01-03 10:00:00");
    let requests = log.lock().expect("log").clone();
    assert!(
        requests.contains(&"POST /info/ sha256_hash=bbb".to_owned()),
        "{requests:?}"
    );
    assert!(
        !requests.contains(&"GET /download/bbb".to_owned()),
        "{requests:?}"
    );

    // The second run skips what it collected and publishes nothing new.
    log.lock().expect("log").clear();
    run(
        conf.path(),
        state.path(),
        published.to_str().expect("utf-8"),
    );
    assert_eq!(lines(&published).len(), 2);
    let requests = log.lock().expect("log").clone();
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("aaa") || r.contains("ddd")),
        "{requests:?}"
    );

    let shown = Command::new(BIN)
        .args(["abusechurlhauspayloadsamples", "--config-dir"])
        .arg(conf.path())
        .arg("--state-dir")
        .arg(state.path())
        .args(["state", "show"])
        .output()
        .expect("state show");
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("\"aaa\"") && shown.contains("\"ddd\""),
        "{shown}"
    );
    assert!(!shown.contains("\"bbb\""), "{shown}");
}

#[test]
fn samples_per_run_caps_a_run_and_is_checked() {
    let (base, _log) = the_api();
    let conf = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    config(conf.path(), &base, 1, "");
    let published = state.path().join("published.jsonl");
    run(
        conf.path(),
        state.path(),
        published.to_str().expect("utf-8"),
    );
    assert_eq!(lines(&published).len(), 1);
    run(
        conf.path(),
        state.path(),
        published.to_str().expect("utf-8"),
    );
    let bodies: Vec<String> = lines(&published)
        .iter()
        .map(|m| m["body"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(bodies, ["sample aaa", "sample ddd"]);

    config(conf.path(), &base, 1001, "");
    let out = Command::new(BIN)
        .args(["abusechurlhauspayloadsamples", "--config-dir"])
        .arg(conf.path())
        .arg("--state-dir")
        .arg(state.path())
        .args(["--output", "-"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(78));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("`samples_per_run` should be in range 1-1000, not 1001")
    );
}

#[test]
fn samples_go_to_the_brokers_sample_exchange() {
    let Some(broker) = amqp_support::broker() else {
        return;
    };
    use lapin::types::AMQPValue;
    let consumer = Consumer::bind(&broker, "sample", "abuse-ch.urlhaus-payload-samples", false);
    let (port, user, password) = (broker.amqp_port, &broker.user, &broker.password);

    let (base, _log) = the_api();
    let conf = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    let rabbitmq = format!(
        "[rabbitmq]\nhost = 127.0.0.1\nport = {port}\nheartbeat_interval = 30\nssl = false\npassword_auth = true\n\
         username = {user}\npassword = {password}\n"
    );
    config(conf.path(), &base, 5, &rabbitmq);
    run(conf.path(), state.path(), "amqp");

    let messages = consumer.drain();
    let bodies: Vec<&[u8]> = messages
        .iter()
        .map(|m| m.delivery.data.as_slice())
        .collect();
    assert_eq!(bodies, [b"sample aaa".as_slice(), b"sample ddd".as_slice()]);
    let props = &messages[0].delivery.properties;
    assert_eq!(props.kind().as_ref().map(|k| k.as_str()), Some("file"));
    assert_eq!(
        props.content_type().as_ref().map(|c| c.as_str()),
        Some("application/octet-stream")
    );
    let headers = props.headers().as_ref().expect("headers");
    let Some(AMQPValue::FieldTable(meta)) = headers.inner().get("meta") else {
        panic!("no meta table in {headers:?}");
    };
    assert!(matches!(
        meta.inner().get("sha256_hash"),
        Some(AMQPValue::LongString(s)) if s.as_bytes() == b"aaa"
    ));
}

/// `pickle.dumps({date(2024, 1, 7): {'aaa'}, date(2024, 1, 10): {'ddd', 'zzz'}},
/// protocol=5)`, what n6's `StatefulCollectorMixin.save_state` writes for this collector.
const N6_PICKLE_HEX: &str = "8005954b000000000000007d94288c086461746574696d65948c0464617465949394430407e8010794859452948f94288c0361616194906803430407e8010a94859452948f94288c037a7a7a948c036464649490752e";

const PICKLE_NAME: &str =
    "n6datasources.collectors.abuse_ch.AbuseChUrlhausPayloadSamplesCollector.pickle";

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn run_at(conf: &Path, state: &Path, output: &Path, now: &str) -> Output {
    let out = Command::new(BIN)
        .args(["abusechurlhauspayloadsamples", "--config-dir"])
        .arg(conf)
        .arg("--state-dir")
        .arg(state)
        .arg("--output")
        .arg(output)
        .args(["--fake-now", now])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn n6s_pickle_is_continued_and_handed_back() {
    let (base, log) = the_api();
    let conf = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    config(conf.path(), &base, 5, "");
    std::fs::write(state.path().join(PICKLE_NAME), from_hex(N6_PICKLE_HEX)).expect("pickle");
    let published = state.path().join("published.jsonl");
    // 2024-01-11: both days of n6's state are within the four days kept, so aaa and ddd
    // are known; nothing is left to publish.
    run_at(
        conf.path(),
        state.path(),
        &published,
        "2024-01-11T12:00:00Z",
    );
    assert_eq!(lines(&published).len(), 0);
    let requests = log.lock().expect("log").clone();
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("aaa") || r.contains("ddd")),
        "{requests:?}"
    );
    assert_eq!(
        std::fs::read(state.path().join(PICKLE_NAME)).expect("pickle"),
        from_hex(N6_PICKLE_HEX),
        "n6's pickle is only read"
    );

    // Five days later 2024-01-07 is forgotten: aaa is published again.
    run_at(
        conf.path(),
        state.path(),
        &published,
        "2024-01-12T12:00:00Z",
    );
    let bodies: Vec<String> = lines(&published)
        .iter()
        .map(|m| m["body"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(bodies, ["sample aaa"]);

    // Handed back as n6's pickle: a dict of datetime.date to sets.
    let back = state.path().join("back.pickle");
    let out = Command::new(BIN)
        .args(["abusechurlhauspayloadsamples", "--config-dir"])
        .arg(conf.path())
        .arg("--state-dir")
        .arg(state.path())
        .args(["state", "export-pickle"])
        .arg(&back)
        .output()
        .expect("export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pickle = std::fs::read(&back).expect("exported");
    let has = |needle: &[u8]| pickle.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"datetime") && has(b"date"), "{pickle:?}");
    assert!(has(b"aaa") && has(b"ddd") && has(b"zzz"), "{pickle:?}");
    // The exported pickle is taken over again by a fresh state directory.
    let fresh = tempfile::tempdir().expect("tempdir");
    std::fs::copy(&back, fresh.path().join(PICKLE_NAME)).expect("copy");
    let again = fresh.path().join("published.jsonl");
    run_at(conf.path(), fresh.path(), &again, "2024-01-12T13:00:00Z");
    assert_eq!(lines(&again).len(), 0);
}
