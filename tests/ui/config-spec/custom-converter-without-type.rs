// A custom converter names its function and the type it returns in `Ok`.
// Write `converters(tlp = parse_tlp -> String)`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream", converters(tlp = parse_tlp))]
#[config_spec(r#"
    minimum_tlp = :: tlp
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn parse_tlp(raw: &str) -> Result<String, String> {
    Ok(raw.to_lowercase())
}

fn main() {}
