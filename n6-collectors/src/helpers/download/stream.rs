//! [`BodyStream`]: a response body read in bounded chunks instead of held whole, for
//! consumers that look at a body once from start to end (the streaming time-ordered-rows
//! selection reads a 100 MB feed through a 1 MiB buffer).
//!
//! The request is made exactly as [`Downloader::download`] makes it (n6's retry policy,
//! headers, TLS, `Last-Modified`, `file://`); only the reading of the body differs. Its
//! failures are the same [`DownloadError`]s, carried inside the `io::Error` that
//! [`Read::read`] returns ([`DownloadError::from_read_error`] takes them out again).

use std::io::{self, Read};
use std::time::Duration;

use super::{DownloadError, Downloader, METHODS, Request, Scheme, progress_bar, scheme};

/// A response body (HTTP or `file://`) as a reader, with the size limit of the
/// download settings (`max_size`) applied while reading.
pub struct BodyStream {
    source: Source,
    what: String,
    limit: u64,
    read: u64,
    length: Option<u64>,
    deadline: Duration,
    attempts: u32,
    bar: Option<indicatif::ProgressBar>,
}

enum Source {
    File(std::fs::File),
    Http(ureq::BodyReader<'static>),
    /// A body read whole first (conditional downloads hash and compare whole bodies).
    Whole(io::Cursor<Vec<u8>>),
}

impl BodyStream {
    /// The body's length when known in advance (a file's size, HTTP `Content-Length`):
    /// a hint for sizing buffers, not a promise.
    pub fn size_hint(&self) -> Option<u64> {
        self.length
    }

    /// `METHOD URL` (or `file://PATH`), as error messages name the download.
    pub fn what(&self) -> &str {
        &self.what
    }

    fn fail(&self, error: DownloadError) -> io::Error {
        io::Error::other(error)
    }
}

impl Read for BodyStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let result = match &mut self.source {
            Source::File(file) => file.read(buf),
            Source::Http(reader) => reader.read(buf),
            Source::Whole(cursor) => cursor.read(buf),
        };
        let n = match result {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
            Err(e) => {
                let error = match &self.source {
                    Source::File(_) => DownloadError::File {
                        what: self.what.clone(),
                        source: e,
                    },
                    Source::Http(_) | Source::Whole(_) => deadline_error(
                        body_error(e, &self.what, self.limit),
                        self.deadline,
                        self.attempts,
                    ),
                };
                return Err(self.fail(error));
            }
        };
        self.read += n as u64;
        if self.read > self.limit {
            return Err(self.fail(DownloadError::TooLarge {
                what: self.what.clone(),
                limit: self.limit,
            }));
        }
        match (&self.bar, n) {
            (Some(bar), 0) => bar.finish_and_clear(),
            (Some(bar), _) => bar.set_position(self.read),
            (None, _) => {}
        }
        Ok(n)
    }
}

impl DownloadError {
    /// The download failure carried by an error of [`BodyStream`]'s `read` (or of a
    /// reader built on it); `Err` gives back any other I/O error unchanged.
    pub fn from_read_error(error: io::Error) -> Result<DownloadError, io::Error> {
        if error
            .get_ref()
            .is_some_and(|inner| inner.is::<DownloadError>())
        {
            if let Some(inner) = error.into_inner() {
                return inner
                    .downcast::<DownloadError>()
                    .map(|boxed| *boxed)
                    .map_err(io::Error::other);
            }
            return Err(io::Error::other("empty read error"));
        }
        Err(error)
    }
}

impl Downloader {
    /// Makes `request` as [`Downloader::download`] does, but returns the body as a
    /// reader ([`BodyStream`]) instead of reading it whole (except with conditional
    /// downloads on, `download_only_if_changed`: their body is compared whole with the
    /// last one, so it is read whole first, exactly as `try_download` reads it). Failures before the body
    /// (HTTP status, transport, retries exhausted) are returned here; failures while
    /// reading it come from the reader.
    pub fn open(&mut self, request: Request) -> Result<BodyStream, DownloadError> {
        if !METHODS.contains(&request.method.as_str()) {
            return Err(DownloadError::Method(request.method));
        }
        let limit = self.settings.max_size;
        let deadline = self.settings.deadline;
        match scheme(&request.url) {
            Some(Scheme::File(path)) => {
                self.last_modified = None;
                self.last_headers.clear();
                let what = format!("file://{}", path.display());
                let file = std::fs::File::open(&path).map_err(|source| DownloadError::File {
                    what: what.clone(),
                    source,
                })?;
                let length = file.metadata().ok().map(|m| m.len());
                Ok(BodyStream {
                    source: Source::File(file),
                    what,
                    limit,
                    read: 0,
                    length,
                    deadline,
                    attempts: 1,
                    bar: None,
                })
            }
            Some(Scheme::Http)
                if super::conditional::ConditionalGet::of(&self.settings, &request).is_some() =>
            {
                // Conditional downloads (`download_only_if_changed`) compare the whole
                // body with the last one: read it as `try_download` does.
                let what = format!("{} {}", request.method, request.url);
                let body = self.try_download(request)?;
                let length = Some(body.len() as u64);
                Ok(BodyStream {
                    source: Source::Whole(io::Cursor::new(body)),
                    what,
                    limit,
                    read: 0,
                    length,
                    deadline,
                    attempts: 1,
                    bar: None,
                })
            }
            Some(Scheme::Http) => {
                let (response, what, attempts) = self.open_http(&request)?;
                let length = response.body().content_length();
                // The limit is also checked on our side (`read` above); ureq's own limit
                // is set one byte higher so that its error never comes first.
                let reader = response
                    .into_body()
                    .into_with_config()
                    .limit(limit.saturating_add(1))
                    .reader();
                Ok(BodyStream {
                    source: Source::Http(reader),
                    what,
                    limit,
                    read: 0,
                    length,
                    deadline,
                    attempts,
                    bar: self.settings.progress.then(|| progress_bar(length)),
                })
            }
            None => Err(DownloadError::Config(format!(
                "unsupported URL {:?}: the scheme must be http://, https:// or file://",
                request.url
            ))),
        }
    }
}

/// A read error of an HTTP body as the download's error: the size limit, or the body
/// breaking off.
fn body_error(e: io::Error, what: &str, limit: u64) -> DownloadError {
    let too_large = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
        .is_some_and(|inner| matches!(inner, ureq::Error::BodyExceedsLimit(_)));
    if too_large {
        DownloadError::TooLarge {
            what: what.to_owned(),
            limit,
        }
    } else {
        DownloadError::Body {
            what: what.to_owned(),
            source: e,
        }
    }
}

/// A body that broke off because `download_deadline` ran out is
/// [`DownloadError::Deadline`]; other errors are returned unchanged.
pub(super) fn deadline_error(e: DownloadError, deadline: Duration, attempts: u32) -> DownloadError {
    match e {
        DownloadError::Body { what, source }
            if source
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                .is_some_and(|inner| {
                    matches!(inner, ureq::Error::Timeout(ureq::Timeout::Global))
                }) =>
        {
            DownloadError::Deadline {
                what,
                seconds: deadline.as_secs_f64(),
                attempts,
            }
        }
        other => other,
    }
}
