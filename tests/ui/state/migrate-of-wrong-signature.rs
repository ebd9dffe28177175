// A migration receives the old version and the old payload and returns the new state:
// `fn upgrade(from_version: u32, payload: ciborium::Value) -> Result<Cursor, String>`.

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
    #[state(version = 2, migrate = upgrade)]
    state: Cursor,
}

fn upgrade(payload: ciborium::Value) -> Cursor {
    let _ = payload;
    Cursor::default()
}

fn main() {}
