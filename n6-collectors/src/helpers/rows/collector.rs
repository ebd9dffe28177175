//! [`RowsConfig`]: what `download_fresh_rows(self, ...)` needs from a collector with
//! `#[collector(time_ordered_rows)]`, implemented by the derive.

use super::RowsOptions;
use crate::collector::StatefulCollector;

/// A collector with `#[collector(time_ordered_rows)]` and a `#[state]` field, usually
/// [`RowsState`](super::RowsState)
/// (n6's `BaseTimeOrderedRowsCollector`). The derive implements it from the option
/// `row_count_mismatch_is_fatal` it adds to the config spec and from the `#[state]` field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no time-ordered-rows settings: add `time_ordered_rows` to `#[collector(...)]` (with `#[state] state: RowsState`)",
    label = "needs `#[collector(..., time_ordered_rows)]`"
)]
pub trait RowsConfig: StatefulCollector {
    /// The selection options from the configuration (`row_count_mismatch_is_fatal`).
    fn rows_options(&self) -> RowsOptions;

    /// The `#[state]` field ([`RowsState`] for `download_fresh_rows`), updated when
    /// fresh rows were published.
    fn rows_state(&mut self) -> &mut Self::State;
}
