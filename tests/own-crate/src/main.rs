//! A stateful downloading collector as an author writes it in a crate of their own:
//! every not-yet-published line of `url`, one `stream` message each. Its state type uses
//! the prelude's `Serialize`/`Deserialize` (with a `#[serde]` attribute), and its config
//! has fields of `time` and `serde_json` types, all without depending on those crates.

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

/// Publishes the new lines of `url`.
#[derive(StatefulCollector)]
#[collector(source = "example-org.own-crate", raw_type = "stream", download)]
#[config_spec(
    r#"
    url :: str
    first_day = 2024-01-02 :: date
    labels = {} :: json
"#
)]
pub struct OwnCrateCollector {
    config: OwnCrateCollectorConfig,
    #[state]
    state: Progress,
}

/// How many lines were published, by all runs so far.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    lines: usize,
    #[serde(default)]
    runs: u32,
}

impl Collect for OwnCrateCollector {
    fn collect(&mut self, out: &mut Output<'_, Progress>) -> Result<()> {
        let body = self.download(&self.config.url)?;
        let text = String::from_utf8_lossy(&body);
        for line in text.lines().skip(self.state.lines) {
            out.publish(format!("{line} (since {})", self.config.first_day))?;
            self.state.lines += 1;
        }
        self.state.runs += u32::from(self.config.labels.is_object());
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    n6_collectors::run::<OwnCrateCollector>()
}
