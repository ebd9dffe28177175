//! [`Output`]: what a collector publishes through, and where it checkpoints its state.
//!
//! The output turns bodies into n6 messages (routing key, `message_id`, `timestamp`,
//! `type`, `content_type`, `headers.meta`), hands them to the [`Sink`], and saves state
//! only after the sink confirmed every message published before it.

use std::marker::PhantomData;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::message::{HeaderTable, Identity};
use crate::output::{OutputError, Sink};
use crate::state::{HeldRun, SaveError};

/// Opens the sink on first use, so a run with nothing to publish never connects (as n6).
pub(crate) struct LazySink {
    open: Box<dyn FnMut() -> std::result::Result<Box<dyn Sink>, OutputError>>,
    sink: Option<Box<dyn Sink>>,
}

impl LazySink {
    /// A sink that `open` creates when the first message is published.
    pub(crate) fn new(
        open: impl FnMut() -> std::result::Result<Box<dyn Sink>, OutputError> + 'static,
    ) -> Self {
        LazySink {
            open: Box::new(open),
            sink: None,
        }
    }

    fn get(&mut self) -> std::result::Result<&mut Box<dyn Sink>, OutputError> {
        if self.sink.is_none() {
            self.sink = Some((self.open)()?);
        }
        // Just filled above when empty.
        self.sink
            .as_mut()
            .ok_or_else(|| OutputError::Unavailable("output could not be opened".into()))
    }

    /// Waits for every published message to be confirmed (nothing to do if never opened).
    pub(crate) fn confirm(&mut self) -> std::result::Result<(), OutputError> {
        match &mut self.sink {
            Some(sink) => sink.confirm(),
            None => Ok(()),
        }
    }

    /// Confirms and closes the sink, if it was opened.
    pub(crate) fn close(&mut self) -> std::result::Result<(), OutputError> {
        match &mut self.sink {
            Some(sink) => sink.close(),
            None => Ok(()),
        }
    }

    /// The sink's description, or `None` if it was never opened.
    pub(crate) fn describe(&self) -> Option<String> {
        self.sink.as_ref().map(|s| s.describe())
    }
}

/// Saves state atomically, skipping the write when the state did not change.
pub(crate) struct StateSaver {
    /// The run holding the lock (file or etcd).
    pub(crate) held: Box<dyn HeldRun>,
    /// A dry run never saves.
    pub(crate) dry_run: bool,
    /// The collector id written into the envelope.
    pub(crate) collector_id: String,
    /// `written_by` of the envelope.
    pub(crate) written_by: String,
    /// The run history written into the envelope (run tracking; default: none).
    pub(crate) activity: crate::state::Activity,
    /// The schema version written into the envelope.
    pub(crate) schema_version: u32,
    /// CBOR of the state as it is on disk (or of the default state when there is no file).
    pub(crate) on_disk: Vec<u8>,
    /// How many times state was written in this run.
    pub(crate) saves: u32,
}

impl StateSaver {
    /// Writes `state` unless it equals what is on disk; returns whether it wrote.
    pub(crate) fn save<S: Serialize>(&mut self, state: &S) -> Result<bool> {
        if self.dry_run {
            return Ok(false);
        }
        let encoded = encode_payload(state)?;
        if encoded == self.on_disk {
            return Ok(false);
        }
        crate::state::save_typed(
            &mut *self.held,
            &self.collector_id,
            &self.written_by,
            self.activity,
            state,
            self.schema_version,
        )
        .map_err(save_error)?;
        self.on_disk = encoded;
        self.saves += 1;
        Ok(true)
    }
}

impl StateSaver {
    /// `Err` once the run's lock is lost or can no longer be vouched for (etcd), so the
    /// run stops before publishing more.
    pub(crate) fn still_held(&self) -> Result<()> {
        Ok(self.held.still_held()?)
    }
}

/// A failed save as the run's error: 74 for the state, 75/69 for the lock.
pub(crate) fn save_error(error: SaveError) -> Error {
    match error {
        SaveError::State(e) => Error::StateSave(e),
        SaveError::Lock(e) => Error::Lock(e),
    }
}

/// The CBOR encoding of a state payload, used to tell whether the state changed.
pub(crate) fn encode_payload<S: Serialize>(state: &S) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ciborium::into_writer(state, &mut buf)
        .map_err(|e| Error::bug(format!("state cannot be encoded as CBOR: {e}")))?;
    Ok(buf)
}

/// Counters for the run summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct RunStats {
    /// Messages published.
    pub messages: u64,
    /// Body bytes published.
    pub bytes: u64,
}

/// What a collector publishes through; given to [`crate::Collect::collect`].
pub struct Output<'a, S> {
    identity: &'a Identity,
    exchange: &'a str,
    sink: &'a mut LazySink,
    saver: &'a mut StateSaver,
    stats: &'a mut RunStats,
    unconfirmed: bool,
    _state: PhantomData<fn(&S)>,
}

impl<'a, S: Serialize> Output<'a, S> {
    pub(crate) fn new(
        identity: &'a Identity,
        exchange: &'a str,
        sink: &'a mut LazySink,
        saver: &'a mut StateSaver,
        stats: &'a mut RunStats,
    ) -> Self {
        Output {
            identity,
            exchange,
            sink,
            saver,
            stats,
            unconfirmed: false,
            _state: PhantomData,
        }
    }

    /// Publishes one message with `body` and no `headers.meta`.
    pub fn publish(&mut self, body: impl Into<Vec<u8>>) -> Result<()> {
        self.publish_with_meta(body, HeaderTable::default())
    }

    /// Publishes one message with `body` and `meta` as `headers.meta` (omitted when empty).
    pub fn publish_with_meta(&mut self, body: impl Into<Vec<u8>>, meta: HeaderTable) -> Result<()> {
        stop_if_interrupted()?;
        self.saver.still_held()?;
        let message = self
            .identity
            .message(self.exchange, body.into(), unix_now(), meta);
        self.sink.get()?.publish(&message)?;
        self.unconfirmed = true;
        self.stats.messages += 1;
        self.stats.bytes += message.body.len() as u64;
        Ok(())
    }

    /// Waits until everything published so far is confirmed, then saves `state`
    /// atomically (unless it is unchanged). Use it between batches of a long run, so a
    /// crash later re-sends only what came after the checkpoint.
    pub fn checkpoint(&mut self, state: &S) -> Result<()> {
        self.confirm()?;
        stop_if_interrupted()?;
        self.saver.still_held()?;
        self.saver.save(state)?;
        Ok(())
    }

    /// Waits until everything published so far is confirmed.
    pub fn confirm(&mut self) -> Result<()> {
        if self.unconfirmed {
            self.sink.confirm()?;
            self.unconfirmed = false;
        }
        Ok(())
    }

    /// Messages published so far in this run.
    pub fn published(&self) -> u64 {
        self.stats.messages
    }

    /// The collector's identity (source, raw type, ...).
    pub fn identity(&self) -> &Identity {
        self.identity
    }
}

/// Fails with [`Error::Interrupted`] once SIGINT or SIGTERM arrived.
pub(crate) fn stop_if_interrupted() -> Result<()> {
    match crate::signal::received() {
        Some(signal) => Err(Error::Interrupted(signal)),
        None => Ok(()),
    }
}

/// Current Unix time in whole seconds (truncated, as n6).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
