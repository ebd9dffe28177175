//! Conditional requests against a scripted server on 127.0.0.1: the validators of the
//! first response are sent back on the second request, and a `304` to it is
//! `DownloadError::NotModified`; a changed body comes back as a body.

use n6_collectors::helpers::download::{DownloadError, DownloadSettings, Downloader, Request};

use crate::http_server::{Answer, ScriptedServer};

fn downloader() -> Downloader {
    Downloader::new(DownloadSettings {
        progress: false,
        ..DownloadSettings::default()
    })
}

const FIRST: Answer = Answer {
    status: "200 OK",
    headers: "ETag: \"v1\"\r\nLast-Modified: Wed, 02 Dec 2026 01:00:00 GMT\r\n",
    body: "first",
};

#[test]
fn the_second_request_carries_the_validators_and_a_304_is_not_modified() {
    let server = ScriptedServer::start(vec![
        FIRST,
        Answer {
            status: "304 Not Modified",
            headers: "",
            body: "",
        },
    ]);
    let mut first = downloader();
    assert_eq!(first.get(&server.url()).expect("first"), b"first");
    let validators = first.validators();
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    let error = downloader()
        .try_download(Request::get(server.url()).if_changed(&validators))
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
    let server = ScriptedServer::start(vec![
        FIRST,
        Answer {
            status: "200 OK",
            headers: "ETag: \"v2\"\r\n",
            body: "second",
        },
    ]);
    let mut first = downloader();
    first.get(&server.url()).expect("first");
    let mut second = downloader();
    let body = second
        .try_download(Request::get(server.url()).if_changed(&first.validators()))
        .expect("changed");
    assert_eq!(body, b"second");
    assert_eq!(second.validators().etag.as_deref(), Some("\"v2\""));
    assert_eq!(second.validators().last_modified, None);
}
