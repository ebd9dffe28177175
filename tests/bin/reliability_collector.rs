//! The collector of the reliability tests (`tests/reliability/`): publishes each line
//! of a local file that earlier runs did not get to, one `stream` message per line, and
//! remembers how many lines are done.
//!
//! The feed is the file `input`, or, when `url` is set, what the download helper gets
//! from there (`download_retries`, `download_timeout` apply).
//!
//! Knobs (options of `[ReliabilityTestCollector]`):
//! - `checkpoint_every`: checkpoint (confirm, then save) every N published lines;
//! - `gate_after` with `gate_dir`: after publishing that many lines in this run, create
//!   `{gate_dir}/reached-{pid}` and wait until `{gate_dir}/go` exists, so a test can disturb
//!   the broker (or kill the process) at an exact point, with the connection open;
//! - `line_delay_us`: sleep that long before each line, to stretch the publishing phase;
//! - `strict`: every line must be valid UTF-8 of the form `row <N>`; otherwise the run
//!   fails with "bad data from the source" naming the line.

use std::path::Path;
use std::time::{Duration, Instant};

use n6_collectors::StatefulCollector;
use n6_collectors::helpers::download::DownloadingCollector;
use n6_collectors::prelude::*;

/// How long a run waits at the gate before giving up (a test that never opens it).
const GATE_PATIENCE: Duration = Duration::from_secs(120);

#[derive(StatefulCollector)]
#[collector(source = "test-org.reliability", raw_type = "stream", download)]
#[config_spec(
    r#"
    input :: path
    url = :: str
    checkpoint_every = 0 :: int
    gate_after = -1 :: int
    gate_dir = :: str
    line_delay_us = 0 :: int
    strict = false :: bool
"#
)]
pub struct ReliabilityTestCollector {
    config: ReliabilityTestCollectorConfig,
    #[state(default = Progress { lines: 0 })]
    state: Progress,
}

/// How many lines of the input have been published and confirmed.
#[derive(Debug, Serialize, Deserialize)]
pub struct Progress {
    lines: u64,
}

impl Collect for ReliabilityTestCollector {
    fn collect(&mut self, out: &mut Output<'_, Progress>) -> Result<()> {
        let data = if self.config.url.is_empty() {
            let input = &self.config.input;
            std::fs::read(input).or_source_unavailable(input.display())?
        } else {
            self.download(&self.config.url)?
        };
        let skip = usize::try_from(self.state.lines).map_err(Error::bug)?;
        let mut published_now: i64 = 0;
        for (index, line) in data.split(|&b| b == b'\n').enumerate().skip(skip) {
            if line.is_empty() {
                continue; // the end of the file (or a blank line): nothing to publish
            }
            if published_now == self.config.gate_after {
                wait_at_gate(Path::new(&self.config.gate_dir))?;
            }
            if self.config.strict {
                check_row(index + 1, line)?;
            }
            if self.config.line_delay_us > 0 {
                std::thread::sleep(Duration::from_micros(
                    self.config.line_delay_us.unsigned_abs(),
                ));
            }
            out.publish(line)?;
            published_now += 1;
            self.state.lines += 1;
            let every = self.config.checkpoint_every;
            if every > 0 && self.state.lines.is_multiple_of(every.unsigned_abs()) {
                out.checkpoint(&self.state)?;
            }
        }
        Ok(())
    }
}

/// `row <digits>`, valid UTF-8; `number` is 1-based for the message.
fn check_row(number: usize, line: &[u8]) -> Result<()> {
    let text = std::str::from_utf8(line).or_bad_data(format_args!("line {number}"))?;
    let well_formed = text
        .strip_prefix("row ")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if well_formed {
        Ok(())
    } else {
        Err(Error::bad_data(format_args!(
            "line {number}: expected `row <number>`, got {text:?}"
        )))
    }
}

/// Announces the gate (`reached-{pid}`) and waits for `go`.
fn wait_at_gate(dir: &Path) -> Result<()> {
    let reached = dir.join(format!("reached-{}", std::process::id()));
    std::fs::write(&reached, "").or_source_unavailable(reached.display())?;
    let started = Instant::now();
    while !dir.join("go").exists() {
        if started.elapsed() > GATE_PATIENCE {
            return Err(Error::bug("the test never opened the gate"));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    n6_collectors::run::<ReliabilityTestCollector>()
}
