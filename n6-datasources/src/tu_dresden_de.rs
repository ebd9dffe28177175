//! n6's `n6datasources.collectors.tu_dresden_de`: open DNS resolvers found by TU
//! Dresden's ODNS project, fetched page by page from its API (POST, JSON), published as
//! one JSON list of the entries newer than the state.
//!
//! As n6's `TuDresdenDeResolversCollector`, except (see docs/n6-differences.md): the
//! first run (no state) records the newest entry time, so later runs publish only newer
//! entries (n6 never sets it and republishes everything on every run), and a run with
//! nothing new publishes nothing (n6 publishes the body `null`).

use n6_collectors::helpers::download::Request;
use n6_collectors::prelude::*;

use crate::fetch;
use n6_collectors::helpers::pyjson::{self, PyJson as Json, PyObject};

/// n6's `TuDresdenDeResolversCollector`: `tu-dresden-de.resolvers` (`file`, `application/json`).
#[derive(StatefulCollector)]
#[collector(
    source = "tu-dresden-de.resolvers",
    raw_type = "file",
    content_type = "application/json",
    state_file = "n6datasources.collectors.tu_dresden_de.TuDresdenDeResolversCollector.cbor",
    download
)]
#[config_spec(
    r#"
    url :: str
    api_key :: str
    entries_per_page :: int
    queried_protocol :: str
    quired_ip_country :: str
    sort_field :: str
"#
)]
pub struct TuDresdenDeResolversCollector {
    config: TuDresdenDeResolversCollectorConfig,
    /// n6's state: `None`, or the newest entry time published.
    #[state(default = None)]
    state: Option<NewestEntry>,
}

/// `{'newest_event_stored_time': 'YYYY-MM-DDTHH:MM:SS'}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewestEntry {
    /// The `timestamp_request` of the newest entry published, without fraction and zone.
    pub newest_event_stored_time: String,
}

/// An entry's time as n6 compares them: `timestamp_request` parsed and formatted
/// `%Y-%m-%dT%H:%M:%S` (fraction and zone dropped).
pub fn entry_time(entry: &Json) -> Result<String> {
    let Some(Json::Str(raw)) = entry.get("timestamp_request") else {
        return Err(Error::bad_data(
            "a DNS entry without a timestamp_request string",
        ));
    };
    let b = raw.trim().as_bytes();
    let shape = b"dddd-dd-ddTdd:dd:dd";
    let ok = b.len() >= shape.len()
        && shape.iter().zip(b).all(|(s, c)| match s {
            b'd' => c.is_ascii_digit(),
            b'T' => *c == b'T' || *c == b' ',
            s => s == c,
        });
    if !ok {
        return Err(Error::bad_data(format!(
            "unsupported timestamp_request {raw:?}"
        )));
    }
    let mut t = raw.trim()[..19].to_owned();
    t.replace_range(10..11, "T");
    Ok(t)
}

impl TuDresdenDeResolversCollector {
    fn page_request(&self, page: i64) -> Request {
        let payload = PyObject::new()
            .with(
                "pagination",
                PyObject::new()
                    .with("page", page)
                    .with("per_page", self.config.entries_per_page),
            )
            .with(
                "filter",
                PyObject::new()
                    .with("protocol", self.config.queried_protocol.as_str())
                    .with("queried_ip_country", self.config.quired_ip_country.as_str()),
            )
            .with(
                "sort",
                PyObject::new()
                    .with("field", self.config.sort_field.as_str())
                    .with("order", "desc"),
            );
        fetch::request("POST", &self.config.url)
            .header("Content-Type", "application/json")
            .header("accept", "text/plain")
            .header("X-API-KEY", self.config.api_key.clone())
            .body(pyjson::dumps(&Json::from(payload)))
    }
}

impl Collect for TuDresdenDeResolversCollector {
    fn collect(&mut self, out: &mut Output<'_, Option<NewestEntry>>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let mut entries: Vec<Json> = Vec::new();
        let mut meta = HeaderTable::default();
        for page in 1.. {
            let (body, page_meta) = fetch::send(settings.clone(), self.page_request(page))?;
            meta = page_meta;
            let text = String::from_utf8(body)
                .map_err(|e| Error::bad_data(format!("the API answer is not UTF-8: {e}")))?;
            let answer = pyjson::loads_str(&text).map_err(Error::bad_data)?;
            let Some(Json::Array(page_entries)) = answer.get("dnsEntries") else {
                return Err(Error::bad_data("the API answer has no dnsEntries list"));
            };
            let got = page_entries.len();
            entries.extend(page_entries.iter().cloned());
            let total = match answer.get("metaData").and_then(|m| m.get("total")) {
                Some(Json::Int(n)) => n.as_decimal().parse::<usize>().unwrap_or(0),
                _ => return Err(Error::bad_data("the API answer has no metaData.total")),
            };
            if total <= entries.len() || got == 0 {
                break;
            }
        }
        let (Some(newest), Some(oldest)) = (entries.first(), entries.last()) else {
            tracing::info!("no DNS entries");
            return Ok(());
        };
        let newest = entry_time(newest)?;
        let oldest = entry_time(oldest)?;
        let fresh: Vec<Json> = match &self.state {
            Some(state) if state.newest_event_stored_time >= newest => {
                tracing::info!("nothing new since {}", state.newest_event_stored_time);
                return Ok(());
            }
            Some(state) if state.newest_event_stored_time > oldest => {
                let mut fresh = Vec::new();
                for entry in entries {
                    if entry_time(&entry)? > state.newest_event_stored_time {
                        fresh.push(entry);
                    }
                }
                fresh
            }
            _ => entries,
        };
        out.publish_with_meta(pyjson::dumps(&Json::Array(fresh)), meta)?;
        self.state = Some(NewestEntry {
            newest_event_stored_time: newest,
        });
        Ok(())
    }
}
