// `integer` is not a converter; the message lists the valid ones.
// Write `retries = 3 :: int`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[config_spec(r#"
    url :: str
    retries = 3 :: integer
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

// The rest of the collector still compiles against the generated config: only the
// spec's error is reported.
pub fn url_length(config: &UrlsCollectorConfig) -> usize {
    config.url.len()
}

fn main() {
    let _ = url_length;
}
