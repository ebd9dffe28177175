// The state file always lives in the configured `state_dir`; `state_file` only renames it.
// Write `state_file = "urls.cbor"` and set `state_dir` in the config instead.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream", state_file = "/var/lib/n6/urls.cbor")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
