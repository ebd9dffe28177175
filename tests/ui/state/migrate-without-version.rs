// `migrate` converts state files older than `version`; at version 1 there are none.
// Raise the version when the state type changes: `#[state(version = 2, migrate = upgrade)]`.

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
    #[state(migrate = upgrade)]
    state: Cursor,
}

fn upgrade(_from: u32, _payload: ciborium::Value) -> Result<Cursor, String> {
    Ok(Cursor::default())
}

fn main() {}
