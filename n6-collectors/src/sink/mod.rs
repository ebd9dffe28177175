//! Where messages go: a [`Sink`] takes messages and *confirms* them. The run lifecycle
//! never saves state before the sink has confirmed every message the state covers.
//!
//! * [`jsonl::JsonLinesSink`] — the embedded default: one JSON object per message, on
//!   stdout or in a file; confirmed once written and flushed (and fsynced for files).
//! * [`amqp`] — RabbitMQ with publisher confirms (the n6 wire contract).
//! * [`SinkTarget`] — which of them a run uses (the `--output` value); the run opens it
//!   lazily, at the first publish.

pub mod amqp;
pub mod jsonl;
mod lazy;
mod open;

use std::path::PathBuf;

use crate::message::Message;

pub(crate) use lazy::LazySink;
pub(crate) use open::opener;

/// Which sink a run publishes to (the value of `--output`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkTarget {
    /// JSON lines on standard output (`--output -`).
    Stdout,
    /// JSON lines appended to a file (`--output PATH`).
    File(PathBuf),
    /// RabbitMQ as configured in `[rabbitmq]` (`--output amqp`).
    Amqp,
}

impl std::str::FromStr for SinkTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" => Err("empty output target (use -, amqp or a file path)".into()),
            "-" => Ok(SinkTarget::Stdout),
            "amqp" => Ok(SinkTarget::Amqp),
            path => Ok(SinkTarget::File(PathBuf::from(path))),
        }
    }
}

impl SinkTarget {
    /// The one broker-or-not rule: a dry run prints to stdout; otherwise `--output`
    /// (`requested`) decides; without it, the broker when the configuration has a
    /// `[rabbitmq]` section, else stdout.
    pub(crate) fn choose(
        dry_run: bool,
        requested: Option<&SinkTarget>,
        has_rabbitmq: bool,
    ) -> Self {
        match requested {
            _ if dry_run => SinkTarget::Stdout,
            Some(target) => target.clone(),
            None if has_rabbitmq => SinkTarget::Amqp,
            None => SinkTarget::Stdout,
        }
    }
}

/// A destination for messages.
///
/// `publish` may return before the message is safe; [`Sink::confirm`] blocks until every
/// message published so far is safe (written and flushed, or acknowledged by the broker),
/// or fails. State is saved only after a successful `confirm`.
pub trait Sink {
    /// Hands over one message. May block while too many messages are unconfirmed.
    fn publish(&mut self, message: &Message) -> Result<(), SinkError>;

    /// Blocks until every message published so far is confirmed.
    fn confirm(&mut self) -> Result<(), SinkError>;

    /// Confirms what is outstanding and releases the connection or file.
    fn close(&mut self) -> Result<(), SinkError>;

    /// A short description for logs and the run summary, e.g. `stdout` or `amqp://127.0.0.1:5672`.
    fn describe(&self) -> String;
}

/// Why a sink could not take or confirm messages.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The broker cannot be reached, refused us, or went away.
    #[error("broker unavailable: {0}")]
    Unavailable(String),
    /// The broker did not take a message: nack, returned as unroutable, or a channel error.
    #[error("broker rejected a message: {0}")]
    Rejected(String),
    /// Confirms did not arrive in time.
    #[error("broker did not confirm within {seconds} s ({unconfirmed} message(s) unconfirmed)")]
    ConfirmTimeout {
        /// The timeout that elapsed.
        seconds: u64,
        /// How many messages were still unconfirmed.
        unconfirmed: usize,
    },
    /// The output's own settings are unusable (e.g. a TLS certificate file that cannot
    /// be read): a configuration error (exit 78).
    #[error("{0}")]
    Settings(String),
    /// Writing a local output (stdout or a file) failed.
    #[error("cannot write output {}: {source}", path.display())]
    Io {
        /// The file written (`-` for stdout).
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl SinkError {
    /// True when the problem is local I/O rather than the broker.
    pub fn is_local_io(&self) -> bool {
        matches!(self, SinkError::Io { .. })
    }
}
