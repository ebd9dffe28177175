//! n6's message properties as AMQP basic properties, encoded the way pika 0.13 encodes
//! them (pika, which n6's `n6datapipeline.base.LegacyQueuedBase` publishes with): strings as long strings `S`, integers as `I` when they
//! fit in 32 bits and `l` otherwise, booleans `t`, floats `d`, `None` `V`, lists `A`,
//! dicts nested tables `F`; `headers` omitted when there is no meta.
//!
//! One unavoidable difference: lapin keeps a field table sorted by key, while pika keeps
//! a dict's insertion order. The decoded table is the same; only the byte order of a
//! table with several keys can differ.

use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldArray, FieldTable, LongString, ShortString};

use crate::message::{HeaderTable, HeaderValue, Properties};
use crate::sink::SinkError;

/// A short string (at most 255 bytes) or a [`SinkError::Rejected`] naming `what`.
pub(crate) fn short_string(what: &str, value: &str) -> Result<ShortString, SinkError> {
    ShortString::try_new(value).map_err(|_| {
        SinkError::Rejected(format!(
            "{what} is longer than 255 bytes, which AMQP does not allow: {:?}",
            truncate(value)
        ))
    })
}

fn truncate(value: &str) -> String {
    value.chars().take(40).collect::<String>() + "..."
}

/// The basic properties n6 sets, and no others.
pub(crate) fn basic_properties(properties: &Properties) -> Result<BasicProperties, SinkError> {
    let mut basic = BasicProperties::default()
        .with_message_id(short_string("message_id", &properties.message_id)?)
        .with_type(short_string("type", properties.raw_type.as_str())?)
        .with_timestamp(properties.timestamp)
        .with_delivery_mode(properties.delivery_mode);
    if let Some(content_type) = &properties.content_type {
        basic = basic.with_content_type(short_string("content_type", content_type)?);
    }
    if let Some(headers) = &properties.headers {
        basic = basic.with_headers(field_table(headers)?);
    }
    Ok(basic)
}

fn field_table(table: &HeaderTable) -> Result<FieldTable, SinkError> {
    let mut out = FieldTable::default();
    for (key, value) in &table.0 {
        out.insert(short_string("header key", key)?, field_value(value)?);
    }
    Ok(out)
}

fn field_value(value: &HeaderValue) -> Result<AMQPValue, SinkError> {
    Ok(match value {
        HeaderValue::Str(s) => AMQPValue::LongString(LongString::from(s.as_bytes())),
        HeaderValue::Bool(b) => AMQPValue::Boolean(*b),
        HeaderValue::Int(n) => match i32::try_from(*n) {
            Ok(small) => AMQPValue::LongInt(small),
            Err(_) => AMQPValue::LongLongInt(*n),
        },
        HeaderValue::Float(f) => AMQPValue::Double(*f),
        HeaderValue::Null => AMQPValue::Void,
        HeaderValue::List(items) => AMQPValue::FieldArray(FieldArray::from(
            items
                .iter()
                .map(field_value)
                .collect::<Result<Vec<_>, _>>()?,
        )),
        HeaderValue::Table(table) => AMQPValue::FieldTable(field_table(table)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Identity, RawType};

    fn meta() -> HeaderTable {
        let mut nested = HeaderTable::default();
        nested.insert("to_ids", HeaderValue::Bool(true));
        nested.insert("event_id", HeaderValue::Int(2_147_483_647));
        nested.insert("timestamp", HeaderValue::Int(2_147_483_648));
        nested.insert("neg", HeaderValue::Int(-2_147_483_649));
        let mut meta = HeaderTable::default();
        meta.insert(
            "http_last_modified",
            HeaderValue::Str("2024-01-02 03:04:05".into()),
        );
        meta.insert("misp", HeaderValue::Table(nested));
        meta.insert("score", HeaderValue::Float(0.5));
        meta.insert("none", HeaderValue::Null);
        meta.insert(
            "list",
            HeaderValue::List(vec![HeaderValue::Str("ż".into()), HeaderValue::Int(1)]),
        );
        meta
    }

    #[test]
    fn file_message_properties_match_n6() {
        let id = Identity {
            source: "my-provider.my-channel",
            raw_type: RawType::File,
            content_type: Some("text/csv"),
            raw_format_version_tag: None,
        };
        let msg = id.message("raw", b"<some body>".to_vec(), 1660218035, meta());
        let basic = basic_properties(&msg.properties).expect("properties");
        assert_eq!(
            basic.message_id().as_ref().map(ShortString::as_str),
            Some("0ee79178d8d14de9c91b6499598f9135")
        );
        assert_eq!(basic.kind().as_ref().map(ShortString::as_str), Some("file"));
        assert_eq!(*basic.timestamp(), Some(1660218035));
        assert_eq!(*basic.delivery_mode(), Some(2));
        assert_eq!(
            basic.content_type().as_ref().map(ShortString::as_str),
            Some("text/csv")
        );
        assert_eq!(*basic.priority(), None);
        assert_eq!(*basic.app_id(), None);
        assert_eq!(*basic.user_id(), None);
        assert_eq!(*basic.content_encoding(), None);
        assert_eq!(*basic.correlation_id(), None);

        let headers = basic.headers().as_ref().expect("headers");
        assert_eq!(headers.inner().len(), 1);
        let Some(AMQPValue::FieldTable(meta)) = headers.inner().get("meta") else {
            panic!("meta is not a nested table: {headers:?}")
        };
        let m = meta.inner();
        assert_eq!(
            m.get("http_last_modified"),
            Some(&AMQPValue::LongString(LongString::from(
                "2024-01-02 03:04:05".as_bytes()
            )))
        );
        assert_eq!(m.get("score"), Some(&AMQPValue::Double(0.5)));
        assert_eq!(m.get("none"), Some(&AMQPValue::Void));
        assert_eq!(
            m.get("list"),
            Some(&AMQPValue::FieldArray(FieldArray::from(vec![
                AMQPValue::LongString(LongString::from("ż".as_bytes())),
                AMQPValue::LongInt(1)
            ])))
        );
        let Some(AMQPValue::FieldTable(misp)) = m.get("misp") else {
            panic!("misp is not a nested table")
        };
        let misp = misp.inner();
        assert_eq!(misp.get("to_ids"), Some(&AMQPValue::Boolean(true)));
        assert_eq!(
            misp.get("event_id"),
            Some(&AMQPValue::LongInt(2_147_483_647))
        );
        assert_eq!(
            misp.get("timestamp"),
            Some(&AMQPValue::LongLongInt(2_147_483_648))
        );
        assert_eq!(
            misp.get("neg"),
            Some(&AMQPValue::LongLongInt(-2_147_483_649))
        );
    }

    #[test]
    fn stream_message_without_meta_has_no_headers_and_no_content_type() {
        let id = Identity {
            source: "x.y",
            raw_type: RawType::Stream,
            content_type: None,
            raw_format_version_tag: Some("202401"),
        };
        let msg = id.message("raw", b"b".to_vec(), 1234, HeaderTable::default());
        let basic = basic_properties(&msg.properties).expect("properties");
        assert_eq!(*basic.headers(), None);
        assert_eq!(*basic.content_type(), None);
        assert_eq!(
            basic.kind().as_ref().map(ShortString::as_str),
            Some("stream")
        );
    }

    #[test]
    fn overlong_short_strings_are_rejected() {
        let err = short_string("routing key", &"a".repeat(256)).expect_err("too long");
        assert!(matches!(err, SinkError::Rejected(_)));
        assert!(short_string("routing key", &"a".repeat(255)).is_ok());
    }
}
