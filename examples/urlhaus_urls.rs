//! `ExampleUrlhausUrlsCollector` (an example): new rows of abuse.ch URLhaus's CSV of recent URLs,
//! published as one `file` (`text/csv`) message per run, oldest first — n6's
//! time-ordered-rows collector family (the time of a row is its `dateadded` column).
//!
//! The README quickstart runs it offline against the fixtures in `examples/data/`:
//!
//! ```text
//! cargo run --example urlhaus_urls -- --config-dir examples/config --state-dir /tmp/n6-quickstart --output -
//! ```
//!
//! Config: `examples/config/60_urlhaus_urls.conf`, section `[ExampleUrlhausUrlsCollector]`.
//! Unlike n6's collector of that name (which enriches each row through the URLhaus API
//! and publishes JSON under the version tag `202001`), this one publishes the CSV rows
//! themselves, without a version tag.
//!
//! An example, not n6's collector: n6's `AbuseChUrlhausUrlsCollector` (zipped CSV, one
//! API call per fresh row, a JSON `stream` message) is in `n6-datasources`.

use n6_collectors::{StatefulCollector, helpers::prelude::*, prelude::*};

/// abuse.ch URLhaus: recent malware URLs (CSV, newest first).
#[derive(StatefulCollector)]
#[collector(
    source = "abuse-ch.urlhaus-urls",
    raw_type = "file",
    content_type = "text/csv",
    download,
    time_ordered_rows
)]
#[config_spec("url :: str")]
pub struct ExampleUrlhausUrlsCollector {
    config: ExampleUrlhausUrlsCollectorConfig,
    #[state]
    state: RowsState,
}

impl Collect for ExampleUrlhausUrlsCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let url = self.config.url.clone();
        let dateadded = CsvIsoUtcColumn { column: 1 };
        download_fresh_rows(self, &url, &dateadded, out)
    }
}

#[allow(dead_code)] // also compiled into tests/examples/urlhaus_urls.rs
fn main() -> std::process::ExitCode {
    n6_collectors::run::<ExampleUrlhausUrlsCollector>()
}
