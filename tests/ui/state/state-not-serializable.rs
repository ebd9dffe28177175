// The state is saved as CBOR through serde.
// Add `#[derive(Serialize, Deserialize)]` to the state type.

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
    state: Plain,
}

#[derive(Default)]
pub struct Plain {
    newest: String,
}

fn main() {}
