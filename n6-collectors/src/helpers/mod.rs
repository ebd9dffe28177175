//! Building blocks for collectors, mirroring n6's collector base classes
//! (`n6datasources.collectors.base`):
//!
//! * [`simple`] — at most one message per run (`BaseSimpleCollector`), and two-phase
//!   collectors: obtain the input pile, then publish many messages
//!   (`BaseTwoPhaseCollector`);
//! * [`download`] — HTTP(S) and `file://` downloads with n6's retry policy, timeouts,
//!   request headers and `headers.meta.http_last_modified` (`BaseDownloadingCollector`);
//! * [`rows`] — time-ordered rows with their built-in state (`BaseTimeOrderedRowsCollector`);
//! * [`email`] — one e-mail message on stdin (`BaseSimpleEmailCollector`);
//! * [`pyjson`] — JSON parsed and written byte for byte as Python's `json` does;
//! * [`archive`] — ZIP members, bzip2 and gzip with n6's rules and a size limit;
//! * [`pyre`] — regexes from config values with Python `re` semantics.
//!
//! # Which one to start from
//!
//! | the source | write | n6's base class |
//! |---|---|---|
//! | anything else, or several kinds of messages per run | plain [`Collect`](crate::Collect): call `out.publish(..)` / `out.message(..)`, update `self.state` | `BaseCollector` |
//! | one body per run (a blacklist, a whole file) | [`simple::SimpleCollector`] + [`simple::collect_simple`]; usually no `#[state]` field | `BaseSimpleCollector` |
//! | a pile of items, one message each (an API page, a mailbox) | [`simple::TwoPhaseCollector`] + [`simple::collect_two_phase`] | `BaseTwoPhaseCollector` |
//! | an HTTP(S) download | `#[collector(download)]`: `self.download(url)`, with n6's download options in the spec | `BaseDownloadingCollector` |
//! | a CSV-like feed, newest rows first, publish only rows not seen yet | `#[collector(time_ordered_rows)]`: [`rows::download_fresh_rows`] (or `rows::FreshRows` for a custom body or chunks) | `BaseTimeOrderedRowsCollector` |
//! | one e-mail on stdin (procmail) | [`email::Email`] from stdin, [`email::Email::find_content`] | `BaseSimpleEmailCollector` |

pub mod archive;
pub mod dates;
pub mod download;
pub mod email;
pub mod pyjson;
pub mod pyre;
pub mod rows;
pub mod simple;
pub mod xml;

/// The helpers' most used items: `use n6_collectors::helpers::prelude::*;`.
pub mod prelude {
    pub use super::download::{DownloadSettings, Downloader, DownloadingCollector, Request};
    pub use super::email::Email;
    pub use super::rows::{
        CountCheck, CsvColumn, CsvIsoUtcColumn, FreshRows, RowTime, RowsConfig, RowsOptions,
        RowsState, TimeText, download_fresh_rows, download_fresh_rows_into,
        download_fresh_rows_with, publish_fresh_rows,
    };
    pub use super::simple::{
        AfterItem, SimpleCollector, TwoPhaseCollector, collect_simple, collect_two_phase,
    };
}
