//! `recording.json`: the index of a recorded run, and reading and writing it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RecordError;

/// The name of the index file in a recording directory.
pub const INDEX_FILE: &str = "recording.json";

/// The value of the index's `format` entry.
pub const RECORDING_FORMAT: &str = "n6-collectors-recording";

/// The index layout version this binary writes and reads.
pub const RECORDING_VERSION: u32 = 1;

/// The index of a recorded run (`recording.json`). Body files are named relative to
/// the recording directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingIndex {
    /// Always [`RECORDING_FORMAT`].
    pub format: String,
    /// The layout version ([`RECORDING_VERSION`]).
    pub version: u32,
    /// The struct name of the collector that was recorded.
    pub collector: String,
    /// The run's clock (RFC 3339, UTC): every reading of the recorded run returned it,
    /// and so does every reading of its replay.
    pub clock: String,
    /// The file holding what the run read from stdin, if it read stdin.
    #[serde(default)]
    pub stdin: Option<String>,
    /// The file holding the state file as the run found it, if there was one.
    #[serde(default)]
    pub state_before: Option<String>,
    /// The file holding the messages the run published, as JSON lines.
    pub published: String,
    /// Every HTTP exchange of the run, in order.
    pub exchanges: Vec<Exchange>,
}

/// One HTTP request of a recorded run and the response it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// What was sent.
    pub request: RecordedRequest,
    /// What came back.
    pub response: RecordedResponse,
}

/// A recorded request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// The method (`GET`, `POST`, …).
    pub method: String,
    /// The URL as sent (query string included).
    pub url: String,
    /// The headers the collector sent (`base_request_headers`, its own, conditional
    /// ones), as `[name, value]` pairs, credentials as `***`; for information: a replay
    /// does not match them.
    pub headers: Vec<(String, String)>,
    /// The file holding the request body, if it had one.
    #[serde(default)]
    pub body: Option<String>,
}

/// A recorded response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The response headers, as `[name, value]` pairs, in order (cookies as `***`).
    pub headers: Vec<(String, String)>,
    /// The file holding the body as the collector read it (any `Content-Encoding`
    /// already decoded).
    pub body: String,
}

impl RecordingIndex {
    /// An empty index for `collector`, whose clock reads `clock`.
    pub fn new(collector: &str, clock: String) -> Self {
        RecordingIndex {
            format: RECORDING_FORMAT.to_owned(),
            version: RECORDING_VERSION,
            collector: collector.to_owned(),
            clock,
            stdin: None,
            state_before: None,
            published: "published.jsonl".to_owned(),
            exchanges: Vec::new(),
        }
    }

    /// Reads and checks the index of the recording in `dir`.
    pub fn read(dir: &Path) -> Result<RecordingIndex, RecordError> {
        let path = dir.join(INDEX_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| RecordError::Unreadable {
            path: path.clone(),
            source,
        })?;
        let index: RecordingIndex =
            serde_json::from_str(&text).map_err(|e| RecordError::Invalid {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if index.format != RECORDING_FORMAT {
            return Err(RecordError::Invalid {
                path,
                reason: format!(
                    "format {:?}, expected {RECORDING_FORMAT:?} (not a recording)",
                    index.format
                ),
            });
        }
        if index.version != RECORDING_VERSION {
            return Err(RecordError::Invalid {
                path,
                reason: format!(
                    "version {}, this binary reads version {RECORDING_VERSION}",
                    index.version
                ),
            });
        }
        Ok(index)
    }

    /// Writes the index into `dir` (atomically: a reader never sees half of it).
    pub fn write(&self, dir: &Path) -> Result<(), RecordError> {
        let path = dir.join(INDEX_FILE);
        let mut text = serde_json::to_string_pretty(self).map_err(|e| RecordError::Write {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        text.push('\n');
        crate::state::write_atomically(&path, |w| std::io::Write::write_all(w, text.as_bytes()))
            .map_err(|source| RecordError::Write { path, source })
    }

    /// The path of a file the index names.
    pub fn file(dir: &Path, name: &str) -> PathBuf {
        dir.join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_round_trips_and_a_foreign_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("n6-recording-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mut index = RecordingIndex::new("X", "2026-12-02T04:00:00Z".to_owned());
        index.exchanges.push(Exchange {
            request: RecordedRequest {
                method: "GET".to_owned(),
                url: "http://127.0.0.1/feed".to_owned(),
                headers: vec![("If-None-Match".to_owned(), "\"v1\"".to_owned())],
                body: None,
            },
            response: RecordedResponse {
                status: 304,
                headers: Vec::new(),
                body: "exchanges/001-response.body".to_owned(),
            },
        });
        index.write(&dir).expect("write");
        let text = std::fs::read_to_string(dir.join(INDEX_FILE)).expect("read");
        assert!(text.contains(r#""If-None-Match","#), "{text}");
        assert_eq!(RecordingIndex::read(&dir).expect("read"), index);
        std::fs::write(dir.join(INDEX_FILE), r#"{"format": "other"}"#).expect("write");
        let error = RecordingIndex::read(&dir).expect_err("refused");
        assert!(error.to_string().contains("recording.json"), "{error}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
        let missing = RecordingIndex::read(&dir).expect_err("missing");
        assert!(
            matches!(missing, RecordError::Unreadable { .. }),
            "{missing}"
        );
    }
}
