// One bad spec line is one error: the options that were fine stay fields of the config
// struct, so the code reading them compiles. Write `max_rows = 100 :: int`.

use n6_collectors::StatefulCollector;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[config_spec(r#"
    url :: str
    max rows = 100 :: int
    retries = 3 :: int
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

impl Collect for UrlsCollector {
    fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
        let _retries: i64 = self.config.retries;
        out.publish(self.config.url.clone())
    }
}

fn main() {}
