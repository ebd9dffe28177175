//! `helpers::download` against local HTTP(S) servers on 127.0.0.1: client certificates
//! (the server requires one), verification off and a private CA; request bodies and
//! query strings compared with what Python's `requests` prepares (`requests_cases.py`,
//! run by `python3`) and with what the server received; HEAD; typed errors.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use n6_collectors::helpers::download::{
    ClientCertFiles, DownloadError, DownloadSettings, Downloader, Form, FormValue, Request,
    prepare_url,
};
use n6_collectors::helpers::pyjson;

use crate::support::http::{Answer, Certs, Seen, Server};

fn settings() -> DownloadSettings {
    DownloadSettings {
        retries: 0,
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        progress: false,
        ..DownloadSettings::default()
    }
}

fn with_tls(f: impl FnOnce(&mut DownloadSettings)) -> Downloader {
    let mut s = settings();
    f(&mut s);
    Downloader::new(s)
}

#[test]
fn client_certificate_is_presented_where_the_server_requires_one() {
    let certs = Certs::make();
    let server = Server::https(
        vec![Answer::ok(b"events"), Answer::ok(b"never")],
        &certs,
        true,
    );
    let url = server.url("/events");
    let mut with_cert = with_tls(|s| {
        s.tls.ca_file = Some(certs.ca_cert.clone());
        s.tls.client_cert = Some(ClientCertFiles::new(&certs.client_cert, &certs.client_key));
    });
    assert_eq!(
        with_cert.get(&url).expect("with the certificate"),
        b"events"
    );
    let mut without = with_tls(|s| s.tls.ca_file = Some(certs.ca_cert.clone()));
    let error = without
        .try_download(Request::get(&url))
        .expect_err("refused");
    assert!(error.is_connection() && !error.is_timeout(), "{error}");
    let seen = server.served();
    assert!(matches!(&seen[0], Seen::Request(request) if request.line == "GET /events HTTP/1.1"));
    assert!(matches!(&seen[1], Seen::HandshakeFailed(_)), "{seen:?}");
}

#[test]
fn verification_can_be_turned_off_or_use_a_private_ca() {
    let certs = Certs::make();
    let server = Server::https(
        vec![
            Answer::ok(b"a"),
            Answer::ok(b"b"),
            Answer::ok(b"c"),
            Answer::ok(b"d"),
        ],
        &certs,
        false,
    );
    let url = server.base_url().to_owned();
    let default_roots = with_tls(|_| {}).try_download(Request::get(&url));
    assert!(default_roots.expect_err("unknown issuer").is_connection());
    let mut off = with_tls(|s| s.tls.verify = false);
    assert_eq!(off.get(&url).expect("verify=False"), b"b");
    let mut private = with_tls(|s| s.tls.ca_file = Some(certs.ca_cert.clone()));
    assert_eq!(private.get(&url).expect("verify=ca.pem"), b"c");
    let mut other = with_tls(|s| s.tls.ca_file = Some(certs.other_ca_cert.clone()));
    assert!(
        other
            .try_download(Request::get(&url))
            .expect_err("other CA")
            .is_connection()
    );
    assert_eq!(server.served().len(), 4);
}

#[test]
fn unusable_tls_files_are_configuration_errors() {
    let certs = Certs::make();
    let missing = certs.ca_cert.with_file_name("missing.pem");
    let mut d = with_tls(|s| s.tls.ca_file = Some(missing.clone()));
    let error = d
        .download(Request::get("https://127.0.0.1:9/"))
        .expect_err("missing");
    assert_eq!(error.exit_code(), 78);
    assert!(
        error
            .to_string()
            .contains(&format!("cannot read the CA file {}", missing.display())),
        "{error}"
    );
    // a key file given as the certificate: no certificate in it
    let mut d = with_tls(|s| {
        s.tls.client_cert = Some(ClientCertFiles::new(&certs.client_key, &certs.client_key))
    });
    let error = d
        .try_download(Request::get("https://127.0.0.1:9/"))
        .expect_err("no cert");
    assert!(
        matches!(&error, DownloadError::Config(m) if m.contains("holds no PEM certificate")),
        "{error}"
    );
}

fn form_from(fields: &serde_json::Value) -> Form {
    fn value(v: &serde_json::Value) -> Vec<FormValue> {
        let (kind, x) = v
            .as_object()
            .and_then(|o| o.iter().next())
            .expect("typed value");
        match kind.as_str() {
            "str" => vec![FormValue::from(x.as_str().expect("str"))],
            "bytes" => vec![FormValue::Bytes(
                x.as_str()
                    .expect("latin-1")
                    .chars()
                    .map(|c| c as u8)
                    .collect(),
            )],
            "int" => vec![FormValue::from(x.as_i64().expect("int"))],
            "float" => vec![FormValue::from(x.as_f64().expect("float"))],
            "bool" => vec![FormValue::from(x.as_bool().expect("bool"))],
            "none" => vec![FormValue::None],
            "list" => x.as_array().expect("list").iter().flat_map(value).collect(),
            other => panic!("kind {other}"),
        }
    }
    let mut form = Form::new();
    for field in fields.as_array().expect("fields") {
        let key = field[0].as_str().expect("key");
        form = form.fields(key, value(&field[1]));
    }
    form
}

#[test]
fn bodies_and_query_strings_are_encoded_as_requests_does() {
    // Python's side, for URLs on a placeholder base (replaced by the server's below).
    const BASE: &str = "http://127.0.0.1:1";
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats/requests_cases.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(BASE)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cases: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .expect("ascii")
        .lines()
        .map(|l| serde_json::from_str(l).expect("case"))
        .collect();
    assert!(cases.len() >= 30);
    let mut sent = Vec::new();
    for case in &cases {
        let url = case["url"].as_str().expect("url");
        match case["kind"].as_str().expect("kind") {
            "query" => {
                let form = form_from(&case["fields"]);
                assert_eq!(prepare_url(url, &form), case["prepared_url"], "{case}");
            }
            "form" => {
                assert_eq!(form_from(&case["fields"]).encode(), case["body"], "{case}");
                sent.push(case);
            }
            _ => {
                let value = pyjson::loads_str(case["json"].as_str().expect("json")).expect("doc");
                match (
                    Request::new("POST", url).json(&value),
                    case["error"].as_str(),
                ) {
                    (Ok(_), None) => sent.push(case),
                    (Err(e), Some(python)) => assert_eq!(e.to_string(), python),
                    (ours, python) => panic!("{case}: ours {ours:?}, Python {python:?}"),
                }
            }
        }
    }
    // The bodies and content types as the server receives them; a caller's
    // Content-Type wins over the default one.
    let server = Server::http((0..=sent.len()).map(|_| Answer::ok(b"")).collect());
    let mut d = Downloader::new(settings());
    for case in &sent {
        let url = case["url"]
            .as_str()
            .expect("url")
            .replace(BASE, server.base_url());
        let request = match case["kind"].as_str() {
            Some("form") => Request::post_form(url, form_from(&case["fields"])),
            _ => {
                let value = pyjson::loads_str(case["json"].as_str().expect("json")).expect("doc");
                Request::new("POST", url).json(&value).expect("finite")
            }
        };
        d.download(request).expect("sent");
    }
    let own = Request::post_form(server.url("/own"), Form::new().field("a", "b"))
        .header("content-type", "text/x-own");
    d.download(own).expect("sent");
    let seen = server.served();
    for (case, seen) in sent.iter().zip(&seen) {
        let Some(request) = seen.request() else {
            panic!("{seen:?}")
        };
        assert_eq!(
            String::from_utf8_lossy(&request.body),
            case["body"].as_str().expect("body")
        );
        assert_eq!(seen.header("content-type"), case["content_type"].as_str());
    }
    assert_eq!(seen[sent.len()].header("content-type"), Some("text/x-own"));
}

#[test]
fn head_requests_and_response_headers() {
    let server = Server::http(vec![
        Answer::ok(b"not sent for HEAD")
            .header("Content-Type", "application/x-bzip2")
            .header("Last-Modified", "Tue, 10 Jan 2023 12:00:00 GMT"),
    ]);
    let mut d = Downloader::new(settings());
    let body = d
        .download(Request::head(server.url("/feed")).follow_redirects(true))
        .expect("head");
    assert!(body.is_empty());
    assert_eq!(
        d.response_header("content-type"),
        Some("application/x-bzip2")
    );
    assert_eq!(d.http_last_modified(), Some("2023-01-10 12:00:00"));
    let seen = server.served();
    assert!(matches!(&seen[0], Seen::Request(request) if request.line == "HEAD /feed HTTP/1.1"));
}

#[test]
fn errors_are_typed_for_collectors_own_retry_loops() {
    let server = Server::http(vec![
        Answer::new(404, b"no"),
        Answer::new(503, b"busy"),
        Answer::silent(),
    ]);
    let mut d = Downloader::new(DownloadSettings {
        read_timeout: Duration::from_millis(300),
        ..settings()
    });
    let url = server.url("/sample/1");
    let not_found = d
        .try_download(Request::get(&url).retries(0))
        .expect_err("404");
    assert_eq!(not_found.status(), Some(404));
    assert!(
        !not_found.is_retryable_status() && !not_found.is_timeout() && !not_found.is_connection()
    );
    assert_eq!(
        not_found.to_string(),
        format!("GET {url}: HTTP 404 Not Found")
    );
    let busy = d
        .try_download(Request::get(&url).retries(0))
        .expect_err("503");
    assert!(busy.is_retryable_status());
    let stalled = d
        .try_download(Request::get(&url).retries(0))
        .expect_err("stall");
    assert!(
        stalled.is_timeout() && !stalled.is_connection(),
        "{stalled:?}"
    );
    assert_eq!(stalled.status(), None);
    drop(server.served());
    // connection refused: a port nobody listens on any more
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let refused = d
        .try_download(Request::get(format!("http://127.0.0.1:{port}/")))
        .expect_err("refused");
    assert!(
        refused.is_connection() && !refused.is_timeout(),
        "{refused:?}"
    );
    assert!(std::error::Error::source(&refused).is_some());
    let run_error: n6_collectors::Error = refused.into();
    assert_eq!(run_error.exit_code(), 69);
}
