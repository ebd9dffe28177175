//! [`DownloadingCollector`]: `self.download(url)` in a collector with
//! `#[collector(download)]`, and the run's `Last-Modified` that becomes
//! `headers.meta.http_last_modified` of the messages published after it.
//!
//! n6's `n6datasources.collectors.base.BaseDownloadingCollector.download` remembers the
//! `Last-Modified` of the most recent response on the collector instance, and its
//! `get_output_prop_kwargs` puts it into the `meta` of every message built afterwards.
//! Here the derive cannot add a field to the author's struct, so the value is kept for
//! the run on the run's thread (the runtime clears it when a run starts and ends), and
//! [`Output`](crate::publish::Output) adds it to each message's `headers.meta` unless the
//! collector set `http_last_modified` itself.

use std::cell::RefCell;

use super::{DownloadSettings, Downloader, Request};
use crate::collector::StatefulCollector;
use crate::error::Result;
use crate::message::{HeaderTable, HeaderValue};

/// The `headers.meta` key of the most recent download's `Last-Modified`.
pub const HTTP_LAST_MODIFIED: &str = "http_last_modified";

thread_local! {
    /// `http_last_modified` of the most recent download of the current run.
    static LAST_MODIFIED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The download settings of a collector with `#[collector(download)]`, implemented by
/// the derive from the options `download_retries`, `download_timeout` and
/// `base_request_headers` it adds to the config spec. What a collector calls is
/// [`DownloadingCollector::download`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no download settings: add `download` to `#[collector(...)]`",
    label = "needs `#[collector(..., download)]`"
)]
pub trait DownloadConfig: StatefulCollector {
    /// The download settings from the collector's configuration.
    ///
    /// # Errors
    /// [`crate::Error::Config`] for a negative `download_retries` or timeout, or bad
    /// `base_request_headers`.
    fn download_settings(&self) -> Result<DownloadSettings>;
}

/// `self.download(url)` in a collector with `#[collector(download)]` (n6's
/// `BaseDownloadingCollector.download`):
///
/// ```ignore
/// let body = self.download(&self.config.url)?;
/// out.publish(body)?; // headers.meta.http_last_modified is added when the response had one
/// ```
///
/// Implemented for every collector, so that a collector without the `download` flag is
/// told to add it (rather than that the method does not exist).
pub trait DownloadingCollector: StatefulCollector {
    /// GET `url` (`http://`, `https://` or `file://`) with n6's retry policy; returns the
    /// body. See [`Downloader::download`].
    fn download(&self, url: &str) -> Result<Vec<u8>>
    where
        Self: DownloadConfig,
    {
        self.download_request(Request::get(url))
    }

    /// GET `url` as [`DownloadingCollector::download`] does, returning the body as a
    /// reader to be read in bounded chunks ([`Downloader::open`]).
    fn download_stream(&self, url: &str) -> Result<super::BodyStream>
    where
        Self: DownloadConfig,
    {
        let mut downloader = Downloader::new(self.download_settings()?);
        let body = downloader.open(Request::get(url));
        record_last_modified(downloader.http_last_modified());
        body.map_err(crate::error::Error::from)
    }

    /// Makes `request` (any method, headers, body) with n6's retry policy; returns the body.
    fn download_request(&self, request: Request) -> Result<Vec<u8>>
    where
        Self: DownloadConfig,
    {
        let mut downloader = Downloader::new(self.download_settings()?);
        let body = downloader.download(request);
        record_last_modified(downloader.http_last_modified());
        body
    }
}

impl<C: StatefulCollector> DownloadingCollector for C {}

/// Remembers the `Last-Modified` of the run's most recent download (`None` clears it:
/// the most recent response had none, as in n6).
pub(crate) fn record_last_modified(value: Option<&str>) {
    LAST_MODIFIED.with(|cell| *cell.borrow_mut() = value.map(str::to_owned));
}

/// Forgets the previous run's downloads (called when a run starts and ends).
pub(crate) fn clear_run_meta() {
    record_last_modified(None);
    super::conditional::forget_run();
}

/// Adds `http_last_modified` of the run's most recent download to `meta`, unless `meta`
/// already has one.
pub(crate) fn add_run_meta(meta: &mut HeaderTable) {
    LAST_MODIFIED.with(|cell| {
        if let Some(value) = cell.borrow().as_ref()
            && meta.get(HTTP_LAST_MODIFIED).is_none()
        {
            meta.insert(HTTP_LAST_MODIFIED, HeaderValue::Str(value.clone()));
        }
    });
}
