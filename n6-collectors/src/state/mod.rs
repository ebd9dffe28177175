//! Persistent collector state: the typed state file, its atomic save, and the run lock.
//!
//! - [`StateStore`] loads and saves one collector's state (`Serialize +
//!   DeserializeOwned`) as CBOR in a versioned envelope ([`envelope`] documents the byte
//!   layout). File name: [`state_file_name`] (`{StructName}.cbor` in `state_dir`; a
//!   file of the older name [`legacy_state_file_name`] is moved on the first run).
//! - Loading: no file → `Ok(None)` (the caller uses the default state and logs a
//!   warning; nothing is created). A file that is there but unusable — empty, truncated,
//!   garbage, another collector's, a newer version — is a [`StateError`] naming the file
//!   and the byte offset; the file is left untouched and the default state is never used
//!   instead. Older schema versions go through the collector's [`Migration`].
//! - Saving: [`write_atomically`] (temp file in the same directory → write → fsync →
//!   rename → fsync directory); directory 0700 when created, file 0600. A symbolic link
//!   at the state path is refused on load and on save.
//! - `StateSaver`: a run's saves, each skipped when the state did not change.
//! - [`RunLock`]: an exclusive non-blocking `flock` on `<state file>.lock`, held for the
//!   run and released by the kernel if the process dies.
//!
//! - [`backend`]: [`StateBackend`] / [`HeldRun`], one API over the file backend (the
//!   default: today's state file and `flock`) and [`etcd`] (state and lock in etcd,
//!   fenced), chosen by `[n6_collectors_state]`.
//! - [`large_set`]: `#[serde(with = ...)]` for big `HashSet`s in state types (loads
//!   several times faster than serde's own impl).
//!
//! Test hook (cargo feature `test-hooks` only): `TEST_DELAY_BEFORE_RENAME_ENV`
//! (`N6_TEST_DELAY_BEFORE_RENAME_MS`) makes every save pause between fsync and rename,
//! for crash tests.

mod atomic;
pub mod backend;
pub mod envelope;
mod error;
pub mod etcd;
pub mod large_set;
mod lock;
mod saver;
mod store;

#[cfg(feature = "test-hooks")]
pub use atomic::TEST_DELAY_BEFORE_RENAME_ENV;
pub use atomic::{
    PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, WRITE_BUFFER_CAPACITY, check_existing_dir,
    create_private_dir, remove_stale_temp_files, write_atomically,
};
pub use backend::{
    BackendChoice, EnvelopeWriter, FileBackend, HeldRun, STATE_CONFIG_SPEC, STATE_SECTION,
    SaveError, StateBackend, load_typed, save_raw, save_typed, save_with_header,
};
pub use envelope::{Activity, ENVELOPE_VERSION, EnvelopeHeader, FORMAT_MARKER, SELF_DESCRIBE_TAG};
pub use error::{LockError, StateError, StateErrorKind};
pub use lock::{RunLock, lock_path_for};
pub(crate) use saver::{StateSaver, save_error};
pub use store::{
    Loaded, Migration, READ_BUFFER_CAPACITY, StateStore, adopt_legacy_state_file, collector_id,
    legacy_state_file_name, state_file_name,
};

#[cfg(test)]
mod tests;
