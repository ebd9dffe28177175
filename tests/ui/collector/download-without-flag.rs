// `self.download(url)` uses the download options that `#[collector(download)]` adds.
// Add `download` to `#[collector(...)]`.

use n6_collectors::StatefulCollector;
use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "blacklist", content_type = "text/csv")]
#[config_spec("url :: str")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

impl Collect for UrlsCollector {
    fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
        let body = self.download(&self.config.url)?;
        out.publish(body)
    }
}

fn main() {}
