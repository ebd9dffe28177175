//! One collector of the family in a binary of its own (`AbuseChFeodoTrackerCollector`):
//! the baseline of the benchmark that compares the start-up of `n6collector`, with every
//! collector of the family linked in, to a single-collector binary
//! (`n6-collectors/benches/run.sh`, BENCHMARKS.md).

fn main() -> std::process::ExitCode {
    n6_collectors::run::<n6_datasources::abuse_ch::AbuseChFeodoTrackerCollector>()
}
