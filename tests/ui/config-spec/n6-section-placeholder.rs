// n6's spec is a `str.format` template whose header is `[{collector_class_name}]`; here
// options before any header already belong to the collector's section. Remove the header.

use n6_collectors::StatefulCollector;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "blacklist", content_type = "text/csv")]
#[config_spec(r#"
    [{collector_class_name}]
    url :: str
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

impl Collect for UrlsCollector {
    fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
        // Still a field: the header mistake is the only error.
        out.publish(self.config.url.clone())
    }
}

fn main() {}
