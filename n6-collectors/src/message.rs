//! The n6 wire contract of a collector's output (n6-contract §4): routing key, message id,
//! properties. Everything a downstream n6 parser can observe is decided here, in one place.

use md5::{Digest, Md5};
use serde::Serialize;

pub use n6_collectors_config::identity::RawType;

/// The exchange every collector publishes to (n6's default `output_queue`).
pub const DEFAULT_EXCHANGE: &str = "raw";

/// The routing key: `source`, or `source.raw_format_version_tag` when a tag is set.
pub fn routing_key(source: &str, raw_format_version_tag: Option<&str>) -> String {
    match raw_format_version_tag {
        Some(tag) => format!("{source}.{tag}"),
        None => source.to_owned(),
    }
}

/// n6's `message_id`: lowercase hex MD5 of `source \0 timestamp \0 body`
/// (the *source*, never the routing key).
pub fn message_id(source: &str, timestamp: u64, body: &[u8]) -> String {
    let mut hasher = Md5::new();
    hasher.update(source.as_bytes());
    hasher.update(b"\0");
    hasher.update(timestamp.to_string().as_bytes());
    hasher.update(b"\0");
    hasher.update(body);
    let digest = hasher.finalize();
    let mut out = String::with_capacity(32);
    for byte in digest {
        out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(byte & 0x0f), 16).unwrap_or('0'));
    }
    out
}

/// A value in the `headers` field table of a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum HeaderValue {
    /// A UTF-8 string (AMQP long string `S`).
    Str(String),
    /// A boolean (`t`).
    Bool(bool),
    /// An integer (`I` when it fits in 32 bits, else `l`, as pika encodes it).
    Int(i64),
    /// A float (`d`).
    Float(f64),
    /// `None` (`V`).
    Null,
    /// An array (`A`).
    List(Vec<HeaderValue>),
    /// A nested table (`F`), in insertion order.
    Table(HeaderTable),
}

/// A field table in insertion order (n6 builds its headers from Python dicts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HeaderTable(pub Vec<(String, HeaderValue)>);

impl HeaderTable {
    /// Sets `key` to `value`, replacing an earlier value in place.
    pub fn insert(&mut self, key: impl Into<String>, value: HeaderValue) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&HeaderValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// True when the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for HeaderTable {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The AMQP basic properties of one n6 message (§4.3). No other property is ever set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Properties {
    /// MD5 of source, timestamp and body ([`message_id`]).
    pub message_id: String,
    /// The collector's raw type (`stream`, `file`, `blacklist`), sent as `type`.
    #[serde(rename = "type", serialize_with = "serialize_raw_type")]
    pub raw_type: RawType,
    /// Unix time in whole seconds (truncated), the same number as in `message_id`.
    pub timestamp: u64,
    /// Only for `file` and `blacklist`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `{"meta": {...}}`; `None` (the property is omitted) when there is no meta.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<HeaderTable>,
    /// Always 2 (persistent).
    pub delivery_mode: u8,
}

fn serialize_raw_type<S: serde::Serializer>(
    raw_type: &RawType,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(raw_type.as_str())
}

/// One message, ready for a [`crate::sink::Sink`].
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The exchange (`raw`, plus any `--n6output-suffix`).
    pub exchange: String,
    /// The routing key ([`routing_key`]).
    pub routing_key: String,
    /// The properties.
    pub properties: Properties,
    /// The body, opaque bytes.
    pub body: Vec<u8>,
}

/// What identifies a collector on the wire; from its `#[collector(...)]` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `provider.channel`, validated at compile time.
    pub source: &'static str,
    /// `stream`, `file` or `blacklist`.
    pub raw_type: RawType,
    /// Required for `file` and `blacklist`.
    pub content_type: Option<&'static str>,
    /// `YYYYMM`, appended to the routing key.
    pub raw_format_version_tag: Option<&'static str>,
}

impl Identity {
    /// Builds the message n6 would publish for `body` at `timestamp`, with `meta`
    /// (omitted when empty) as `headers.meta`.
    pub fn message(
        &self,
        exchange: &str,
        body: Vec<u8>,
        timestamp: u64,
        meta: HeaderTable,
    ) -> Message {
        let headers = if meta.is_empty() {
            None
        } else {
            Some(HeaderTable(vec![(
                "meta".to_owned(),
                HeaderValue::Table(meta),
            )]))
        };
        let content_type = match self.raw_type {
            RawType::Stream => None,
            RawType::File | RawType::Blacklist => self.content_type.map(str::to_owned),
        };
        Message {
            exchange: exchange.to_owned(),
            routing_key: routing_key(self.source, self.raw_format_version_tag),
            properties: Properties {
                message_id: message_id(self.source, timestamp, &body),
                raw_type: self.raw_type,
                timestamp,
                content_type,
                headers,
                delivery_mode: 2,
            },
            body,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_matches_n6_test_vectors() {
        let cases = [
            (
                "my-provider.my-channel",
                1660218035,
                "<some body>",
                "0ee79178d8d14de9c91b6499598f9135",
            ),
            (
                "another-provider.another-channel",
                1660218035,
                "<some body>",
                "078f339794e866e0461c7bfc584968d9",
            ),
            (
                "my-provider.my-channel",
                1234,
                "<some body>",
                "039420f5dd63f768a7ebb7d9c0e8d3e4",
            ),
            (
                "my-provider.my-channel",
                1660218035,
                "<another body>",
                "160267f56db259051e66b2e85653b1ed",
            ),
        ];
        for (source, ts, body, expected) in cases {
            assert_eq!(
                message_id(source, ts, body.as_bytes()),
                expected,
                "{source} {ts} {body}"
            );
        }
    }

    #[test]
    fn routing_key_appends_version_tag() {
        assert_eq!(
            routing_key("abuse-ch.feodotracker", Some("202110")),
            "abuse-ch.feodotracker.202110"
        );
        assert_eq!(
            routing_key("abuse-ch.urlhaus-payloads-urls", None),
            "abuse-ch.urlhaus-payloads-urls"
        );
    }

    #[test]
    fn message_hashes_source_not_routing_key_and_omits_empty_headers() {
        let id = Identity {
            source: "my-provider.my-channel",
            raw_type: RawType::File,
            content_type: Some("text/csv"),
            raw_format_version_tag: Some("202401"),
        };
        let msg = id.message(
            "raw",
            b"<some body>".to_vec(),
            1660218035,
            HeaderTable::default(),
        );
        assert_eq!(msg.routing_key, "my-provider.my-channel.202401");
        assert_eq!(
            msg.properties.message_id,
            "0ee79178d8d14de9c91b6499598f9135"
        );
        assert_eq!(msg.properties.headers, None);
        assert_eq!(msg.properties.content_type.as_deref(), Some("text/csv"));
        assert_eq!(msg.properties.delivery_mode, 2);
    }

    #[test]
    fn stream_messages_carry_no_content_type_and_meta_goes_under_headers() {
        let id = Identity {
            source: "x.y",
            raw_type: RawType::Stream,
            content_type: Some("ignored/for-stream"),
            raw_format_version_tag: None,
        };
        let mut meta = HeaderTable::default();
        meta.insert(
            "http_last_modified",
            HeaderValue::Str("2024-01-02 03:04:05".into()),
        );
        let msg = id.message("raw", b"b".to_vec(), 1, meta);
        assert_eq!(msg.properties.content_type, None);
        let headers = msg.properties.headers.expect("headers");
        let Some(HeaderValue::Table(meta)) = headers.get("meta") else {
            panic!("no meta table")
        };
        assert_eq!(
            meta.get("http_last_modified"),
            Some(&HeaderValue::Str("2024-01-02 03:04:05".into()))
        );
    }
}
