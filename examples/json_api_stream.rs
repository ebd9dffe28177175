//! `ExampleJsonApiStreamCollector`: the seed's stateful collector, complete. It asks a
//! JSON API for the items newer than the last one it published
//! (`?only_newer_than=<state.last_utc>`), publishes one `stream` message per item, oldest
//! first, and advances `last_utc` item by item, checkpointing the state every
//! `checkpoint_every` items — so a run that fails half-way re-sends nothing that was
//! already confirmed. n6's two-phase collector family: obtain the input pile, then
//! publish many messages.
//!
//! The API answers `{"items": [{"id": ..., "time_utc": "<ISO 8601>", ...}, ...]}`. Items
//! are filtered here too (a `file://` URL cannot filter, and some APIs are inclusive).
//! As in the seed, an item with exactly the time of the last published one is not
//! collected again.
//!
//! ```text
//! cargo run --example json_api_stream -- --config-dir examples/config --state-dir /tmp/n6-quickstart --output -
//! ```
//!
//! Config: `examples/config/60_json_api_stream.conf`, section
//! `[ExampleJsonApiStreamCollector]`. Install as n6 would name it: `cargo build --release
//! --example json_api_stream && install target/release/examples/json_api_stream
//! /usr/local/bin/n6collector_examplejsonapistream`.

use n6_collectors::StatefulCollector;
use n6_collectors::config::isotime::parse_iso_datetime_to_utc;
use n6_collectors::helpers::prelude::*;
use n6_collectors::helpers::rows::format_py_datetime;
use n6_collectors::prelude::*;
use serde_json::Value;

/// Items of an example JSON API, one `stream` message each.
#[derive(StatefulCollector)]
#[collector(source = "example-provider.json-api", raw_type = "stream", download)]
#[config_spec(
    r#"
    url :: str
    checkpoint_every = 100 :: int
"#
)]
pub struct ExampleJsonApiStreamCollector {
    config: ExampleJsonApiStreamCollectorConfig,
    #[state]
    state: LastUtc,
    /// Items published since the last checkpoint.
    since_checkpoint: i64,
}

/// The state: the time of the newest item published (`YYYY-MM-DD HH:MM:SS`, UTC).
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUtc {
    /// `None` before the first item.
    pub last_utc: Option<String>,
}

/// One item of the API, with its normalised time.
pub struct Item {
    time_utc: String,
    json: Value,
}

impl TwoPhaseCollector for ExampleJsonApiStreamCollector {
    type Pile = Vec<Item>;
    type Item = Item;
    type Items = Vec<Item>;

    fn obtain_input_pile(&mut self) -> Result<Option<Vec<Item>>> {
        let url = query_url(&self.config.url, self.state.last_utc.as_deref());
        let data = self.download(&url)?;
        let answer: Value = serde_json::from_slice(&data).or_bad_data(&url)?;
        let Some(items) = answer.get("items").and_then(Value::as_array) else {
            return Err(Error::bad_data(format!(
                "{url}: no \"items\" list in the answer"
            )));
        };
        let mut pile = Vec::new();
        for json in items {
            let time_utc = item_time(json)?;
            if self
                .state
                .last_utc
                .as_ref()
                .is_none_or(|last| time_utc > *last)
            {
                pile.push(Item {
                    time_utc,
                    json: json.clone(),
                });
            }
        }
        pile.sort_by(|a, b| a.time_utc.cmp(&b.time_utc));
        Ok((!pile.is_empty()).then_some(pile))
    }

    fn items(&mut self, pile: Vec<Item>) -> Result<Vec<Item>> {
        Ok(pile)
    }

    fn output_body(&mut self, item: &Item) -> Result<Vec<u8>> {
        serde_json::to_vec(&item.json).map_err(Error::bug)
    }

    fn after_item_published(&mut self, item: Item) -> Result<AfterItem> {
        self.state.last_utc = Some(item.time_utc);
        self.since_checkpoint += 1;
        if self.config.checkpoint_every > 0 && self.since_checkpoint >= self.config.checkpoint_every
        {
            self.since_checkpoint = 0;
            return Ok(AfterItem::Checkpoint);
        }
        Ok(AfterItem::Continue)
    }
}

impl Collect for ExampleJsonApiStreamCollector {
    fn collect(&mut self, out: &mut Output<'_, LastUtc>) -> Result<()> {
        collect_two_phase(self, out)
    }
}

/// `url?only_newer_than=<last_utc>` for HTTP(S) URLs (nothing added to `file://` URLs).
pub fn query_url(url: &str, last_utc: Option<&str>) -> String {
    match last_utc {
        Some(last) if !url.starts_with("file://") => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}only_newer_than={}", last.replace(' ', "%20"))
        }
        _ => url.to_owned(),
    }
}

/// The item's `time_utc` as `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC).
fn item_time(item: &Value) -> Result<String> {
    let raw = item
        .get("time_utc")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::bad_data(format!("an item without a \"time_utc\" string: {item}")))?;
    let time = parse_iso_datetime_to_utc(raw).or_bad_data(format!("the \"time_utc\" of {item}"))?;
    Ok(format_py_datetime(time))
}

#[allow(dead_code)] // also compiled into tests/examples/json_api_stream.rs
fn main() -> std::process::ExitCode {
    n6_collectors::run::<ExampleJsonApiStreamCollector>()
}
