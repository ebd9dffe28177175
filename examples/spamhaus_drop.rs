//! `ExampleDropListCollector` (an example): Spamhaus's DROP list ("Don't Route Or Peer"), published as
//! one `blacklist` (`text/plain`) message — only when the list changed since the last
//! run. n6's simple-collector family: at most one message per run, nothing published
//! (and the state untouched) when there is nothing new.
//!
//! "Changed" means: the list's entries changed. The `;` comment lines (which carry the
//! download time and expiry and change hourly) are left out of the digest kept as state.
//!
//! ```text
//! cargo run --example spamhaus_drop -- --config-dir examples/config --state-dir /tmp/n6-quickstart --output -
//! ```
//!
//! Config: `examples/config/60_spamhaus_drop.conf`, section `[ExampleDropListCollector]`.
//! An example, not n6's collector: n6's `SpamhausDropCollector` (in `n6-datasources`,
//! `n6collector spamhausdrop`) publishes the list as `text/csv` on every run.

use md5::{Digest, Md5};
use n6_collectors::StatefulCollector;
use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

/// Spamhaus DROP: netblocks to drop all traffic from.
#[derive(StatefulCollector)]
#[collector(
    source = "spamhaus.drop",
    raw_type = "blacklist",
    content_type = "text/plain",
    download
)]
#[config_spec("url :: str")]
pub struct ExampleDropListCollector {
    config: ExampleDropListCollectorConfig,
    #[state]
    state: ListDigest,
    /// The digest of the list being published, saved once it was published.
    pending: Option<String>,
}

/// The state: the digest of the entries last published.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListDigest {
    /// Lower-case hex MD5 of the list's non-comment lines; empty before the first run.
    pub entries_md5: String,
}

impl SimpleCollector for ExampleDropListCollector {
    fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>> {
        let body = self.download(&self.config.url)?;
        let digest = entries_md5(&body);
        if digest == self.state.entries_md5 {
            return Ok(None);
        }
        self.pending = Some(digest);
        Ok(Some(body))
    }

    fn after_publishing(&mut self) -> Result<()> {
        if let Some(digest) = self.pending.take() {
            self.state.entries_md5 = digest;
        }
        Ok(())
    }
}

impl Collect for ExampleDropListCollector {
    fn collect(&mut self, out: &mut Output<'_, ListDigest>) -> Result<()> {
        collect_simple(self, out)
    }
}

/// MD5 of the lines that are not `;` comments (line ends ignored).
pub fn entries_md5(list: &[u8]) -> String {
    let mut hasher = Md5::new();
    for line in list.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.trim_ascii_start().starts_with(b";") {
            hasher.update(line);
            hasher.update(b"\n");
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[allow(dead_code)] // also compiled into tests/examples/spamhaus_drop.rs
fn main() -> std::process::ExitCode {
    n6_collectors::run::<ExampleDropListCollector>()
}
