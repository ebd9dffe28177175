//! MISP's recorded calls as what the port's HTTP exchange receives.
//!
//! n6's MISP test cases record above HTTP: `_fetch_misp_events(since)` (the list of
//! events PyMISP's search returned, or `None`) and `_download_sample(url)` (the sample's
//! bytes, or the exception it raised). The port speaks HTTP itself, so each recorded call
//! becomes one answer of the stub, in order, and each answer checks the request it gets:
//!
//! * `_fetch_misp_events(since)` → `POST <misp_url path>/events/restSearch` whose JSON
//!   body must be PyMISP's `{"last": "<minutes>m", "returnFormat": "json"}`, the minutes
//!   computed from `since` and the case's clock as n6's `_get_misp_search_arg_last`
//!   does (`(now - since)` in minutes plus 15, rounded half to even); the answer is
//!   MISP's `{"response": [...]}` (`None`: an empty list); a search that raised is a
//!   `500` (and a SIGINT for a `KeyboardInterrupt`), which fails the port's run;
//! * `_download_sample(url)` returning bytes → `GET` of that URL's path, `200` with the
//!   bytes, and the request must carry `Authorization: <misp_key>`;
//! * `_download_sample` raising `SampleDownloadFailure` → `404` (a non-retryable HTTP
//!   error: n6 gives the sample up at once);
//! * raising `KeyboardInterrupt` → the stub sends the process SIGINT before it answers
//!   (`500`), as a Ctrl-C in the middle of that download;
//! * raising anything else (n6's test raises `ZeroDivisionError`: a bug of the code, no
//!   HTTP outcome) → SIGTERM before answering: the run is ended from outside at that
//!   point, so that, as in n6, nothing after it is published or saved and the run fails.
//!
//! A request after the last recorded call is a mismatch (n6 made no such call).

use std::path::Path;

use serde_json::Value;

use crate::stub::Answer;

/// What one answer expects of its request, and what happens before it is sent.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The method the request must use.
    pub method: Option<&'static str>,
    /// The JSON body it must carry (compared as text: key order matters, as PyMISP's
    /// `json.dumps`).
    pub json_body: Option<String>,
    /// A header it must carry (name, value).
    pub header: Option<(&'static str, String)>,
    /// A signal the stub sends to its own process before answering.
    pub signal: Option<i32>,
    /// No call was recorded for this request.
    pub unrecorded: bool,
}

impl Expect {
    /// What is wrong with a request `method target` carrying `headers` and `body`.
    pub fn mismatches(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Vec<String> {
        let mut out = Vec::new();
        if self.unrecorded {
            out.push(format!("{method} {target}: n6 made no further call"));
            return out;
        }
        if let Some(want) = self.method
            && want != method
        {
            out.push(format!("{method} {target}: n6's call is a {want}"));
        }
        if let Some(want) = &self.json_body
            && want.as_bytes() != body
        {
            out.push(format!(
                "{method} {target}: body {:?}, n6's search sends {want:?}",
                String::from_utf8_lossy(body)
            ));
        }
        if let Some((name, want)) = &self.header
            && !headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case(name) && v == want)
        {
            out.push(format!("{method} {target}: no header {name}: {want}"));
        }
        out
    }

    /// Sends the signal, if any (to the calling thread, so that it is handled before
    /// the answer goes out).
    pub fn before_answer(&self) {
        if let Some(signal) = self.signal {
            // SAFETY: `raise` only sends a signal to the calling thread.
            unsafe { libc::raise(signal) };
        }
    }
}

/// `now_utc` of the case's `clock.json`.
fn now_of(fixture: &Path) -> Result<time::PrimitiveDateTime, String> {
    let text = std::fs::read_to_string(fixture.join("clock.json"))
        .map_err(|e| format!("clock.json: {e}"))?;
    let clock: Value = serde_json::from_str(&text).map_err(|e| format!("clock.json: {e}"))?;
    let now = clock["now_utc"].as_str().ok_or("clock.json: no now_utc")?;
    naive(now)
}

fn naive(text: &str) -> Result<time::PrimitiveDateTime, String> {
    let (main, micro) = match text.split_once('.') {
        Some((main, frac)) => (
            main,
            frac.parse::<u32>().map_err(|e| format!("{text}: {e}"))?,
        ),
        None => (text, 0),
    };
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(main, &format)
        .ok()
        .and_then(|t| t.replace_microsecond(micro).ok())
        .ok_or_else(|| format!("not an ISO date-time: {text:?}"))
}

/// n6's `_get_misp_search_arg_last(since)` at `now`.
fn search_last(now: time::PrimitiveDateTime, since: time::PrimitiveDateTime) -> String {
    let micros = (now - since).whole_microseconds();
    #[allow(clippy::cast_precision_loss)]
    let minutes = micros as f64 / 1_000_000.0 / 60.0 + 15.0;
    format!("{minutes:.0}m")
}

/// An option of the case's main section (named by `cmdline.json`), from `60_case.conf`.
fn option(fixture: &Path, name: &str) -> Result<String, String> {
    let conf = fixture.join("60_case.conf");
    let text = std::fs::read_to_string(&conf).map_err(|e| format!("60_case.conf: {e}"))?;
    let cmdline: Vec<String> = std::fs::read_to_string(fixture.join("cmdline.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let section = cmdline.first().ok_or("cmdline.json names no section")?;
    let mut reader = n6_collectors::config::ini::IniReader::new();
    reader.read_str(&conf, &text);
    let raw = reader
        .finish()
        .map_err(|e| format!("60_case.conf: {e:?}"))?;
    raw.sections
        .get(section)
        .and_then(|s| s.options.get(name))
        .map(|o| o.value.clone())
        .ok_or_else(|| format!("60_case.conf: no {section}.{name}"))
}

/// The path of `urljoin(misp_url, 'events/restSearch')` (what the stub sees).
fn search_path(misp_url: &str) -> String {
    let url = n6_datasources::misp::urljoin::urljoin(misp_url, "events/restSearch");
    let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
    rest.find('/')
        .map_or("/".to_owned(), |i| rest[i..].to_owned())
}

/// The answers for a MISP case (see the module docs).
pub fn answers(fixture: &Path) -> Result<Vec<Answer>, String> {
    let path = fixture.join("inputs.jsonl");
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut answers = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let call: Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        let answer = match call["method"].as_str() {
            Some("_fetch_misp_events") => {
                let since = call["args"][0]["$datetime"]
                    .as_str()
                    .ok_or_else(|| format!("{}:{}: no since datetime", path.display(), n + 1))?;
                let last = search_last(now_of(fixture)?, naive(since)?);
                let (status, body, signal) = match call["result_file"].as_str() {
                    Some(file) => {
                        // The recorded value's own text: its key order is the server's.
                        let result = std::fs::read_to_string(fixture.join(file))
                            .map_err(|e| format!("{file}: {e}"))?;
                        let events = match serde_json::from_str::<Value>(&result) {
                            Ok(Value::Null) => "[]",
                            Ok(_) => result.trim(),
                            Err(e) => return Err(format!("{file}: {e}")),
                        };
                        (
                            200,
                            format!("{{\"response\": {events}}}").into_bytes(),
                            None,
                        )
                    }
                    // The search raised: a server error, which fails the port's run too
                    // (a KeyboardInterrupt also stops it by SIGINT).
                    None => {
                        let interrupted =
                            call["raised"]["type"].as_str() == Some("builtins.KeyboardInterrupt");
                        let signal = interrupted.then_some(libc::SIGINT);
                        (
                            500,
                            b"{\"errors\": [\"recorded failure\"]}".to_vec(),
                            signal,
                        )
                    }
                };
                Answer {
                    url: Some(format!(
                        "http://misp{}",
                        search_path(&option(fixture, "misp_url")?)
                    )),
                    status,
                    body,
                    last_modified: None,
                    expect: Some(Expect {
                        method: Some("POST"),
                        signal,
                        json_body: Some(format!(
                            "{{\"last\": \"{last}\", \"returnFormat\": \"json\"}}"
                        )),
                        header: Some(("Authorization", option(fixture, "misp_key")?)),
                        ..Expect::default()
                    }),
                }
            }
            Some("_download_sample") => {
                let url = call["args"][0].as_str().map(str::to_owned);
                let get = |signal| Expect {
                    method: Some("GET"),
                    signal,
                    ..Expect::default()
                };
                let (status, body, expect) = if let Some(file) = call["result_file"].as_str() {
                    let body =
                        std::fs::read(fixture.join(file)).map_err(|e| format!("{file}: {e}"))?;
                    let mut expect = get(None);
                    expect.header = Some(("Authorization", option(fixture, "misp_key")?));
                    (200, body, expect)
                } else {
                    match call["raised"]["type"].as_str() {
                        Some("n6datasources.collectors.misp.SampleDownloadFailure") => {
                            (404, b"Not Found".to_vec(), get(None))
                        }
                        Some("builtins.KeyboardInterrupt") => {
                            (500, b"interrupted".to_vec(), get(Some(libc::SIGINT)))
                        }
                        _ => (500, b"crashed".to_vec(), get(Some(libc::SIGTERM))),
                    }
                };
                Answer {
                    url,
                    status,
                    body,
                    last_modified: None,
                    expect: Some(expect),
                }
            }
            other => {
                return Err(format!(
                    "{}:{}: unexpected MISP call {other:?}",
                    path.display(),
                    n + 1
                ));
            }
        };
        answers.push(answer);
    }
    answers.push(Answer {
        url: None,
        status: 599,
        body: b"no more recorded answers".to_vec(),
        last_modified: None,
        expect: Some(Expect {
            unrecorded: true,
            ..Expect::default()
        }),
    });
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_is_computed_from_since_and_now() {
        let now = naive("2017-02-20T12:00:00").expect("now");
        assert_eq!(
            search_last(now, naive("2017-02-09T12:00:00").expect("since")),
            "15855m"
        );
        assert_eq!(
            search_last(now, naive("2017-02-20T11:58:30").expect("since")),
            "16m"
        );
        assert_eq!(search_path("https://example.com"), "/events/restSearch");
        assert_eq!(
            search_path("https://m.example/misp/"),
            "/misp/events/restSearch"
        );
    }
}
