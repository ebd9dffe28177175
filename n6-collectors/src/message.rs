//! The n6 wire contract of a collector's output (`n6datasources.collectors.base.BaseCollector`: `get_output_rk`, `get_output_message_id`, `get_output_prop_kwargs`): routing key, message id,
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

impl HeaderValue {
    /// The header value of a JSON value, as pika encodes the same Python value: objects
    /// become tables (in the map's key order), arrays lists, integers that fit `i64`
    /// integers, other numbers floats, `null` `Null`.
    pub fn from_json(value: &serde_json::Value) -> HeaderValue {
        use serde_json::Value as Json;
        match value {
            Json::Null => HeaderValue::Null,
            Json::Bool(b) => HeaderValue::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => HeaderValue::Int(i),
                None => HeaderValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => HeaderValue::Str(s.clone()),
            Json::Array(items) => {
                HeaderValue::List(items.iter().map(HeaderValue::from_json).collect())
            }
            Json::Object(map) => HeaderValue::Table(HeaderTable(
                map.iter()
                    .map(|(k, v)| (k.clone(), HeaderValue::from_json(v)))
                    .collect(),
            )),
        }
    }
}

impl From<&str> for HeaderValue {
    fn from(value: &str) -> Self {
        HeaderValue::Str(value.to_owned())
    }
}

impl From<String> for HeaderValue {
    fn from(value: String) -> Self {
        HeaderValue::Str(value)
    }
}

impl From<bool> for HeaderValue {
    fn from(value: bool) -> Self {
        HeaderValue::Bool(value)
    }
}

impl From<i64> for HeaderValue {
    fn from(value: i64) -> Self {
        HeaderValue::Int(value)
    }
}

impl From<f64> for HeaderValue {
    fn from(value: f64) -> Self {
        HeaderValue::Float(value)
    }
}

impl<T: Into<HeaderValue>> From<Option<T>> for HeaderValue {
    /// `None` is n6's `None` (`V`).
    fn from(value: Option<T>) -> Self {
        value.map_or(HeaderValue::Null, Into::into)
    }
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

/// The AMQP basic properties of one n6 message. No other property is ever set.
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
    /// The source the `message_id` was computed over (`provider.channel`); not sent on
    /// the wire as such (the routing key starts with it).
    pub source: String,
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
        assemble(Parts {
            exchange: exchange.to_owned(),
            source: self.source.to_owned(),
            raw_format_version_tag: self.raw_format_version_tag,
            raw_type: self.raw_type,
            content_type: self.content_type,
            meta,
            headers: HeaderTable::default(),
            body,
            timestamp,
        })
    }

    /// Builds the message for `body` at `timestamp` with this identity as the defaults
    /// and `options` overriding them; `exchange_suffix` (`--n6output-suffix`) is appended
    /// to the exchange, whichever it is, as n6 appends it to every output exchange.
    ///
    /// Whatever is chosen must still follow n6's rules: the source is checked as n6's
    /// `SourceField` checks it, the version tag is `YYYYMM`, `file` and `blacklist`
    /// need a content type, and `meta` is only set through [`MessageOptions::meta`].
    /// The `message_id` is computed over the message's own source.
    pub fn message_with(
        &self,
        exchange_suffix: &str,
        options: MessageOptions,
        body: Vec<u8>,
        timestamp: u64,
    ) -> Result<Message, MessageError> {
        options.check()?;
        let MessageOptions {
            source,
            raw_format_version_tag,
            exchange,
            raw_type,
            content_type,
            meta,
            headers,
        } = options;
        let raw_type = raw_type.unwrap_or(self.raw_type);
        let content_type = content_type.as_deref().or(self.content_type);
        if raw_type.needs_content_type() && content_type.is_none() {
            return Err(MessageError::MissingContentType(raw_type));
        }
        let tag = match &raw_format_version_tag {
            Some(tag) => tag.as_deref(),
            None => self.raw_format_version_tag,
        };
        let exchange = exchange.as_deref().unwrap_or(DEFAULT_EXCHANGE);
        Ok(assemble(Parts {
            exchange: format!("{exchange}{exchange_suffix}"),
            source: source.unwrap_or_else(|| self.source.to_owned()),
            raw_format_version_tag: tag,
            raw_type,
            content_type,
            meta,
            headers,
            body,
            timestamp,
        }))
    }
}

/// Everything a message is made of, resolved.
struct Parts<'a> {
    exchange: String,
    source: String,
    raw_format_version_tag: Option<&'a str>,
    raw_type: RawType,
    content_type: Option<&'a str>,
    meta: HeaderTable,
    headers: HeaderTable,
    body: Vec<u8>,
    timestamp: u64,
}

/// The message n6 would publish: `headers` is `meta` (when not empty) followed by the
/// other top-level headers in insertion order, omitted when both are empty (as n6 drops
/// an empty `headers` dict); `content_type` only for `file` and `blacklist`.
fn assemble(parts: Parts<'_>) -> Message {
    let mut headers = HeaderTable::default();
    if !parts.meta.is_empty() {
        headers.insert("meta", HeaderValue::Table(parts.meta));
    }
    for (key, value) in parts.headers.0 {
        headers.insert(key, value);
    }
    let content_type = match parts.raw_type {
        RawType::Stream => None,
        RawType::File | RawType::Blacklist => parts.content_type.map(str::to_owned),
    };
    Message {
        exchange: parts.exchange,
        routing_key: routing_key(&parts.source, parts.raw_format_version_tag),
        properties: Properties {
            message_id: message_id(&parts.source, parts.timestamp, &parts.body),
            raw_type: parts.raw_type,
            timestamp: parts.timestamp,
            content_type,
            headers: (!headers.is_empty()).then_some(headers),
            delivery_mode: 2,
        },
        source: parts.source,
        body: parts.body,
    }
}

/// Per-message overrides of the collector's `#[collector(...)]` identity, for collectors
/// whose messages differ: Shadowserver's source channel and version tag come from the
/// e-mail subject, MISP publishes its events as `stream` to `raw` and its malware samples
/// as `file`/`application/json` to n6's `sample` exchange, n6's manual collector sets the
/// top-level header `_do_not_resolve_fqdn_to_ip`. Every field left unset keeps the
/// collector's default. Publish with [`crate::Output::publish_with`] or build in place
/// with [`crate::Output::message`].
///
/// ```
/// use n6_collectors::message::{HeaderTable, HeaderValue, MessageOptions, RawType};
///
/// let mut meta = HeaderTable::default();
/// meta.insert("minimum_tlp", HeaderValue::Str("amber".into()));
/// let sample = MessageOptions::new()
///     .source("test.misp")
///     .exchange("sample")
///     .raw_type(RawType::File)
///     .content_type("application/json")
///     .meta(meta);
/// assert!(sample.check().is_ok());
/// assert!(MessageOptions::new().source("Test.misp").check().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MessageOptions {
    /// The source (`provider.channel`), hence the routing key and the `message_id`.
    pub source: Option<String>,
    /// The raw format version tag: `Some(None)` removes the collector's tag,
    /// `Some(Some(tag))` replaces it.
    pub raw_format_version_tag: Option<Option<String>>,
    /// The exchange, before `--n6output-suffix` is appended (default `raw`).
    pub exchange: Option<String>,
    /// The raw type (`type` property).
    pub raw_type: Option<RawType>,
    /// The content type; sent only for `file` and `blacklist`. When a message switches
    /// to `file` or `blacklist` without one, the collector's content type is used.
    pub content_type: Option<String>,
    /// `headers.meta`, in insertion order (omitted when empty).
    pub meta: HeaderTable,
    /// Top-level headers besides `meta`, in insertion order, after `meta`.
    pub headers: HeaderTable,
}

impl MessageOptions {
    /// No overrides: the collector's identity as declared.
    pub fn new() -> Self {
        MessageOptions::default()
    }

    /// Sets the source (`provider.channel`).
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Sets the raw format version tag (`YYYYMM`), or removes it with `None`.
    pub fn raw_format_version_tag(mut self, tag: Option<impl Into<String>>) -> Self {
        self.raw_format_version_tag = Some(tag.map(Into::into));
        self
    }

    /// Sets the exchange (before `--n6output-suffix`), e.g. n6's `sample`.
    pub fn exchange(mut self, exchange: impl Into<String>) -> Self {
        self.exchange = Some(exchange.into());
        self
    }

    /// Sets the raw type.
    pub fn raw_type(mut self, raw_type: RawType) -> Self {
        self.raw_type = Some(raw_type);
        self
    }

    /// Sets the content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets `headers.meta` (replacing any set before).
    pub fn meta(mut self, meta: HeaderTable) -> Self {
        self.meta = meta;
        self
    }

    /// Sets one entry of `headers.meta`.
    pub fn meta_entry(mut self, key: impl Into<String>, value: impl Into<HeaderValue>) -> Self {
        self.meta.insert(key, value.into());
        self
    }

    /// Sets one top-level header besides `meta` (e.g. `_do_not_resolve_fqdn_to_ip`).
    pub fn header(mut self, key: impl Into<String>, value: impl Into<HeaderValue>) -> Self {
        self.headers.insert(key, value.into());
        self
    }

    /// Checks the overrides against n6's rules, without a collector: the source as n6's
    /// `SourceField`, the version tag `YYYYMM`, a non-empty exchange name, no `meta` among
    /// the top-level headers, a content type for an explicit `file` or `blacklist`
    /// raw type is checked when the message is built (the collector may supply it).
    pub fn check(&self) -> Result<(), MessageError> {
        if let Some(source) = &self.source {
            check_source(source)?;
        }
        if let Some(Some(tag)) = &self.raw_format_version_tag {
            n6_collectors_config::identity::validate_raw_format_version_tag(tag).map_err(
                |reason| MessageError::InvalidVersionTag {
                    tag: tag.clone(),
                    reason,
                },
            )?;
        }
        if self.exchange.as_deref() == Some("") {
            return Err(MessageError::EmptyExchange);
        }
        if self.headers.get("meta").is_some() {
            return Err(MessageError::MetaAsHeader);
        }
        Ok(())
    }
}

/// Checks a source as n6's `SourceField` does (`provider.channel`: lower-case ASCII
/// letters, digits and `-`, one dot, at most 32 characters).
pub fn check_source(source: &str) -> Result<(), MessageError> {
    n6_collectors_config::identity::validate_source(source).map_err(|reason| {
        MessageError::InvalidSource {
            source_name: source.to_owned(),
            reason,
        }
    })
}

/// A per-message identity that breaks n6's wire rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The source is not `provider.channel` as n6 requires.
    #[error(
        "invalid source {source_name:?}: {reason} (n6 sources are `provider.channel`: lower-case letters, digits and '-', at most 32 characters)"
    )]
    InvalidSource {
        /// The source given.
        source_name: String,
        /// Why n6 would reject it.
        reason: String,
    },
    /// The version tag is not `YYYYMM`.
    #[error("invalid raw format version tag {tag:?}: {reason}")]
    InvalidVersionTag {
        /// The tag given.
        tag: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A `file` or `blacklist` message has no content type (neither the message's nor
    /// the collector's).
    #[error(
        "a {0} message needs a content type: set it on the message or in #[collector(content_type = ...)]"
    )]
    MissingContentType(RawType),
    /// The exchange name is empty.
    #[error("the exchange name of a message is empty")]
    EmptyExchange,
    /// `meta` was given as a top-level header.
    #[error(
        "`meta` cannot be set as a top-level header: set headers.meta with MessageOptions::meta"
    )]
    MetaAsHeader,
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

    const MISP: Identity = Identity {
        source: "default.misp",
        raw_type: RawType::Stream,
        content_type: Some("application/json"),
        raw_format_version_tag: None,
    };

    #[test]
    fn a_message_source_sets_routing_key_and_message_id() {
        let msg = MISP
            .message_with(
                "",
                MessageOptions::new().source("my-provider.my-channel"),
                b"<some body>".to_vec(),
                1660218035,
            )
            .expect("valid");
        assert_eq!(msg.routing_key, "my-provider.my-channel");
        assert_eq!(msg.source, "my-provider.my-channel");
        assert_eq!(msg.exchange, "raw");
        assert_eq!(
            msg.properties.message_id,
            "0ee79178d8d14de9c91b6499598f9135"
        );
        assert_eq!(msg.properties.content_type, None);
        assert_eq!(msg.properties.headers, None);
    }

    #[test]
    fn version_tags_are_kept_replaced_or_removed_and_never_hashed() {
        let tagged = Identity {
            raw_format_version_tag: Some("201412"),
            ..MISP
        };
        let build = |options: MessageOptions| {
            tagged
                .message_with(
                    "",
                    options.source("my-provider.my-channel"),
                    b"<some body>".to_vec(),
                    1660218035,
                )
                .expect("valid")
        };
        let kept = build(MessageOptions::new());
        assert_eq!(kept.routing_key, "my-provider.my-channel.201412");
        let replaced = build(MessageOptions::new().raw_format_version_tag(Some("202401")));
        assert_eq!(replaced.routing_key, "my-provider.my-channel.202401");
        let removed = build(MessageOptions::new().raw_format_version_tag(None::<String>));
        assert_eq!(removed.routing_key, "my-provider.my-channel");
        for msg in [kept, replaced, removed] {
            assert_eq!(
                msg.properties.message_id,
                "0ee79178d8d14de9c91b6499598f9135"
            );
        }
    }

    #[test]
    fn exchange_raw_type_and_content_type_follow_n6() {
        let sample = MISP
            .message_with(
                "_test",
                MessageOptions::new()
                    .exchange("sample")
                    .raw_type(RawType::File),
                b"x".to_vec(),
                1,
            )
            .expect("valid");
        assert_eq!(sample.exchange, "sample_test");
        assert_eq!(sample.properties.raw_type, RawType::File);
        // The collector's content type, unused for its `stream` messages.
        assert_eq!(
            sample.properties.content_type.as_deref(),
            Some("application/json")
        );
        let events = MISP
            .message_with("_test", MessageOptions::new(), b"x".to_vec(), 1)
            .expect("valid");
        assert_eq!(events.exchange, "raw_test");
        assert_eq!(events.properties.content_type, None);
        let no_content_type = Identity {
            content_type: None,
            ..MISP
        };
        assert_eq!(
            no_content_type.message_with(
                "",
                MessageOptions::new().raw_type(RawType::Blacklist),
                vec![],
                1
            ),
            Err(MessageError::MissingContentType(RawType::Blacklist))
        );
        let explicit = no_content_type
            .message_with(
                "",
                MessageOptions::new()
                    .raw_type(RawType::Blacklist)
                    .content_type("text/csv"),
                vec![],
                1,
            )
            .expect("valid");
        assert_eq!(
            explicit.properties.content_type.as_deref(),
            Some("text/csv")
        );
    }

    #[test]
    fn top_level_headers_follow_meta_in_insertion_order() {
        let msg = MISP
            .message_with(
                "",
                MessageOptions::new()
                    .header("_do_not_resolve_fqdn_to_ip", false)
                    .meta_entry("dry_run", true)
                    .header("z_other", "v"),
                vec![],
                1,
            )
            .expect("valid");
        let headers = msg.properties.headers.expect("headers");
        let keys: Vec<&str> = headers.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["meta", "_do_not_resolve_fqdn_to_ip", "z_other"]);
        let only_header = MISP
            .message_with(
                "",
                MessageOptions::new().header("_do_not_resolve_fqdn_to_ip", true),
                vec![],
                1,
            )
            .expect("valid");
        assert_eq!(
            only_header.properties.headers,
            Some(HeaderTable(vec![(
                "_do_not_resolve_fqdn_to_ip".into(),
                HeaderValue::Bool(true)
            )]))
        );
    }

    #[test]
    fn invalid_identities_are_errors_naming_what() {
        let error = MISP
            .message_with("", MessageOptions::new().source("Test.misp"), vec![], 1)
            .expect_err("upper case");
        assert!(
            error.to_string().contains("invalid source \"Test.misp\""),
            "{error}"
        );
        for bad in ["nodot", "a.b.c", "x.", "waytoolong-provider-name.channel-x"] {
            assert!(
                matches!(check_source(bad), Err(MessageError::InvalidSource { ref source_name, .. }) if source_name == bad),
                "{bad}"
            );
        }
        let error = MISP
            .message_with(
                "",
                MessageOptions::new().raw_format_version_tag(Some("2024")),
                vec![],
                1,
            )
            .expect_err("tag");
        assert!(error.to_string().contains("\"2024\""), "{error}");
        assert_eq!(
            MISP.message_with("", MessageOptions::new().exchange(""), vec![], 1),
            Err(MessageError::EmptyExchange)
        );
        assert_eq!(
            MISP.message_with("", MessageOptions::new().header("meta", 1_i64), vec![], 1),
            Err(MessageError::MetaAsHeader)
        );
    }

    #[test]
    fn json_values_become_header_values() {
        let json: serde_json::Value = serde_json::from_str(
            r#"{"id": "1", "n": 5, "f": 1.5, "ok": true, "none": null, "l": [1, "a"]}"#,
        )
        .expect("json");
        let HeaderValue::Table(table) = HeaderValue::from_json(&json) else {
            panic!("not a table")
        };
        assert_eq!(table.get("id"), Some(&HeaderValue::Str("1".into())));
        assert_eq!(table.get("n"), Some(&HeaderValue::Int(5)));
        assert_eq!(table.get("f"), Some(&HeaderValue::Float(1.5)));
        assert_eq!(table.get("ok"), Some(&HeaderValue::Bool(true)));
        assert_eq!(table.get("none"), Some(&HeaderValue::Null));
        assert_eq!(
            table.get("l"),
            Some(&HeaderValue::List(vec![
                HeaderValue::Int(1),
                HeaderValue::Str("a".into())
            ]))
        );
        assert_eq!(HeaderValue::from(None::<&str>), HeaderValue::Null);
    }
}
