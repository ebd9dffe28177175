// `defualt` is a typo; `#[state]` knows `default`, `version` and `migrate`.
// Write `#[state(default = Cursor::default())]`.

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
    #[state(defualt = Cursor::default())]
    state: Cursor,
}

fn main() {}
