//! Source faults through a real collector process (issue 6, point 3, process level):
//! HTTP 5xx then success (retried, the run completes), 4xx (not retried), 5xx for good,
//! a silent server (read timeout), a truncated body, invalid UTF-8 and malformed rows.
//! Each failure is one clear error line with its exit code, and the state file changes
//! only as far as data was published and confirmed (a checkpoint before the bad row).
//!
//! The feed is served by a scripted HTTP server on 127.0.0.1; the output is a JSON-lines
//! file, so no broker is needed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::reliability_support::{Site, code, copies, error_line, stderr};

/// One scripted answer (one per connection, in order).
#[derive(Clone)]
enum Reply {
    /// An empty response with this status.
    Status(u16),
    /// 200 with this body.
    Body(Vec<u8>),
    /// 200 announcing `claimed` bytes, sending only `sent`, then closing.
    Truncated { claimed: usize, sent: Vec<u8> },
    /// Reads the request and never answers (the connection stays open).
    Silent,
}

/// The scripted server: answers the n-th connection with the n-th reply (410 Gone once
/// the script is exhausted) and counts requests.
struct Server {
    port: u16,
    requests: Arc<AtomicUsize>,
}

impl Server {
    fn start(script: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            let mut silent: Vec<TcpStream> = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                if !read_request(&mut stream) {
                    continue;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                match script.next().unwrap_or(Reply::Status(410)) {
                    Reply::Status(status) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        );
                    }
                    Reply::Body(body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = stream.write_all(&body);
                    }
                    Reply::Truncated { claimed, sent } => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\nContent-Length: {claimed}\r\nConnection: close\r\n\r\n"
                        );
                        let _ = stream.write_all(&sent);
                    }
                    Reply::Silent => silent.push(stream),
                }
            }
        });
        Server { port, requests }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/feed.txt", self.port)
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Reads up to the end of the request head; false if the client went away first.
fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return false,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    true
}

/// `row {from}` .. `row {to - 1}`, one per line.
fn rows(range: std::ops::Range<u64>) -> Vec<u8> {
    range
        .map(|i| format!("row {i}\n"))
        .collect::<String>()
        .into_bytes()
}

/// A site fed from `server`, with `extra` config lines.
fn configure(site: &Site, server: &Server, extra: &str) {
    site.configure_local(&format!(
        "url = {}\ndownload_timeout = (2, 1)\n{extra}",
        server.url()
    ));
}

fn run(site: &Site) -> Output {
    let out_file = site.path("out.jsonl").display().to_string();
    site.run(&["--output", &out_file])
}

/// A site whose state already holds rows 0..2 (served once by a server of its own).
fn site_with_two_rows(tag: &str) -> (Site, Vec<u8>, u64) {
    let site = crate::reliability_support::site(tag);
    let first = Server::start(vec![Reply::Body(rows(0..2))]);
    configure(&site, &first, "");
    let out = run(&site);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(site.state_lines(), Some(2));
    let bytes = site.state_bytes().expect("state");
    let inode = site.state_inode().expect("inode");
    (site, bytes, inode)
}

fn assert_state_untouched(site: &Site, bytes: &[u8], inode: u64) {
    assert_eq!(site.state_bytes().as_deref(), Some(bytes), "state changed");
    assert_eq!(site.state_inode(), Some(inode), "state rewritten");
    assert_eq!(site.temp_files(), Vec::<String>::new());
}

#[test]
fn http_5xx_then_success_is_retried_and_the_run_completes() {
    let site = crate::reliability_support::site("src5xxok");
    let server = Server::start(vec![
        Reply::Status(503),
        Reply::Status(502),
        Reply::Body(rows(0..4)),
    ]);
    configure(&site, &server, "download_retries = 3");
    let out = run(&site);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.requests(), 3);
    assert_eq!(site.state_lines(), Some(4));
    assert!(copies(&site.jsonl_bodies(), 4).values().all(|&n| n == 1));
}

#[test]
fn http_4xx_is_not_retried_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("src404");
    let server = Server::start(vec![Reply::Status(404)]);
    configure(&site, &server, "download_retries = 3");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains("source unavailable"), "{line}");
    assert!(line.contains(&server.url()), "{line}");
    assert!(line.contains("HTTP 404"), "{line}");
    assert_eq!(server.requests(), 1, "a 4xx must not be retried");
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn http_5xx_for_good_gives_up_after_the_retries_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("src503");
    let server = Server::start(vec![Reply::Status(503); 3]);
    configure(&site, &server, "download_retries = 2");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains("HTTP 503"), "{line}");
    assert!(line.contains("(after 3 attempts)"), "{line}");
    assert_eq!(server.requests(), 3);
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn silent_server_times_out_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("srctimeout");
    let server = Server::start(vec![Reply::Silent, Reply::Silent]);
    configure(&site, &server, "download_retries = 1");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains(&server.url()), "{line}");
    assert!(line.to_lowercase().contains("timeout"), "{line}");
    assert!(line.contains("(after 2 attempts)"), "{line}");
    assert_eq!(server.requests(), 2, "a timeout is retried");
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn truncated_body_fails_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("srctrunc");
    let mut sent = rows(0..3);
    sent.extend_from_slice(b"row 3"); // cut in the middle of a row
    let server = Server::start(vec![Reply::Truncated {
        claimed: sent.len() + 100,
        sent,
    }]);
    configure(&site, &server, "download_retries = 0");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains(&server.url()), "{line}");
    assert!(line.contains("reading the response"), "{line}");
    assert_state_untouched(&site, &bytes, inode);
    // Nothing of the partial body was published.
    assert_eq!(site.jsonl_bodies(), ["row 0", "row 1"]);
}

#[test]
fn malformed_row_fails_with_exit_65_and_changes_nothing_without_a_checkpoint() {
    let (site, bytes, inode) = site_with_two_rows("srcmalformed");
    let mut body = rows(0..3);
    body.extend_from_slice(b"rox 3\nrow 4\n");
    let server = Server::start(vec![Reply::Body(body)]);
    configure(&site, &server, "strict = true");
    let out = run(&site);
    assert_eq!(code(&out), 65, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(
        line.ends_with("bad data from the source: line 4: expected `row <number>`, got \"rox 3\""),
        "{line}"
    );
    // Row 2 went out before the bad row, unconfirmed: not saved, re-sent next time.
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn invalid_utf8_fails_with_exit_65_and_keeps_only_the_confirmed_checkpoint() {
    let site = crate::reliability_support::site("srcutf8");
    let mut body = rows(0..3);
    body.extend_from_slice(b"row \xff\xfe\nrow 4\n");
    let server = Server::start(vec![Reply::Body(body)]);
    configure(&site, &server, "strict = true\ncheckpoint_every = 2");
    let out = run(&site);
    assert_eq!(code(&out), 65, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains("bad data from the source: line 4:"), "{line}");
    assert!(line.contains("utf-8"), "{line}");
    // Rows 0 and 1 were published, confirmed and checkpointed; row 2 only published.
    assert_eq!(site.state_lines(), Some(2));
    let check = site.check_state();
    assert_eq!(code(&check), 0, "{}", stderr(&check));
}
