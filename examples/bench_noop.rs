//! A collector with nothing to publish: the subject of benchmark 1 (run overhead) in
//! `BENCHMARKS.md`. Each run does what every cron run of a collector does — read the
//! config files, take the run lock, load the state — then counts the run in its state
//! so that the state is saved (atomically, with fsync) at the end.
//!
//! ```text
//! cargo run --release --example bench_noop -- --config-dir DIR --output -
//! ```
//! with `[BenchNoopCollector] state_dir = ...` in `DIR/NN_*.conf`.

use n6_collectors::StatefulCollector;
use n6_collectors::prelude::*;

/// The no-op collector.
#[derive(StatefulCollector)]
#[collector(source = "bench.noop", raw_type = "stream")]
pub struct BenchNoopCollector {
    config: BenchNoopCollectorConfig,
    #[state]
    state: NoopState,
}

/// A small state: how many runs there were, and a cursor like real collectors keep.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct NoopState {
    runs: u64,
    newest: String,
}

impl Collect for BenchNoopCollector {
    fn collect(&mut self, _out: &mut Output<'_, NoopState>) -> Result<()> {
        self.state.runs += 1;
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    n6_collectors::run::<BenchNoopCollector>()
}
