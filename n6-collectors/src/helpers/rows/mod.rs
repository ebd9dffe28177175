//! Time-ordered rows: n6's `BaseTimeOrderedRowsCollector` (`n6datasources.collectors.base`).
//!
//! A feed lists rows (lines) each with a time, usually newest first. Each run publishes,
//! in one message, the rows not collected before, oldest first, and remembers the newest
//! time and the rows with that time ([`RowsState`], n6's state shape and key names).
//!
//! The author supplies only how to find a row's time ([`RowTime`]; ready-made:
//! [`CsvColumn`], [`CsvIsoUtcColumn`]):
//!
//! ```ignore
//! #[derive(StatefulCollector)]
//! #[collector(source = "abuse-ch.urlhaus-urls", raw_type = "file", content_type = "text/csv",
//!             download, time_ordered_rows)]
//! #[config_spec("url :: str")]
//! pub struct AbuseChUrlhausUrlsCollector {
//!     config: AbuseChUrlhausUrlsCollectorConfig,
//!     #[state]
//!     state: RowsState,
//! }
//!
//! impl Collect for AbuseChUrlhausUrlsCollector {
//!     fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
//!         let url = self.config.url.clone();
//!         download_fresh_rows(self, &url, &CsvIsoUtcColumn { column: 1 }, out)
//!     }
//! }
//! ```
//!
//! Rows are bytes: invalid UTF-8 is published and stored unchanged ([`Row`]).
//!
//! Other bodies: [`FreshRows`] holds a run's fresh rows for a body the collector builds
//! from them (n6's URLhaus URLs: JSON of enriched rows) or for one message per chunk of
//! N rows (n6's URLhaus payloads URLs: 20000):
//!
//! ```ignore
//! let data = self.download(&self.config.url)?;
//! let Some(fresh) = FreshRows::select(&data, &self.state, &dateadded, options)? else {
//!     return Ok(());
//! };
//! drop(data);
//! fresh.publish_in_chunks(out, 20_000, MessageOptions::new().meta(meta), &mut self.state)?;
//! ```
//!
//! Streaming: [`download_fresh_rows`] (and `download_fresh_rows_into`) read the feed in
//! chunks of [`CHUNK_SIZE`] and keep only its fresh rows ([`select_fresh_rows_streaming`]):
//! a run holds about the size of what it publishes, not the feed plus a copy. The same for
//! a body of the collector's own: [`FreshRows::select_from_reader`] on
//! `self.download_stream(url)?` (its [`size_hint`](crate::helpers::download::BodyStream::size_hint)
//! sizes the buffer once), or [`fresh_rows_from_reader`] on any reader.

mod collector;
mod fresh;
mod row;
mod select;
mod state;
mod stream;
mod text;
mod time;

pub use collector::RowsConfig;
pub use fresh::FreshRows;
pub use row::{BYTES_BASE64_KEY, Row};
pub use select::{
    CountCheck, CountMismatch, RowsOptions, Selection, join_rows, select_fresh_rows,
    select_from_rows, split_rows,
};
pub use state::RowsState;
pub use stream::{
    CHUNK_SIZE, StreamError, StreamedSelection, select_fresh_rows_read_ahead,
    select_fresh_rows_streaming,
};
pub use text::TimeText;
pub use time::{
    CsvColumn, CsvIsoUtcColumn, RowTime, csv_field, format_py_datetime, is_blank,
    is_used_by_default, iso_utc_time, utf8,
};

use serde::Serialize;

use crate::collector::StatefulCollector;
use crate::error::{Error, Result};
use crate::helpers::download::{DownloadConfig, DownloadError, DownloadingCollector, Request};
use crate::message::HeaderTable;
use crate::output::Output;

/// Selects the fresh rows of `data`, logs n6's warnings, and returns the selection.
///
/// A count problem is one WARNING (or [`Error::BadData`] with n6's message when
/// `options.mismatch_is_fatal`); n6's internal-assertion failure is a WARNING too.
pub fn fresh_rows<'a, T: RowTime + ?Sized>(
    data: &'a [u8],
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<Selection<'a>> {
    let selection = select_fresh_rows(data, state, row_time, options)
        .map_err(|CountMismatch(message)| Error::bad_data(message))?;
    if let Some(warning) = &selection.warning {
        tracing::warn!("{warning}");
    }
    if let Some(inconsistency) = &selection.inconsistency {
        tracing::warn!("{inconsistency}");
    }
    Ok(selection)
}

/// [`fresh_rows`] over a reader (a [`BodyStream`](crate::helpers::download::BodyStream),
/// a file): the feed is read in bounded chunks, by a thread of its own, and only its
/// fresh rows are kept ([`select_fresh_rows_read_ahead`]). n6's warnings are logged; a
/// fatal count mismatch is [`Error::BadData`]; a failed download is its [`DownloadError`].
pub fn fresh_rows_from_reader<R: std::io::Read + Send, T: RowTime + ?Sized>(
    reader: R,
    size_hint: Option<u64>,
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<StreamedSelection> {
    let selection = select_fresh_rows_read_ahead(reader, size_hint, state, row_time, options)
        .map_err(|e| match e {
            StreamError::Count(CountMismatch(message)) => Error::bad_data(message),
            StreamError::Read(e) => match DownloadError::from_read_error(e) {
                Ok(download) => Error::from(download),
                Err(other) => Error::Input(crate::error::InputError::Read {
                    what: "feed",
                    path: std::path::PathBuf::from("<reader>"),
                    source: other,
                }),
            },
        })?;
    if let Some(warning) = &selection.warning {
        tracing::warn!("{warning}");
    }
    if let Some(inconsistency) = &selection.inconsistency {
        tracing::warn!("{inconsistency}");
    }
    Ok(selection)
}

/// [`publish_fresh_rows`] over a reader, read in bounded chunks
/// ([`fresh_rows_from_reader`]). Returns how many rows were published.
pub fn publish_fresh_rows_from_reader<
    S: Serialize,
    R: std::io::Read + Send,
    T: RowTime + ?Sized,
>(
    reader: R,
    size_hint: Option<u64>,
    state: &mut RowsState,
    row_time: &T,
    options: RowsOptions,
    out: &mut Output<'_, S>,
    meta: HeaderTable,
) -> Result<usize> {
    let Some(fresh) = prepare_streaming(reader, size_hint, state, row_time, options)? else {
        return Ok(0);
    };
    publish(fresh, state, out, meta)
}

/// Selects while reading and keeps the body, the new state and the row count.
fn prepare_streaming<R: std::io::Read + Send, T: RowTime + ?Sized>(
    reader: R,
    size_hint: Option<u64>,
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<Option<Prepared>> {
    let selection = fresh_rows_from_reader(reader, size_hint, state, row_time, options)?;
    let Some((body, state, rows)) = selection.into_parts() else {
        tracing::info!("nothing to publish: no fresh rows");
        return Ok(None);
    };
    Ok(Some(Prepared { body, state, rows }))
}

/// The whole of n6's time-ordered-rows run: select the fresh rows of `data`, publish them
/// as one message (with `meta` as `headers.meta`) and update `state`. Nothing fresh →
/// nothing published and `state` untouched. Returns how many rows were published.
///
/// The runtime saves `state` after the run, once the message was confirmed.
pub fn publish_fresh_rows<S: Serialize, T: RowTime + ?Sized>(
    data: &[u8],
    state: &mut RowsState,
    row_time: &T,
    options: RowsOptions,
    out: &mut Output<'_, S>,
    meta: HeaderTable,
) -> Result<usize> {
    let Some(fresh) = prepare(data, state, row_time, options)? else {
        return Ok(0);
    };
    publish(fresh, state, out, meta)
}

/// The body, the new state and the row count of a run with fresh rows.
struct Prepared {
    body: Vec<u8>,
    state: RowsState,
    rows: usize,
}

/// Selects and builds the body; the selection (and its borrow of `data`) ends here.
fn prepare<T: RowTime + ?Sized>(
    data: &[u8],
    state: &RowsState,
    row_time: &T,
    options: RowsOptions,
) -> Result<Option<Prepared>> {
    let selection = fresh_rows(data, state, row_time, options)?;
    let Some(new_state) = selection.new_state() else {
        tracing::info!("nothing to publish: no fresh rows");
        return Ok(None);
    };
    Ok(Some(Prepared {
        body: selection.body(),
        state: new_state,
        rows: selection.len(),
    }))
}

fn publish<S: Serialize>(
    fresh: Prepared,
    state: &mut RowsState,
    out: &mut Output<'_, S>,
    meta: HeaderTable,
) -> Result<usize> {
    out.publish_with_meta(fresh.body, meta)?;
    *state = fresh.state;
    Ok(fresh.rows)
}

/// n6's `BaseDownloadingTimeOrderedRowsCollector` run: download `url`
/// ([`DownloadingCollector::download`]), publish its fresh rows as one message (with
/// `headers.meta.http_last_modified` of the download) and update the collector's
/// [`RowsState`]. Nothing fresh → nothing published and the state untouched.
pub fn download_fresh_rows<C, T>(
    collector: &mut C,
    url: &str,
    row_time: &T,
    out: &mut Output<'_, RowsState>,
) -> Result<()>
where
    C: DownloadConfig + RowsConfig + StatefulCollector<State = RowsState>,
    T: RowTime + ?Sized,
{
    let options = collector.rows_options();
    download_fresh_rows_with(collector, url, row_time, options, out)
}

/// [`download_fresh_rows`] with selection options of the collector's own (e.g.
/// `RowsOptions { count_check: CountCheck::DuplicatesOnly, ..self.rows_options() }`).
pub fn download_fresh_rows_with<C, T>(
    collector: &mut C,
    url: &str,
    row_time: &T,
    options: RowsOptions,
    out: &mut Output<'_, RowsState>,
) -> Result<()>
where
    C: DownloadConfig + RowsConfig + StatefulCollector<State = RowsState>,
    T: RowTime + ?Sized,
{
    // The feed is read in bounded chunks; only its fresh rows are kept.
    let feed = collector.download_stream(url)?;
    let hint = feed.size_hint();
    let Some(fresh) = prepare_streaming(feed, hint, collector.rows_state(), row_time, options)?
    else {
        return Ok(());
    };
    publish(fresh, collector.rows_state(), out, HeaderTable::default()).map(drop)
}

/// [`download_fresh_rows`] with the settings, state and options passed by hand, for
/// code written before the derive implemented [`RowsConfig`] and [`DownloadConfig`].
/// Returns how many rows were published.
pub fn download_fresh_rows_into<S: serde::Serialize, T: RowTime + ?Sized>(
    settings: crate::helpers::download::DownloadSettings,
    url: &str,
    state: &mut RowsState,
    row_time: &T,
    options: RowsOptions,
    out: &mut Output<'_, S>,
) -> Result<usize> {
    let mut downloader = crate::helpers::download::Downloader::new(settings);
    // The feed is read in bounded chunks; only its fresh rows are kept.
    let feed = downloader.open(Request::get(url))?;
    let hint = feed.size_hint();
    let Some(fresh) = prepare_streaming(feed, hint, state, row_time, options)? else {
        return Ok(0);
    };
    publish(fresh, state, out, downloader.meta())
}

#[cfg(test)]
mod tests;
