//! [`StateSaver`]: the run's state saves, each skipped when the state did not change.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::state::StateStore;

/// Saves state atomically, skipping the write when the state did not change.
pub(crate) struct StateSaver {
    /// The store; `None` in a dry run (never saves).
    store: Option<StateStore>,
    /// The schema version written into the envelope.
    schema_version: u32,
    /// CBOR of the state as it is on disk (or of the default state when there is no file).
    on_disk: Vec<u8>,
    /// How many times state was written in this run.
    saves: u32,
}

impl StateSaver {
    /// A saver writing to `store` (`None`: a dry run, never saves). `on_disk` is the
    /// loaded state, or `None` to save at the first chance even if unchanged (a migrated
    /// state is written once, not migrated again on every load).
    pub(crate) fn new<S: Serialize>(
        store: Option<StateStore>,
        schema_version: u32,
        on_disk: Option<&S>,
    ) -> Result<Self> {
        let on_disk = match on_disk {
            Some(state) => encode_payload(state)?,
            None => Vec::new(),
        };
        Ok(StateSaver {
            store,
            schema_version,
            on_disk,
            saves: 0,
        })
    }

    /// Writes `state` unless it equals what is on disk; returns whether it wrote.
    pub(crate) fn save<S: Serialize>(&mut self, state: &S) -> Result<bool> {
        let Some(store) = &self.store else {
            return Ok(false);
        };
        let encoded = encode_payload(state)?;
        if encoded == self.on_disk {
            return Ok(false);
        }
        store
            .save(state, self.schema_version)
            .map_err(Error::StateSave)?;
        self.on_disk = encoded;
        self.saves += 1;
        Ok(true)
    }

    /// The store (to set what the next save writes into the envelope); `None` in a dry run.
    pub(crate) fn store_mut(&mut self) -> Option<&mut StateStore> {
        self.store.as_mut()
    }

    /// Makes the next [`StateSaver::save`] write even if the state is unchanged.
    pub(crate) fn force_next_save(&mut self) {
        self.on_disk.clear();
    }

    /// Whether state was written at least once in this run.
    pub(crate) fn saved(&self) -> bool {
        self.saves > 0
    }
}

/// The CBOR encoding of a state payload, used to tell whether the state changed.
fn encode_payload<S: Serialize>(state: &S) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ciborium::into_writer(state, &mut buf)
        .map_err(|e| Error::bug(format!("state cannot be encoded as CBOR: {e}")))?;
    Ok(buf)
}
