//! Comparing a replay's output with n6's, as the oracle's `compare.py` does: per message
//! exchange, routing key, body bytes and every property, except `timestamp` (the run's
//! time) and `message_id`, which must be md5(source NUL timestamp NUL body) for the
//! actual timestamp. The last saved state is compared as n6's value.

use std::path::Path;

use base64::Engine;
use md5::{Digest, Md5};
use serde_json::Value;

use crate::tagged::normalized;

fn read_lines(path: &Path) -> Result<Vec<Value>, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

fn body_of(line: &Value) -> Vec<u8> {
    match line.get("body_base64").and_then(Value::as_str) {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap_or_default(),
        None => line["body"].as_str().unwrap_or("").as_bytes().to_vec(),
    }
}

/// The differences between n6's `expected` messages and the `actual` ones.
pub fn messages(expected: &Path, actual: &Path) -> Result<Vec<String>, String> {
    let expected = read_lines(expected)?;
    let actual = read_lines(actual)?;
    let mut problems = Vec::new();
    if expected.len() != actual.len() {
        problems.push(format!(
            "{} message(s) published, n6 published {}",
            actual.len(),
            expected.len()
        ));
    }
    for (i, (e, a)) in expected.iter().zip(&actual).enumerate() {
        for key in ["exchange", "routing_key"] {
            if e.get(key) != a.get(key) {
                problems.push(format!(
                    "message {i}: {key} {:?}, n6: {:?}",
                    a.get(key),
                    e.get(key)
                ));
            }
        }
        let (eb, ab) = (body_of(e), body_of(a));
        if eb != ab {
            let at = eb
                .iter()
                .zip(&ab)
                .position(|(x, y)| x != y)
                .unwrap_or(eb.len().min(ab.len()));
            let window = |b: &[u8]| {
                String::from_utf8_lossy(&b[at.saturating_sub(20)..(at + 20).min(b.len())])
                    .into_owned()
            };
            problems.push(format!(
                "message {i}: body differs at byte {at} ({:?} vs n6 {:?})",
                window(&ab),
                window(&eb)
            ));
        }
        let mut ep = e["properties"].as_object().cloned().unwrap_or_default();
        let mut ap = a["properties"].as_object().cloned().unwrap_or_default();
        let ts = ap.remove("timestamp");
        let mid = ap.remove("message_id");
        ep.remove("timestamp");
        ep.remove("message_id");
        if ep != ap {
            problems.push(format!(
                "message {i}: properties {} vs n6 {}",
                Value::Object(ap),
                Value::Object(ep)
            ));
        }
        let source = e
            .get("source")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .or_else(|| e["routing_key"].as_str())
            .unwrap_or("");
        let ts = ts.map(|t| t.to_string()).unwrap_or_else(|| "None".into());
        let mut hasher = Md5::new();
        hasher.update(source.as_bytes());
        hasher.update(b"\0");
        hasher.update(ts.as_bytes());
        hasher.update(b"\0");
        hasher.update(&ab);
        let want: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if mid.as_ref().and_then(Value::as_str) != Some(want.as_str()) {
            problems.push(format!(
                "message {i}: message_id {mid:?} is not md5(source, {ts}, body) = {want:?}"
            ));
        }
    }
    Ok(problems)
}

/// The difference between n6's last saved state and the replay's, if any. A state n6
/// saved unchanged (equal to the state before) and one the port did not re-save are the
/// same state on disk.
pub fn state(fixture: &Path, out: &Path) -> Result<Option<String>, String> {
    let read = |path: &Path| -> Result<Option<Value>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map(|v| Some(normalized(&v)))
                .map_err(|e| format!("{}: {e}", path.display())),
            Err(_) => Ok(None),
        }
    };
    let expected = read(&fixture.join("expected_state.json"))?;
    let actual = read(&out.join("state.json"))?;
    let before = read(&fixture.join("state_before.json"))?;
    Ok(match (expected, actual) {
        (None, None) => None,
        (Some(e), Some(a)) if e == a => None,
        (Some(e), None) if Some(&e) == before.as_ref() => None,
        (Some(e), None) => Some(format!("no state saved, n6 saved {e}")),
        (None, Some(a)) => Some(format!("state saved ({a}), n6 saved none")),
        (Some(e), Some(a)) => Some(format!("state {a}\n    vs n6 {e}")),
    })
}
