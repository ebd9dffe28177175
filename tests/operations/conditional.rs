//! Conditional requests against a scripted server on 127.0.0.1: the validators of the
//! first response are sent back on the second request, and a `304` to it is
//! `DownloadError::NotModified`; a changed body comes back as a body.

use n6_collectors::helpers::download::{DownloadError, DownloadSettings, Downloader, Request};

use crate::support::http::{AfterScript, Answer, Server};

fn downloader() -> Downloader {
    Downloader::new(DownloadSettings {
        progress: false,
        ..DownloadSettings::default()
    })
}

fn first_version() -> Answer {
    Answer::ok("first")
        .header("ETag", "\"v1\"")
        .header("Last-Modified", "Wed, 02 Dec 2026 01:00:00 GMT")
}

#[test]
fn the_second_request_carries_the_validators_and_a_304_is_not_modified() {
    let server = Server::script(vec![first_version(), Answer::status(304)])
        .after_script(AfterScript::HangUp)
        .start();
    let mut first = downloader();
    assert_eq!(first.get(&server.url("/feed")).expect("first"), b"first");
    let validators = first.validators();
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    let error = downloader()
        .try_download(Request::get(server.url("/feed")).if_changed(&validators))
        .expect_err("not modified");
    assert!(
        matches!(error, DownloadError::NotModified { .. }),
        "{error:?}"
    );
    assert_eq!(server.request_header(0, "if-none-match"), None);
    assert_eq!(
        server.request_header(1, "if-none-match").as_deref(),
        Some("\"v1\"")
    );
    assert_eq!(
        server.request_header(1, "if-modified-since").as_deref(),
        Some("Wed, 02 Dec 2026 01:00:00 GMT")
    );
}

#[test]
fn a_changed_body_is_returned_with_its_new_validators() {
    let server = Server::script(vec![
        first_version(),
        Answer::ok("second").header("ETag", "\"v2\""),
    ])
    .after_script(AfterScript::HangUp)
    .start();
    let mut first = downloader();
    first.get(&server.url("/feed")).expect("first");
    let mut second = downloader();
    let body = second
        .try_download(Request::get(server.url("/feed")).if_changed(&first.validators()))
        .expect("changed");
    assert_eq!(body, b"second");
    assert_eq!(second.validators().etag.as_deref(), Some("\"v2\""));
    assert_eq!(second.validators().last_modified, None);
}
