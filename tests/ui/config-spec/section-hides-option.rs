// Section `[api]` is stored in the field `api` of the config struct, which option `api` already uses.
// Rename one of them, e.g. the option to `api_version`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[config_spec(r#"
    api = 2 :: int

    [api]
    key :: str
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn main() {}
