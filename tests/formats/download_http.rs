//! `helpers::download` over plain HTTP against the scripted test server on 127.0.0.1,
//! through the public API: retries given up, redirects, `Last-Modified` in the meta
//! headers, merged request headers and POST bodies, the size limit, gzip, and `open`'s
//! errors. (What only the crate sees, the back-off slept between attempts and a run's
//! conditional-download history, is tested in `helpers/download/tests.rs`.)

use std::io::Read;
use std::time::Duration;

use n6_collectors::exit;
use n6_collectors::helpers::download::{
    BodyStream, DownloadError, DownloadSettings, Downloader, Request,
};
use n6_collectors::message::HeaderValue;

use crate::support::http::{Answer, Server};

/// Settings with `retries`, no progress bar and a short read timeout.
fn settings(retries: u32) -> DownloadSettings {
    DownloadSettings {
        retries,
        progress: false,
        read_timeout: Duration::from_millis(300),
        ..DownloadSettings::default()
    }
}

fn downloader(retries: u32) -> Downloader {
    Downloader::new(settings(retries))
}

/// A downloader without retries whose downloads are limited to `max_size` bytes.
fn limited_to(max_size: u64) -> Downloader {
    Downloader::new(DownloadSettings {
        max_size,
        ..settings(0)
    })
}

#[test]
fn gives_up_after_retries_plus_one_attempts() {
    let server = Server::http(vec![Answer::status(504); 3]);
    let mut d = downloader(2);
    let err = d.get(server.base_url()).expect_err("504");
    assert_eq!(err.exit_code(), exit::UNAVAILABLE);
    assert!(err.to_string().contains("HTTP 504"), "{err}");
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(server.served().len(), 3);
}

#[test]
fn redirects_are_returned_as_is() {
    let server = Server::http(vec![
        Answer::new(302, b"moved").header("Location", "/elsewhere"),
    ]);
    let mut d = downloader(0);
    assert_eq!(d.get(server.base_url()).expect("3xx"), b"moved");
    assert_eq!(server.served().len(), 1);
}

#[test]
fn last_modified_of_the_last_response_goes_to_meta() {
    let server = Server::http(vec![
        Answer::ok(b"a").header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        Answer::ok(b"b"),
    ]);
    let mut d = downloader(0);
    d.get(server.base_url()).expect("first");
    assert_eq!(d.http_last_modified(), Some("2015-10-21 07:28:00"));
    assert_eq!(
        d.meta().get("http_last_modified"),
        Some(&HeaderValue::Str("2015-10-21 07:28:00".into()))
    );
    d.get(server.base_url()).expect("second");
    assert_eq!(d.http_last_modified(), None);
    assert!(d.meta().is_empty());
}

#[test]
fn base_and_custom_headers_are_merged_and_post_bodies_sent() {
    let server = Server::http(vec![Answer::ok(b"{}")]);
    let mut d = Downloader::new(DownloadSettings {
        base_request_headers: vec![
            ("X-Api-Key".into(), "base".into()),
            ("Accept".into(), "text/plain".into()),
        ],
        ..settings(0)
    });
    let request =
        Request::post(server.url("/api"), b"urlid=1".to_vec()).header("x-api-key", "custom");
    assert_eq!(d.download(request).expect("post"), b"{}");
    let seen = server.served();
    let seen = seen[0].request().expect("a request");
    assert_eq!(seen.line, "POST /api HTTP/1.1");
    assert_eq!(seen.body, b"urlid=1");
    assert_eq!(seen.header_values("x-api-key"), vec!["custom"]);
    assert_eq!(seen.header_values("accept"), vec!["text/plain"]);
}

#[test]
fn size_limit_is_enforced_while_streaming() {
    let server = Server::http(vec![Answer::ok(b"0123456789")]);
    let mut d = limited_to(4);
    let err = d.get(server.base_url()).expect_err("too large");
    assert_eq!(err.exit_code(), exit::DATA);
    assert!(err.to_string().contains("limit of 4 bytes"), "{err}");
}

/// `gzip.compress(b"hello gzip\n", mtime=0)`.
const GZIPPED: &[u8] = &[
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57,
    0x48, 0xaf, 0xca, 0x2c, 0xe0, 0x02, 0x00, 0x39, 0x7c, 0x63, 0x56, 0x0b, 0x00, 0x00, 0x00,
];

#[test]
fn gzip_content_encoding_is_decoded() {
    let server = Server::http(vec![Answer::ok(GZIPPED).header("Content-Encoding", "gzip")]);
    let mut d = downloader(0);
    assert_eq!(d.get(server.base_url()).expect("gzip"), b"hello gzip\n");
    let seen = server.served();
    let accept = seen[0]
        .request()
        .expect("a request")
        .header_values("accept-encoding");
    assert_eq!(accept, vec!["gzip"]);
}

/// Reads a [`BodyStream`] to its end, in small reads, as a download error when it fails.
fn read_stream(mut stream: BodyStream) -> Result<Vec<u8>, DownloadError> {
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
fn open_reports_statuses_and_reads_files() {
    let server = Server::http(vec![Answer::new(404, b"no")]);
    let mut d = downloader(0);
    let err = d.open(Request::get(server.base_url())).err().expect("404");
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
    let err =
        read_stream(limited_to(2).open(Request::get(&url)).expect("file")).expect_err("large");
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
