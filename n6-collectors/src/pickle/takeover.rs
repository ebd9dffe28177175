//! Taking over n6's state: a run that finds no state file of its own but n6's
//! `{module}.{Class}.pickle` beside where it would be (same name, `.pickle` for
//! `.cbor`) starts from the pickle's state. The pickle is only read, never changed; the
//! collector's own state file is written by the run's first save.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::{Py2Strings, decode};
use crate::error::{Error, Result};
use crate::state::StateError;

/// n6's pickle that belongs to the state file `state_file` (`X.cbor` → `X.pickle`), if
/// the name ends with `.cbor` and that pickle exists.
pub fn n6_pickle_beside(state_file: &Path) -> Option<PathBuf> {
    let name = state_file.file_name()?.to_str()?;
    let stem = name.strip_suffix(".cbor")?;
    let pickle = state_file.with_file_name(format!("{stem}.pickle"));
    pickle.is_file().then_some(pickle)
}

/// Reads n6's pickle at `path` as state `S` (with the default Python 2 string policy).
///
/// # Errors
/// An unreadable file (74) or a pickle that is not n6's or does not fit `S` (65), with
/// what the pickle holds.
pub fn load_n6_pickle<S: DeserializeOwned>(path: &Path, collector: &str) -> Result<S> {
    let data = std::fs::read(path).map_err(|source| {
        Error::StateLoad(StateError::Io {
            path: path.to_owned(),
            action: "read",
            source,
        })
    })?;
    let corrupt = |offset: u64, reason: String| {
        Error::StateLoad(StateError::N6Pickle {
            path: path.to_owned(),
            offset,
            reason,
        })
    };
    let decoded =
        decode(&data, Py2Strings::default()).map_err(|e| corrupt(e.offset, e.kind.to_string()))?;
    decoded.value.to_cbor().deserialized::<S>().map_err(|e| {
        corrupt(
            0,
            format!(
                "its content does not fit the state of {collector}: {e}; the pickle holds: {}",
                decoded.value
            ),
        )
    })
}
