// A collector is a struct holding its config and its state, not an enum.
// Write `struct UrlsCollector { config: UrlsCollectorConfig, #[state] state: Cursor }`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub enum UrlsCollector {
    Idle,
    Running(Cursor),
}

fn main() {}
