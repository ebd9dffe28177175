//! [`StateSaver`]: the run's state saves, each skipped when the state did not change,
//! through the [`HeldRun`] of the run's state backend.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::helpers::download::DownloadHistory;
use crate::state::{Activity, EnvelopeHeader, HeldRun, SaveError};

/// Saves state atomically, skipping the write when the state did not change.
pub(crate) struct StateSaver {
    /// The run holding the lock (file or etcd).
    held: Box<dyn HeldRun>,
    /// A dry run never saves.
    dry_run: bool,
    /// The collector id written into the envelope.
    collector_id: String,
    /// `written_by` of the envelope.
    written_by: String,
    /// The run history written into the envelope (run tracking; default: none).
    activity: Activity,
    /// The conditional-download history written into the envelope (default: none).
    downloads: DownloadHistory,
    /// A collector without a `#[state]` field: saves only for its download history.
    stateless: bool,
    /// The schema version written into the envelope.
    schema_version: u32,
    /// CBOR of the state as it is stored (or of the default state when there is none).
    on_disk: Vec<u8>,
    /// How many times state was written in this run.
    saves: u32,
}

impl StateSaver {
    /// A saver writing through `held` (never in a dry run). `on_disk` is the loaded
    /// state, or `None` to save at the first chance even if unchanged (a migrated state
    /// is written once, not migrated again on every load).
    pub(crate) fn new<S: Serialize>(
        held: Box<dyn HeldRun>,
        dry_run: bool,
        collector_id: String,
        written_by: String,
        schema_version: u32,
        on_disk: Option<&S>,
    ) -> Result<Self> {
        let on_disk = match on_disk {
            Some(state) => encode_payload(state, 0)?,
            None => Vec::new(),
        };
        Ok(StateSaver {
            held,
            dry_run,
            collector_id,
            written_by,
            activity: Activity::default(),
            downloads: DownloadHistory::default(),
            stateless: false,
            schema_version,
            on_disk,
            saves: 0,
        })
    }

    /// Writes `state` unless it equals what is stored; returns whether it wrote.
    pub(crate) fn save<S: Serialize>(&mut self, state: &S) -> Result<bool> {
        if self.dry_run || self.stateless {
            return Ok(false);
        }
        // The state encoded now is most often as large as the one stored.
        let encoded = encode_payload(state, self.on_disk.len())?;
        if encoded == self.on_disk {
            return Ok(false);
        }
        let mut header =
            EnvelopeHeader::now(&self.collector_id, self.schema_version, &self.written_by);
        header.activity = self.activity;
        header.downloads = self.downloads.clone();
        crate::state::backend::save_encoded(&mut *self.held, &header, &encoded)
            .map_err(save_error)?;
        self.on_disk = encoded;
        self.saves += 1;
        Ok(true)
    }

    /// Sets the run history the next saves write into the envelope.
    pub(crate) fn set_activity(&mut self, activity: Activity) {
        self.activity = activity;
    }

    /// Sets the conditional-download history the next saves write into the envelope.
    pub(crate) fn set_downloads(&mut self, downloads: DownloadHistory) {
        self.downloads = downloads;
    }

    /// A saver for a collector without a `#[state]` field: it saves (an envelope around
    /// `()`) only after [`StateSaver::save_downloads`], for its download history.
    pub(crate) fn stateless(mut self) -> Self {
        self.stateless = true;
        self
    }

    /// Whether this saver never saves state (a dry run, or a collector without state).
    pub(crate) fn is_dry_run(&self) -> bool {
        self.dry_run || self.stateless
    }

    /// Makes the next [`StateSaver::save`] write `downloads` into the envelope, even if
    /// the state is unchanged, and even for a collector without state.
    pub(crate) fn save_downloads(&mut self, downloads: DownloadHistory) {
        self.downloads = downloads;
        self.stateless = false;
        self.on_disk.clear();
    }

    /// Makes the next [`StateSaver::save`] write even if the state is unchanged.
    pub(crate) fn force_next_save(&mut self) {
        self.on_disk.clear();
    }

    /// Whether state was written at least once in this run.
    pub(crate) fn saved(&self) -> bool {
        self.saves > 0
    }

    /// `Err` once the run's lock is lost or can no longer be vouched for (etcd), so the
    /// run stops before publishing more.
    pub(crate) fn still_held(&self) -> Result<()> {
        Ok(self.held.still_held()?)
    }

    /// Records the end of a successful run with the backend (etcd: `last_run`).
    pub(crate) fn finish(&mut self, messages: u64) {
        if !self.is_dry_run() {
            self.held.finish(messages);
        }
    }
}

/// A failed save as the run's error: 74 for the state, 75/69 for the lock.
pub(crate) fn save_error(error: SaveError) -> Error {
    match error {
        SaveError::State(e) => Error::StateSave(e),
        SaveError::Lock(e) => Error::Lock(e),
    }
}

/// The CBOR encoding of a state payload, used to tell whether the state changed (in a
/// buffer of at first `capacity` bytes).
fn encode_payload<S: Serialize>(state: &S, capacity: usize) -> Result<Vec<u8>> {
    crate::state::envelope::encode_payload(state, capacity)
        .map_err(|e| Error::bug(format!("state cannot be encoded as CBOR: {e}")))
}
