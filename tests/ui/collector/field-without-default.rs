// Fields other than the config and the state start with `Default::default()`; `Client`
// has no `Default`. Implement `Default` for it or write `#[init(Client::new())]`.

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
    client: Client,
}

pub struct Client {
    agent: String,
}

fn main() {}
