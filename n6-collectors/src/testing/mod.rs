//! Test a collector in-process: a scratch site (config directory, state directory,
//! inputs), a run, and back what it published and what it saved.
//!
//! ```
//! use n6_collectors::prelude::*;
//! use n6_collectors::testing::{FileFeed, Site};
//!
//! #[derive(StatefulCollector)]
//! #[collector(source = "example-org.lines", raw_type = "stream")]
//! #[config_spec("input :: path")]
//! pub struct LinesCollector {
//!     config: LinesCollectorConfig,
//!     #[state]
//!     state: Progress,
//! }
//!
//! #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
//! pub struct Progress {
//!     lines: usize,
//! }
//!
//! impl Collect for LinesCollector {
//!     fn collect(&mut self, out: &mut Output<'_, Progress>) -> Result<()> {
//!         let path = &self.config.input;
//!         let text = std::fs::read_to_string(path).or_source_unavailable(path.display())?;
//!         for line in text.lines().skip(self.state.lines) {
//!             out.publish(line)?;
//!             self.state.lines += 1;
//!         }
//!         Ok(())
//!     }
//! }
//!
//! # fn main() -> Result<(), n6_collectors::testing::TestingError> {
//! let mut site = Site::with_config("[LinesCollector]\ninput = /nonexistent\n")?;
//! let feed = FileFeed::path("LinesCollector", "input", "lines.txt", "a\nb\n");
//! let first = site.run::<LinesCollector>(&[&feed], &[])?;
//! assert_eq!(first.exit_code, 0);
//! assert_eq!(first.texts(), ["a", "b"]);
//! assert_eq!(site.saved_state::<LinesCollector>()?, Some(Progress { lines: 2 }));
//! // The second run finds nothing new.
//! assert!(site.run::<LinesCollector>(&[&feed], &[])?.published.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! What the collector reads comes from [`Feed`]s: [`FileFeed`] writes a file into the
//! site and points an option at it (a path or a `file://` URL); other inputs (recorded
//! HTTP exchanges, n6's recorded test cases) implement [`Feed`] the same way.
//!
//! A run recorded with `--record DIR` is replayed with [`Site::replay`], which compares
//! what the replay publishes with what the recorded run published ([`Replayed`]; the
//! layout of a recording: [`crate::record`]).

mod feed;
mod published;
mod replay;
mod site;

pub use feed::{Feed, FileFeed};
pub use published::{Published, Run};
pub use replay::Replayed;
pub use site::{Site, TestingError};
