// The derive needs named fields to tell the config from the state.
// Write `struct UrlsCollector { config: UrlsCollectorConfig, #[state] state: Cursor }`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector(Cursor);

fn main() {}
