//! Downloads where what a test checks is visible only inside the crate: the back-off
//! slept between attempts (the downloader's `sleep` hook) and a run's conditional-download
//! history, against the scripted test server on 127.0.0.1 that the integration tests
//! share (`tests/support/http/`); `file://` URLs, settings and the back-off table need
//! no server. The rest of the HTTP behaviour is tested through the public API in
//! `tests/formats/download_http.rs`.

use std::cell::RefCell;
use std::io::Read;
use std::net::TcpListener;

use super::*;

#[path = "../../../../tests/support/http/mod.rs"]
mod http;

use http::{Answer, Server};

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

#[test]
fn retries_5xx_with_n6_backoff_then_succeeds() {
    let server = Server::http(vec![
        Answer::new(503, b"busy"),
        Answer::new(500, b"oops"),
        Answer::status(502),
        Answer::ok(b"data"),
    ]);
    let mut d = downloader(3);
    let body = d.get(&server.url("/feed.csv")).expect("download");
    assert_eq!(body, b"data");
    assert_eq!(
        slept(),
        vec![
            Duration::ZERO,
            Duration::from_millis(200),
            Duration::from_millis(400)
        ]
    );
    let seen = server.served();
    assert_eq!(seen.len(), 4);
    assert!(
        seen.iter().all(|s| s
            .request()
            .is_some_and(|r| r.line == "GET /feed.csv HTTP/1.1")),
        "{seen:?}"
    );
}

#[test]
fn client_errors_and_other_5xx_are_not_retried() {
    for status in [404u16, 403, 501] {
        let server = Server::http(vec![Answer::new(status, b"no")]);
        let mut d = downloader(3);
        let err = d.get(server.base_url()).expect_err("error status");
        assert_eq!(err.exit_code(), crate::exit::UNAVAILABLE);
        assert!(err.to_string().contains(&format!("HTTP {status}")), "{err}");
        assert_eq!(server.served().len(), 1, "{status}");
        assert!(slept().is_empty());
    }
}

#[test]
fn read_timeout_is_retried_then_fails() {
    let server = Server::http(vec![Answer::silent(), Answer::silent()]);
    let mut d = downloader(1);
    let err = d.get(server.base_url()).expect_err("timeout");
    assert_eq!(err.exit_code(), crate::exit::UNAVAILABLE);
    assert_eq!(slept(), vec![Duration::ZERO]);
    assert_eq!(server.served().len(), 2);
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
    let server = Server::http(vec![
        Answer::new(500, b"busy"),
        Answer::ok(b"0123456789").header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        Answer::ok(b"0123456789"),
    ]);
    let mut d = downloader(1);
    let stream = d.open(Request::get(server.base_url())).expect("open");
    assert_eq!(stream.size_hint(), Some(10));
    assert_eq!(d.http_last_modified(), Some("2015-10-21 07:28:00"));
    assert_eq!(read_stream(stream).expect("body"), b"0123456789");
    assert_eq!(
        slept(),
        vec![Duration::ZERO],
        "one retry, as download makes it"
    );
    d.settings.max_size = 4;
    let stream = d.open(Request::get(server.base_url())).expect("open");
    let err = read_stream(stream).expect_err("too large");
    assert!(
        matches!(err, DownloadError::TooLarge { limit: 4, .. }),
        "{err}"
    );
    assert_eq!(server.served().len(), 3);
}

#[test]
fn open_with_conditional_downloads_on_is_try_download() {
    // `download_only_if_body_changed`: a body equal to the last one is `SameBody`,
    // through `open` exactly as through `try_download`.
    let server = Server::http(vec![Answer::ok(b"rows"), Answer::ok(b"rows")]);
    let mut d = downloader(0);
    d.settings = d.settings.clone().with_if_changed(false, true);
    conditional::begin_run(DownloadHistory::default());
    let first = d.open(Request::get(server.base_url())).expect("first");
    assert_eq!(read_stream(first).expect("body"), b"rows");
    let history = conditional::end_run().expect("a run");
    conditional::begin_run(history);
    let again = d
        .open(Request::get(server.base_url()))
        .err()
        .expect("unchanged");
    conditional::forget_run();
    assert!(matches!(again, DownloadError::SameBody { .. }), "{again}");
}
