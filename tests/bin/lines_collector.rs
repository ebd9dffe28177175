//! A small but complete collector used by the lifecycle tests (`tests/lifecycle/`):
//! publishes each line of a local file that previous runs did not publish, one `stream`
//! message per line, remembering how many lines it has published.
//!
//! Knobs for the tests (config options of `[LinesTestCollector]`):
//! `fail_after` makes the run fail (source unavailable) after publishing that many
//! messages; `panic_after` panics instead; `sleep_ms` sleeps before publishing, so a test
//! can overlap two runs or send a signal mid-run; `checkpoint_every` checkpoints the state
//! every N messages.

use std::time::Duration;

use n6_collectors::StatefulCollector;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "test-org.lines", raw_type = "stream")]
#[config_spec(
    r#"
    input :: path
    api_password = :: str
    fail_after = -1 :: int
    panic_after = -1 :: int
    sleep_ms = 0 :: int
    checkpoint_every = 0 :: int
"#
)]
pub struct LinesTestCollector {
    config: LinesTestCollectorConfig,
    #[state(default = Seen { lines: 0 })]
    state: Seen,
}

/// How many lines of the input have been published.
#[derive(Debug, Serialize, Deserialize)]
pub struct Seen {
    lines: u64,
}

impl Collect for LinesTestCollector {
    fn collect(&mut self, out: &mut Output<'_, Seen>) -> Result<()> {
        let input = &self.config.input;
        let text = std::fs::read_to_string(input).or_source_unavailable(input.display())?;
        if self.config.sleep_ms > 0 {
            std::thread::sleep(Duration::from_millis(self.config.sleep_ms.unsigned_abs()));
        }
        let fresh: Vec<&str> = text.lines().skip(self.state.lines as usize).collect();
        for (i, line) in fresh.into_iter().enumerate() {
            if i as i64 == self.config.fail_after {
                return Err(Error::source_unavailable("simulated source failure"));
            }
            if i as i64 == self.config.panic_after {
                panic!("simulated bug");
            }
            out.publish(line)?;
            self.state.lines += 1;
            let every = self.config.checkpoint_every;
            if every > 0 && self.state.lines.is_multiple_of(every.unsigned_abs()) {
                out.checkpoint(&self.state)?;
            }
        }
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    n6_collectors::run::<LinesTestCollector>()
}
