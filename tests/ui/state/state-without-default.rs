// Without `default = ...`, the first run starts from the type's `Default`, which `Cursor` lacks.
// Derive `Default` or write `#[state(default = Cursor { newest: String::new() })]`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
