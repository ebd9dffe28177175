// The framework declares `state_dir = ~/.n6state :: path`; a spec may change the default,
// not the converter. Write `state_dir = /var/lib/n6 :: path`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[config_spec(r#"
    state_dir = /var/lib/n6 :: str
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
