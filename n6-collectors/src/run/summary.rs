//! The one-line run summary printed to stderr, and the counters it reports.

use std::time::Duration;

/// Counters for the run summary.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RunStats {
    /// Messages published.
    pub(crate) messages: u64,
    /// Body bytes published.
    pub(crate) bytes: u64,
}

/// What a finished collection run reports.
pub(crate) struct Summary {
    /// What was published.
    pub(crate) stats: RunStats,
    /// Whether the state file was written.
    pub(crate) state_saved: bool,
    /// Whether the collector keeps state (a `#[state]` field).
    pub(crate) has_state: bool,
    /// The sink's description, or `None` when nothing was published (never opened).
    pub(crate) output: Option<String>,
    /// A `--dry-run` (state never saved).
    pub(crate) dry_run: bool,
    /// The run ended because the source was unchanged (conditional downloads).
    pub(crate) source_unchanged: bool,
}

impl Summary {
    /// `published N message(s), B byte(s) to SINK; state saved; 0.012 s`.
    pub(crate) fn line(&self, elapsed: Duration) -> String {
        let state = if !self.has_state {
            "no state"
        } else if self.dry_run {
            "state not saved (dry run)"
        } else if self.state_saved {
            "state saved"
        } else {
            "state unchanged"
        };
        let output = match &self.output {
            Some(output) => format!(" to {output}"),
            None => String::new(),
        };
        let unchanged = if self.source_unchanged {
            "; source unchanged"
        } else {
            ""
        };
        format!(
            "published {} message(s), {} byte(s){output}{unchanged}; {state}; {:.3} s",
            self.stats.messages,
            self.stats.bytes,
            elapsed.as_secs_f64()
        )
    }
}
