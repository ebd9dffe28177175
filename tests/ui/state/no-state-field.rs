// A field named `state` without `#[state]` would start over on every run (a collector
// without a `#[state]` field keeps no state). Write `#[state] state: Cursor`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    state: Cursor,
}

fn main() {}
