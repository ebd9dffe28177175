//! n6's `n6datasources.collectors.turris_cz`: Turris's greylist (CSV), published whole
//! on every run under the routing key `turris-cz.greylist-csv.202401`.

use n6_collectors::prelude::*;

/// n6's `TurrisCzGreylistCsvCollector`: `turris-cz.greylist-csv` (`blacklist`, `text/csv`).
#[derive(StatefulCollector)]
#[collector(
    source = "turris-cz.greylist-csv",
    raw_type = "blacklist",
    content_type = "text/csv",
    raw_format_version_tag = "202401",
    download
)]
#[config_spec("url :: str")]
pub struct TurrisCzGreylistCsvCollector {
    config: TurrisCzGreylistCsvCollectorConfig,
}

impl Collect for TurrisCzGreylistCsvCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        crate::simple::publish_download(out, settings, &self.config.url)
    }
}
