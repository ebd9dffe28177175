//! [`Output`]: what a collector publishes through, and where it checkpoints its state.
//!
//! The output turns bodies into n6 messages (routing key, `message_id`, `timestamp`,
//! `type`, `content_type`, `headers.meta`), hands them to the run's sink, and saves state
//! only after the sink confirmed every message published before it.

use std::marker::PhantomData;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::error::Result;
use crate::message::{HeaderTable, Identity};
use crate::run::signal::stop_if_interrupted;
use crate::run::summary::RunStats;
use crate::sink::LazySink;
use crate::state::StateSaver;

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

/// Current Unix time in whole seconds (truncated, as n6).
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
