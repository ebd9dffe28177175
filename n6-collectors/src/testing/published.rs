//! What a test run published, read back from its JSON-lines output.

use std::path::Path;

use base64::Engine;
use serde_json::Value;

use super::TestingError;

/// One message a run published.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The exchange (`raw` plus any `--n6output-suffix`).
    pub exchange: String,
    /// The routing key (source, with the version tag if any).
    pub routing_key: String,
    /// The AMQP properties, as the JSON-lines sink writes them.
    pub properties: Value,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl Published {
    /// The body as text, `None` when it is not UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// Panics unless the n6 properties are right: `type`, `content_type` (or none),
    /// `delivery_mode` 2, `message_id` recomputed from `source`, the timestamp and the
    /// body, `headers` (or none), and no other property.
    pub fn assert_n6_properties(
        &self,
        source: &str,
        raw_type: &str,
        content_type: Option<&str>,
        headers: Option<Value>,
    ) {
        let p = self.properties.as_object().expect("properties object");
        assert_eq!(p.get("type"), Some(&Value::from(raw_type)));
        assert_eq!(p.get("content_type").and_then(Value::as_str), content_type);
        assert_eq!(p.get("delivery_mode"), Some(&Value::from(2)));
        let timestamp = p
            .get("timestamp")
            .and_then(Value::as_u64)
            .expect("timestamp");
        assert_eq!(
            p.get("message_id").and_then(Value::as_str),
            Some(crate::message::message_id(source, timestamp, &self.body).as_str())
        );
        assert_eq!(p.get("headers").cloned(), headers);
        let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = vec!["delivery_mode", "message_id", "timestamp", "type"];
        if content_type.is_some() {
            expected.push("content_type");
        }
        if self.properties.get("headers").is_some() {
            expected.push("headers");
        }
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }

    /// Parses one line of the JSON-lines output.
    pub fn from_json_line(line: &str) -> Result<Published, TestingError> {
        let bad = |why: &str| TestingError::Output {
            line: line.to_owned(),
            why: why.to_owned(),
        };
        let v: Value = serde_json::from_str(line).map_err(|e| bad(&e.to_string()))?;
        let body = match (v.get("body"), v.get("body_base64")) {
            (Some(Value::String(s)), None) => s.as_bytes().to_vec(),
            (None, Some(Value::String(b))) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| bad(&e.to_string()))?,
            _ => return Err(bad("no body")),
        };
        let text = |key: &str| {
            v[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| bad(&format!("no {key}")))
        };
        Ok(Published {
            exchange: text("exchange")?,
            routing_key: text("routing_key")?,
            properties: v["properties"].clone(),
            body,
        })
    }
}

/// Every message in the JSON-lines file at `path` (none when there is no such file).
pub(super) fn read_output(path: &Path) -> Result<Vec<Published>, TestingError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(TestingError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    text.lines().map(Published::from_json_line).collect()
}

/// The outcome of one test run.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The exit status (see [`crate::exit`]).
    pub exit_code: u8,
    /// The messages this run published, in order.
    pub published: Vec<Published>,
}

impl Run {
    /// The bodies as text (a body that is not UTF-8 shows as `<N bytes>`).
    pub fn texts(&self) -> Vec<String> {
        self.published
            .iter()
            .map(|m| {
                m.text()
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("<{} bytes>", m.body.len()))
            })
            .collect()
    }
}
