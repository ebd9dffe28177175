// `#[init(expr)]` gives a field its initial value; the expression must have the field's type.
// Write `#[init(16)]` for a `usize` field, not `#[init("16")]`.

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
    state: Cursor,
    #[init("16")]
    batch_size: usize,
}

fn main() {}
