//! n6's `n6datasources.collectors.spamhaus`: the DROP and EDROP lists (`blacklist`,
//! `text/csv`) and the bots feed (`file`, `text/csv`, fetched with the `cert` and
//! `api_key` options as query parameters), each published whole on every run.

use n6_collectors::prelude::*;

use crate::download_and_publish_collector as collector;
use crate::urls;

collector!(
    /// n6's `SpamhausDropCollector`: `spamhaus.drop` ("Don't Route Or Peer").
    SpamhausDropCollector, SpamhausDropCollectorConfig, "spamhaus.drop", "blacklist", "text/csv"
);
collector!(
    /// n6's `SpamhausEdropCollector`: `spamhaus.edrop` (extended DROP).
    SpamhausEdropCollector, SpamhausEdropCollectorConfig, "spamhaus.edrop", "blacklist", "text/csv"
);

/// n6's `SpamhausBotsCollector`: `spamhaus.bots`, the bots seen in a customer's networks.
#[derive(StatefulCollector)]
#[collector(
    source = "spamhaus.bots",
    raw_type = "file",
    content_type = "text/csv",
    download
)]
#[config_spec(
    r#"
    url :: str
    cert :: str
    api_key :: str
"#
)]
pub struct SpamhausBotsCollector {
    config: SpamhausBotsCollectorConfig,
}

impl Collect for SpamhausBotsCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        // n6: requests' `PreparedRequest.prepare_url(url, {'cert': ..., 'key': ...})`.
        let url = urls::with_query(
            &self.config.url,
            &[("cert", &self.config.cert), ("key", &self.config.api_key)],
        );
        crate::simple::publish_download(out, settings, &url)
    }
}
