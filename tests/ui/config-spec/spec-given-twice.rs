// The spec is given either as `#[config_spec("...")]` or as `config_spec = "..."` in
// `#[collector(...)]`, not both. Keep one.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream", config_spec = "url :: str")]
#[config_spec("retries = 3 :: int")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
