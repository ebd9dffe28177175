// Each option becomes a field; `self` is a Rust keyword that cannot be a field name
// (other keywords, like `type`, become raw identifiers: `config.r#type`). Rename it, e.g. `self_url`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[config_spec("self :: str")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
