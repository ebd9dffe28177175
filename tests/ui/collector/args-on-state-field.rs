// The `#[args]` field is filled from the command line, the `#[state]` field from the
// state file: one field cannot be both. Give each its own field.

use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    #[args]
    state: Vec<String>,
}

fn main() {}
