// Defaults go through their converter like values from config files; `abc` is no `int`.
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
    retries = abc :: int
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

// The rest of the collector still compiles against the generated config: only the
// spec's error is reported.
pub fn attempts(config: &UrlsCollectorConfig) -> i64 {
    config.retries + 1
}

fn main() {
    let _ = attempts;
}
