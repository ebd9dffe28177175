//! `state export-pickle FILE`: the collector's state as n6's pickle, so that a site can
//! go back to n6's Python collector where the Rust one stopped.

use std::io::Write;
use std::path::Path;

use crate::collector::StatefulCollector;
use crate::error::{Error, Result};
use crate::sink::SinkError;
use crate::state::StateStore;

use super::{encode, python_form, takeover};

/// Writes `state` (the loaded one; without a state file: n6's pickle taken over, else
/// the default state) to `file` as a protocol-4 pickle of n6's Python value, replacing
/// `file` atomically (a temp file beside it, mode 0600, then a rename).
///
/// # Errors
/// 70 when the state has no Python form (a bug of the form), 74 when `file` cannot be
/// written.
pub fn export_pickle<C: StatefulCollector>(
    store: &StateStore,
    state: Option<C::State>,
    file: &Path,
    notes: &mut dyn Write,
) -> Result<()> {
    let state = match state {
        Some(state) => state,
        None => match takeover::n6_pickle_beside(store.path()) {
            Some(pickle) => {
                let _ = writeln!(
                    notes,
                    "no state file at {}; exporting n6's state taken over from {}",
                    store.path().display(),
                    pickle.display()
                );
                takeover::load_n6_pickle(&pickle, C::META.name)?
            }
            None => {
                let _ = writeln!(
                    notes,
                    "no state file at {}; exporting the default state",
                    store.path().display()
                );
                C::make_default_state()
            }
        },
    };
    let cbor = ciborium::Value::serialized(&state)
        .map_err(|e| Error::bug(format!("the state cannot be serialized: {e}")))?;
    let value = python_form(&cbor)
        .map_err(|e| Error::bug(format!("the state has no n6 (Python) form: {e}")))?;
    write_atomically(file, &encode(&value))?;
    let _ = writeln!(
        notes,
        "exported the state of {} to {} as n6's pickle (protocol {})",
        C::META.name,
        file.display(),
        super::write::PROTOCOL
    );
    Ok(())
}

fn write_atomically(file: &Path, data: &[u8]) -> Result<()> {
    crate::state::write_atomically(file, |w| w.write_all(data)).map_err(|source| {
        Error::Sink(SinkError::Io {
            path: file.to_owned(),
            source,
        })
    })
}
