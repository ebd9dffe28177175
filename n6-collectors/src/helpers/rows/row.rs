//! [`Row`]: one line of a feed as bytes, stored losslessly in state files.
//!
//! Representation (documented for state-file readers and the n6 pickle importer):
//! * in CBOR (the state file): a text string when the row is valid UTF-8, otherwise a
//!   byte string with the exact bytes;
//! * in JSON (`state export` / `state import`): a string when the row is valid UTF-8,
//!   otherwise `{"$bytes_base64": "<standard base64 with padding>"}` (the same marker the
//!   untyped state tooling uses).
//!
//! Deserialisation accepts all of these, plus a JSON array of byte values. An n6 pickle
//! stores undecodable bytes as lone surrogates (`surrogateescape`); the importer maps each
//! `\udcXX` to the byte `XX`, which gives exactly the bytes n6 read from the source.

use std::borrow::Borrow;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The JSON key marking a row that is not valid UTF-8.
pub const BYTES_BASE64_KEY: &str = "$bytes_base64";

/// One row (line) of a feed, as the exact bytes of the source.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Row(Box<[u8]>);

impl Row {
    /// The row's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The row as text, if it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl From<&[u8]> for Row {
    fn from(bytes: &[u8]) -> Self {
        Row(bytes.into())
    }
}

impl From<Vec<u8>> for Row {
    fn from(bytes: Vec<u8>) -> Self {
        Row(bytes.into_boxed_slice())
    }
}

impl From<&str> for Row {
    fn from(text: &str) -> Self {
        Row(text.as_bytes().into())
    }
}

impl From<String> for Row {
    fn from(text: String) -> Self {
        Row(text.into_bytes().into_boxed_slice())
    }
}

impl Borrow<[u8]> for Row {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Row {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(text) => fmt::Debug::fmt(text, f),
            None => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

impl Serialize for Row {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.as_str(), serializer.is_human_readable()) {
            (Some(text), _) => serializer.serialize_str(text),
            (None, false) => serializer.serialize_bytes(&self.0),
            (None, true) => {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry(BYTES_BASE64_KEY, &STANDARD.encode(&self.0))?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RowVisitor)
    }
}

struct RowVisitor;

impl<'de> Visitor<'de> for RowVisitor {
    type Value = Row;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a row: a string, a byte string or {{\"{BYTES_BASE64_KEY}\": \"...\"}}"
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Row, E> {
        Ok(Row::from(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Row, E> {
        Ok(Row::from(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Row, E> {
        Ok(Row::from(v))
    }

    fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Row, E> {
        Ok(Row::from(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Row, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        Ok(Row::from(bytes))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Row, A::Error> {
        let mut row = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != BYTES_BASE64_KEY || row.is_some() {
                return Err(de::Error::custom(format!(
                    "a row object must have exactly one key, \"{BYTES_BASE64_KEY}\" (found \"{key}\")"
                )));
            }
            let encoded: String = map.next_value()?;
            let bytes = STANDARD
                .decode(encoded.as_bytes())
                .map_err(|e| de::Error::custom(format!("bad {BYTES_BASE64_KEY}: {e}")))?;
            row = Some(Row::from(bytes));
        }
        row.ok_or_else(|| {
            de::Error::custom(format!(
                "an empty object is not a row (expected \"{BYTES_BASE64_KEY}\")"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cbor(row: &Row) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(row, &mut out).expect("encode");
        out
    }

    #[test]
    fn utf8_rows_are_text_in_cbor_and_json() {
        let row = Row::from("\"ham\",\"2019-07-13\"");
        assert_eq!(cbor(&row)[0] >> 5, 3, "CBOR major type 3 = text");
        assert_eq!(
            serde_json::to_string(&row).expect("json"),
            r#""\"ham\",\"2019-07-13\"""#
        );
    }

    #[test]
    fn invalid_utf8_rows_round_trip_through_cbor_and_json() {
        let row = Row::from(&b"a\xdc\xff,\"2019-07-13\"\r"[..]);
        let encoded = cbor(&row);
        assert_eq!(encoded[0] >> 5, 2, "CBOR major type 2 = bytes");
        let back: Row = ciborium::from_reader(&encoded[..]).expect("decode");
        assert_eq!(back, row);

        let json = serde_json::to_string(&row).expect("json");
        let expected = format!(
            "{{\"$bytes_base64\":\"{}\"}}",
            STANDARD.encode(b"a\xdc\xff,\"2019-07-13\"\r")
        );
        assert_eq!(json, expected);
        let back: Row = serde_json::from_str(&json).expect("from json");
        assert_eq!(back.as_bytes(), b"a\xdc\xff,\"2019-07-13\"\r");
    }

    #[test]
    fn byte_arrays_and_bad_objects() {
        let row: Row = serde_json::from_str("[97, 255]").expect("array");
        assert_eq!(row.as_bytes(), b"a\xff");
        assert!(serde_json::from_str::<Row>(r#"{"x": "YQ=="}"#).is_err());
        assert!(serde_json::from_str::<Row>("{}").is_err());
        assert!(serde_json::from_str::<Row>(r#"{"$bytes_base64": "!!"}"#).is_err());
    }
}
