//! Downloading: n6's `BaseDownloadingCollector` (`n6datasources.collectors.base`) on `ureq`.
//!
//! * `download_retries`: up to `retries + 1` attempts; only connection/read failures and
//!   HTTP 500/502/503/504 are retried, after 0 s, 0.2 s, 0.4 s, 0.8 s, … (at most 120 s);
//! * `download_timeout`: `(connect, read)` seconds; the read timeout applies to each read;
//! * `base_request_headers` + per-request headers, merged case-insensitively;
//! * redirects are not followed unless asked ([`Request::follow_redirects`]); HTTP ≥ 400
//!   fails the run with [`Error::SourceUnavailable`] (exit 69);
//! * the body is streamed with a size limit ([`DownloadSettings::max_size`]), with a
//!   progress bar on stderr only when it is a terminal; a failure while reading the body
//!   is not retried (as in n6, whose retries end with the response headers);
//! * the `Last-Modified` of the most recent response becomes
//!   `headers.meta.http_last_modified` ([`Downloader::meta`]);
//! * rate limits: a `429` or `503` with `Retry-After` (seconds or an HTTP date) is retried
//!   after the time it asks for (an extension of n6, within `download_retries`); when
//!   that wait would end beyond `download_deadline` (counted from the first attempt) the
//!   run fails at once with [`DownloadError::RetryAfterBeyondDeadline`] instead of
//!   sleeping; a `429` without `Retry-After` fails as any HTTP ≥ 400;
//! * `download_min_interval` (seconds, default 0): the least time between the end of one
//!   HTTP request of a run (its response, or its failure) and the start of the next,
//!   attempts and retries included (paged APIs that limit their request rate: the server
//!   sees its requests at least that far apart); kept per thread, so it spans every
//!   [`Downloader`] of a run;
//! * conditional requests: [`Request::if_changed`] sends the [`Validators`] of an earlier
//!   response ([`Downloader::validators`]) as `If-None-Match` / `If-Modified-Since`, and
//!   a `304 Not Modified` to such a request is [`DownloadError::NotModified`];
//! * across runs (`download_only_if_changed`, `download_only_if_body_changed`): the
//!   validators and body hash of each URL's last successful download, kept in the state
//!   envelope; a `304` or the same body ends the run as "source unchanged" ([`conditional`]);
//! * `file://` URLs read a local file, for offline runs and tests (`file:///abs/path`,
//!   `file://localhost/abs/path`, or — an extension — `file://relative/path`);
//! * HTTPS as `requests` does it ([`TlsSettings`]): a client certificate (`cert=`),
//!   verification off (`verify=False`) or a private CA file (`verify=PATH`);
//! * request bodies and query strings encoded as `requests` encodes them:
//!   [`Request::form`] (`data=dict`), [`Request::json`] (`json=`), [`Request::query`]
//!   (`params=`), and every URL re-quoted as `requests.utils.requote_uri` does;
//! * [`Downloader::try_download`] returns a typed [`DownloadError`] (HTTP status,
//!   timeout, connection failure) for collectors with their own retry loops;
//!   [`Downloader::response_header`] reads the most recent response's headers (e.g.
//!   after a `HEAD` request, [`Request::head`]).
//!
//! With `#[collector(download)]` the derive adds the three options to the config and
//! implements [`DownloadConfig`] from them; [`DownloadingCollector`] downloads with them:
//!
//! ```ignore
//! let data = self.download(&self.config.url)?;
//! out.publish(data)?; // with headers.meta.http_last_modified of the download
//! ```
//!
//! n6's URLhaus URL-info POST, Cesnet's client certificate and MISP's sample loop:
//!
//! ```no_run
//! use n6_collectors::helpers::download::{
//!     ClientCertFiles, DownloadSettings, Downloader, Form, Request,
//! };
//!
//! # fn main() -> n6_collectors::Result<()> {
//! let mut settings = DownloadSettings::default();
//! settings.tls.client_cert = Some(ClientCertFiles::new("/etc/n6/cert.pem", "/etc/n6/key.pem"));
//! settings.tls.verify = true; // MISP: `misp_verifycert`
//! let mut downloader = Downloader::new(settings);
//! let info = downloader.download(
//!     Request::post_form("https://urlhaus-api.example/v1/url/", Form::new().field("urlid", 42))
//!         .retries(3),
//! )?;
//! match downloader.try_download(Request::get("https://misp.example/sample/1").retries(0)) {
//!     Ok(sample) => drop(sample),
//!     Err(e) if e.is_timeout() || e.is_connection() || e.is_retryable_status() => { /* retry */ }
//!     Err(e) => return Err(e.into()),
//! }
//! # drop(info);
//! # Ok(())
//! # }
//! ```

mod collector;
pub mod conditional;
mod encode;
mod error;
mod headers;
mod last_modified;
mod retry_after;
mod stream;
mod tls;

use std::cell::Cell;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use retry_after::{RATE_LIMITED_STATUSES, retry_after};

use crate::config::PyValue;
use crate::error::{Error, Result};
use crate::message::{HeaderTable, HeaderValue};

pub use collector::{DownloadConfig, DownloadingCollector, HTTP_LAST_MODIFIED};
pub(crate) use collector::{add_run_meta, clear_run_meta};
pub use conditional::{DownloadHistory, IfChanged, KnownDownload, Validators};
pub use encode::{Form, FormValue, prepare_url, requote_uri};
pub use error::DownloadError;
pub use headers::{headers_from_config, merge_headers};
pub use last_modified::http_last_modified;
pub use stream::BodyStream;
pub use tls::{ClientCertFiles, TlsSettings};

/// The default `download_deadline`: an hour.
pub const DEFAULT_DEADLINE_SECS: u64 = 3600;

/// The default size limit of one response body: 1 GiB.
pub const DEFAULT_MAX_SIZE: u64 = 1 << 30;

/// HTTP statuses retried (urllib3's `status_forcelist` in n6).
const RETRIED_STATUSES: [u16; 4] = [500, 502, 503, 504];

/// The methods n6 accepts.
const METHODS: [&str; 8] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE",
];

/// How downloads are made (from the `download_*` options).
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadSettings {
    /// `download_retries`: further attempts after a retryable failure.
    pub retries: u32,
    /// The connect part of `download_timeout`.
    pub connect_timeout: Duration,
    /// The read part of `download_timeout` (per read).
    pub read_timeout: Duration,
    /// `download_deadline`: the longest one request may take, its body included.
    pub deadline: Duration,
    /// `download_min_interval`: the least time between the end of one request and the
    /// start of the next.
    pub min_interval: Duration,
    /// `base_request_headers`.
    pub base_request_headers: Vec<(String, String)>,
    /// The largest response body accepted, in bytes ([`DEFAULT_MAX_SIZE`]).
    pub max_size: u64,
    /// Show a progress bar (default: when stderr is a terminal).
    pub progress: bool,
    /// HTTPS verification and client certificate ([`TlsSettings::default`]: verify
    /// against the built-in roots, no client certificate).
    pub tls: TlsSettings,
    /// `download_only_if_changed` / `download_only_if_body_changed` (both off).
    pub if_changed: IfChanged,
}

impl Default for DownloadSettings {
    /// n6's defaults: 3 retries, `(12.1, 25)` s, no base headers.
    fn default() -> Self {
        DownloadSettings {
            retries: 3,
            connect_timeout: Duration::from_secs_f64(12.1),
            read_timeout: Duration::from_secs(25),
            deadline: Duration::from_secs(DEFAULT_DEADLINE_SECS),
            min_interval: Duration::ZERO,
            base_request_headers: Vec::new(),
            max_size: DEFAULT_MAX_SIZE,
            progress: std::io::stderr().is_terminal(),
            tls: TlsSettings::default(),
            if_changed: IfChanged::default(),
        }
    }
}

impl DownloadSettings {
    /// From the option values; a negative `download_retries` is n6's config error.
    pub fn from_config(
        download_retries: i64,
        download_timeout: (f64, f64),
        base_request_headers: &[(String, PyValue)],
    ) -> Result<Self> {
        let retries = u32::try_from(download_retries).map_err(|_| {
            Error::Config(vec![format!(
                "config option `download_retries` is a negative number: {download_retries}"
            )])
        })?;
        let seconds = |s: f64, what: &str| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                Error::Config(vec![format!(
                    "config option `download_timeout`: the {what} timeout must be a non-negative number of seconds, not {s}"
                )])
            })
        };
        Ok(DownloadSettings {
            retries,
            connect_timeout: seconds(download_timeout.0, "connect")?,
            read_timeout: seconds(download_timeout.1, "read")?,
            base_request_headers: headers_from_config(base_request_headers)?,
            ..DownloadSettings::default()
        })
    }
}

impl DownloadSettings {
    /// Sets `download_deadline` (seconds, more than 0).
    pub fn with_deadline(mut self, seconds: f64) -> Result<Self> {
        match Duration::try_from_secs_f64(seconds) {
            Ok(deadline) if !deadline.is_zero() => {
                self.deadline = deadline;
                Ok(self)
            }
            _ => Err(Error::Config(vec![format!(
                "config option `download_deadline`: must be a positive number of seconds, not {seconds}"
            )])),
        }
    }
}

impl DownloadSettings {
    /// Sets `download_min_interval` (seconds, 0 or more).
    pub fn with_min_interval(mut self, seconds: f64) -> Result<Self> {
        self.min_interval = Duration::try_from_secs_f64(seconds).map_err(|_| {
            Error::Config(vec![format!(
                "config option `download_min_interval`: must be a non-negative number of seconds, not {seconds}"
            )])
        })?;
        Ok(self)
    }
}

thread_local! {
    /// When the run's most recent HTTP request ended (`download_min_interval`).
    static LAST_REQUEST: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Notes that a request of this run ended now (`download_min_interval` counts from here:
/// the request reached the server before it ended, so the server sees the next one at
/// least the interval later).
fn note_request_end() {
    LAST_REQUEST.set(Some(Instant::now()));
}

/// One request: method, URL, extra headers, body, and per-request overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    method: String,
    url: String,
    params: Form,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    body_content_type: Option<&'static str>,
    retries: Option<u32>,
    follow_redirects: bool,
}

impl Request {
    /// A request with `method` (any case; n6's list: DELETE GET HEAD OPTIONS PATCH POST PUT TRACE).
    pub fn new(method: &str, url: impl Into<String>) -> Self {
        Request {
            method: method.to_ascii_uppercase(),
            url: url.into(),
            params: Form::new(),
            headers: Vec::new(),
            body: None,
            body_content_type: None,
            retries: None,
            follow_redirects: false,
        }
    }

    /// A GET request.
    pub fn get(url: impl Into<String>) -> Self {
        Request::new("GET", url)
    }

    /// A HEAD request (read the answer with [`Downloader::response_header`]).
    pub fn head(url: impl Into<String>) -> Self {
        Request::new("HEAD", url)
    }

    /// A POST request with `body`.
    pub fn post(url: impl Into<String>, body: impl Into<Vec<u8>>) -> Self {
        Request::new("POST", url).body(body)
    }

    /// A POST request with a form body (`requests.post(url, data=dict)`).
    pub fn post_form(url: impl Into<String>, form: Form) -> Self {
        Request::new("POST", url).form(form)
    }

    /// Query parameters (`params=`): encoded as `requests` does and appended to the
    /// URL's query.
    pub fn query(mut self, params: Form) -> Self {
        self.params = params;
        self
    }

    /// A form body (`data=dict`): `requests`' encoding, and `Content-Type:
    /// application/x-www-form-urlencoded` unless the request's headers name one.
    pub fn form(mut self, form: Form) -> Self {
        self.body = Some(form.encode().into_bytes());
        self.body_content_type = Some("application/x-www-form-urlencoded");
        self
    }

    /// A JSON body (`json=value`): `json.dumps(value, allow_nan=False)` in UTF-8, and
    /// `Content-Type: application/json` unless the request's headers name one; a
    /// non-finite float is Python's `ValueError`.
    pub fn json(
        mut self,
        value: &crate::helpers::pyjson::PyJson,
    ) -> std::result::Result<Self, crate::helpers::pyjson::JsonError> {
        use crate::helpers::pyjson::{DumpOptions, dumps_with};
        let options = DumpOptions {
            ensure_ascii: true,
            allow_nan: false,
        };
        self.body = Some(dumps_with(value, options)?.into_bytes());
        self.body_content_type = Some("application/json");
        Ok(self)
    }

    /// Adds a header (merged over `base_request_headers`, case-insensitively).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the request body (raw bytes: no `Content-Type` is added, as in `requests`).
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = Some(body.into());
        self.body_content_type = None;
        self
    }

    /// Overrides `download_retries` for this request.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// Makes the request conditional on `validators` (from [`Downloader::validators`] of
    /// an earlier response): a `304` answer is [`DownloadError::NotModified`].
    pub fn if_changed(mut self, validators: &Validators) -> Self {
        self.headers.extend(validators.request_headers());
        self
    }

    /// Follow redirects (n6: `allow_redirects=True`); off by default, as in n6.
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }
}

/// Makes downloads and remembers the `Last-Modified` of the most recent response.
pub struct Downloader {
    settings: DownloadSettings,
    last_modified: Option<String>,
    last_headers: Vec<(String, String)>,
    tls: Option<ureq::tls::TlsConfig>,
    sleep: fn(Duration),
}

impl Downloader {
    /// A downloader with `settings`.
    pub fn new(settings: DownloadSettings) -> Self {
        Downloader {
            settings,
            last_modified: None,
            last_headers: Vec::new(),
            tls: None,
            // A replay (`--replay`) waits for nothing: no retry back-off, no rate limit.
            sleep: crate::record::sleep_fn(),
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> &DownloadSettings {
        &self.settings
    }

    /// GET `url` (`http://`, `https://` or `file://`) and return the body.
    pub fn get(&mut self, url: &str) -> Result<Vec<u8>> {
        self.download(Request::get(url))
    }

    /// Makes `request` with n6's retry policy and returns the body.
    pub fn download(&mut self, request: Request) -> Result<Vec<u8>> {
        self.try_download(request).map_err(Error::from)
    }

    /// [`download`](Self::download) with the failure typed: the HTTP status, a
    /// timeout or a connection failure ([`DownloadError`]), for collectors that retry
    /// on their own (with [`Request::retries`]`(0)`).
    pub fn try_download(
        &mut self,
        request: Request,
    ) -> std::result::Result<Vec<u8>, DownloadError> {
        if !METHODS.contains(&request.method.as_str()) {
            return Err(DownloadError::Method(request.method));
        }
        match scheme(&request.url) {
            Some(Scheme::File(path)) => {
                self.last_modified = None;
                self.last_headers.clear();
                read_file(&path, self.settings.max_size)
            }
            Some(Scheme::Http) => match conditional::ConditionalGet::of(&self.settings, &request) {
                Some(get) => {
                    let result = self.download_http(&get.prepare(request));
                    get.finish(result, self)
                }
                None => self.download_http(&request),
            },
            None => Err(DownloadError::Config(format!(
                "unsupported URL {:?}: the scheme must be http://, https:// or file://",
                request.url
            ))),
        }
    }

    /// A header of the most recent HTTP response (case-insensitive name; the first
    /// if repeated), e.g. `Content-Type` after a [`Request::head`].
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.last_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `ETag` and `Last-Modified` of the most recent HTTP response, verbatim.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.response_header("etag").map(str::to_owned),
            last_modified: self.response_header("last-modified").map(str::to_owned),
        }
    }

    /// `YYYY-MM-DD HH:MM:SS` of the most recent response's `Last-Modified`, if it had a
    /// parseable one (`file://` reads clear it).
    pub fn http_last_modified(&self) -> Option<&str> {
        self.last_modified.as_deref()
    }

    /// `headers.meta` for a message built from the downloads so far:
    /// `http_last_modified` when known, else empty.
    pub fn meta(&self) -> HeaderTable {
        let mut meta = HeaderTable::default();
        if let Some(lm) = &self.last_modified {
            meta.insert("http_last_modified", HeaderValue::Str(lm.clone()));
        }
        meta
    }

    fn download_http(&mut self, request: &Request) -> std::result::Result<Vec<u8>, DownloadError> {
        let (mut response, what, attempt) = self.open_http(request)?;
        let length = response.body().content_length();
        let reader = response
            .body_mut()
            .with_config()
            .limit(self.settings.max_size)
            .reader();
        read_body(
            reader,
            length,
            self.settings.progress,
            &what,
            self.settings.max_size,
        )
        .map_err(|e| stream::deadline_error(e, self.settings.deadline, attempt))
    }

    /// Makes `request` with n6's retry policy up to the response headers: the response
    /// (status < 400, not a conditional 304), `METHOD URL` and the attempts made.
    fn open_http(
        &mut self,
        request: &Request,
    ) -> std::result::Result<(ureq::http::Response<ureq::Body>, String, u32), DownloadError> {
        let url = prepare_url(&request.url, &request.params);
        let what = format!("{} {}", request.method, url);
        let retries = request.retries.unwrap_or(self.settings.retries);
        let agent = self.agent(request.follow_redirects)?;
        let headers = self.request_headers(request);
        check_request(&url, &headers).map_err(DownloadError::Config)?;
        let (response, attempt) =
            self.send_with_retries(request, &agent, &url, &headers, retries, &what)?;
        self.keep_response_headers(&response);
        check_status(&response, &headers, &what, attempt)?;
        Ok((response, what, attempt))
    }

    /// The request's headers: the base request headers merged with its own, plus the
    /// `Content-Type` of its body unless one is given.
    fn request_headers(&self, request: &Request) -> Vec<(String, String)> {
        let mut headers = merge_headers(&self.settings.base_request_headers, &request.headers);
        if let Some(content_type) = request.body_content_type
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("Content-Type".to_owned(), content_type.to_owned()));
        }
        headers
    }

    /// Sends the request until a response is final or the retries are used up (n6's
    /// retry policy: backoff, or the server's `Retry-After`), keeping the minimum
    /// interval between requests: the response and the attempts made.
    fn send_with_retries(
        &mut self,
        request: &Request,
        agent: &ureq::Agent,
        url: &str,
        headers: &[(String, String)],
        retries: u32,
        what: &str,
    ) -> std::result::Result<(ureq::http::Response<ureq::Body>, u32), DownloadError> {
        let mut attempt: u32 = 0;
        let mut asked_wait: Option<Duration> = None;
        let started = Instant::now();
        loop {
            if attempt > 0 {
                (self.sleep)(asked_wait.take().unwrap_or_else(|| backoff(attempt)));
            }
            attempt += 1;
            self.keep_min_interval();
            let outgoing = crate::record::Outgoing {
                method: &request.method,
                url,
                headers,
                body: request.body.as_deref(),
            };
            let sent = crate::record::exchange(
                &outgoing,
                || send(agent, request, url, headers),
                Sent::Fatal,
            );
            note_request_end();
            let sent = sent?;
            let failure = match sent {
                Ok(response) => match self.judge(&response, attempt, retries, started, what)? {
                    Verdict::Final => return Ok((response, attempt)),
                    Verdict::Retry { failure, wait } => {
                        asked_wait = wait;
                        failure
                    }
                },
                Err(Sent::Retryable(e)) if attempt <= retries => e.to_string(),
                Err(Sent::Retryable(source)) | Err(Sent::Fatal(source)) => {
                    return Err(self.transport_failure(source, what, attempt));
                }
            };
            tracing::info!(
                "{what}: {failure}; retrying ({attempt} of {} attempts made)",
                retries + 1
            );
        }
    }

    /// Whether a response is final or is retried (a retried status, or a rate limit
    /// with `Retry-After` while retries are left); a `Retry-After` reaching beyond the
    /// deadline is an error.
    fn judge(
        &self,
        response: &ureq::http::Response<ureq::Body>,
        attempt: u32,
        retries: u32,
        started: Instant,
        what: &str,
    ) -> std::result::Result<Verdict, DownloadError> {
        let status = response.status().as_u16();
        let asked = RATE_LIMITED_STATUSES
            .contains(&status)
            .then(|| response.headers().get("retry-after"))
            .flatten()
            .and_then(|value| value.to_str().ok())
            .and_then(|value| retry_after(value, time::UtcDateTime::now()));
        match asked {
            Some(wait) if attempt <= retries => {
                if started.elapsed() + wait > self.settings.deadline {
                    return Err(DownloadError::RetryAfterBeyondDeadline {
                        what: what.to_owned(),
                        status,
                        retry_after: wait.as_secs_f64(),
                        deadline: self.settings.deadline.as_secs_f64(),
                        attempts: attempt,
                    });
                }
                Ok(Verdict::Retry {
                    failure: format!("HTTP {status} with Retry-After of {} s", wait.as_secs_f64()),
                    wait: Some(wait),
                })
            }
            _ if !RETRIED_STATUSES.contains(&status) || attempt > retries => Ok(Verdict::Final),
            _ => Ok(Verdict::Retry {
                failure: format!("HTTP {status}"),
                wait: None,
            }),
        }
    }

    /// The error for a request that failed without a response (and is not retried),
    /// forgetting the previous response's headers.
    fn transport_failure(
        &mut self,
        source: ureq::Error,
        what: &str,
        attempt: u32,
    ) -> DownloadError {
        self.last_modified = None;
        self.last_headers.clear();
        if matches!(source, ureq::Error::Timeout(ureq::Timeout::Global)) {
            return DownloadError::Deadline {
                what: what.to_owned(),
                seconds: self.settings.deadline.as_secs_f64(),
                attempts: attempt,
            };
        }
        DownloadError::Transport {
            what: what.to_owned(),
            attempts: attempt,
            source,
        }
    }

    /// Keeps the final response's headers and its `Last-Modified` for
    /// [`response_header`](Self::response_header) and [`meta`](Self::meta).
    fn keep_response_headers(&mut self, response: &ureq::http::Response<ureq::Body>) {
        self.last_headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        self.last_modified = self
            .response_header("last-modified")
            .and_then(http_last_modified);
    }

    /// Waits until `download_min_interval` has passed since the end of the run's previous
    /// request.
    fn keep_min_interval(&self) {
        let interval = self.settings.min_interval;
        if !interval.is_zero()
            && let Some(previous) = LAST_REQUEST.get()
        {
            let since = previous.elapsed();
            if since < interval {
                (self.sleep)(interval - since);
            }
        }
    }

    fn agent(&mut self, follow_redirects: bool) -> std::result::Result<ureq::Agent, DownloadError> {
        let tls = match &self.tls {
            Some(tls) => tls.clone(),
            None => {
                let tls = self.settings.tls.to_ureq().map_err(DownloadError::Config)?;
                self.tls = Some(tls.clone());
                tls
            }
        };
        Ok(ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(if follow_redirects { 30 } else { 0 })
            .max_redirects_will_error(follow_redirects)
            .timeout_connect(Some(self.settings.connect_timeout))
            .timeout_per_read(Some(self.settings.read_timeout))
            // `download_deadline`: the whole request, however slowly its body trickles.
            .timeout_global(Some(self.settings.deadline))
            .tls_config(tls)
            .build()
            .into())
    }
}

/// urllib3's back-off before attempt `n + 1` (after `n` failures): 0 s after the first
/// failure, then 0.1 × 2^(n-1) s, at most 120 s.
pub fn backoff(failures: u32) -> Duration {
    if failures <= 1 {
        return Duration::ZERO;
    }
    let secs = 0.1 * 2f64.powi(i32::try_from(failures - 1).unwrap_or(i32::MAX));
    Duration::from_secs_f64(secs.min(120.0))
}

/// What [`Downloader::send_with_retries`] does with a response.
enum Verdict {
    /// The response is the answer (whatever its status).
    Final,
    /// The request is made again.
    Retry {
        /// Why, for the log.
        failure: String,
        /// The server's `Retry-After`, waited instead of the backoff.
        wait: Option<Duration>,
    },
}

/// A `304 Not Modified` to a conditional request, or a status of 400 or more, as the
/// request's error.
fn check_status(
    response: &ureq::http::Response<ureq::Body>,
    headers: &[(String, String)],
    what: &str,
    attempt: u32,
) -> std::result::Result<(), DownloadError> {
    let status = response.status();
    let conditional = headers.iter().any(|(k, _)| {
        k.eq_ignore_ascii_case("if-none-match") || k.eq_ignore_ascii_case("if-modified-since")
    });
    if status.as_u16() == 304 && conditional {
        return Err(DownloadError::NotModified {
            what: what.to_owned(),
            attempts: attempt,
        });
    }
    if status.as_u16() >= 400 {
        return Err(DownloadError::Status {
            what: what.to_owned(),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_owned(),
            attempts: attempt,
        });
    }
    Ok(())
}

enum Sent {
    Retryable(ureq::Error),
    Fatal(ureq::Error),
}

fn send(
    agent: &ureq::Agent,
    request: &Request,
    url: &str,
    headers: &[(String, String)],
) -> std::result::Result<ureq::http::Response<ureq::Body>, Sent> {
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(url);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    match &request.body {
        Some(body) => builder
            .body(body.as_slice())
            .map_err(|e| Sent::Fatal(ureq::Error::Http(e)))
            .and_then(|r| agent.run(r).map_err(classify)),
        None => builder
            .body(())
            .map_err(|e| Sent::Fatal(ureq::Error::Http(e)))
            .and_then(|r| agent.run(r).map_err(classify)),
    }
}

/// The port as written in an authority (`user@host:port`, `[v6]:port`), if any.
fn port_text(authority: &str) -> Option<&str> {
    let host_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let after_host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(_, rest)| rest),
        None => host_port.find(':').map_or("", |at| &host_port[at..]),
    };
    after_host.strip_prefix(':').filter(|port| !port.is_empty())
}

/// A URL or header that cannot be sent as written is a configuration error: an
/// unparseable URL, a port that does not fit 16 bits (the `http` crate would quietly
/// use the scheme's default port instead), a header name or value that is not valid HTTP.
fn check_request(url: &str, headers: &[(String, String)]) -> std::result::Result<(), String> {
    let config = |message: String| message;
    let uri: ureq::http::Uri = url
        .parse()
        .map_err(|e| config(format!("invalid URL {url:?}: {e}")))?;
    if let Some(port) = uri.authority().and_then(|a| port_text(a.as_str()))
        && port.parse::<u16>().is_err()
    {
        return Err(config(format!(
            "invalid URL {url:?}: port {port} does not fit 16 bits (0..65535)"
        )));
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(config(format!("invalid URL {url:?}: no host")));
    }
    for (name, value) in headers {
        ureq::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| config(format!("invalid HTTP header name {name:?}")))?;
        ureq::http::HeaderValue::from_str(value)
            .map_err(|_| config(format!("invalid value of HTTP header {name:?}")))?;
    }
    Ok(())
}

/// Connection and read failures are retried (urllib3 `Retry(connect=..., read=...)`).
fn classify(error: ureq::Error) -> Sent {
    use ureq::Error as E;
    match error {
        E::Timeout(ureq::Timeout::Global) => Sent::Fatal(error),
        E::Io(_)
        | E::Timeout(_)
        | E::HostNotFound
        | E::ConnectionFailed
        | E::Protocol(_)
        | E::BodyStalled => Sent::Retryable(error),
        other => Sent::Fatal(other),
    }
}

fn read_body(
    mut reader: impl Read,
    length: Option<u64>,
    progress: bool,
    what: &str,
    max_size: u64,
) -> std::result::Result<Vec<u8>, DownloadError> {
    let bar = progress.then(|| progress_bar(length));
    let mut data = Vec::with_capacity(length.unwrap_or(0).min(max_size).min(64 << 20) as usize);
    let mut chunk = vec![0u8; 256 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let too_large = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<ureq::Error>())
                    .is_some_and(|inner| matches!(inner, ureq::Error::BodyExceedsLimit(_)));
                return Err(if too_large {
                    DownloadError::TooLarge {
                        what: what.to_owned(),
                        limit: max_size,
                    }
                } else {
                    DownloadError::Body {
                        what: what.to_owned(),
                        source: e,
                    }
                });
            }
        };
        data.extend_from_slice(&chunk[..n]);
        if let Some(bar) = &bar {
            bar.set_position(data.len() as u64);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(data)
}

fn progress_bar(length: Option<u64>) -> indicatif::ProgressBar {
    let target = indicatif::ProgressDrawTarget::stderr();
    let bar = match length {
        Some(len) => indicatif::ProgressBar::with_draw_target(Some(len), target),
        None => indicatif::ProgressBar::with_draw_target(None, target),
    };
    let template = match length {
        Some(_) => "{bytes}/{total_bytes} {wide_bar} {eta}",
        None => "{spinner} {bytes} {bytes_per_sec}",
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

enum Scheme {
    Http,
    File(PathBuf),
}

fn scheme(url: &str) -> Option<Scheme> {
    let lower = url
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(Scheme::Http);
    }
    if !lower.starts_with("file://") {
        return None;
    }
    let rest = &url[7..];
    let rest = rest
        .strip_prefix("localhost")
        .filter(|r| r.starts_with('/'))
        .unwrap_or(rest);
    Some(Scheme::File(PathBuf::from(percent_decode(rest))))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| hex(*c)),
                b.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn read_file(path: &std::path::Path, max_size: u64) -> std::result::Result<Vec<u8>, DownloadError> {
    let what = format!("file://{}", path.display());
    let file_error = |source| DownloadError::File {
        what: what.clone(),
        source,
    };
    let file = std::fs::File::open(path).map_err(file_error)?;
    let mut data = Vec::new();
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(file_error)?;
    if data.len() as u64 > max_size {
        return Err(DownloadError::TooLarge {
            what,
            limit: max_size,
        });
    }
    Ok(data)
}

#[cfg(test)]
mod tests;
