// The generated config must be stored in the collector.
// Add a field `config: UrlsCollectorConfig`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    #[state]
    state: Cursor,
}

fn main() {}
