//! n6's `AbuseChUrlhausPayloadSamplesCollector` (`n6datasources.collectors.abuse_ch`):
//! URLhaus' recent malware samples, one `file` (`application/octet-stream`) message each
//! to n6's `sample` exchange.
//!
//! As n6: the recent payloads' summaries (`GET payload_summaries_url`, JSON with
//! `payloads`), then for each payload not seen in the last days, until
//! `samples_per_run` are collected: its info (`POST payload_info_url` with the form
//! `sha256_hash=<hash>`; skipped with a warning unless JSON with `query_status` `ok`),
//! and the sample itself (the member named by its hash in the ZIP at
//! `payload_dl_url` joined with the hash; skipped with a warning when that fails). Its
//! `headers.meta`: `tlp: white`, the info's `md5_hash`, `sha256_hash`, `signature`,
//! `firstseen`, `lastseen` (each when present and not null), and `url`, the URL of its
//! earliest-seen URL (by `firstseen`, then `url_id`). All samples are published after
//! they were all obtained; each carries the `http_last_modified` of the run's last
//! download, as in n6.
//!
//! The state: the hashes collected per day (`{date: set(hash)}` in n6's pickle), the
//! days older than four days before today dropped at the start of every run (and that
//! saved at once, as n6 does).

use std::collections::{BTreeMap, BTreeSet};

use n6_collectors::helpers::archive::{self, Limits};
use n6_collectors::helpers::download::{DownloadConfig, DownloadSettings};
use n6_collectors::pickle::PyValue;
use n6_collectors::prelude::*;
use serde_json::Value as Json;

use crate::fetch;

/// How many days before today the state keeps (n6's `days_to_keep`).
pub const DAYS_TO_KEEP: i64 = 4;

/// The meta headers taken from a payload's info, in n6's order
/// (`SAMPLE_EXCHANGE_META_HEADER_KEYS`).
pub const META_HEADER_KEYS: [&str; 5] = [
    "md5_hash",
    "sha256_hash",
    "signature",
    "firstseen",
    "lastseen",
];

/// The hashes of the payloads collected, per day (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SamplesState(pub BTreeMap<String, BTreeSet<String>>);

impl SamplesState {
    /// n6's `_maintain_state`: drops the days before `today - 4 days`, makes sure
    /// `today` is there.
    pub fn maintain(&mut self, today: time::Date) {
        let oldest = (today - time::Duration::days(DAYS_TO_KEEP)).to_string();
        self.0.retain(|day, _| *day >= oldest);
        self.0.entry(today.to_string()).or_default();
    }

    /// n6's `_should_payload_be_processed`: not collected on any day kept.
    pub fn is_new(&self, hash: &str) -> bool {
        !self.0.values().any(|hashes| hashes.contains(hash))
    }
}

/// The state as n6's Python value: `{datetime.date: set(str)}`.
pub fn python_form(state: &ciborium::Value) -> Result<PyValue, String> {
    let ciborium::Value::Map(days) = state else {
        return Err(format!("expected a map of days, found {state:?}"));
    };
    let mut dict = Vec::new();
    for (day, hashes) in days {
        let ciborium::Value::Text(day) = day else {
            return Err(format!("a day that is not text: {day:?}"));
        };
        let date = time::Date::parse(day, &time::format_description::well_known::Iso8601::DATE)
            .map_err(|e| format!("not a date: {day:?}: {e}"))?;
        let ciborium::Value::Array(hashes) = hashes else {
            return Err(format!("the hashes of {day} are not a list"));
        };
        let set = hashes
            .iter()
            .map(|h| match h {
                ciborium::Value::Text(t) => Ok(PyValue::Str(t.clone())),
                other => Err(format!("a hash that is not text: {other:?}")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        dict.push((
            PyValue::Date {
                year: u16::try_from(date.year()).map_err(|e| e.to_string())?,
                month: u8::from(date.month()),
                day: date.day(),
            },
            PyValue::Set(set),
        ));
    }
    Ok(PyValue::Dict(dict))
}

/// n6's `AbuseChUrlhausPayloadSamplesCollector`: `abuse-ch.urlhaus-payload-samples`,
/// exchange `sample`.
#[derive(StatefulCollector)]
#[collector(
    source = "abuse-ch.urlhaus-payload-samples",
    raw_type = "file",
    content_type = "application/octet-stream",
    state_file = "n6datasources.collectors.abuse_ch.AbuseChUrlhausPayloadSamplesCollector.cbor",
    download
)]
#[config_spec(
    r#"
    payload_summaries_url :: str
    payload_info_url :: str
    payload_dl_url :: str
    samples_per_run :: int
    max_samples_in_memory :: int
"#
)]
pub struct AbuseChUrlhausPayloadSamplesCollector {
    config: AbuseChUrlhausPayloadSamplesCollectorConfig,
    /// The payloads collected per day.
    #[state(default = SamplesState::default())]
    state: SamplesState,
}

/// Python's `urljoin(base, name)` for a relative `name` without `/`, `?` or `#`: `name`
/// replaces what follows the last `/` of `base`'s path.
pub fn urljoin(base: &str, name: &str) -> String {
    let base = base.split(['?', '#']).next().unwrap_or(base);
    let path_start = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j));
    match path_start {
        Some(_) => {
            let cut = base.rfind('/').map_or(base.len(), |i| i + 1);
            format!("{}{name}", &base[..cut])
        }
        None => format!("{base}/{name}"),
    }
}

/// Python's `<` between two JSON values of the same kind, for `sorted(...)`; other
/// pairs cannot be compared (n6 raises `TypeError`).
fn py_cmp(a: &Json, b: &Json) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Json::String(a), Json::String(b)) => Some(a.cmp(b)),
        (Json::Number(a), Json::Number(b)) => a.as_f64()?.partial_cmp(&b.as_f64()?),
        (Json::Bool(a), Json::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// n6's `_get_firstseen_url`: the `url` of the info's `urls` entry first by
/// `(firstseen, url_id)`; none without entries.
pub fn firstseen_url(info: &Json) -> Result<Option<Json>> {
    let events = match info.get("urls") {
        Some(Json::Array(events)) if !events.is_empty() => events,
        Some(Json::Array(_) | Json::Null) | None => return Ok(None),
        Some(other) => {
            return Err(Error::bad_data(format!(
                "a payload info's `urls` is not a list: {other}"
            )));
        }
    };
    let key = |event: &Json| -> Result<(Json, Json)> {
        let field = |name: &str| {
            event.get(name).cloned().ok_or_else(|| {
                Error::bad_data(format!(
                    "a payload info's URL entry without `{name}`: {event}"
                ))
            })
        };
        Ok((field("firstseen")?, field("url_id")?))
    };
    let mut first = &events[0];
    let mut first_key = key(first)?;
    for event in &events[1..] {
        let k = key(event)?;
        // Python's tuple `<`: url_id decides only between equal firstseen values.
        let order = match py_cmp(&k.0, &first_key.0) {
            Some(std::cmp::Ordering::Equal) => py_cmp(&k.1, &first_key.1),
            other => other,
        };
        match order {
            Some(std::cmp::Ordering::Less) => {
                first = event;
                first_key = k;
            }
            Some(_) => {}
            None => {
                return Err(Error::bad_data(format!(
                    "payload info URL entries that cannot be ordered by firstseen: {event}"
                )));
            }
        }
    }
    match first.get("url") {
        Some(url) => Ok(Some(url.clone())),
        None => Err(Error::bad_data(format!(
            "a payload info's URL entry without `url`: {first}"
        ))),
    }
}

/// Python's truth value of a JSON value (`if firstseen_url:`).
fn truthy(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64() != Some(0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
    }
}

/// n6's `_obtain_meta_headers`: `tlp`, the info's keys of [`META_HEADER_KEYS`] (each
/// when present and not null, else a warning), `url`.
pub fn meta_headers(hash: &str, info: &Json) -> Result<HeaderTable> {
    let mut meta = HeaderTable::default();
    meta.insert("tlp", HeaderValue::Str("white".into()));
    for key in META_HEADER_KEYS {
        match info.get(key) {
            Some(Json::Null) => tracing::warn!(
                "Value for meta header key {key:?} is null (concerns payload with sha256_hash={hash:?})"
            ),
            Some(value) => meta.insert(key, HeaderValue::from_json(value)),
            None => tracing::warn!(
                "Missing value for meta header key {key:?} (concerns payload with sha256_hash={hash:?})"
            ),
        }
    }
    if let Some(url) = firstseen_url(info)?
        && truthy(&url)
    {
        meta.insert("url", HeaderValue::from_json(&url));
    }
    Ok(meta)
}

/// One sample ready to publish.
struct Sample {
    body: Vec<u8>,
    meta: HeaderTable,
}

impl AbuseChUrlhausPayloadSamplesCollector {
    /// n6's `_get_samples_per_run`: 1..=1000.
    fn samples_per_run(&self) -> Result<usize> {
        let n = self.config.samples_per_run;
        if !(1..=1000).contains(&n) {
            return Err(Error::Config(vec![format!(
                "`samples_per_run` should be in range 1-1000, not {n}"
            )]));
        }
        usize::try_from(n).map_err(|e| Error::Bug(e.to_string()))
    }

    /// The recent payloads' summaries (`data['payloads']`).
    fn summaries(&self, downloads: &mut Downloads) -> Result<Vec<Json>> {
        let body = downloads.send(fetch::request("GET", &self.config.payload_summaries_url))?;
        let data: Json = serde_json::from_slice(&body)
            .map_err(|e| Error::bad_data(format!("the payload summaries are not JSON: {e}")))?;
        match data.get("payloads") {
            Some(Json::Array(payloads)) => Ok(payloads.clone()),
            Some(other) => Err(Error::bad_data(format!(
                "the payload summaries' `payloads` is not a list: {other}"
            ))),
            None => Err(Error::bad_data("the payload summaries have no `payloads`")),
        }
    }

    /// n6's `_obtain_payload_info_dict` after the state check: the info, or none (with
    /// a warning).
    fn info(&self, downloads: &mut Downloads, hash: &str) -> Option<Json> {
        let form = crate::urls::urlencode(&[("sha256_hash", hash)]);
        let request = fetch::request("POST", &self.config.payload_info_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form);
        let answer = match downloads.send(request) {
            Ok(answer) => answer,
            Err(e) => {
                tracing::warn!("Could not get payload info ({e}). Payload name: {hash:?}.");
                return None;
            }
        };
        let info: Json = match serde_json::from_slice(&answer) {
            Ok(info) => info,
            Err(e) => {
                tracing::warn!(
                    "Skipping the payload because of weird/unexpected problem with its info dict ({e}). Payload name: {hash:?}."
                );
                return None;
            }
        };
        match info.get("query_status") {
            Some(Json::String(status)) if status == "ok" => Some(info),
            Some(status) => {
                tracing::warn!(
                    "Skipping the payload because of invalid `query_status` in its info dict: {status}. Payload name: {hash:?}."
                );
                None
            }
            None => {
                tracing::warn!(
                    "Skipping the payload because of weird/unexpected problem with its info dict (no `query_status`). Payload name: {hash:?}."
                );
                None
            }
        }
    }

    /// n6's `_obtain_payload_sample`: the ZIP's member named `hash`, or none (with a
    /// warning).
    fn sample(&self, downloads: &mut Downloads, hash: &str) -> Option<Vec<u8>> {
        let url = urljoin(&self.config.payload_dl_url, hash);
        let result = downloads
            .send(fetch::request("GET", &url))
            .and_then(|zip| Ok(archive::unzip_member(&zip, hash, Limits::default())?));
        match result {
            Ok(sample) => Some(sample),
            Err(e) => {
                tracing::warn!("Could not obtain payload sample ({e}). Payload name: {hash:?}.");
                None
            }
        }
    }
}

/// The run's downloads, remembering `http_last_modified` of the most recent successful
/// one (n6's `_http_last_modified`).
struct Downloads {
    settings: DownloadSettings,
    last_meta: HeaderTable,
}

impl Downloads {
    fn send(&mut self, request: n6_collectors::helpers::download::Request) -> Result<Vec<u8>> {
        let (body, meta) = fetch::send(self.settings.clone(), request)?;
        self.last_meta = meta;
        Ok(body)
    }
}

impl Collect for AbuseChUrlhausPayloadSamplesCollector {
    fn collect(&mut self, out: &mut Output<'_, SamplesState>) -> Result<()> {
        let samples_per_run = self.samples_per_run()?;
        let today = out.clock().today();
        self.state.maintain(today);
        out.checkpoint(&self.state)?;
        let mut downloads = Downloads {
            settings: self.download_settings()?,
            last_meta: HeaderTable::default(),
        };
        let mut samples: Vec<Sample> = Vec::new();
        let mut collected: BTreeSet<String> = BTreeSet::new();
        for summary in self.summaries(&mut downloads)? {
            if samples.len() >= samples_per_run {
                break;
            }
            let Some(Json::String(hash)) = summary.get("sha256_hash") else {
                return Err(Error::bad_data(format!(
                    "a payload summary without a `sha256_hash` string: {summary}"
                )));
            };
            tracing::info!("Processing payload: {hash:?}");
            if !self.state.is_new(hash) || collected.contains(hash) {
                continue;
            }
            let Some(info) = self.info(&mut downloads, hash) else {
                continue;
            };
            let Some(body) = self.sample(&mut downloads, hash) else {
                continue;
            };
            let meta = meta_headers(hash, &info)?;
            collected.insert(hash.clone());
            samples.push(Sample { body, meta });
        }
        if samples.is_empty() {
            tracing::info!("nothing to publish");
            return Ok(());
        }
        for sample in samples {
            // n6: `http_last_modified` of the run's last download first, then the
            // sample's own headers.
            let mut meta = downloads.last_meta.clone();
            for (key, value) in sample.meta.0 {
                meta.insert(key, value);
            }
            out.message(sample.body)
                .exchange("sample")
                .meta(meta)
                .publish()?;
        }
        if let Some(day) = self.state.0.get_mut(&today.to_string()) {
            day.extend(collected);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urljoin_as_python() {
        assert_eq!(
            urljoin("https://urlhaus-api.abuse.ch/v1/download/", "ab12"),
            "https://urlhaus-api.abuse.ch/v1/download/ab12"
        );
        assert_eq!(
            urljoin("https://h.example/v1/download", "ab12"),
            "https://h.example/v1/ab12"
        );
        assert_eq!(
            urljoin("https://h.example", "ab12"),
            "https://h.example/ab12"
        );
    }

    #[test]
    fn the_state_keeps_four_days_before_today() {
        let day = |s: &str| {
            time::Date::parse(s, &time::format_description::well_known::Iso8601::DATE)
                .expect("date")
        };
        let mut state = SamplesState::default();
        for (d, h) in [
            ("2024-01-01", "old"),
            ("2024-01-06", "kept"),
            ("2024-01-10", "today"),
        ] {
            state.0.entry(d.into()).or_default().insert(h.into());
        }
        state.maintain(day("2024-01-10"));
        assert_eq!(
            state.0.keys().collect::<Vec<_>>(),
            ["2024-01-06", "2024-01-10"]
        );
        assert!(state.is_new("old") && !state.is_new("kept"));
        state.maintain(day("2024-01-11"));
        assert!(state.0.contains_key("2024-01-11"));
    }

    #[test]
    fn meta_headers_in_n6s_order_with_the_earliest_url() {
        let info = serde_json::json!({
            "query_status": "ok",
            "md5_hash": "m",
            "sha256_hash": "s",
            "signature": null,
            "firstseen": "2024-01-01 00:00:00",
            "urls": [
                {"url_id": "9", "url": "http://b.example/", "firstseen": "2024-01-02"},
                {"url_id": "7", "url": "http://a.example/", "firstseen": "2024-01-01"},
                {"url_id": "8", "url": "http://c.example/", "firstseen": "2024-01-01"}
            ]
        });
        let meta = meta_headers("s", &info).expect("meta");
        let keys: Vec<&str> = meta.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["tlp", "md5_hash", "sha256_hash", "firstseen", "url"]);
        assert_eq!(
            meta.get("url"),
            Some(&HeaderValue::Str("http://a.example/".into()))
        );
        let no_urls = serde_json::json!({"urls": []});
        assert!(
            meta_headers("s", &no_urls)
                .expect("meta")
                .get("url")
                .is_none()
        );
        let mixed = serde_json::json!({"urls": [
            {"url_id": "1", "url": "u", "firstseen": "x"},
            {"url_id": "2", "url": "v", "firstseen": 5}
        ]});
        assert_eq!(
            meta_headers("s", &mixed).expect_err("no order").exit_code(),
            65
        );
    }

    #[test]
    fn the_python_form_is_a_dict_of_dates_to_sets() {
        let mut state = SamplesState::default();
        state
            .0
            .entry("2024-01-10".into())
            .or_default()
            .insert("ab".into());
        let cbor = ciborium::Value::serialized(&state).expect("cbor");
        assert_eq!(
            python_form(&cbor).expect("form"),
            PyValue::Dict(vec![(
                PyValue::Date {
                    year: 2024,
                    month: 1,
                    day: 10
                },
                PyValue::Set(vec![PyValue::Str("ab".into())])
            )])
        );
    }
}
