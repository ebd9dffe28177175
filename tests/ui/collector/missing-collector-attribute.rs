// Every collector needs an identity: `#[collector(source = ..., raw_type = ...)]`.
// Write `#[collector(source = "example-org.urls", raw_type = "stream")]` on the struct.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]

pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
