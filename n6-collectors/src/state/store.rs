//! [`StateStore`]: loads and saves one collector's typed state file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::atomic::{
    create_private_dir, parent_dir, remove_stale_temp_files, write_atomically_streamed,
};
use super::envelope::{Activity, EncodeError, EnvelopeDecoder, EnvelopeHeader, write_envelope};
use super::error::StateError;
use super::lock::RunLock;
use crate::state::LockError;

/// Capacity of the read buffer (decoding from an unbuffered `File` is ~15× slower).
pub const READ_BUFFER_CAPACITY: usize = 256 * 1024;

/// Turns the payload of an older schema version into the current state.
///
/// Called with the file's schema version and its payload as a generic CBOR value; an
/// `Err` message is reported to the operator (the file stays untouched).
pub type Migration<S> = fn(from_version: u32, payload: ciborium::Value) -> Result<S, String>;

/// A state loaded from its file.
#[derive(Debug, Clone)]
pub struct Loaded<S> {
    /// The state, migrated to the current schema version if needed.
    pub state: S,
    /// The file's envelope header (collector, versions, when and by whom it was saved).
    pub header: EnvelopeHeader,
    /// `Some(old version)` when the state went through the migration.
    pub migrated_from: Option<u32>,
}

/// The state file name of a collector: `{StructName}.cbor`, stable when the collector's
/// module is renamed or it is built into another binary (n6 uses `{module}.{Class}.pickle`).
///
/// ```
/// # use n6_collectors::state::state_file_name;
/// assert_eq!(state_file_name("UrlhausUrlsCollector"), "UrlhausUrlsCollector.cbor");
/// ```
pub fn state_file_name(struct_name: &str) -> String {
    format!("{struct_name}.cbor")
}

/// The state file name of earlier versions, `{module path with :: replaced by .}.{StructName}.cbor`;
/// a file of that name is moved to [`state_file_name`] on the first run
/// ([`adopt_legacy_state_file`]).
///
/// ```
/// # use n6_collectors::state::legacy_state_file_name;
/// assert_eq!(
///     legacy_state_file_name("urlhaus_urls::collectors", "UrlhausUrlsCollector"),
///     "urlhaus_urls.collectors.UrlhausUrlsCollector.cbor",
/// );
/// ```
pub fn legacy_state_file_name(module_path: &str, struct_name: &str) -> String {
    format!("{}.cbor", collector_id(module_path, struct_name))
}

/// The collector id stored in state files: `{module path with :: replaced by .}.{StructName}`
/// (n6 names its state files after `{module}.{Class}` too).
pub fn collector_id(module_path: &str, struct_name: &str) -> String {
    format!("{}.{struct_name}", module_path.replace("::", "."))
}

/// Whether a state file's collector id `found` is this collector's `expected` one: the
/// same id, or the same struct name under another module path (the id is
/// `{module path}.{StructName}`; the module path changes when a collector is moved).
fn same_collector(found: &str, expected: &str) -> bool {
    let struct_name = |id: &str| id.rsplit('.').next().unwrap_or(id).to_owned();
    found == expected || struct_name(found) == struct_name(expected)
}

/// Moves a state file of the older name `legacy` in `state_dir` to `current` (logged),
/// when only the older one exists; returns whether it moved one.
///
/// # Errors
/// [`StateError::TwoStateFiles`] when both exist (nothing is touched: the operator
/// keeps one), [`StateError::Io`] when the rename fails.
pub fn adopt_legacy_state_file(
    state_dir: &Path,
    legacy: &str,
    current: &str,
) -> Result<bool, StateError> {
    let (old, new) = (state_dir.join(legacy), state_dir.join(current));
    if legacy == current || std::fs::symlink_metadata(&old).is_err() {
        return Ok(false);
    }
    if std::fs::symlink_metadata(&new).is_ok() {
        return Err(StateError::TwoStateFiles {
            path: new,
            legacy: old,
        });
    }
    std::fs::rename(&old, &new).map_err(|source| StateError::Io {
        path: old.clone(),
        action: "rename",
        source,
    })?;
    if let Ok(dir) = File::open(state_dir) {
        let _ = dir.sync_all();
    }
    let _ = std::fs::remove_file(crate::state::lock_path_for(&old));
    tracing::warn!(
        "moved state file {} to {} (state files are now named after the collector struct)",
        old.display(),
        new.display()
    );
    Ok(true)
}

/// One collector's state file: where it is, whose it is, and who writes it.
///
/// Loading never changes anything on disk. Saving replaces the file atomically and
/// durably (see [`write_atomically`](super::write_atomically)). Neither follows a
/// symbolic link at the state path. Take the [`RunLock`] ([`StateStore::lock`]) before
/// loading so that no other run saves in between.
#[derive(Debug, Clone)]
pub struct StateStore {
    path: PathBuf,
    collector_id: String,
    written_by: String,
    activity: Activity,
}

impl StateStore {
    /// A store for `state_dir/file_name`, owned by `collector_id` (checked on load, stored
    /// on save); `written_by` (program name and crate version) is recorded in every save.
    pub fn new(state_dir: &Path, file_name: &str, collector_id: &str, written_by: &str) -> Self {
        StateStore {
            path: state_dir.join(file_name),
            collector_id: collector_id.to_owned(),
            written_by: written_by.to_owned(),
            activity: Activity::default(),
        }
    }

    /// The run history written into the envelope by every later save (run tracking);
    /// the default, no history, writes none.
    pub fn set_activity(&mut self, activity: Activity) {
        self.activity = activity;
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What saves record as `written_by`.
    pub fn written_by(&self) -> &str {
        &self.written_by
    }

    /// The collector id this store checks and writes.
    pub fn collector_id(&self) -> &str {
        &self.collector_id
    }

    /// Takes the run lock of this state file (see [`RunLock::acquire`]).
    pub fn lock(&self) -> Result<RunLock, LockError> {
        RunLock::acquire(&self.path)
    }

    /// Takes the run lock for a read-only look, creating nothing (see
    /// [`RunLock::acquire_if_present`]).
    pub fn lock_if_present(&self) -> Result<Option<RunLock>, LockError> {
        RunLock::acquire_if_present(&self.path)
    }

    /// Loads the state, expecting `schema_version`.
    ///
    /// Returns `Ok(None)` when there is no state file (also when the state directory does
    /// not exist); nothing is created. The caller uses its default state then and logs
    /// that at WARN.
    ///
    /// A file with an older schema version is decoded as a generic [`ciborium::Value`]
    /// and passed to `migrate`.
    ///
    /// # Errors
    /// Any file that is there but not a usable state of this collector is an error and
    /// is left untouched: empty, truncated, garbage, trailing bytes, a payload of the
    /// wrong shape ([`StateError::Corrupt`], with the byte offset); another collector's
    /// file; a newer envelope or schema version; an older schema version without a
    /// migration or with a failing one; a symbolic link or a non-regular file at the path;
    /// I/O errors. See [`StateError::kind`] for the I/O vs. content split.
    pub fn load<S: DeserializeOwned>(
        &self,
        schema_version: u32,
        migrate: Option<Migration<S>>,
    ) -> Result<Option<Loaded<S>>, StateError> {
        let Some(reader) = self.open_reader()? else {
            return Ok(None);
        };
        decode_state(
            &self.path,
            reader,
            &self.collector_id,
            schema_version,
            migrate,
        )
        .map(Some)
    }

    /// Opens the state file for buffered reading (`None` when there is none), without
    /// following a symbolic link.
    pub(crate) fn open_reader(&self) -> Result<Option<BufReader<File>>, StateError> {
        Ok(open_state_file(&self.path)?
            .map(|file| BufReader::with_capacity(READ_BUFFER_CAPACITY, file)))
    }

    /// Saves `state` with `schema_version`, atomically and durably.
    ///
    /// Creates the state directory if needed (mode 0700; parents with the default mode);
    /// an existing one is never changed, and refused when it is world-writable, sticky
    /// or another user's (see [`check_existing_dir`](super::atomic::check_existing_dir)).
    /// The file gets mode 0600.
    ///
    /// # Errors
    /// A symbolic link or a non-regular file at the path; I/O errors (nothing changed
    /// then, unless the final directory fsync failed); a state its `Serialize` impl
    /// refuses ([`StateError::Encode`]).
    pub fn save<S: Serialize + ?Sized>(
        &self,
        state: &S,
        schema_version: u32,
    ) -> Result<(), StateError> {
        let mut header = EnvelopeHeader::now(&self.collector_id, schema_version, &self.written_by);
        header.activity = self.activity;
        let mut encode_error = None;
        let written = self.save_with(&mut |writer: &mut dyn io::Write| {
            write_envelope(writer, &header, state).map_err(|e| match e {
                EncodeError::Io(e) => e,
                EncodeError::Value(reason) => {
                    encode_error = Some(reason);
                    io::Error::other("the state cannot be encoded")
                }
            })
        });
        match (written, encode_error) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(reason)) => Err(StateError::Encode {
                path: self.path.clone(),
                reason,
            }),
            (Err(e), None) => Err(e),
        }
    }

    /// Replaces the state file with what `write` writes (a whole envelope), atomically
    /// and durably; the directory and file modes and the checks are those of
    /// [`StateStore::save`]. `write` writes to the temporary file directly, with no
    /// buffer in between: it should write in big pieces (the envelope's encoder writes
    /// 256 KiB at a time).
    pub(crate) fn save_with(
        &self,
        write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), StateError> {
        refuse_non_regular(&self.path)?;
        create_private_dir(parent_dir(&self.path)).map_err(|source| self.io("save", source))?;
        // Saves happen under the run lock, so leftovers of a killed save are nobody's.
        match remove_stale_temp_files(&self.path) {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} temporary file(s) left by an interrupted save"),
            Err(e) => {
                tracing::warn!("cannot remove temporary files left by an interrupted save: {e}")
            }
        }
        match write_atomically_streamed(&self.path, write) {
            Ok(()) => {
                tracing::debug!("saved the collector state to {}", self.path.display());
                Ok(())
            }
            Err(source) => Err(self.io("save", source)),
        }
    }

    /// Reads any state file's header and payload without checking the collector or the
    /// schema version (for the operator tool `n6-state`). `Ok(None)` when there is no file.
    pub fn read_envelope_untyped(
        path: &Path,
    ) -> Result<Option<(EnvelopeHeader, ciborium::Value)>, StateError> {
        let Some(file) = open_state_file(path)? else {
            return Ok(None);
        };
        Self::decode_envelope_untyped(path, BufReader::with_capacity(READ_BUFFER_CAPACITY, file))
            .map(Some)
    }

    /// [`StateStore::read_envelope_untyped`] over any reader (`path` names it in errors).
    pub fn decode_envelope_untyped<R: io::BufRead>(
        path: &Path,
        input: R,
    ) -> Result<(EnvelopeHeader, ciborium::Value), StateError> {
        let mut decoder = EnvelopeDecoder::new(path, input);
        let header = decoder.read_header()?.header;
        let payload = decoder.read_payload()?;
        decoder.finish()?;
        Ok((header, payload))
    }

    fn io(&self, action: &'static str, source: io::Error) -> StateError {
        StateError::Io {
            path: self.path.clone(),
            action,
            source,
        }
    }
}

/// Decodes an envelope read from `input` (at `path`, for messages) as the typed state of
/// `collector_id` at `schema_version`, migrating older versions with `migrate`.
pub(crate) fn decode_state<S: DeserializeOwned, R: io::BufRead>(
    path: &Path,
    input: R,
    collector_id: &str,
    schema_version: u32,
    migrate: Option<Migration<S>>,
) -> Result<Loaded<S>, StateError> {
    let mut decoder = EnvelopeDecoder::new(path, input);
    let decoded = decoder.read_header()?;
    let header = decoded.header;
    if !same_collector(&header.collector, collector_id) {
        return Err(StateError::WrongCollector {
            path: path.to_owned(),
            offset: decoded.collector_offset,
            expected: collector_id.to_owned(),
            found: header.collector,
        });
    }
    let found = header.schema_version;
    if found > schema_version {
        return Err(StateError::NewerSchema {
            path: path.to_owned(),
            offset: decoded.schema_offset,
            found,
            supported: schema_version,
            written_by: header.written_by,
        });
    }
    if found == schema_version {
        let state = decoder.read_payload::<S>()?;
        decoder.finish()?;
        return Ok(Loaded {
            state,
            header,
            migrated_from: None,
        });
    }
    let Some(migrate) = migrate else {
        return Err(StateError::NoMigration {
            path: path.to_owned(),
            found,
            expected: schema_version,
        });
    };
    let payload = decoder.read_payload::<ciborium::Value>()?;
    decoder.finish()?;
    let state = migrate(found, payload).map_err(|reason| StateError::Migration {
        path: path.to_owned(),
        from: found,
        to: schema_version,
        reason,
    })?;
    tracing::info!(
        "migrated the state in {} from schema version {found} to {schema_version}",
        path.display()
    );
    Ok(Loaded {
        state,
        header,
        migrated_from: Some(found),
    })
}

/// Opens the state file for reading without following a symbolic link; `None` if absent.
fn open_state_file(path: &Path) -> Result<Option<File>, StateError> {
    // O_NONBLOCK: opening a FIFO planted at the path must not hang (no effect on files).
    let opened = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path);
    let file = match opened {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) && is_symlink(path) => {
            return Err(StateError::Symlink {
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(StateError::Io {
                path: path.to_owned(),
                action: "open",
                source,
            });
        }
    };
    let meta = file.metadata().map_err(|source| StateError::Io {
        path: path.to_owned(),
        action: "stat",
        source,
    })?;
    check_regular(path, meta.file_type())?;
    Ok(Some(file))
}

/// Refuses a symbolic link or a non-regular file at `path` (a missing file is fine).
fn refuse_non_regular(path: &Path) -> Result<(), StateError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(StateError::Symlink {
            path: path.to_owned(),
        }),
        Ok(meta) => check_regular(path, meta.file_type()),
        Err(e) if matches!(e.kind(), io::ErrorKind::NotFound) => Ok(()),
        Err(source) => Err(StateError::Io {
            path: path.to_owned(),
            action: "save",
            source,
        }),
    }
}

fn check_regular(path: &Path, file_type: fs::FileType) -> Result<(), StateError> {
    let what = if file_type.is_file() {
        return Ok(());
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "a special file"
    };
    Err(StateError::NotAFile {
        path: path.to_owned(),
        what,
    })
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}
