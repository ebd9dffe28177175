//! The error of a run: what went wrong, where, and which exit code it means.

use std::fmt;

use crate::exit;
use crate::sink::SinkError;
use crate::state::{LockError, StateError};

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a run failed. Each variant maps to one exit code ([`Error::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command line (64).
    #[error("usage: {0}")]
    Usage(String),
    /// Configuration problems, one line each (78).
    #[error("configuration error{}:\n  {}", if .0.len() > 1 { "s" } else { "" }, .0.join("\n  "))]
    Config(Vec<String>),
    /// The state file cannot be read or decoded (65), or read I/O failed (74).
    #[error("cannot load state: {0}")]
    StateLoad(StateError),
    /// The state file could not be saved (74).
    #[error("cannot save state: {0}")]
    StateSave(StateError),
    /// Another run holds the lock (75), or the lock file cannot be used (74).
    #[error("{}", lock_message(.0))]
    Lock(#[from] LockError),
    /// The data source cannot be reached or answered with an error (69).
    #[error("source unavailable: {0}")]
    SourceUnavailable(String),
    /// The source delivered data that cannot be used (65).
    #[error("bad data from the source: {0}")]
    BadData(String),
    /// The sink (broker, file) failed (69, or 74 for local I/O).
    #[error("output failed: {0}")]
    Sink(#[from] SinkError),
    /// Stopped by a signal before completing; state not saved (128 + signal).
    #[error("stopped by {} before completing; state not saved", crate::run::signal::name(*.0))]
    Interrupted(i32),
    /// A message's identity breaks n6's wire rules, e.g. a source that is not
    /// `provider.channel` (78: per-message identities come from configuration, such as
    /// MISP's `source_provider` or Shadowserver's `subject_to_channel`).
    #[error("cannot publish: {0}")]
    Message(#[from] crate::message::MessageError),
    /// A bug in the collector or the framework (70).
    #[error("internal error (a bug): {0}")]
    Bug(String),
}

/// "already running" leads the message, so operators (and scripts) find it.
fn lock_message(error: &LockError) -> String {
    match error {
        LockError::AlreadyRunning { .. } => format!("already running: {error}"),
        _ => error.to_string(),
    }
}

impl Error {
    /// The source could not be reached; `what` says which and why.
    pub fn source_unavailable(what: impl fmt::Display) -> Self {
        Error::SourceUnavailable(what.to_string())
    }

    /// The source's data is unusable; `what` says where and why.
    pub fn bad_data(what: impl fmt::Display) -> Self {
        Error::BadData(what.to_string())
    }

    /// An internal inconsistency.
    pub fn bug(what: impl fmt::Display) -> Self {
        Error::Bug(what.to_string())
    }

    /// The process exit code for this error (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Config(_) => exit::CONFIG,
            Error::StateLoad(e) if e.is_io() => exit::IO,
            Error::StateLoad(_) => exit::DATA,
            Error::StateSave(_) => exit::IO,
            Error::Lock(LockError::AlreadyRunning { .. }) => exit::ALREADY_RUNNING,
            Error::Lock(_) => exit::IO,
            Error::SourceUnavailable(_) => exit::UNAVAILABLE,
            Error::BadData(_) => exit::DATA,
            Error::Sink(e) if e.is_local_io() => exit::IO,
            Error::Sink(SinkError::Settings(_)) => exit::CONFIG,
            Error::Sink(_) => exit::UNAVAILABLE,
            Error::Interrupted(signal) => exit::for_signal(*signal),
            Error::Message(_) => exit::CONFIG,
            Error::Bug(_) => exit::SOFTWARE,
        }
    }
}

/// Adds context to foreign errors in collector code: `fetch().or_source_unavailable("GET https://...")?`.
pub trait ResultExt<T> {
    /// Maps the error to [`Error::SourceUnavailable`] prefixed with `what`.
    fn or_source_unavailable(self, what: impl fmt::Display) -> Result<T>;
    /// Maps the error to [`Error::BadData`] prefixed with `what`.
    fn or_bad_data(self, what: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> ResultExt<T> for std::result::Result<T, E> {
    fn or_source_unavailable(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::SourceUnavailable(format!("{what}: {e}")))
    }

    fn or_bad_data(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::BadData(format!("{what}: {e}")))
    }
}
