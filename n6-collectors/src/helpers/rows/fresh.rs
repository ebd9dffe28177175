//! [`FreshRows`]: a run's fresh rows, owned, for collectors whose messages are not simply
//! "the fresh rows joined": a custom body built from the rows (n6's
//! `AbuseChUrlhausUrlsCollector` publishes the JSON of the rows enriched by an API call
//! each), or the rows in chunks of N, one message each (n6's
//! `AbuseChUrlhausPayloadsUrlsCollector`: 20000 rows a message).
//!
//! Selecting copies the fresh rows out of the feed, so the feed can be dropped and the
//! collector is free to borrow itself mutably while it builds a body.
//!
//! The state, as n6's `BaseTimeOrderedRowsCollector` keeps it, records only the newest
//! time, its rows and the feed's row count, so it cannot say "the first k chunks are
//! published": like n6 (which saves the state once, in `after_completed_publishing`),
//! the state is replaced only after every chunk was published, and the run's end saves
//! it once the broker confirmed them all. A run that fails after some chunks leaves the
//! state as it was; the next run publishes every chunk again (duplicates, never a loss).

use serde::Serialize;

use super::select::join_rows;
use super::state::RowsState;
use super::time::RowTime;
use super::{RowsOptions, fresh_rows};
use crate::error::{Error, Result};
use crate::message::MessageOptions;
use crate::output::Output;

/// The fresh rows of one run, oldest first (n6's order, duplicates kept), and the state
/// that records them. Publish with [`FreshRows::publish`], [`FreshRows::publish_body`] or
/// [`FreshRows::publish_in_chunks`]; each replaces the caller's state only after the
/// last message was handed to the output.
///
/// ```
/// use n6_collectors::helpers::rows::{CsvColumn, FreshRows, RowsOptions, RowsState};
///
/// let feed = b"3,2024-01-03\n2,2024-01-02\n1,2024-01-01\n";
/// let state = RowsState::default();
/// let fresh = FreshRows::select(feed, &state, &CsvColumn { column: 1, delimiter: b',' }, RowsOptions::new(false))
///     .unwrap()
///     .expect("rows are fresh");
/// let rows: Vec<&[u8]> = fresh.rows().collect();
/// assert_eq!(rows, [&b"1,2024-01-01"[..], b"2,2024-01-02", b"3,2024-01-03"]);
/// assert_eq!(fresh.chunks(2).map(|c| c.len()).collect::<Vec<_>>(), [2, 1]);
/// assert_eq!(fresh.new_state().newest_row_time, "2024-01-03");
/// ```
#[derive(Debug, Clone)]
pub struct FreshRows {
    rows: Vec<Box<[u8]>>,
    new_state: RowsState,
}

impl FreshRows {
    /// Selects the fresh rows of `data` as n6 does ([`fresh_rows`]: its warnings are
    /// logged, a fatal count mismatch is [`Error::BadData`]); `None` when nothing is
    /// fresh (n6 then publishes nothing and keeps the state).
    pub fn select<T: RowTime + ?Sized>(
        data: &[u8],
        state: &RowsState,
        row_time: &T,
        options: RowsOptions,
    ) -> Result<Option<FreshRows>> {
        let selection = fresh_rows(data, state, row_time, options)?;
        let Some(new_state) = selection.new_state() else {
            tracing::info!("nothing to publish: no fresh rows");
            return Ok(None);
        };
        Ok(Some(FreshRows {
            rows: selection.fresh_rows().map(Box::from).collect(),
            new_state,
        }))
    }

    /// [`FreshRows::select`] over a reader, read in bounded chunks
    /// ([`fresh_rows_from_reader`](super::fresh_rows_from_reader)): only the fresh rows
    /// are ever held, e.g. for a [`BodyStream`](crate::helpers::download::BodyStream)
    /// from [`Downloader::open`](crate::helpers::download::Downloader::open).
    pub fn select_from_reader<R: std::io::Read + Send, T: RowTime + ?Sized>(
        reader: R,
        size_hint: Option<u64>,
        state: &RowsState,
        row_time: &T,
        options: RowsOptions,
    ) -> Result<Option<FreshRows>> {
        let selection = super::fresh_rows_from_reader(reader, size_hint, state, row_time, options)?;
        let Some(new_state) = selection.new_state() else {
            tracing::info!("nothing to publish: no fresh rows");
            return Ok(None);
        };
        Ok(Some(FreshRows {
            rows: selection.fresh_rows().map(Box::from).collect(),
            new_state,
        }))
    }

    /// How many fresh rows there are (at least one).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Always false: a selection without fresh rows is `None`.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The fresh rows, oldest first, each without its `\n` (a CRLF feed's `\r` stays).
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[u8]> + Clone + '_ {
        self.rows.iter().map(|row| &row[..])
    }

    /// The rows in chunks of at most `rows_per_chunk`, in order (n6's
    /// `more_itertools.chunked`); the last chunk may be shorter. `0` is taken as 1.
    pub fn chunks(&self, rows_per_chunk: usize) -> impl ExactSizeIterator<Item = &[Box<[u8]>]> {
        self.rows.chunks(rows_per_chunk.max(1))
    }

    /// n6's body of all fresh rows: joined with `\n`, no trailing newline.
    pub fn body(&self) -> Vec<u8> {
        join_rows(self.rows())
    }

    /// The state once these rows are published.
    pub fn new_state(&self) -> &RowsState {
        &self.new_state
    }

    /// Publishes all fresh rows as one message (n6's default body), with `options` (e.g.
    /// the download's `headers.meta`), then replaces `state`. Returns the row count.
    pub fn publish<S: Serialize>(
        self,
        out: &mut Output<'_, S>,
        options: MessageOptions,
        state: &mut RowsState,
    ) -> Result<usize> {
        let body = self.body();
        self.publish_body(out, body, options, state)
    }

    /// Publishes `body` — built by the collector from [`FreshRows::rows`] — as the one
    /// message of the run, then replaces `state`. Returns the row count.
    pub fn publish_body<S: Serialize>(
        self,
        out: &mut Output<'_, S>,
        body: impl Into<Vec<u8>>,
        options: MessageOptions,
        state: &mut RowsState,
    ) -> Result<usize> {
        out.publish_with(body, options)?;
        let rows = self.rows.len();
        *state = self.new_state;
        Ok(rows)
    }

    /// Publishes the rows in chunks of `rows_per_message`, oldest first, each chunk one
    /// message (its rows joined with `\n`) with `options`, then replaces `state` (see the
    /// module docs: no checkpoint between chunks, as n6). Returns the message count.
    /// `rows_per_message` must be at least 1.
    pub fn publish_in_chunks<S: Serialize>(
        self,
        out: &mut Output<'_, S>,
        rows_per_message: usize,
        options: MessageOptions,
        state: &mut RowsState,
    ) -> Result<usize> {
        if rows_per_message == 0 {
            return Err(Error::bug("rows_per_message must be at least 1"));
        }
        let mut messages = 0;
        for chunk in self.rows.chunks(rows_per_message) {
            out.publish_with(join_rows(chunk.iter().map(|r| &r[..])), options.clone())?;
            messages += 1;
        }
        *state = self.new_state;
        Ok(messages)
    }
}
