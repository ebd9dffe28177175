//! Downloads of the family, through one place so that the conformance replay can serve
//! recorded answers from a local stub.
//!
//! [`redirect_downloads_to`] is for test harnesses only: the `n6collector` binary never
//! calls it, so a production run always talks to the configured URLs.

use std::sync::OnceLock;

use n6_collectors::Result;
use n6_collectors::helpers::download::{DownloadSettings, Downloader, Request};
use n6_collectors::message::HeaderTable;

static REDIRECT: OnceLock<String> = OnceLock::new();

/// Sends every later download of this process to `base` (e.g. `http://127.0.0.1:8080`),
/// keeping the path and query of the URL asked for. Only the first call counts.
pub fn redirect_downloads_to(base: &str) {
    let _ = REDIRECT.set(base.trim_end_matches('/').to_owned());
}

/// The URL actually requested for `url`: `url` itself, or the redirected one.
pub fn effective_url(url: &str) -> String {
    let Some(base) = REDIRECT.get() else {
        return url.to_owned();
    };
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    format!("{base}{path}")
}

/// A request for `url` (redirected when a harness asked for it).
pub fn request(method: &str, url: &str) -> Request {
    Request::new(method, effective_url(url))
}

/// Makes `request` with n6's downloader; returns the body and the `headers.meta` of the
/// response (`http_last_modified`).
pub fn send(settings: DownloadSettings, request: Request) -> Result<(Vec<u8>, HeaderTable)> {
    let mut downloader = Downloader::new(settings);
    let body = downloader.download(request)?;
    Ok((body, downloader.meta()))
}

/// GET `url`: n6's `BaseDownloadingCollector.download(url)`.
pub fn get(settings: DownloadSettings, url: &str) -> Result<(Vec<u8>, HeaderTable)> {
    send(settings, request("GET", url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_redirect_the_url_is_kept() {
        // The redirect is process-global; this test binary never sets it.
        assert_eq!(
            effective_url("https://example.com/a?b=c"),
            "https://example.com/a?b=c"
        );
    }
}
