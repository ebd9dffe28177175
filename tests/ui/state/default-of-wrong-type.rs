// `#[state(default = expr)]` must build the state type itself.
// Write `default = Cursor { newest: String::new() }`, not a `String`.

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
    #[state(default = String::new())]
    state: Cursor,
}

fn main() {}
