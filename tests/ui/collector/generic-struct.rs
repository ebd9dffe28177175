// A collector cannot be generic: the runtime runs one concrete type per binary.
// Remove the type parameter; keep generic code in helper types or functions.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
pub struct UrlsCollector<T> {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
    parser: T,
}

fn main() {}
