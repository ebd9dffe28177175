//! Write [n6](https://github.com/CERT-Polska/n6) collectors in Rust.
//!
//! A collector is a short-lived process (cron, procmail) that fetches one source,
//! publishes what is new to RabbitMQ for n6's parsers, remembers where it stopped, and
//! exits. With this crate a collector is a struct, `#[derive(StatefulCollector)]`, a
//! config spec in n6's own language, and an [`impl Collect`](Collect). The framework
//! does the rest ([`run`]): n6 config files, a typed config checked at compile time,
//! an exclusive lock, typed state in an atomically replaced CBOR file, the n6 wire
//! contract, and publisher confirms before any state is saved.
//!
//! # Example
//!
//! A complete collector publishing each not-yet-published line of a local file; here
//! run twice on a scratch deployment (in a real binary, `main` is just
//! `n6_collectors::run::<LinesCollector>()`):
//!
//! ```
//! use n6_collectors::prelude::*;
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
//! #[derive(Default, Serialize, Deserialize)]
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
//!         Ok(()) // the framework waits for confirms, then saves `self.state`
//!     }
//! }
//!
//! # fn main() -> std::io::Result<()> {
//! let site = std::env::temp_dir().join(format!("n6-collectors-doc-{}", std::process::id()));
//! std::fs::create_dir_all(site.join("conf"))?;
//! std::fs::write(site.join("input.txt"), "first\nsecond\n")?;
//! std::fs::write(
//!     site.join("conf/60_lines.conf"),
//!     format!("[LinesCollector]\ninput = {}\n", site.join("input.txt").display()),
//! )?;
//! let args = |out: &str| {
//!     let dir = |name: &str| site.join(name).display().to_string();
//!     ["lines", "--config-dir", &dir("conf"), "--state-dir", &dir("state"), "--output", &dir(out), "-q"]
//!         .map(String::from)
//! };
//! assert_eq!(n6_collectors::run_from::<LinesCollector, _, _>(args("run1.jsonl")), 0);
//! assert_eq!(std::fs::read_to_string(site.join("run1.jsonl"))?.lines().count(), 2);
//! // The second run finds nothing new: the state file remembers both lines.
//! assert_eq!(n6_collectors::run_from::<LinesCollector, _, _>(args("run2.jsonl")), 0);
//! assert!(!site.join("run2.jsonl").exists());
//! # std::fs::remove_dir_all(&site)?;
//! # Ok(())
//! # }
//! ```
//!
//! # Modules
//!
//! The tree follows a run: [`run`](run()) (command line, configuration, lifecycle) hands
//! the collector an [`Output`], which turns bodies into n6 messages for a [`sink`] and
//! checkpoints the [`state`].
//!
//! * [`collector`] — the two traits: [`StatefulCollector`] (derived) and [`Collect`] (yours);
//! * [`Output`] — what `collect` publishes through and checkpoints with;
//! * [`helpers`] — n6's base-class family: downloading, time-ordered rows, e-mail;
//! * [`input`] — continuous inputs: an AMQP queue republished with confirms;
//! * [`message`] — the n6 wire contract (routing key, `message_id`, properties) and
//!   per-message identities ([`message::MessageOptions`]);
//! * [`clock`] — the run's "now" (fixed with `--fake-now` in tests and replays);
//! * [`cli`] — the command line, and a collector's own arguments ([`cli::CollectorArgs`]);
//! * [`sink`] — where messages go: JSON lines (the embedded default) and RabbitMQ;
//! * [`state`] — the state file (CBOR envelope, atomic save, run lock);
//! * [`config`] — converted config values, converters, the spec and its validation;
//! * [`tooling`], [`pickle`] — `state` subcommands and taking over n6's pickled state;
//! * [`error`], [`exit`] — what can go wrong and the exit code for each;
//! * [`testing`] — run a collector in-process on a scratch site, get back what it published and saved;
//! * [`record`] — `--record DIR` / `--replay DIR`: a live run's downloads, clock and stdin, replayed offline.

/// n6's configuration, as collector authors see it. The derive turns the config spec into
/// a typed config struct, so most collectors never name these; they are for the rest:
///
/// * [`config::Value`], [`config::PyValue`] — converted values (a `py` option's field is a
///   `PyValue`; a custom converter's value travels as a `Value`). `PyValue` is the one
///   Python value type of the workspace: [`pickle::PyValue`] (what an n6 state pickle
///   decodes to) is the same type, as is [`config::py::PyValue`]; a pickled `str` that
///   holds surrogate-escaped bytes is its [`config::py::EscapedStr`] variant;
/// * [`config::convert`] — the standard converters' functions ([`config::convert::to_int`],
///   [`config::convert::to_tlp`], ...) and [`config::ConvertError`], to reuse in a custom
///   converter (`#[collector(converters(name = function -> Type))]`);
/// * [`config::isotime`] — ISO dates and date-times parsed as n6 parses them;
/// * [`config::spec`], [`config::raw`], [`config::validate`] — the spec a collector
///   declares (`StatefulCollector::config_spec`), raw option values, and validating them
///   into the typed config, as a test of a collector's configuration does;
/// * [`config::py`] — Python's behaviour as n6 relies on it: `repr()`/`ascii()` of what
///   n6 writes into messages and logs, `ast.literal_eval`, `str.strip()`, `pathlib`;
/// * [`config::ini`] — n6's INI dialect, for tools that read n6 config files themselves.
///
/// The rest of n6's configuration layer (file discovery, secrets, the framework's spec
/// fragments) is the `n6-collectors-config` crate's, used by the runtime.
pub mod config {
    pub use n6_collectors_config::convert::{self, ConvertError};
    pub use n6_collectors_config::py::PyValue;
    pub use n6_collectors_config::value::Value;
    pub use n6_collectors_config::{ini, isotime, py, raw, spec, validate};
}

pub mod clock;
pub mod collector;
pub mod error;
pub mod exit;
pub mod helpers;
pub mod input;
pub mod message;
mod output;
pub mod pickle;
pub mod record;
mod run;
pub mod sink;
pub mod state;
pub mod testing;
pub mod tooling;

/// The CBOR library of state files, for `#[state(migrate = ...)]` functions, which take a
/// `ciborium::Value`.
pub use ciborium;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use collector::{Collect, CollectorMeta, StatefulCollector};
pub use error::{Error, Result, ResultExt};
pub use n6_collectors_derive::StatefulCollector;
pub use output::Output;
pub use run::{cli, run, run_from};

/// Everything a collector author needs: `use n6_collectors::prelude::*;`.
pub mod prelude {
    /// The trait and, in the macro namespace, `#[derive(StatefulCollector)]`.
    pub use crate::StatefulCollector;
    pub use crate::clock::Clock;
    pub use crate::collector::Collect;
    pub use crate::error::{Error, Result, ResultExt};
    pub use crate::message::{HeaderTable, HeaderValue, MessageOptions, RawType};
    pub use crate::output::Output;
    /// The traits, and in the macro namespace derives that work in a crate depending on
    /// `n6-collectors` alone (no `serde` dependency needed): `#[derive(Serialize,
    /// Deserialize)]` takes every `#[serde(...)]` attribute serde's derive takes.
    pub use n6_collectors_derive::{Deserialize, Serialize};
    pub use serde::de::Deserialize;
    pub use serde::ser::Serialize;
}
