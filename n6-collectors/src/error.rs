//! The error of a run: what went wrong, where, and which exit code it means.

use std::fmt;
use std::path::PathBuf;

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
    /// No `--output`, no `[rabbitmq]` section and stdout is not a terminal: the run does
    /// not guess where its messages should go (78).
    #[error(
        "no [rabbitmq] section; {unreadable_files} config file(s) could not be read; \
         pass --output - for JSON lines"
    )]
    NoOutput {
        /// How many selected config files could not be read.
        unreadable_files: usize,
    },
    /// The state file cannot be read or decoded (65), or read I/O failed (74).
    #[error("cannot load state: {0}")]
    StateLoad(#[source] StateError),
    /// The state file could not be saved (74).
    #[error("cannot save state: {0}")]
    StateSave(#[source] StateError),
    /// A file given to a `state` command that is not the state file (import input,
    /// stdin) cannot be read (74) or is unusable (65).
    #[error(transparent)]
    Input(#[from] InputError),
    /// Another run holds the lock or the run lost it (75), the lock service is
    /// unreachable (69), or the lock file cannot be used (74).
    #[error("{}", lock_message(.0))]
    Lock(#[from] LockError),
    /// The data source cannot be reached or answered with an error (69).
    #[error("source unavailable: {0}")]
    SourceUnavailable(#[source] Problem),
    /// The source has not changed since the last successful run (a `304 Not Modified`,
    /// or the same body: `download_only_if_changed`, `download_only_if_body_changed`):
    /// the run ends at once, publishes nothing more and saves nothing (0).
    #[error("source unchanged: {0}")]
    SourceUnchanged(#[source] Problem),
    /// The source delivered data that cannot be used (65).
    #[error("bad data from the source: {0}")]
    BadData(#[source] Problem),
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
    /// Recording (`--record`) or replaying (`--replay`) failed: 66 for a recording that
    /// cannot be read or lacks a request ([`crate::exit::NO_INPUT`]), 74 for one that
    /// cannot be written ([`RecordError::exit_code`](crate::record::RecordError::exit_code)).
    #[error(transparent)]
    Recording(#[from] crate::record::RecordError),
    /// A bug in the collector or the framework (70).
    #[error("internal error (a bug): {0}")]
    Bug(String),
}

/// The cause of a [`Problem`]: any error (or a message).
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What went wrong with the source: where (`what`), and the error that said so, kept as
/// the [`std::error::Error::source`] of the problem. Shown as `what: cause`.
#[derive(Debug)]
pub struct Problem {
    /// What was being done or looked at, e.g. `GET https://...`.
    pub what: String,
    /// The underlying error, if there is one.
    pub cause: Option<Cause>,
}

impl Problem {
    /// A problem described by `what` alone.
    pub fn new(what: impl fmt::Display) -> Self {
        Problem {
            what: what.to_string(),
            cause: None,
        }
    }

    /// A problem with `what` and the error `cause`.
    pub fn caused_by(what: impl fmt::Display, cause: impl Into<Cause>) -> Self {
        Problem {
            what: what.to_string(),
            cause: Some(cause.into()),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {cause}", self.what),
            None => f.write_str(&self.what),
        }
    }
}

impl std::error::Error for Problem {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

/// A file a `state` command reads that is not the state file — the input of
/// `state import` / `import-pickle` (a file, or `<stdin>`), or the answer to a question on
/// stdin — named as such, never as the state file.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading failed (74).
    #[error("cannot read {what} {}: {source}", path.display())]
    Read {
        /// What the file is, e.g. "import input".
        what: &'static str,
        /// The file (`<stdin>` for standard input).
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The content is unusable (65).
    #[error("{what} {} at byte offset {offset}: {reason}", path.display())]
    Invalid {
        /// What the file is, e.g. "import input".
        what: &'static str,
        /// The file (`<stdin>` for standard input).
        path: PathBuf,
        /// Where reading stopped.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
}

/// "already running" leads the message, so operators (and scripts) find it.
fn lock_message(error: &LockError) -> String {
    match error {
        LockError::AlreadyRunning { .. } | LockError::HeldElsewhere { .. } => {
            format!("already running: {error}")
        }
        _ => error.to_string(),
    }
}

impl Error {
    /// The source could not be reached; `what` says which and why.
    pub fn source_unavailable(what: impl fmt::Display) -> Self {
        Error::SourceUnavailable(Problem::new(what))
    }

    /// The source's data is unusable; `what` says where and why.
    pub fn bad_data(what: impl fmt::Display) -> Self {
        Error::BadData(Problem::new(what))
    }

    /// An internal inconsistency.
    pub fn bug(what: impl fmt::Display) -> Self {
        Error::Bug(what.to_string())
    }

    /// The process exit code for this error (see [`crate::exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::Config(_) | Error::NoOutput { .. } => exit::CONFIG,
            Error::StateLoad(e) if e.is_io() => exit::IO,
            Error::StateLoad(_) => exit::DATA,
            Error::StateSave(_) => exit::IO,
            Error::Input(InputError::Read { .. }) => exit::IO,
            Error::Input(InputError::Invalid { .. }) => exit::DATA,
            Error::Lock(
                LockError::AlreadyRunning { .. }
                | LockError::HeldElsewhere { .. }
                | LockError::Lost { .. },
            ) => exit::ALREADY_RUNNING,
            Error::Lock(LockError::Unavailable { .. }) => exit::UNAVAILABLE,
            Error::Lock(_) => exit::IO,
            Error::SourceUnavailable(_) => exit::UNAVAILABLE,
            Error::SourceUnchanged(_) => exit::OK,
            Error::BadData(_) => exit::DATA,
            Error::Sink(e) if e.is_local_io() => exit::IO,
            Error::Sink(SinkError::Settings(_)) => exit::CONFIG,
            Error::Sink(_) => exit::UNAVAILABLE,
            Error::Interrupted(signal) => exit::for_signal(*signal),
            Error::Message(_) => exit::CONFIG,
            Error::Recording(e) => e.exit_code(),
            Error::Bug(_) => exit::SOFTWARE,
        }
    }
}

/// Adds context to foreign errors in collector code: `fetch().or_source_unavailable("GET https://...")?`.
/// The foreign error stays the cause ([`std::error::Error::source`]) of the problem.
pub trait ResultExt<T> {
    /// Maps the error to [`Error::SourceUnavailable`] prefixed with `what`.
    fn or_source_unavailable(self, what: impl fmt::Display) -> Result<T>;
    /// Maps the error to [`Error::BadData`] prefixed with `what`.
    fn or_bad_data(self, what: impl fmt::Display) -> Result<T>;
}

impl<T, E: Into<Cause>> ResultExt<T> for std::result::Result<T, E> {
    fn or_source_unavailable(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::SourceUnavailable(Problem::caused_by(what, e)))
    }

    fn or_bad_data(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::BadData(Problem::caused_by(what, e)))
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn source_problems_keep_their_cause() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = Err::<(), _>(io).or_source_unavailable("GET http://127.0.0.1:9/");
        let error = error.expect_err("mapped");
        assert_eq!(
            error.to_string(),
            "source unavailable: GET http://127.0.0.1:9/: refused"
        );
        let problem = error.source().expect("the problem");
        let cause = problem.source().expect("the io error");
        assert_eq!(cause.to_string(), "refused");
        assert!(cause.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(error.exit_code(), exit::UNAVAILABLE);
    }

    #[test]
    fn state_errors_are_the_source_of_run_errors() {
        let state = StateError::Corrupt {
            path: "/s/x.cbor".into(),
            offset: 3,
            reason: "truncated".into(),
        };
        let error = Error::StateLoad(state);
        let source = error.source().expect("the state error");
        assert!(source.downcast_ref::<StateError>().is_some());
    }

    #[test]
    fn import_input_is_not_called_the_state_file() {
        let error = Error::from(InputError::Invalid {
            what: "import input",
            path: "<stdin>".into(),
            offset: 11,
            reason: "not a valid state".into(),
        });
        assert_eq!(
            error.to_string(),
            "import input <stdin> at byte offset 11: not a valid state"
        );
        assert_eq!(error.exit_code(), exit::DATA);
        let read = Error::from(InputError::Read {
            what: "import input",
            path: "/in.json".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
        assert!(
            read.to_string()
                .starts_with("cannot read import input /in.json: ")
        );
        assert_eq!(read.exit_code(), exit::IO);
        assert!(read.source().is_some());
    }
}
