//! Building blocks for collectors, mirroring n6's collector base classes
//! (n6-contract §6):
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
    pub use super::download::{DownloadSettings, Downloader, Request};
    pub use super::email::Email;
    pub use super::rows::{
        CountCheck, CsvColumn, CsvIsoUtcColumn, FreshRows, RowTime, RowsOptions, RowsState,
        download_fresh_rows, publish_fresh_rows,
    };
    pub use super::simple::{
        AfterItem, SimpleCollector, TwoPhaseCollector, collect_simple, collect_two_phase,
    };
    pub use crate::download_settings;
}
