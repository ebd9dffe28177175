//! Malware samples: which attributes of the events are samples (n6's
//! `_get_sample_metadata_seq`), their `headers.meta.misp` (`SAMPLE_META_KEYS`), and one
//! sample's download with n6's own retry loop (`_download_sample`): up to
//! `download_retries + 1` attempts of one request each, retried after
//! `min(2 ** attempt, 10)` seconds on a timeout, a connection failure or HTTP
//! 500/502/503/504; any other HTTP error or I/O failure gives the sample up at once.

use std::collections::BTreeSet;
use std::time::Duration;

use n6_collectors::helpers::download::{DownloadError, DownloadSettings, Downloader};
use n6_collectors::helpers::pyjson::{PyJson, PyObject};
use n6_collectors::prelude::*;

use crate::fetch;

/// n6's `MispCollector.SAMPLE_META_KEYS`: the attribute's items copied into
/// `headers.meta.misp`, in this order.
pub const SAMPLE_META_KEYS: [&str; 10] = [
    "category",
    "comment",
    "uuid",
    "event_id",
    "timestamp",
    "to_ids",
    "value",
    "distribution",
    "type",
    "id",
];

/// n6's `_MAX_SECONDS_BETWEEN_SAMPLE_DOWNLOAD_ATTEMPTS`.
pub const MAX_SECONDS_BETWEEN_ATTEMPTS: u64 = 10;

/// One sample to download: a `malware-sample` attribute with an `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// `int(attribute['id'])`.
    pub id: i64,
    /// The `id` as the attribute has it (joined to the sample URL).
    pub id_text: String,
    /// The attribute.
    pub attribute: PyObject,
}

/// Python's `int(text)` for a sample id: surrounding whitespace, a sign, digits with
/// single underscores between them; `None` for anything else or beyond `i64`.
pub fn python_int(text: &str) -> Option<i64> {
    let t = text.trim();
    let (sign, digits) = match t.as_bytes().first() {
        Some(b'-') => ("-", &t[1..]),
        Some(b'+') => ("", &t[1..]),
        _ => ("", t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
        || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    {
        return None;
    }
    format!("{sign}{}", digits.replace('_', "")).parse().ok()
}

/// The samples of `events` not in `done`, in order (n6's `_get_sample_metadata_seq`):
/// every attribute of `type` `malware-sample` that has an `id`. Unlike n6, which
/// crashes on them, an event without an `Attribute` list and an attribute that is no
/// object or has no `type` are skipped, and an id that is not an integer is skipped
/// with a warning.
pub fn samples_of(events: &[PyJson], done: &BTreeSet<i64>) -> Vec<Sample> {
    let mut samples = Vec::new();
    for event in events {
        let Some(PyJson::Array(attributes)) = event.get("Event").and_then(|e| e.get("Attribute"))
        else {
            continue;
        };
        for attribute in attributes {
            let PyJson::Object(attribute) = attribute else {
                continue;
            };
            if attribute.get("type").and_then(PyJson::as_str) != Some("malware-sample") {
                continue;
            }
            let id_text = match attribute.get("id") {
                None => continue,
                Some(PyJson::Str(s)) => s.clone(),
                Some(PyJson::Int(i)) => i.as_decimal().to_owned(),
                Some(other) => {
                    tracing::warn!(
                        "a malware sample with an id that is not an integer ({other:?}); skipped"
                    );
                    continue;
                }
            };
            let Some(id) = python_int(&id_text) else {
                tracing::warn!(
                    "a malware sample with an id that is not an integer ({id_text:?}); skipped"
                );
                continue;
            };
            if !done.contains(&id) {
                samples.push(Sample {
                    id,
                    id_text,
                    attribute: attribute.clone(),
                });
            }
        }
    }
    samples
}

/// A JSON value as pika encodes the same Python value in a header table.
pub fn header_value(value: &PyJson) -> HeaderValue {
    match value {
        PyJson::Null => HeaderValue::Null,
        PyJson::Bool(b) => HeaderValue::Bool(*b),
        PyJson::Int(i) => match i.as_i64() {
            Some(i) => HeaderValue::Int(i),
            None => HeaderValue::Str(i.as_decimal().to_owned()),
        },
        PyJson::Float(f) => HeaderValue::Float(*f),
        PyJson::Str(s) => HeaderValue::Str(s.clone()),
        PyJson::Array(items) => HeaderValue::List(items.iter().map(header_value).collect()),
        PyJson::Object(object) => HeaderValue::Table(HeaderTable(
            object
                .iter()
                .map(|(k, v)| (k.to_owned(), header_value(v)))
                .collect(),
        )),
    }
}

/// `headers.meta.misp` of a sample: the attribute's `SAMPLE_META_KEYS` it has.
pub fn misp_meta(attribute: &PyObject) -> HeaderTable {
    let mut meta = HeaderTable::default();
    for key in SAMPLE_META_KEYS {
        if let Some(value) = attribute.get(key) {
            meta.insert(key, header_value(value));
        }
    }
    meta
}

/// n6's `_format_sample_download_fail_descr`.
fn fail_descr(url: &str, kind: &str, error: &DownloadError, attempts: u32) -> String {
    let attempts_part = if attempts == 1 {
        String::new()
    } else {
        format!("after {attempts} download attempts ")
    };
    format!("[{attempts_part}from {url:?}] {kind}: {error}")
}

/// How one failed attempt ends: retry, give the sample up, or fail the run.
enum Failed {
    Retry(String),
    GiveUp(String),
}

fn classify(url: &str, error: DownloadError, attempts: u32) -> Result<Failed> {
    let descr = |kind: &str, e: &DownloadError| fail_descr(url, kind, e, attempts);
    Ok(match &error {
        e @ DownloadError::Deadline { .. } => Failed::Retry(descr("Timeout", e)),
        e if e.is_timeout() => Failed::Retry(descr("Timeout", e)),
        e if e.is_connection() => Failed::Retry(descr("ConnectionError", e)),
        e @ DownloadError::Status { .. } if e.is_retryable_status() => {
            Failed::Retry(descr("HTTPError", e))
        }
        e @ (DownloadError::Status { .. } | DownloadError::RetryAfterBeyondDeadline { .. }) => {
            Failed::GiveUp(descr("HTTPError", e))
        }
        e @ (DownloadError::Transport { .. }
        | DownloadError::NotModified { .. }
        | DownloadError::SameBody { .. }
        | DownloadError::Body { .. }
        | DownloadError::TooLarge { .. }
        | DownloadError::File { .. }) => Failed::GiveUp(descr("OSError", e)),
        // A bad URL scheme or unusable TLS files: the configuration, for every sample.
        DownloadError::Method(_) | DownloadError::Config(_) => return Err(error.into()),
        // `--replay`: a request the recording does not hold ends the run (66).
        DownloadError::Recording(_) => return Err(error.into()),
    })
}

/// What the sample loop needs to download: settings, the key, the retries.
pub struct SampleDownloads {
    /// Timeouts, TLS (`misp_verifycert`), `base_request_headers`.
    pub settings: DownloadSettings,
    /// `misp_key`, sent as `Authorization` over `base_request_headers`.
    pub misp_key: String,
    /// `download_retries`.
    pub retries: i64,
}

impl SampleDownloads {
    /// Downloads one sample from `url` (n6's `_download_sample`): `Ok(Ok(body))`,
    /// `Ok(Err(why))` when the sample is given up (n6's `SampleDownloadFailure`), or
    /// `Err` when the run must stop (`safe_point` failed: a signal; or the
    /// configuration is unusable). `safe_point` runs where n6 yields to its publishing
    /// machinery (`await self.PubIter`): before each attempt and each wait.
    pub fn download(
        &self,
        url: &str,
        safe_point: &mut dyn FnMut() -> Result<()>,
    ) -> Result<std::result::Result<Vec<u8>, String>> {
        let allowed = u32::try_from(self.retries.saturating_add(1).max(1)).unwrap_or(u32::MAX);
        let mut descr = "<unknown cause>".to_owned();
        for i in 0..allowed {
            if i > 0 {
                safe_point()?;
                let delay = 2u64.saturating_pow(i).min(MAX_SECONDS_BETWEEN_ATTEMPTS);
                tracing::info!(
                    "A retryable error occurred while trying to download a sample ({descr}). Retrying in {delay} seconds..."
                );
                std::thread::sleep(Duration::from_secs(delay));
            }
            safe_point()?;
            let request = fetch::request("GET", url)
                .header("Authorization", self.misp_key.as_str())
                .retries(0);
            match Downloader::new(self.settings.clone()).try_download(request) {
                Ok(body) => {
                    tracing::info!(
                        "Downloaded a {}-bytes malware sample from {url:?}.",
                        body.len()
                    );
                    return Ok(Ok(body));
                }
                Err(e) => match classify(url, e, i + 1)? {
                    Failed::Retry(d) => descr = d,
                    Failed::GiveUp(d) => return Ok(Err(d)),
                },
            }
        }
        Ok(Err(descr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use n6_collectors::helpers::pyjson;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    /// A server answering each request with the next status (200: `sample`), noting the
    /// `Authorization` header of each.
    fn server(statuses: Vec<u16>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}/download/7", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for (stream, status) in listener.incoming().flatten().zip(statuses) {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut auth = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("authorization: ") {
                        auth = v.trim().to_owned();
                    }
                }
                log.lock().expect("log").push(auth);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsample"
                );
            }
        });
        (url, seen)
    }

    fn downloads(retries: i64) -> SampleDownloads {
        SampleDownloads {
            settings: DownloadSettings::default(),
            misp_key: "Example-Auth-Key".to_owned(),
            retries,
        }
    }

    #[test]
    fn a_retryable_failure_is_retried_after_n6s_wait() {
        let (url, seen) = server(vec![503, 200]);
        let mut safe_points = 0;
        let got = downloads(4)
            .download(&url, &mut || {
                safe_points += 1;
                Ok(())
            })
            .expect("not fatal");
        assert_eq!(got.as_deref(), Ok(&b"sample"[..]));
        // n6's `await self.PubIter`: before attempt 1, before the wait, before attempt 2.
        assert_eq!(safe_points, 3);
        assert_eq!(
            *seen.lock().expect("log"),
            ["Example-Auth-Key", "Example-Auth-Key"]
        );
    }

    #[test]
    fn other_http_errors_give_the_sample_up_at_once_and_retries_run_out() {
        let (url, seen) = server(vec![404]);
        let got = downloads(4)
            .download(&url, &mut || Ok(()))
            .expect("not fatal");
        let why = got.expect_err("given up");
        assert!(
            why.starts_with(&format!("[from {url:?}] HTTPError: ")),
            "{why}"
        );
        assert_eq!(seen.lock().expect("log").len(), 1);
        let (url, _) = server(vec![500]);
        let why = downloads(0)
            .download(&url, &mut || Ok(()))
            .expect("not fatal");
        assert!(why.expect_err("given up").contains("HTTP 500"));
    }

    #[test]
    fn a_failing_safe_point_stops_before_the_next_attempt() {
        let (url, seen) = server(vec![503, 200]);
        let mut calls = 0;
        let stopped = downloads(4).download(&url, &mut || {
            calls += 1;
            if calls > 1 {
                Err(Error::Interrupted(2))
            } else {
                Ok(())
            }
        });
        assert!(matches!(stopped, Err(Error::Interrupted(2))));
        assert_eq!(seen.lock().expect("log").len(), 1);
    }

    #[test]
    fn ids_as_python_int_reads_them() {
        assert_eq!(python_int("144656"), Some(144656));
        assert_eq!(python_int(" +1_000 "), Some(1000));
        assert_eq!(python_int("-3"), Some(-3));
        for bad in ["", "1__0", "_1", "1_", "0x10", "1.0", "abc"] {
            assert_eq!(python_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn samples_are_malware_sample_attributes_with_ids_not_done() {
        let events = pyjson::loads(
            br#"[{"Event": {"Attribute": [
                {"type": "filename|sha1", "id": "10"},
                {"type": "malware-sample", "id": "11", "value": "a|b", "to_ids": true, "deleted": false},
                {"type": "malware-sample"},
                {"type": "malware-sample", "id": "12"},
                {"type": "malware-sample", "id": "x"}]}},
              {"Event": {}}, {"Event": {"Attribute": [{"type": "malware-sample", "id": 13}]}}]"#,
        )
        .expect("json");
        let PyJson::Array(events) = events else {
            panic!("a list")
        };
        let samples = samples_of(&events, &BTreeSet::from([12]));
        let ids: Vec<i64> = samples.iter().map(|s| s.id).collect();
        assert_eq!(ids, [11, 13]);
        let meta = misp_meta(&samples[0].attribute);
        let keys: Vec<&str> = meta.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["to_ids", "value", "type", "id"]);
        assert_eq!(meta.get("to_ids"), Some(&HeaderValue::Bool(true)));
    }
}
