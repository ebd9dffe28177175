// A blacklist collector without state (most of n6's blacklists): no `#[state]` field,
// `self.download(url)` from `#[collector(download)]`, `Output<'_>`, and the prelude's
// serde derives on a helper type.

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

#[derive(StatefulCollector)]
#[collector(source = "example-org.list", raw_type = "blacklist", content_type = "text/plain", download)]
#[config_spec("url :: str")]
pub struct ListCollector {
    config: ListCollectorConfig,
}

impl Collect for ListCollector {
    fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
        let body = self.download(&self.config.url)?;
        out.publish(body)
    }
}

/// The prelude's derives, with serde attributes.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub struct Entry {
    #[serde(default)]
    address: String,
    kind: Kind,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub enum Kind {
    Net,
    #[serde(rename = "host")]
    Host(u8),
}

fn main() {
    assert!(!ListCollector::META.has_state);
    assert_eq!(ListCollector::META.lock_name(), "ListCollector");
    let entry = Entry { address: "192.0.2.0/24".into(), kind: Kind::Host(1) };
    let json = serde_json::to_string(&entry).expect("serializes");
    assert_eq!(json, r#"{"ADDRESS":"192.0.2.0/24","KIND":{"host":1}}"#);
    assert_eq!(serde_json::from_str::<Entry>(&json).expect("deserializes"), entry);
    let defaulted: Entry = serde_json::from_str(r#"{"KIND":"Net"}"#).expect("default");
    assert_eq!(defaulted.address, "");
}
