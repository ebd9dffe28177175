//! The MISP port end to end: a local HTTP server plays the MISP instance (event search
//! and sample downloads, checking what PyMISP and n6 send), the collector publishes to
//! the real test broker (`tests/support/with-broker.sh`), and an independent consumer
//! reads both exchanges back. A second run finds nothing new; the state is then handed
//! back as n6's pickle.

#[path = "../../support/amqp.rs"]
mod amqp;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use n6_collectors::pickle::{Py2Strings, PyValue, decode};

const KEY: &str = "Test-Auth-Key";

const EVENTS: &str = r#"[{"Event": {"id": "560", "date": "2017-02-10", "info": "Event \u017c", "Attribute": [{"category": "Artifacts dropped", "comment": "", "uuid": "u-1", "event_id": "560", "timestamp": "1486212863", "to_ids": true, "deleted": false, "value": "a.png|e2f8", "distribution": "5", "type": "malware-sample", "id": "7"}, {"type": "filename|sha1", "id": "6", "value": "a.png|14ed"}, {"type": "malware-sample", "id": "8", "to_ids": false, "value": "b.exe|0d0d"}]}}]"#;

/// One request the MISP stand-in saw: method, path, `Authorization`, body, `X-Sample`.
type Seen = (String, String, String, String, String);

/// Serves the MISP API on 127.0.0.1: `POST /misp/events/restSearch` answers `events`
/// (the next of them per search), `GET .../download/7` the sample, `.../download/8` 404.
fn misp_server(searches: Vec<&'static str>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut searches = searches.into_iter();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            let (mut length, mut auth, mut custom) = (0usize, String::new(), String::new());
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).expect("header") == 0 || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    match name.trim().to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().expect("length"),
                        "authorization" => auth = value.trim().to_owned(),
                        "x-sample" => custom = value.trim().to_owned(),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            let mut parts = line.split_whitespace();
            let (method, path) = (
                parts.next().unwrap_or("").to_owned(),
                parts.next().unwrap_or("").to_owned(),
            );
            let (status, answer): (u16, Vec<u8>) = match (method.as_str(), path.as_str()) {
                ("POST", "/misp/events/restSearch") => match searches.next() {
                    Some(events) => (200, format!("{{\"response\": {events}}}").into_bytes()),
                    None => (500, b"{}".to_vec()),
                },
                ("GET", "/attributes/downloadAttachment/download/7") => {
                    (200, b"MZ sample 7".to_vec())
                }
                _ => (404, b"{\"message\": \"Not Found\"}".to_vec()),
            };
            log.lock().expect("log").push((
                method,
                path,
                auth,
                String::from_utf8_lossy(&body).into_owned(),
                custom,
            ));
            let mut stream = stream;
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            stream.write_all(head.as_bytes()).expect("write");
            stream.write_all(&answer).expect("write");
        }
    });
    (base, seen)
}

fn long(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s.as_bytes()))
}

fn short(s: &Option<ShortString>) -> Option<&str> {
    s.as_ref().map(ShortString::as_str)
}

fn run(conf: &Path, state: &Path, suffix: &str, now: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_n6-replay"))
        .args(["run", "MispCollector", "misp_test"])
        .arg("--config-dir")
        .arg(conf)
        .arg("--state-dir")
        .arg(state)
        .args(["--n6output-suffix", suffix, "--fake-now", now])
        .args(extra)
        .output()
        .expect("n6-replay runs")
}

#[test]
fn events_and_samples_reach_the_broker_and_the_state_goes_back_to_n6() {
    let Some(broker) = amqp::broker() else { return };
    let (base, seen) = misp_server(vec![EVENTS, "[]"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let (conf, state) = (dir.path().join("conf"), dir.path().join("state"));
    std::fs::create_dir_all(&conf).expect("conf");
    std::fs::write(
        conf.join("60_misp.conf"),
        format!(
            "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
             password_auth = true\nusername = {}\npassword = {}\n\n\
             [misp_test]\nsource_provider = test\nmisp_url = {base}/misp/\nmisp_key = {KEY}\n\
             days_for_first_run = 20\nminimum_tlp = Amber\ndownload_retries = 0\n\
             base_request_headers = {{'X-Sample': 'yes', 'Authorization': 'overridden'}}\n",
            broker.host, broker.amqp_port, broker.user, broker.password
        ),
    )
    .expect("config");
    let suffix = format!("_misp{}", std::process::id());
    let raw = amqp::Consumer::bind(&broker, &format!("raw{suffix}"), "#", false);
    let sample = amqp::Consumer::bind(&broker, &format!("sample{suffix}"), "#", false);

    let first = run(
        &conf,
        &state,
        &suffix,
        "2017-02-20T12:00:00",
        &["--output", "amqp"],
    );
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );

    let requests = seen.lock().expect("log").clone();
    let paths: Vec<(&str, &str)> = requests
        .iter()
        .map(|(m, p, _, _, _)| (m.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("POST", "/misp/events/restSearch"),
            ("GET", "/attributes/downloadAttachment/download/7"),
            ("GET", "/attributes/downloadAttachment/download/8"),
        ]
    );
    assert_eq!(
        requests[0].3,
        r#"{"last": "28815m", "returnFormat": "json"}"#
    );
    assert!(
        requests.iter().all(|(_, _, auth, _, _)| auth == KEY),
        "{requests:?}"
    );

    let timestamp = 1_487_592_000u64;
    let events = raw.drain();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e.delivery.routing_key.as_str(), "test.misp");
    // `json.dumps` of the events: n6's separators, ASCII escapes, the server's key order.
    let body = EVENTS;
    assert_eq!(String::from_utf8_lossy(&e.delivery.data), body);
    let p = &e.delivery.properties;
    assert_eq!(short(p.kind()), Some("stream"));
    assert_eq!(*p.content_type(), None);
    assert_eq!(
        short(p.message_id()),
        Some(n6_collectors::message::message_id("test.misp", timestamp, body.as_bytes()).as_str())
    );
    let mut meta = FieldTable::default();
    meta.insert("minimum_tlp".into(), long("amber"));
    let mut headers = FieldTable::default();
    headers.insert("meta".into(), AMQPValue::FieldTable(meta.clone()));
    assert_eq!(p.headers().as_ref(), Some(&headers));

    let samples = sample.drain();
    assert_eq!(samples.len(), 1, "sample 8 is given up (404)");
    let s = &samples[0];
    assert_eq!(s.delivery.routing_key.as_str(), "test.misp");
    assert_eq!(&s.delivery.data[..], b"MZ sample 7");
    let p = &s.delivery.properties;
    assert_eq!(short(p.kind()), Some("file"));
    assert_eq!(short(p.content_type()), Some("application/json"));
    let mut misp = FieldTable::default();
    for (key, value) in [
        ("category", long("Artifacts dropped")),
        ("comment", long("")),
        ("uuid", long("u-1")),
        ("event_id", long("560")),
        ("timestamp", long("1486212863")),
        ("to_ids", AMQPValue::Boolean(true)),
        ("value", long("a.png|e2f8")),
        ("distribution", long("5")),
        ("type", long("malware-sample")),
        ("id", long("7")),
    ] {
        misp.insert(key.into(), value);
    }
    meta.insert("misp".into(), AMQPValue::FieldTable(misp));
    let mut headers = FieldTable::default();
    headers.insert("meta".into(), AMQPValue::FieldTable(meta));
    assert_eq!(p.headers().as_ref(), Some(&headers));

    // A day later: nothing new, nothing published, both times moved on.
    let second = run(
        &conf,
        &state,
        &suffix,
        "2017-02-21T12:00:00",
        &["--output", "amqp"],
    );
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    assert_eq!(
        seen.lock().expect("log")[3].3,
        r#"{"last": "1455m", "returnFormat": "json"}"#
    );
    assert!(raw.drain().is_empty() && sample.drain().is_empty());

    let pickle = dir.path().join("back.pickle");
    let export = run(
        &conf,
        &state,
        &suffix,
        "2017-02-21T12:00:00",
        &["state", "export-pickle", &pickle.display().to_string()],
    );
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let value = decode(
        &std::fs::read(&pickle).expect("pickle"),
        Py2Strings::default(),
    )
    .expect("decodes")
    .value;
    let day = |day| PyValue::DateTime {
        year: 2017,
        month: 2,
        day,
        hour: 12,
        minute: 0,
        second: 0,
        microsecond: 0,
    };
    let key = |k: &str| PyValue::Str(k.to_owned());
    assert_eq!(
        value,
        PyValue::Dict(vec![
            (key("events_last_proc_datetime"), day(21)),
            (key("samples_last_proc_datetime"), day(21)),
            (
                key("already_processed_sample_ids"),
                PyValue::Set(Vec::new())
            ),
        ])
    );
    raw.delete();
    sample.delete();
}
