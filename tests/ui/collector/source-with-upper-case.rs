// A source is lower-case ASCII letters, digits and `-`, with exactly one `.` (n6 rules).
// Write `source = "example-org.urls"` instead of `"Example-Org.URLs"`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "Example-Org.URLs", raw_type = "stream")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
