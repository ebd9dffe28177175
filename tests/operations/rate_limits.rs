//! Rate limits of the downloader against a scripted HTTP server on 127.0.0.1: a `429`
//! with `Retry-After` is retried no sooner than asked, a `Retry-After` beyond
//! `download_deadline` fails at once with a clear error, and `download_min_interval`
//! spaces two requests.

use std::time::{Duration, Instant};

use crate::support::http::{AfterScript, Answer, Server};

use n6_collectors::helpers::download::{DownloadError, DownloadSettings, Downloader, Request};

fn settings(deadline: f64, min_interval: f64) -> DownloadSettings {
    let mut settings = DownloadSettings::from_config(3, (5.0, 5.0), &[])
        .and_then(|s| s.with_deadline(deadline))
        .and_then(|s| s.with_min_interval(min_interval))
        .expect("settings");
    settings.progress = false;
    settings
}

#[test]
fn a_429_with_retry_after_is_retried_no_sooner_than_asked() {
    let server = Server::script(vec![
        Answer::new(429, "slow down").header("Retry-After", "1"),
        Answer::ok("the feed"),
    ])
    .after_script(AfterScript::HangUp)
    .start();
    let mut downloader = Downloader::new(settings(30.0, 0.0));
    let body = downloader
        .get(&server.url("/feed"))
        .expect("retried after 1 s");
    assert_eq!(body, b"the feed");
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 2);
    let waited = arrivals[1] - arrivals[0];
    assert!(waited >= Duration::from_secs(1), "retried after {waited:?}");
}

#[test]
fn a_503_with_an_http_date_retry_after_is_honoured() {
    let server = Server::script(vec![
        // Long past: no wait, and still retried (503 is retryable in n6 too).
        Answer::status(503).header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),
        Answer::ok("ok"),
    ])
    .after_script(AfterScript::HangUp)
    .start();
    let mut downloader = Downloader::new(settings(30.0, 0.0));
    assert_eq!(
        downloader.get(&server.url("/feed")).expect("retried"),
        b"ok"
    );
    assert_eq!(server.arrivals().len(), 2);
}

#[test]
fn a_retry_after_beyond_the_deadline_fails_at_once_with_a_clear_error() {
    let server = Server::script(vec![Answer::status(429).header("Retry-After", "3600")])
        .after_script(AfterScript::HangUp)
        .start();
    let mut downloader = Downloader::new(settings(5.0, 0.0));
    let started = Instant::now();
    let error = downloader
        .try_download(Request::get(server.url("/feed")))
        .expect_err("beyond the deadline");
    assert!(started.elapsed() < Duration::from_secs(5), "did not wait");
    assert!(
        matches!(
            error,
            DownloadError::RetryAfterBeyondDeadline {
                status: 429,
                attempts: 1,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("HTTP 429")
            && message.contains("retry after 3600 s")
            && message.contains("download_deadline of 5 s"),
        "{message}"
    );
    assert_eq!(
        n6_collectors::Error::from(error).exit_code(),
        69,
        "source unavailable"
    );
}

#[test]
fn the_min_interval_spaces_two_requests() {
    let server = Server::script(vec![Answer::ok("page 1"), Answer::ok("page 2")])
        .after_script(AfterScript::HangUp)
        .start();
    // Two downloaders, as two `self.download(...)` calls of one run make.
    let url = server.url("/feed");
    assert_eq!(
        Downloader::new(settings(30.0, 1.5))
            .get(&url)
            .expect("page 1"),
        b"page 1"
    );
    assert_eq!(
        Downloader::new(settings(30.0, 1.5))
            .get(&url)
            .expect("page 2"),
        b"page 2"
    );
    let arrivals = server.arrivals();
    assert_eq!(arrivals.len(), 2);
    let spacing = arrivals[1] - arrivals[0];
    assert!(
        spacing >= Duration::from_millis(1500),
        "spaced by {spacing:?}"
    );
}

#[test]
fn a_negative_min_interval_is_a_configuration_error() {
    let error = DownloadSettings::default()
        .with_min_interval(-1.0)
        .expect_err("negative");
    assert!(
        error.to_string().contains("download_min_interval"),
        "{error}"
    );
}
