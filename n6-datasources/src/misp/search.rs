//! The event search n6's `MispCollector._fetch_misp_events` makes through PyMISP 2.4.119
//! (`PyMISP.search(last=...)`): `POST urljoin(misp_url, 'events/restSearch')` with the
//! JSON body `{"last": "<minutes>m", "returnFormat": "json"}` and PyMISP's headers
//! (`Authorization: <misp_key>`, `Accept` and `Content-Type: application/json`), one
//! attempt, redirects followed (as `requests` follows them for PyMISP); the
//! answer's `response` list (a bare list counts as one, as PyMISP wraps it) is the
//! events, an empty or missing one "no events".
//!
//! Unlike PyMISP, an answer that is an error (HTTP ≥ 400, or `errors` without a
//! `response`) fails the run: n6 takes it for "no new events" and moves its events time
//! past them, losing them.

use n6_collectors::error::Problem;
use n6_collectors::helpers::download::{DownloadSettings, Downloader, Request};
use n6_collectors::helpers::pyjson::{self, JsonError, PyJson};
use n6_collectors::prelude::*;

use super::state::NaiveUtc;
use super::urljoin::urljoin;
use crate::fetch;

/// n6's `_LAST_TIME_LEEWAY_MINUTES`.
pub const LEEWAY_MINUTES: f64 = 15.0;

/// The User-Agent PyMISP 2.4.119.1 sends (its Python version part is n6's Python 3.11).
pub const USER_AGENT: &str = "PyMISP 2.4.119.1 - Python 3.11.0";

/// n6's `_get_misp_search_arg_last`: the minutes from `since` to `now` plus the
/// leeway, formatted as Python's `f'{minutes:.0f}m'` (round half to even).
pub fn search_arg_last(now: NaiveUtc, since: NaiveUtc) -> String {
    let micros = (now.0 - since.0).whole_microseconds();
    // `timedelta.total_seconds()`: the microseconds divided by 10**6, correctly rounded.
    #[allow(clippy::cast_precision_loss)]
    let seconds = micros as f64 / 1e6;
    let minutes = seconds / 60.0 + LEEWAY_MINUTES;
    format!("{minutes:.0}m")
}

/// `urljoin(misp_url, 'events/restSearch')`.
pub fn search_url(misp_url: &str) -> String {
    urljoin(misp_url, "events/restSearch")
}

/// The search request for `last` (before the harness redirect).
pub fn search_request(misp_url: &str, misp_key: &str, last: &str) -> Request {
    let body = format!(
        "{{\"last\": {}, \"returnFormat\": \"json\"}}",
        pyjson::dumps(&PyJson::Str(last.to_owned()))
    );
    fetch::request("POST", &search_url(misp_url))
        .body(body.into_bytes())
        .header("Authorization", misp_key)
        .header("Accept", "application/json")
        .header("content-type", "application/json")
        .header("User-Agent", USER_AGENT)
        // One attempt, redirects followed: `requests.Session.send` as PyMISP calls it.
        .retries(0)
        .follow_redirects(true)
}

/// The events of one search since `since`; `None` when there are none (n6's
/// `_fetch_misp_events`).
pub fn fetch_events(
    settings: &DownloadSettings,
    misp_url: &str,
    misp_key: &str,
    now: NaiveUtc,
    since: NaiveUtc,
) -> Result<Option<Vec<PyJson>>> {
    let last = search_arg_last(now, since);
    tracing::info!("searching the MISP events of the last {last} (since {since})");
    let url = search_url(misp_url);
    let what = format!("MISP event search at {url}");
    // `base_request_headers` are n6's headers of sample downloads; PyMISP sends its own.
    let mut settings = settings.clone();
    settings.base_request_headers.clear();
    let body = Downloader::new(settings)
        .try_download(search_request(misp_url, misp_key, &last))
        .map_err(|e| Error::SourceUnavailable(Problem::caused_by(&what, e)))?;
    events_of_answer(&body).map_err(|e| match e {
        // MISP said no: as unavailable as an HTTP error status.
        SearchError::Refused { .. } => Error::SourceUnavailable(Problem::caused_by(&what, e)),
        _ => Error::BadData(Problem::caused_by(&what, e)),
    })
}

/// Why a search answer gives no events.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// An empty body (PyMISP's `PyMISPEmptyResponse`).
    #[error("the server returned an empty response")]
    Empty,
    /// Not JSON (PyMISP's `PyMISPError`).
    #[error("the answer is not JSON")]
    NotJson(#[source] JsonError),
    /// A JSON object with `errors` (or `error`) and no `response`.
    #[error("the server answered with {key}: {errors}")]
    Refused {
        /// `errors` or `error`.
        key: &'static str,
        /// Their JSON text.
        errors: String,
    },
    /// `response` (or the whole answer) is not a list of events.
    #[error("not a list of events: {0}")]
    NotAList(String),
}

/// The events of a search answer's body (see the module docs).
pub fn events_of_answer(body: &[u8]) -> std::result::Result<Option<Vec<PyJson>>, SearchError> {
    if body.is_empty() {
        return Err(SearchError::Empty);
    }
    let answer = pyjson::loads(body).map_err(SearchError::NotJson)?;
    let response = match &answer {
        PyJson::Array(_) | PyJson::Str(_) => Some(&answer),
        PyJson::Object(object) => match object.get("response") {
            Some(response) => Some(response),
            None => {
                for key in ["errors", "error"] {
                    if let Some(errors) = object.get(key).filter(|e| truthy(e)) {
                        return Err(SearchError::Refused {
                            key,
                            errors: pyjson::dumps(errors),
                        });
                    }
                }
                None
            }
        },
        _ => return Err(SearchError::NotAList(pyjson::dumps(&answer))),
    };
    match response {
        None => Ok(None),
        Some(r) if !truthy(r) => Ok(None),
        Some(PyJson::Array(events)) => Ok(Some(events.clone())),
        Some(other) => Err(SearchError::NotAList(pyjson::dumps(other))),
    }
}

/// Python's truth value of a JSON value.
fn truthy(value: &PyJson) -> bool {
    match value {
        PyJson::Null => false,
        PyJson::Bool(b) => *b,
        PyJson::Int(i) => i.as_decimal() != "0",
        PyJson::Float(f) => *f != 0.0,
        PyJson::Str(s) => !s.is_empty(),
        PyJson::Array(items) => !items.is_empty(),
        PyJson::Object(object) => !object.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveUtc {
        NaiveUtc::parse(text).expect("parse")
    }

    #[test]
    fn last_is_n6s_minutes_with_leeway() {
        let now = at("2017-02-20T12:00:00");
        assert_eq!(search_arg_last(now, at("2017-01-31T12:00:00")), "28815m");
        assert_eq!(search_arg_last(now, at("2017-02-09T12:00:00")), "15855m");
        assert_eq!(search_arg_last(now, at("2017-02-18T12:00:00")), "2895m");
        // Half a minute rounds to even, as Python's format does.
        assert_eq!(search_arg_last(now, at("2017-02-20T11:58:30")), "16m");
        assert_eq!(search_arg_last(now, at("2017-02-20T11:57:30")), "18m");
    }

    #[test]
    fn answers_as_pymisp_reads_them() {
        let events = events_of_answer(br#"{"response": [{"Event": {"id": "1"}}]}"#).expect("ok");
        assert_eq!(events.map(|e| e.len()), Some(1));
        assert_eq!(
            events_of_answer(br#"[{"Event": {}}]"#)
                .expect("ok")
                .map(|e| e.len()),
            Some(1)
        );
        assert_eq!(events_of_answer(br#"{"response": []}"#).expect("ok"), None);
        assert_eq!(events_of_answer(b"[]").expect("ok"), None);
        assert!(matches!(
            events_of_answer(br#"{"errors": ["Authentication failed."]}"#),
            Err(SearchError::Refused { key: "errors", .. })
        ));
        assert!(matches!(
            events_of_answer(b"<html>"),
            Err(SearchError::NotJson(_))
        ));
        assert!(matches!(events_of_answer(b""), Err(SearchError::Empty)));
        assert!(matches!(
            events_of_answer(br#"{"response": {"Event": {}}}"#),
            Err(SearchError::NotAList(_))
        ));
    }

    #[test]
    fn the_request_is_pymisps() {
        assert_eq!(
            search_url("https://misp.example/"),
            "https://misp.example/events/restSearch"
        );
        let debug = format!(
            "{:?}",
            search_request("https://misp.example", "KEY", "28815m")
        );
        let body = br#"{"last": "28815m", "returnFormat": "json"}"#.to_vec();
        for part in [
            "\"POST\"".to_owned(),
            "\"https://misp.example/events/restSearch\"".to_owned(),
            "(\"Authorization\", \"KEY\")".to_owned(),
            "(\"content-type\", \"application/json\")".to_owned(),
            format!("{body:?}"),
        ] {
            assert!(debug.contains(&part), "{part} not in {debug}");
        }
    }
}
