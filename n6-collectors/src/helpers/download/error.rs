//! Typed download failures, for collectors with their own retry loops (n6's MISP
//! collector retries a sample on `requests.Timeout`, `requests.ConnectionError` and
//! HTTP 500/502/503/504, and gives up on other HTTP errors).

use crate::error::Error;

/// Why a download failed. `Display` is the run's error message; `?` turns it into
/// [`Error`] (HTTP and transport failures: source unavailable, exit 69; `304 Not
/// Modified` and an unchanged body: [`Error::SourceUnchanged`], exit 0).
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The server answered with HTTP ≥ 400 (`requests.HTTPError`).
    #[error("{what}: HTTP {status} {reason}{}", attempts_note(*.attempts))]
    Status {
        /// `METHOD URL`.
        what: String,
        /// The HTTP status.
        status: u16,
        /// Its canonical reason phrase (may be empty).
        reason: String,
        /// Attempts made.
        attempts: u32,
    },
    /// No response: the connection could not be made, timed out, or broke before the
    /// response headers (`requests.ConnectionError` / `requests.Timeout`).
    #[error("{what}: {source}{}", attempts_note(*.attempts))]
    Transport {
        /// `METHOD URL`.
        what: String,
        /// Attempts made.
        attempts: u32,
        /// `ureq`'s error.
        #[source]
        source: ureq::Error,
    },
    /// `download_deadline` ran out before the request, body included, was done.
    #[error("{what}: download_deadline of {seconds} s exceeded{}", attempts_note(*.attempts))]
    Deadline {
        /// `METHOD URL`.
        what: String,
        /// The deadline in seconds.
        seconds: f64,
        /// Attempts made.
        attempts: u32,
    },
    /// A `429` or `503` asked (`Retry-After`) for a wait that would end beyond
    /// `download_deadline`.
    #[error(
        "{what}: HTTP {status} asks to retry after {retry_after} s, beyond the download_deadline of {deadline} s{}",
        attempts_note(*.attempts)
    )]
    RetryAfterBeyondDeadline {
        /// `METHOD URL`.
        what: String,
        /// The HTTP status (429 or 503).
        status: u16,
        /// The wait asked for, in seconds.
        retry_after: f64,
        /// The deadline in seconds.
        deadline: f64,
        /// Attempts made.
        attempts: u32,
    },
    /// `304 Not Modified` to a conditional request ([`Request::if_changed`](super::Request::if_changed)):
    /// the source is unchanged since the validators sent.
    #[error("{what}: HTTP 304 Not Modified{}", attempts_note(*.attempts))]
    NotModified {
        /// `METHOD URL`.
        what: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The body is the one the last successful run downloaded (its SHA-256 is kept:
    /// `download_only_if_body_changed`).
    #[error("{what}: the body is the same as at the last successful download")]
    SameBody {
        /// `METHOD URL`.
        what: String,
    },
    /// The body broke off while being read (not retried, as in n6).
    #[error("{what}: reading the response: {source}")]
    Body {
        /// `METHOD URL`.
        what: String,
        /// The read error.
        #[source]
        source: std::io::Error,
    },
    /// The body is larger than [`DownloadSettings::max_size`](super::DownloadSettings).
    #[error("{what}: the response body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// `METHOD URL` or the file.
        what: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// A `file://` URL could not be read.
    #[error("{what}: {source}")]
    File {
        /// `file://PATH`.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `--record` / `--replay`: the exchange could not be recorded, or is not in the
    /// recording.
    #[error(transparent)]
    Recording(#[from] crate::record::RecordError),
    /// The request cannot be made as given: an unsupported method (a bug) …
    #[error(
        "unsupported HTTP method {0:?} (supported: DELETE GET HEAD OPTIONS PATCH POST PUT TRACE)"
    )]
    Method(String),
    /// … an unsupported URL, or unusable TLS files (configuration errors).
    #[error("{0}")]
    Config(String),
}

impl DownloadError {
    /// The HTTP status, when the server answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            DownloadError::Status { status, .. }
            | DownloadError::RetryAfterBeyondDeadline { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// A timeout: connecting, or waiting for the response (`requests.Timeout`; a
    /// connect timeout is also a connection failure, as `requests.ConnectTimeout` is).
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            DownloadError::Transport {
                source: ureq::Error::Timeout(_),
                ..
            }
        )
    }

    /// No response came (`requests.ConnectionError`): refused, unreachable, name not
    /// found, TLS failure, connection closed or a connect timeout. Read timeouts are
    /// [`is_timeout`](Self::is_timeout) only.
    pub fn is_connection(&self) -> bool {
        match self {
            DownloadError::Transport { source, .. } => match source {
                ureq::Error::Timeout(t) => {
                    matches!(t, ureq::Timeout::Connect | ureq::Timeout::Resolve)
                }
                _ => true,
            },
            _ => false,
        }
    }

    /// n6's retryable statuses (urllib3's `status_forcelist`): 500, 502, 503, 504.
    pub fn is_retryable_status(&self) -> bool {
        self.status()
            .is_some_and(|s| super::RETRIED_STATUSES.contains(&s))
    }
}

impl From<DownloadError> for Error {
    fn from(e: DownloadError) -> Error {
        match e {
            DownloadError::TooLarge { .. } => Error::bad_data(e),
            DownloadError::Method(_) => Error::bug(e),
            DownloadError::Config(m) => Error::Config(vec![m]),
            DownloadError::Recording(e) => Error::Recording(e),
            DownloadError::NotModified { .. } | DownloadError::SameBody { .. } => {
                Error::SourceUnchanged(crate::error::Problem::new(e))
            }
            _ => Error::source_unavailable(e),
        }
    }
}

fn attempts_note(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}
