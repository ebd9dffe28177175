// Each custom converter name is declared once.
// Keep one `tlp = ...` in `converters(...)`.

use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
pub struct Cursor {
    newest: String,
}

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream", converters(tlp = parse_tlp -> String, tlp = parse_tlp -> String))]
#[config_spec("minimum_tlp = :: tlp")]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
    #[state]
    state: Cursor,
}

fn parse_tlp(raw: &str) -> Result<String, String> {
    Ok(raw.to_lowercase())
}

fn main() {}
