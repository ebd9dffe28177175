//! Errors of the state store ([`StateError`]) and of the run lock ([`LockError`]).
//!
//! Every error names the file it is about. Content errors also name the byte offset at
//! which decoding stopped, so an operator can look at the file with `xxd -s OFFSET`.

use std::io;
use std::path::PathBuf;

/// Which class of problem a [`StateError`] is: the process exit code follows from it
/// (sysexits: [`StateErrorKind::Io`] → 74, [`StateErrorKind::Data`] → 65).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateErrorKind {
    /// The file system refused or failed (permissions, a disk error, a symlink or a
    /// directory where the state file should be). The file's content was not judged.
    Io,
    /// The file was read, but its content is not a usable state for this collector
    /// (corrupt, truncated, another collector's, written by a newer version, a failed
    /// migration), or the state could not be encoded.
    Data,
}

/// Why a state file could not be loaded or saved.
///
/// A state file that fails to load is never modified and never replaced by the default
/// state: the run stops and the operator decides (see `n6-state`).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// An operating-system call failed (`action` says which, e.g. "open", "save").
    #[error("cannot {action} state file {path}: {source}")]
    Io {
        /// The state file.
        path: PathBuf,
        /// What was being done, e.g. "open", "read", "save".
        action: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The state path is a symbolic link; links are never followed (neither on load nor
    /// on save), so a link planted in the state directory cannot redirect the write.
    #[error(
        "state file {path} is a symbolic link; refusing to follow it (replace it with the file itself)"
    )]
    Symlink {
        /// The state file.
        path: PathBuf,
    },
    /// Something other than a regular file (a directory, a FIFO, ...) is at the state path.
    #[error("state file {path} is {what}, not a regular file")]
    NotAFile {
        /// The state file.
        path: PathBuf,
        /// What is there instead, e.g. "a directory".
        what: &'static str,
    },
    /// The content is not a well-formed state envelope (empty, truncated, garbage,
    /// trailing bytes, a payload that does not match the state type).
    #[error("corrupt state file {path} at byte offset {offset}: {reason}")]
    Corrupt {
        /// The state file.
        path: PathBuf,
        /// Where decoding stopped (for a truncated file: where the data ran out).
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// n6's pickled state (`{module}.{Class}.pickle`, found where no state file of
    /// our own exists yet) cannot be taken over: not a pickle n6 writes, or its value
    /// does not fit the collector's state. The pickle is left as it is.
    #[error(
        "n6's state pickle {path} (byte offset {offset}) cannot be taken over: {reason}; the pickle is left as it is"
    )]
    N6Pickle {
        /// n6's pickle file.
        path: PathBuf,
        /// Where decoding stopped (0 when the value decoded but does not fit).
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// The envelope was written by a newer n6-collectors with an envelope layout this
    /// binary does not know.
    #[error(
        "state file {path} (byte offset {offset}) has envelope version {found}, this binary supports up to {supported}: it was written by a newer n6-collectors; upgrade this collector"
    )]
    NewerEnvelope {
        /// The state file.
        path: PathBuf,
        /// Offset of the `envelope_version` value.
        offset: u64,
        /// The envelope version in the file.
        found: u64,
        /// The newest envelope version this binary reads.
        supported: u32,
    },
    /// The file belongs to another collector.
    #[error(
        "state file {path} (byte offset {offset}) belongs to collector {found}, not to {expected}"
    )]
    WrongCollector {
        /// The state file.
        path: PathBuf,
        /// Offset of the `collector` value.
        offset: u64,
        /// The collector id this binary expected.
        expected: String,
        /// The collector id in the file.
        found: String,
    },
    /// The state's schema version is newer than this binary's: a newer version of the
    /// collector wrote it.
    #[error(
        "state file {path} (byte offset {offset}) has state schema version {found}, written by {written_by}; this binary understands up to version {supported}: a newer version of the collector is needed"
    )]
    NewerSchema {
        /// The state file.
        path: PathBuf,
        /// Offset of the `schema_version` value.
        offset: u64,
        /// The schema version in the file.
        found: u32,
        /// The binary's schema version.
        supported: u32,
        /// The `written_by` field of the file (program and crate version).
        written_by: String,
    },
    /// The state has an older schema version and the collector declares no migration.
    #[error(
        "state file {path} has state schema version {found}, this collector expects version {expected} and declares no migration"
    )]
    NoMigration {
        /// The state file.
        path: PathBuf,
        /// The schema version in the file.
        found: u32,
        /// The binary's schema version.
        expected: u32,
    },
    /// The collector's migration refused the older state.
    #[error(
        "state file {path}: migrating the state from schema version {from} to {to} failed: {reason}"
    )]
    Migration {
        /// The state file.
        path: PathBuf,
        /// The schema version in the file.
        from: u32,
        /// The binary's schema version.
        to: u32,
        /// The migration's message.
        reason: String,
    },
    /// The envelope is larger than the backend stores (etcd: `etcd_max_state_bytes`).
    #[error(
        "the state for {path} is {size} bytes, more than the {limit} bytes this backend stores; keep this collector on backend = file"
    )]
    TooLarge {
        /// Where the state would go.
        path: PathBuf,
        /// The envelope's size.
        size: usize,
        /// The backend's limit.
        limit: usize,
    },
    /// The state value cannot be represented in CBOR (its `Serialize` impl failed).
    /// Both the state file and a file of its older name (`{module path}.{StructName}.cbor`)
    /// exist; neither is chosen nor touched.
    #[error(
        "state file {path} and {legacy} (its older name) both exist; refusing to choose: keep one and move the other out of the state directory"
    )]
    TwoStateFiles {
        /// The state file.
        path: PathBuf,
        /// The file of the older name.
        legacy: PathBuf,
    },
    #[error("cannot encode the state for {path}: {reason}")]
    Encode {
        /// The state file.
        path: PathBuf,
        /// The serializer's message.
        reason: String,
    },
}

impl StateError {
    /// The class of the problem (I/O vs. content).
    pub fn kind(&self) -> StateErrorKind {
        match self {
            StateError::Io { .. }
            | StateError::Symlink { .. }
            | StateError::NotAFile { .. }
            | StateError::TooLarge { .. } => StateErrorKind::Io,
            StateError::Corrupt { .. }
            | StateError::N6Pickle { .. }
            | StateError::NewerEnvelope { .. }
            | StateError::WrongCollector { .. }
            | StateError::NewerSchema { .. }
            | StateError::NoMigration { .. }
            | StateError::Migration { .. }
            | StateError::TwoStateFiles { .. }
            | StateError::Encode { .. } => StateErrorKind::Data,
        }
    }

    /// Whether this is an I/O-class problem (exit 74) rather than a content problem (65).
    pub fn is_io(&self) -> bool {
        self.kind() == StateErrorKind::Io
    }

    /// The byte offset the error points at, for content errors that have one.
    pub fn offset(&self) -> Option<u64> {
        match self {
            StateError::Corrupt { offset, .. }
            | StateError::N6Pickle { offset, .. }
            | StateError::NewerEnvelope { offset, .. }
            | StateError::WrongCollector { offset, .. }
            | StateError::NewerSchema { offset, .. } => Some(*offset),
            _ => None,
        }
    }

    /// The state file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            StateError::Io { path, .. }
            | StateError::Symlink { path }
            | StateError::NotAFile { path, .. }
            | StateError::Corrupt { path, .. }
            | StateError::N6Pickle { path, .. }
            | StateError::NewerEnvelope { path, .. }
            | StateError::WrongCollector { path, .. }
            | StateError::NewerSchema { path, .. }
            | StateError::NoMigration { path, .. }
            | StateError::Migration { path, .. }
            | StateError::TooLarge { path, .. }
            | StateError::TwoStateFiles { path, .. }
            | StateError::Encode { path, .. } => path,
        }
    }
}

/// Why the run lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock: another run of the same collector (same state
    /// file) is in progress.
    #[error("another run of this collector is in progress (lock {lock_path} is held)")]
    AlreadyRunning {
        /// The lock file.
        lock_path: PathBuf,
    },
    /// Another run (on this or another host) holds the collector's etcd lock.
    #[error(
        "another run of this collector is in progress (etcd lock {lock_key} is held by {holder})"
    )]
    HeldElsewhere {
        /// The lock key.
        lock_key: String,
        /// Who holds it (host, pid, since when), from the lock's value.
        holder: String,
    },
    /// The run lost its lock: its lease ended, or another run holds the lock now. The
    /// state was not saved.
    #[error("the run lock was lost ({reason}); state not saved")]
    Lost {
        /// The lock key.
        lock_key: String,
        /// What happened.
        reason: String,
    },
    /// The lock service (etcd) cannot be reached or refused the request.
    #[error("state backend unavailable: {reason}")]
    Unavailable {
        /// What failed.
        reason: String,
    },
    /// The lock file (or the state directory) could not be created, opened or locked.
    #[error("cannot use lock file {lock_path}: {source}")]
    Io {
        /// The lock file.
        lock_path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
}
