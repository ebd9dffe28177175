//! Record a live run, replay it offline: `--record DIR` and `--replay DIR`.
//!
//! `--record DIR` runs the collector as usual and saves into `DIR` (created; it must be
//! absent or empty) everything the run took from outside: every HTTP exchange of the
//! download helper (request, response status, headers, body), the clock, stdin, and the
//! state file as the run found it; and, for comparison, the messages it published. The
//! recorded run's clock is frozen at its start (as `--fake-now` freezes it), so that
//! its `timestamp` properties and `message_id`s can be reproduced exactly.
//!
//! `--replay DIR` runs the collector offline from such a directory: every HTTP request
//! is answered from the recording (nothing is sent), the clock reads the recorded time,
//! stdin is the recorded stdin. A request that is not in the recording fails the run
//! with [`crate::exit::NO_INPUT`] (66), naming the request and what was recorded; so
//! does a recording that cannot be read. Without `--output`, a replay prints JSON lines
//! on stdout (it never guesses the broker); the state is loaded from and saved to the
//! state directory as in any run (point `--state-dir` at a scratch directory, or use
//! `--dry-run`). [`crate::testing::Site::replay`] replays a recording in a test, from
//! the recorded state, and compares what it publishes with what the recorded run did.
//!
//! # Layout of a recording (version 1)
//!
//! ```text
//! DIR/recording.json                 the index (below), pretty-printed JSON
//! DIR/exchanges/001-request.body     the body of request 1, if it had one
//! DIR/exchanges/001-response.body    the body of response 1, as the collector read it
//! DIR/exchanges/002-response.body    …
//! DIR/stdin                          what the run read from stdin, if it read stdin
//! DIR/state-before.cbor              the state file as the run found it, if any
//! DIR/published.jsonl                what the run published, one JSON line per message
//!                                    (the `--output FILE` format)
//! ```
//!
//! ```json
//! {
//!   "format": "n6-collectors-recording",
//!   "version": 1,
//!   "collector": "SpamhausDropCollector",
//!   "clock": "2026-12-02T04:30:00.123456Z",
//!   "stdin": null,
//!   "state_before": "state-before.cbor",
//!   "published": "published.jsonl",
//!   "exchanges": [
//!     {
//!       "request": {
//!         "method": "GET",
//!         "url": "https://www.spamhaus.org/drop/drop.txt",
//!         "headers": [["If-None-Match", "\"v1\""]],
//!         "body": null
//!       },
//!       "response": {
//!         "status": 200,
//!         "headers": [["content-type", "text/plain"], ["etag", "\"v2\""]],
//!         "body": "exchanges/001-response.body"
//!       }
//!     }
//!   ]
//! }
//! ```
//!
//! A replay answers a request with the first exchange not yet used whose method, URL and
//! request body are the same (the headers are recorded for information, not matched;
//! credentials among them — `Authorization`, cookies, `X-Api-Key` and the like — as `***`),
//! so a recorded retry is replayed as a retry (without its waits: a replay never sleeps
//! for a back-off, a `Retry-After` or `download_min_interval`). Files are named relative to `DIR`; a body
//! file may be edited by hand (a new regression case), the index too.
//!
//! What is not recorded: `file://` downloads (local files are read as usual), requests
//! that got no response at all (a refused connection: a replay of such a run makes a
//! request the recording does not have), downloads on threads the collector starts,
//! stdin read other than whole through [`read_stdin`] (interactive prompts), messages
//! consumed from an AMQP queue ([`crate::input`]), and the configuration (a replay reads
//! the configuration as every run does).

mod index;
mod session;
mod tee;

use std::path::PathBuf;

pub use index::{
    Exchange, INDEX_FILE, RECORDING_FORMAT, RECORDING_VERSION, RecordedRequest, RecordedResponse,
    RecordingIndex,
};
pub use session::read_stdin;
pub(crate) use session::{Outgoing, SessionRequest, exchange, sleep_fn, start};
pub(crate) use tee::tee_when_recording;

/// Why recording or replaying failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// `--replay`: a file of the recording cannot be read (66).
    #[error("--replay: cannot read {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `--replay`: the index is not a recording this binary reads, or not of this
    /// collector (66).
    #[error("--replay: {}: {reason}", path.display())]
    Invalid {
        /// The index file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// `--replay`: the run made a request the recording does not hold (66).
    #[error(
        "--replay {}: {request} is not in the recording (recorded, each answering once: {})",
        recording.display(),
        if recorded.is_empty() { "none".to_owned() } else { recorded.join(", ") }
    )]
    NotRecorded {
        /// The recording directory.
        recording: PathBuf,
        /// `METHOD URL` of the request.
        request: String,
        /// `METHOD URL` of every recorded request.
        recorded: Vec<String>,
    },
    /// `--replay`: the run reads stdin, the recorded run did not (66).
    #[error("--replay {}: the run reads stdin, but the recorded run did not", recording.display())]
    NoStdin {
        /// The recording directory.
        recording: PathBuf,
    },
    /// `--record`: the directory is not empty (64).
    #[error("--record {}: the directory is not empty (a recording goes into a new directory)", path.display())]
    NotEmpty {
        /// The directory.
        path: PathBuf,
    },
    /// `--record`: a file of the recording cannot be written (74).
    #[error("--record: cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Reading stdin failed (69, as any input that cannot be read).
    #[error("cannot read stdin: {source}")]
    Stdin {
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl RecordError {
    /// The run's exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            RecordError::Unreadable { .. }
            | RecordError::Invalid { .. }
            | RecordError::NotRecorded { .. }
            | RecordError::NoStdin { .. } => crate::exit::NO_INPUT,
            RecordError::NotEmpty { .. } => crate::exit::USAGE,
            RecordError::Write { .. } => crate::exit::IO,
            RecordError::Stdin { .. } => crate::exit::UNAVAILABLE,
        }
    }
}
