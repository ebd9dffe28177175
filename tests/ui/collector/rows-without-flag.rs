// `download_fresh_rows(self, ...)` uses the rows options that
// `#[collector(time_ordered_rows)]` adds. Add `time_ordered_rows` to `#[collector(...)]`.

use n6_collectors::StatefulCollector;
use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "file", content_type = "text/csv", download)]
#[config_spec("url :: str")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: RowsState,
}

impl Collect for UrlsCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let url = self.config.url.clone();
        download_fresh_rows(self, &url, &CsvIsoUtcColumn { column: 1 }, out)
    }
}

fn main() {}
