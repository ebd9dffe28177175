// The time-ordered-rows helper remembers the newest rows in the state: a collector with
// `time_ordered_rows` needs `#[state] state: RowsState`.

use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(
    source = "example-org.urls",
    raw_type = "file",
    content_type = "text/csv",
    download,
    time_ordered_rows
)]
#[config_spec("url :: str")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

fn main() {}
