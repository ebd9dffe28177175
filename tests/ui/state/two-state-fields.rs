// Only one field is saved as the state.
// Put both values in one type: `#[state] state: MyState` with `struct MyState { cursor: Cursor, seen: Vec<String> }`.

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
    cursor: Cursor,
    #[state]
    seen: Vec<String>,
}

fn main() {}
