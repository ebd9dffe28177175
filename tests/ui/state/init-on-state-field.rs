// The state's first value comes from `#[state(default = ...)]`, not `#[init(...)]`.
// Write `#[state(default = Cursor { newest: String::new() })]`.

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
    #[state]
    #[init(Cursor::default())]
    state: Cursor,
}

fn main() {}
