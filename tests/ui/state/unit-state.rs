// A collector that keeps no state needs no `#[state] state: ()` (that would read and
// write a state file holding nothing on every run). Remove the field.

use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "blacklist", content_type = "text/csv")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: (),
}

fn main() {}
