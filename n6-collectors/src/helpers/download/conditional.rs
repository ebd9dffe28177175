//! Conditional downloads (RFC 9110 §13): the validators of a response (`ETag`,
//! `Last-Modified`) sent back as `If-None-Match` / `If-Modified-Since`, so that a source
//! answers `304 Not Modified` when nothing changed; and, across runs, what the last
//! successful download of each URL was.
//!
//! * The request side: [`Validators`], [`Request::if_changed`](super::Request::if_changed),
//!   [`DownloadError::NotModified`].
//! * Across runs (opt-in: `download_only_if_changed`, `download_only_if_body_changed`,
//!   [`DownloadSettings::with_if_changed`]): the [`DownloadHistory`] of the last successful
//!   run — per URL of that run its validators and the SHA-256 of its body — is kept in the state
//!   envelope (its `downloads` entry), so every collector has it, those without a
//!   `#[state]` field too. A GET of a URL in the history is sent with its validators; a
//!   `304` is [`DownloadError::NotModified`], a body whose hash is the one kept (with
//!   `download_only_if_body_changed`) is [`DownloadError::SameBody`], and either ends the
//!   run as "source unchanged": exit 0, nothing more published, nothing saved.
//! * What a run downloads goes into the history only at the run's final save, after the
//!   output confirmed every message ([`end_run`]): a run that fails or is killed before
//!   leaves the history as it was, and the next run downloads again.
//!
//! The history of the run in progress is kept on the run's thread (as the run's
//! `Last-Modified`, [`super::collector`]): downloads made on other threads are not
//! conditional.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{DownloadError, DownloadSettings, Downloader, Request, prepare_url};

/// The validators of one response, as the server sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, verbatim (quotes and `W/` included).
    pub etag: Option<String>,
    /// `Last-Modified`, verbatim.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Neither an `ETag` nor a `Last-Modified`.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }

    /// The conditional request headers they make.
    pub(super) fn request_headers(&self) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(etag) = &self.etag {
            headers.push(("If-None-Match".to_owned(), etag.clone()));
        }
        if let Some(last_modified) = &self.last_modified {
            headers.push(("If-Modified-Since".to_owned(), last_modified.clone()));
        }
        headers
    }
}

/// Which conditional-download options are on (both off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IfChanged {
    /// `download_only_if_changed`: send the kept validators; a `304` means unchanged.
    pub validators: bool,
    /// `download_only_if_body_changed`: a body with the kept SHA-256 means unchanged.
    pub body_hash: bool,
}

impl IfChanged {
    /// Whether either option is on.
    pub fn is_on(&self) -> bool {
        self.validators || self.body_hash
    }
}

impl DownloadSettings {
    /// Sets `download_only_if_changed` and `download_only_if_body_changed`.
    pub fn with_if_changed(mut self, only_if_changed: bool, only_if_body_changed: bool) -> Self {
        self.if_changed = IfChanged {
            validators: only_if_changed,
            body_hash: only_if_body_changed,
        };
        self
    }
}

/// What the last successful download of one URL was.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownDownload {
    /// Its `ETag`, verbatim (`download_only_if_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Its `Last-Modified`, verbatim (`download_only_if_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The SHA-256 of its body, lower-case hex (`download_only_if_body_changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

impl KnownDownload {
    /// Nothing known.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none() && self.sha256.is_none()
    }

    /// Its validators.
    pub fn validators(&self) -> Validators {
        Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }
}

/// Per URL (as requested, query included), what its last successful download was: the
/// `downloads` entry of the state envelope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DownloadHistory(pub BTreeMap<String, KnownDownload>);

impl DownloadHistory {
    /// No URL known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// What is known about `url`.
    pub fn get(&self, url: &str) -> Option<&KnownDownload> {
        self.0.get(url)
    }
}

/// The run in progress: the history it started from, what it downloaded, and the URLs
/// it found unchanged.
struct RunDownloads {
    stored: DownloadHistory,
    downloaded: BTreeMap<String, KnownDownload>,
    unchanged: BTreeSet<String>,
}

thread_local! {
    /// The conditional-download history of the run on this thread, if one is running.
    static RUN: RefCell<Option<RunDownloads>> = const { RefCell::new(None) };
}

/// Starts a run's conditional downloads from `stored` (the loaded envelope's history).
pub(crate) fn begin_run(stored: DownloadHistory) {
    RUN.with(|run| {
        *run.borrow_mut() = Some(RunDownloads {
            stored,
            downloaded: BTreeMap::new(),
            unchanged: BTreeSet::new(),
        })
    });
}

/// Ends the run's conditional downloads: the history to save with the run's final state
/// when it differs from the one the run started from, else `None`. It holds the URLs of
/// this run only — what it downloaded, and what it found unchanged as it was kept — so
/// it never grows beyond one run's URLs (a collector downloading a new URL on every
/// run, such as MISP's samples, does not pile them up).
pub(crate) fn end_run() -> Option<DownloadHistory> {
    let run = RUN.with(|run| run.borrow_mut().take())?;
    let mut history = DownloadHistory::default();
    for url in run.unchanged {
        if let Some(known) = run.stored.get(&url) {
            history.0.insert(url, known.clone());
        }
    }
    for (url, known) in run.downloaded {
        if !known.is_empty() {
            history.0.insert(url, known);
        }
    }
    (history != run.stored).then_some(history)
}

/// Forgets any run's history (when a run starts and ends, however it ends).
pub(crate) fn forget_run() {
    RUN.with(|run| run.borrow_mut().take());
}

/// One GET under the conditional-download options: what was known about its URL, and
/// what to remember or refuse once the answer is in.
pub(super) struct ConditionalGet {
    url: String,
    options: IfChanged,
    known: KnownDownload,
}

impl ConditionalGet {
    /// The conditional GET of `request`, when the options are on, it is a GET and a run
    /// is in progress on this thread; `None` otherwise.
    pub(super) fn of(settings: &DownloadSettings, request: &Request) -> Option<ConditionalGet> {
        if !settings.if_changed.is_on() || request.method != "GET" {
            return None;
        }
        let url = prepare_url(&request.url, &request.params);
        let known = RUN.with(|run| {
            run.borrow()
                .as_ref()
                .map(|run| run.stored.get(&url).cloned().unwrap_or_default())
        })?;
        Some(ConditionalGet {
            url,
            options: settings.if_changed,
            known,
        })
    }

    /// `request` with the kept validators (`download_only_if_changed`), unless it makes
    /// itself conditional already.
    pub(super) fn prepare(&self, request: Request) -> Request {
        let own = request.headers.iter().any(|(name, _)| {
            name.eq_ignore_ascii_case("if-none-match")
                || name.eq_ignore_ascii_case("if-modified-since")
        });
        if self.options.validators && !own {
            request.if_changed(&self.known.validators())
        } else {
            request
        }
    }

    /// Notes a successful download for the run's final save, or refuses a body equal to
    /// the kept one (`download_only_if_body_changed`).
    pub(super) fn finish(
        self,
        result: Result<Vec<u8>, DownloadError>,
        downloader: &Downloader,
    ) -> Result<Vec<u8>, DownloadError> {
        let body = match result {
            Ok(body) => body,
            Err(e @ DownloadError::NotModified { .. }) => {
                self.note_unchanged();
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let mut fresh = KnownDownload::default();
        if self.options.validators {
            let validators = downloader.validators();
            fresh.etag = validators.etag;
            fresh.last_modified = validators.last_modified;
        }
        if self.options.body_hash {
            let sha256 = sha256_hex(&body);
            if self.known.sha256.as_deref() == Some(sha256.as_str()) {
                let what = format!("GET {}", self.url);
                self.note_unchanged();
                return Err(DownloadError::SameBody { what });
            }
            fresh.sha256 = Some(sha256);
        }
        RUN.with(|run| {
            if let Some(run) = run.borrow_mut().as_mut() {
                run.downloaded.insert(self.url, fresh);
            }
        });
        Ok(body)
    }
}

impl ConditionalGet {
    /// Keeps what was known about the URL (a `304`, the same body): a collector that
    /// goes on after it saves it again.
    fn note_unchanged(self) {
        RUN.with(|run| {
            if let Some(run) = run.borrow_mut().as_mut() {
                run.unchanged.insert(self.url);
            }
        });
    }
}

/// The SHA-256 of `bytes`, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(etag: &str) -> KnownDownload {
        KnownDownload {
            etag: Some(etag.to_owned()),
            ..KnownDownload::default()
        }
    }

    #[test]
    fn outside_a_run_and_for_other_methods_nothing_is_conditional() {
        forget_run();
        let on = DownloadSettings::default().with_if_changed(true, true);
        assert!(ConditionalGet::of(&on, &Request::get("http://127.0.0.1/x")).is_none());
        begin_run(DownloadHistory::default());
        assert!(ConditionalGet::of(&on, &Request::head("http://127.0.0.1/x")).is_none());
        let off = DownloadSettings::default();
        assert!(ConditionalGet::of(&off, &Request::get("http://127.0.0.1/x")).is_none());
        assert!(ConditionalGet::of(&on, &Request::get("http://127.0.0.1/x")).is_some());
        assert_eq!(end_run(), None, "nothing downloaded: nothing to save");
    }

    #[test]
    fn the_kept_validators_go_out_unless_the_request_has_its_own() {
        let mut stored = DownloadHistory::default();
        stored
            .0
            .insert("http://127.0.0.1/x".to_owned(), known("\"v1\""));
        begin_run(stored);
        let on = DownloadSettings::default().with_if_changed(true, false);
        let get = ConditionalGet::of(&on, &Request::get("http://127.0.0.1/x")).expect("get");
        let sent = get.prepare(Request::get("http://127.0.0.1/x"));
        assert_eq!(
            sent.headers,
            [("If-None-Match".to_owned(), "\"v1\"".to_owned())]
        );
        let own = get.prepare(Request::get("http://127.0.0.1/x").header("if-none-match", "*"));
        assert_eq!(own.headers.len(), 1);
        let hash_only = DownloadSettings::default().with_if_changed(false, true);
        let get = ConditionalGet::of(&hash_only, &Request::get("http://127.0.0.1/x")).expect("get");
        assert!(
            get.prepare(Request::get("http://127.0.0.1/x"))
                .headers
                .is_empty()
        );
        forget_run();
        assert_eq!(end_run(), None);
    }

    #[test]
    fn a_body_with_the_kept_hash_is_refused_and_a_new_one_is_kept() {
        let url = "http://127.0.0.1/feed";
        let mut stored = DownloadHistory::default();
        stored.0.insert(
            url.to_owned(),
            KnownDownload {
                sha256: Some(sha256_hex(b"same")),
                ..KnownDownload::default()
            },
        );
        begin_run(stored.clone());
        let settings = DownloadSettings::default().with_if_changed(false, true);
        let downloader = Downloader::new(settings.clone());
        let get = ConditionalGet::of(&settings, &Request::get(url)).expect("get");
        let refused = get.finish(Ok(b"same".to_vec()), &downloader);
        assert!(
            matches!(refused, Err(DownloadError::SameBody { ref what }) if what == "GET http://127.0.0.1/feed"),
            "{refused:?}"
        );
        let get = ConditionalGet::of(&settings, &Request::get(url)).expect("get");
        assert_eq!(
            get.finish(Ok(b"new".to_vec()), &downloader).expect("new"),
            b"new"
        );
        let history = end_run().expect("changed");
        assert_eq!(
            history.get(url).and_then(|k| k.sha256.clone()),
            Some(sha256_hex(b"new"))
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn the_history_holds_the_urls_of_the_last_run_only() {
        let mut stored = DownloadHistory::default();
        for url in [
            "http://127.0.0.1/a",
            "http://127.0.0.1/b",
            "http://127.0.0.1/c",
        ] {
            stored.0.insert(url.to_owned(), known("\"old\""));
        }
        begin_run(stored);
        let settings = DownloadSettings::default().with_if_changed(true, false);
        let downloader = Downloader::new(settings.clone());
        let get = ConditionalGet::of(&settings, &Request::get("http://127.0.0.1/a")).expect("a");
        let not_modified = DownloadError::NotModified {
            what: "GET http://127.0.0.1/a".to_owned(),
            attempts: 1,
        };
        assert!(get.finish(Err(not_modified), &downloader).is_err());
        let get = ConditionalGet::of(&settings, &Request::get("http://127.0.0.1/d")).expect("d");
        get.finish(Ok(b"d".to_vec()), &downloader).expect("d");
        let history = end_run().expect("changed");
        let urls: Vec<&str> = history.0.keys().map(String::as_str).collect();
        assert_eq!(
            urls,
            ["http://127.0.0.1/a"],
            "a: unchanged, kept; b, c: not downloaded, dropped; d: no validators"
        );
        assert_eq!(history.get("http://127.0.0.1/a"), Some(&known("\"old\"")));
    }

    #[test]
    fn a_download_without_validators_forgets_the_url() {
        let url = "http://127.0.0.1/feed";
        let mut stored = DownloadHistory::default();
        stored.0.insert(url.to_owned(), known("\"old\""));
        begin_run(stored);
        let settings = DownloadSettings::default().with_if_changed(true, false);
        let downloader = Downloader::new(settings.clone());
        let get = ConditionalGet::of(&settings, &Request::get(url)).expect("get");
        get.finish(Ok(b"body".to_vec()), &downloader).expect("body");
        assert_eq!(end_run(), Some(DownloadHistory::default()));
    }
}
