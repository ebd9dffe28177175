// n6 sends a content type only with `file` and `blacklist` messages. Remove
// `content_type`, or write `raw_type = "file"`.

use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream", content_type = "text/csv")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

fn main() {}
