// `#[args]` marks the field that holds the collector's own command-line arguments; it
// does not go on the struct. Write `#[args] args: MyArgs` inside the struct.

use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[args]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

fn main() {}
