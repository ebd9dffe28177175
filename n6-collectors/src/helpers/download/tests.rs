//! Downloads against a tiny HTTP server on 127.0.0.1 (one thread, scripted responses).

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::*;

/// What the server does for one connection.
enum Reply {
    /// Status line, extra headers, body.
    Respond(u16, Vec<(&'static str, &'static str)>, &'static [u8]),
    /// Read the request, then say nothing until the client gives up.
    Stall,
}

/// One request as the server saw it: request line and headers (names lower-cased).
#[derive(Debug, Clone)]
struct Seen {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for reply in replies {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                serve(stream, reply, &log);
            }
        });
        Server {
            url,
            seen,
            thread: Some(thread),
        }
    }

    fn seen(mut self) -> Vec<Seen> {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.seen.lock().expect("lock").clone()
    }
}

fn serve(stream: TcpStream, reply: Reply, log: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    log.lock().expect("lock").push(Seen {
        line: line.trim_end().to_owned(),
        headers,
        body,
    });
    let mut stream = stream;
    match reply {
        Reply::Respond(status, extra, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
        Reply::Stall => {
            // Wait until the client closes the connection (its read timeout).
            let _ = stream.read(&mut [0u8; 1]);
        }
    }
}

thread_local! {
    static SLEPT: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

fn record_sleep(d: Duration) {
    SLEPT.with(|s| s.borrow_mut().push(d));
}

fn downloader(retries: u32) -> Downloader {
    SLEPT.with(|s| s.borrow_mut().clear());
    let mut d = Downloader::new(DownloadSettings {
        retries,
        progress: false,
        read_timeout: Duration::from_millis(300),
        ..DownloadSettings::default()
    });
    d.sleep = record_sleep;
    d
}

fn slept() -> Vec<Duration> {
    SLEPT.with(|s| s.borrow().clone())
}

fn ok(body: &'static [u8]) -> Reply {
    Reply::Respond(200, vec![], body)
}

#[test]
fn retries_5xx_with_n6_backoff_then_succeeds() {
    let server = Server::start(vec![
        Reply::Respond(503, vec![], b"busy"),
        Reply::Respond(500, vec![], b"oops"),
        Reply::Respond(502, vec![], b""),
        ok(b"data"),
    ]);
    let mut d = downloader(3);
    let body = d
        .get(&format!("{}/feed.csv", server.url))
        .expect("download");
    assert_eq!(body, b"data");
    assert_eq!(
        slept(),
        vec![
            Duration::ZERO,
            Duration::from_millis(200),
            Duration::from_millis(400)
        ]
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert!(
        seen.iter().all(|s| s.line == "GET /feed.csv HTTP/1.1"),
        "{seen:?}"
    );
}

#[test]
fn gives_up_after_retries_plus_one_attempts() {
    let server = Server::start(vec![
        Reply::Respond(504, vec![], b""),
        Reply::Respond(504, vec![], b""),
        Reply::Respond(504, vec![], b""),
    ]);
    let mut d = downloader(2);
    let err = d.get(&server.url).expect_err("504");
    assert_eq!(err.exit_code(), crate::exit::UNAVAILABLE);
    assert!(err.to_string().contains("HTTP 504"), "{err}");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn client_errors_and_other_5xx_are_not_retried() {
    for status in [404u16, 403, 501] {
        let server = Server::start(vec![Reply::Respond(status, vec![], b"no")]);
        let mut d = downloader(3);
        let err = d.get(&server.url).expect_err("error status");
        assert_eq!(err.exit_code(), crate::exit::UNAVAILABLE);
        assert!(err.to_string().contains(&format!("HTTP {status}")), "{err}");
        assert_eq!(server.seen().len(), 1, "{status}");
        assert!(slept().is_empty());
    }
}

#[test]
fn redirects_are_returned_as_is() {
    let server = Server::start(vec![Reply::Respond(
        302,
        vec![("Location", "/elsewhere")],
        b"moved",
    )]);
    let mut d = downloader(0);
    assert_eq!(d.get(&server.url).expect("3xx"), b"moved");
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn read_timeout_is_retried_then_fails() {
    let server = Server::start(vec![Reply::Stall, Reply::Stall]);
    let mut d = downloader(1);
    let err = d.get(&server.url).expect_err("timeout");
    assert_eq!(err.exit_code(), crate::exit::UNAVAILABLE);
    assert_eq!(slept(), vec![Duration::ZERO]);
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn connection_refused_is_source_unavailable() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut d = downloader(2);
    let err = d
        .get(&format!("http://127.0.0.1:{port}/"))
        .expect_err("refused");
    assert_eq!(err.exit_code(), crate::exit::UNAVAILABLE);
    assert_eq!(slept(), vec![Duration::ZERO, Duration::from_millis(200)]);
}

#[test]
fn last_modified_of_the_last_response_goes_to_meta() {
    let server = Server::start(vec![
        Reply::Respond(
            200,
            vec![("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")],
            b"a",
        ),
        Reply::Respond(200, vec![], b"b"),
    ]);
    let mut d = downloader(0);
    d.get(&server.url).expect("first");
    assert_eq!(d.http_last_modified(), Some("2015-10-21 07:28:00"));
    assert_eq!(
        d.meta().get("http_last_modified"),
        Some(&HeaderValue::Str("2015-10-21 07:28:00".into()))
    );
    d.get(&server.url).expect("second");
    assert_eq!(d.http_last_modified(), None);
    assert!(d.meta().is_empty());
}

#[test]
fn base_and_custom_headers_are_merged_and_post_bodies_sent() {
    let server = Server::start(vec![ok(b"{}")]);
    let mut d = downloader(0);
    d.settings.base_request_headers = vec![
        ("X-Api-Key".into(), "base".into()),
        ("Accept".into(), "text/plain".into()),
    ];
    let request = Request::post(format!("{}/api", server.url), b"urlid=1".to_vec())
        .header("x-api-key", "custom");
    assert_eq!(d.download(request).expect("post"), b"{}");
    let seen = server.seen();
    let seen = &seen[0];
    assert_eq!(seen.line, "POST /api HTTP/1.1");
    assert_eq!(seen.body, b"urlid=1");
    let values = |name: &str| -> Vec<&str> {
        seen.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(values("x-api-key"), vec!["custom"]);
    assert_eq!(values("accept"), vec!["text/plain"]);
}

#[test]
fn size_limit_is_enforced_while_streaming() {
    let server = Server::start(vec![ok(b"0123456789")]);
    let mut d = downloader(0);
    d.settings.max_size = 4;
    let err = d.get(&server.url).expect_err("too large");
    assert_eq!(err.exit_code(), crate::exit::DATA);
    assert!(err.to_string().contains("limit of 4 bytes"), "{err}");
}

#[test]
fn file_urls_read_local_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("a b.csv");
    std::fs::write(&path, b"x\xff\n").expect("write");
    let mut d = downloader(3);
    let url = format!("file://{}", path.display()).replace(' ', "%20");
    assert_eq!(d.get(&url).expect("file"), b"x\xff\n");
    let localhost = format!("file://localhost{}", path.display());
    assert_eq!(d.get(&localhost).expect("file"), b"x\xff\n");
    let missing = d
        .get(&format!("file://{}/nope", dir.path().display()))
        .expect_err("missing");
    assert_eq!(missing.exit_code(), crate::exit::UNAVAILABLE);
    d.settings.max_size = 2;
    assert_eq!(
        d.get(&url).expect_err("large").exit_code(),
        crate::exit::DATA
    );
}

#[test]
fn bad_urls_methods_and_settings() {
    let mut d = downloader(0);
    assert_eq!(
        d.get("ftp://x/y").expect_err("scheme").exit_code(),
        crate::exit::CONFIG
    );
    assert_eq!(
        d.download(Request::new("FETCH", "http://127.0.0.1/"))
            .expect_err("method")
            .exit_code(),
        crate::exit::SOFTWARE
    );
    let err = DownloadSettings::from_config(-1, (12.1, 25.0), &[]).expect_err("negative");
    assert_eq!(
        err.to_string(),
        "configuration error:\n  config option `download_retries` is a negative number: -1"
    );
    let s = DownloadSettings::from_config(5, (1.5, 2.0), &[]).expect("ok");
    assert_eq!(
        (s.retries, s.connect_timeout, s.read_timeout),
        (5, Duration::from_millis(1500), Duration::from_secs(2))
    );
}

#[test]
fn backoff_is_urllib3s() {
    let delays: Vec<u128> = (1..=6).map(|n| backoff(n).as_millis()).collect();
    assert_eq!(delays, vec![0, 200, 400, 800, 1600, 3200]);
    assert_eq!(backoff(40), Duration::from_secs(120));
}

/// `gzip.compress(b"hello gzip\n", mtime=0)`.
const GZIPPED: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57,
    0x48, 0xaf, 0xca, 0x2c, 0xe0, 0x02, 0x00, 0x39, 0x7c, 0x63, 0x56, 0x0b, 0x00, 0x00, 0x00,
];

#[test]
fn gzip_content_encoding_is_decoded() {
    let server = Server::start(vec![Reply::Respond(
        200,
        vec![("Content-Encoding", "gzip")],
        GZIPPED,
    )]);
    let mut d = downloader(0);
    assert_eq!(d.get(&server.url).expect("gzip"), b"hello gzip\n");
    let seen = server.seen();
    let accept: Vec<&str> = seen[0]
        .headers
        .iter()
        .filter(|(k, _)| k == "accept-encoding")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(accept, vec!["gzip"]);
}

/// Reads a [`BodyStream`] to its end, in small reads, as a download error when it fails.
fn read_stream(mut stream: BodyStream) -> std::result::Result<Vec<u8>, DownloadError> {
    let mut out = Vec::new();
    let mut buf = [0u8; 3];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(out),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return Err(DownloadError::from_read_error(e).expect("a download error")),
        }
    }
}

#[test]
fn open_streams_the_body_as_download_gives_it() {
    let server = Server::start(vec![
        Reply::Respond(500, vec![], b"busy"),
        Reply::Respond(
            200,
            vec![("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")],
            b"0123456789",
        ),
        ok(b"0123456789"),
    ]);
    let mut d = downloader(1);
    let stream = d.open(Request::get(&server.url)).expect("open");
    assert_eq!(stream.size_hint(), Some(10));
    assert_eq!(d.http_last_modified(), Some("2015-10-21 07:28:00"));
    assert_eq!(read_stream(stream).expect("body"), b"0123456789");
    assert_eq!(
        slept(),
        vec![Duration::ZERO],
        "one retry, as download makes it"
    );
    d.settings.max_size = 4;
    let stream = d.open(Request::get(&server.url)).expect("open");
    let err = read_stream(stream).expect_err("too large");
    assert!(
        matches!(err, DownloadError::TooLarge { limit: 4, .. }),
        "{err}"
    );
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn open_reports_statuses_and_reads_files() {
    let server = Server::start(vec![Reply::Respond(404, vec![], b"no")]);
    let mut d = downloader(0);
    let err = d.open(Request::get(&server.url)).err().expect("404");
    assert!(
        matches!(err, DownloadError::Status { status: 404, .. }),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("feed.csv");
    std::fs::write(&path, b"a\nb\xff\n").expect("write");
    let url = format!("file://{}", path.display());
    let stream = d.open(Request::get(&url)).expect("file");
    assert_eq!(stream.size_hint(), Some(5));
    assert_eq!(read_stream(stream).expect("file body"), b"a\nb\xff\n");
    d.settings.max_size = 2;
    let err = read_stream(d.open(Request::get(&url)).expect("file")).expect_err("large");
    assert!(
        matches!(err, DownloadError::TooLarge { limit: 2, .. }),
        "{err}"
    );
    let missing = d
        .open(Request::get(format!("{url}.missing")))
        .err()
        .expect("missing");
    assert!(matches!(missing, DownloadError::File { .. }), "{missing}");
}

#[test]
fn open_with_conditional_downloads_on_is_try_download() {
    // `download_only_if_body_changed`: a body equal to the last one is `SameBody`,
    // through `open` exactly as through `try_download`.
    let server = Server::start(vec![ok(b"rows"), ok(b"rows")]);
    let mut d = downloader(0);
    d.settings = d.settings.clone().with_if_changed(false, true);
    conditional::begin_run(DownloadHistory::default());
    let first = d.open(Request::get(&server.url)).expect("first");
    assert_eq!(read_stream(first).expect("body"), b"rows");
    let history = conditional::end_run().expect("a run");
    conditional::begin_run(history);
    let again = d.open(Request::get(&server.url)).err().expect("unchanged");
    conditional::forget_run();
    assert!(matches!(again, DownloadError::SameBody { .. }), "{again}");
}
