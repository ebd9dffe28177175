//! Source faults through a real collector process (issue 6, point 3, process level):
//! HTTP 5xx then success (retried, the run completes), 4xx (not retried), 5xx for good,
//! a silent server (read timeout), a truncated body, invalid UTF-8 and malformed rows.
//! Each failure is one clear error line with its exit code, and the state file changes
//! only as far as data was published and confirmed (a checkpoint before the bad row).
//!
//! The feed is served by a scripted HTTP server on 127.0.0.1; the output is a JSON-lines
//! file, so no broker is needed.

use std::process::Output;

use crate::reliability_support::{Site, code, copies, error_line, stderr};
use crate::support::http::{Answer, Server};

/// Where the scripted server serves the feed.
const FEED: &str = "/feed.txt";

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
        server.url(FEED)
    ));
}

fn run(site: &Site) -> Output {
    let out_file = site.path("out.jsonl").display().to_string();
    site.run(&["--output", &out_file])
}

/// A site whose state already holds rows 0..2 (served once by a server of its own).
fn site_with_two_rows(tag: &str) -> (Site, Vec<u8>, u64) {
    let site = crate::reliability_support::site(tag);
    let first = Server::http(vec![Answer::ok(rows(0..2))]);
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
    let server = Server::http(vec![
        Answer::status(503),
        Answer::status(502),
        Answer::ok(rows(0..4)),
    ]);
    configure(&site, &server, "download_retries = 3");
    let out = run(&site);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(site.state_lines(), Some(4));
    assert!(copies(&site.jsonl_bodies(), 4).values().all(|&n| n == 1));
}

#[test]
fn http_4xx_is_not_retried_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("src404");
    let server = Server::http(vec![Answer::status(404)]);
    configure(&site, &server, "download_retries = 3");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains("source unavailable"), "{line}");
    assert!(line.contains(&server.url(FEED)), "{line}");
    assert!(line.contains("HTTP 404"), "{line}");
    assert_eq!(server.requests().len(), 1, "a 4xx must not be retried");
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn http_5xx_for_good_gives_up_after_the_retries_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("src503");
    let server = Server::http(vec![Answer::status(503); 3]);
    configure(&site, &server, "download_retries = 2");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains("HTTP 503"), "{line}");
    assert!(line.contains("(after 3 attempts)"), "{line}");
    assert_eq!(server.requests().len(), 3);
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn silent_server_times_out_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("srctimeout");
    let server = Server::http(vec![Answer::silent(), Answer::silent()]);
    configure(&site, &server, "download_retries = 1");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains(&server.url(FEED)), "{line}");
    assert!(line.to_lowercase().contains("timeout"), "{line}");
    assert!(line.contains("(after 2 attempts)"), "{line}");
    assert_eq!(server.requests().len(), 2, "a timeout is retried");
    assert_state_untouched(&site, &bytes, inode);
}

#[test]
fn truncated_body_fails_and_changes_nothing() {
    let (site, bytes, inode) = site_with_two_rows("srctrunc");
    let mut sent = rows(0..3);
    sent.extend_from_slice(b"row 3"); // cut in the middle of a row
    // Announced: 100 bytes more than are sent.
    let mut announced = sent.clone();
    announced.extend_from_slice(&[b'x'; 100]);
    let server = Server::http(vec![Answer::ok(announced).cut_after(sent.len())]);
    configure(&site, &server, "download_retries = 0");
    let out = run(&site);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(line.contains(&server.url(FEED)), "{line}");
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
    let server = Server::http(vec![Answer::ok(body)]);
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
    let server = Server::http(vec![Answer::ok(body)]);
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
