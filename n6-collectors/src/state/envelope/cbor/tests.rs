//! The encoder against ciborium: the same bytes for every kind of value.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::{Encoder, PIECE_SIZE};
use crate::helpers::rows::{Row, RowsState};

fn ciborium_bytes<V: Serialize + ?Sized>(value: &V) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).expect("ciborium encodes");
    bytes
}

fn ours<V: Serialize + ?Sized>(value: &V) -> Vec<u8> {
    let mut encoder = Encoder::to_vec(0);
    encoder.encode(value).expect("we encode");
    encoder.into_vec()
}

fn ours_streamed<V: Serialize + ?Sized>(value: &V) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = Encoder::to_writer(&mut out);
    encoder.encode(value).expect("we encode");
    encoder.finish().expect("flush");
    out
}

#[track_caller]
fn same<V: Serialize + ?Sized + std::fmt::Debug>(value: &V) {
    let expected = ciborium_bytes(value);
    assert_eq!(ours(value), expected, "{value:?}");
    assert_eq!(ours_streamed(value), expected, "{value:?} (streamed)");
}

#[test]
fn integers_at_every_head_width() {
    for n in [
        0u64,
        1,
        23,
        24,
        255,
        256,
        65_535,
        65_536,
        u64::from(u32::MAX),
        u64::from(u32::MAX) + 1,
        u64::MAX,
    ] {
        same(&n);
        same(&(n as i64));
        same(&-(n as i128));
        same(&(n as u128));
        if let Ok(n) = u32::try_from(n) {
            same(&n);
        }
    }
    for n in [i8::MIN, -1, 0, i8::MAX] {
        same(&n);
    }
    for n in [i16::MIN, i16::MAX] {
        same(&n);
    }
    for n in [i32::MIN, i32::MAX] {
        same(&n);
    }
    for n in [i64::MIN, -24, -25, -256, -257, i64::MAX] {
        same(&n);
    }
    for n in [
        i128::MIN,
        i128::MAX,
        i128::from(u64::MAX) + 1,
        -i128::from(u64::MAX) - 1,
        -i128::from(u64::MAX) - 2,
    ] {
        same(&n);
    }
    for n in [u128::MAX, u128::from(u64::MAX) + 1] {
        same(&n);
    }
    for n in [0u8, 24, 255] {
        same(&n);
    }
    same(&u16::MAX);
}

#[test]
fn floats_in_their_shortest_precision() {
    for x in [
        0.0f64,
        -0.0,
        1.0,
        1.5,
        65_504.0,
        65_505.0,
        1.0e-7,
        0.1,
        1.0e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
    ] {
        same(&x);
        same(&(x as f32));
    }
}

#[test]
fn texts_bytes_and_simple_values() {
    for len in [0, 1, 23, 24, 255, 256, 65_535, 65_536] {
        let text = "x".repeat(len);
        same(&text);
        same(serde_bytes::Bytes::new(text.as_bytes()));
    }
    same("zażółć");
    same(&'ż');
    same(&true);
    same(&false);
    same(&());
    same(&None::<u8>);
    same(&Some(5u8));
}

#[derive(Debug, Serialize)]
struct Unit;

#[derive(Debug, Serialize)]
struct Newtype(u32);

#[derive(Debug, Serialize)]
struct Tuple(u8, String);

#[derive(Debug, Serialize)]
enum Kinds {
    Unit,
    Newtype(String),
    Tuple(u8, u16),
    Struct { a: u8, b: Option<String> },
}

#[derive(Debug, Serialize)]
struct Skipping {
    kept: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    maybe: Option<u8>,
    #[serde(flatten)]
    rest: BTreeMap<String, u8>,
}

#[test]
fn structs_enums_and_collections() {
    same(&Unit);
    same(&Newtype(7));
    same(&Tuple(1, "t".into()));
    same(&Kinds::Unit);
    same(&Kinds::Newtype("n".into()));
    same(&Kinds::Tuple(1, 300));
    same(&Kinds::Struct { a: 1, b: None });
    same(&vec![
        Kinds::Unit,
        Kinds::Struct {
            a: 2,
            b: Some("b".into()),
        },
    ]);
    same(&Skipping {
        kept: 1,
        maybe: None,
        rest: BTreeMap::from([("x".to_owned(), 1)]),
    });
    same(&(1u8, "two", [3u16; 3]));
    same(&BTreeMap::from([("a", vec![1u64, 2]), ("b", vec![])]));
    same(&HashMap::from([(1u8, 'c')]));
    same(&BTreeSet::from(["x", "y"]));
    same(&vec![0u8; 30]);
}

/// A sequence and a map that do not tell their length: indefinite-length items.
#[derive(Debug)]
struct Unsized;

impl Serialize for Unsized {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("seq", &UnsizedSeq)?;
        map.serialize_entry("n", &1u8)?;
        map.end()
    }
}

#[derive(Debug)]
struct UnsizedSeq;

impl Serialize for UnsizedSeq {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        seq.serialize_element("a")?;
        seq.serialize_element(&2u8)?;
        seq.end()
    }
}

#[test]
fn indefinite_lengths() {
    same(&Unsized);
    same(&(0..5).filter(|n| n % 2 == 0).collect::<Vec<u8>>());
}

#[test]
fn ciborium_values_with_tags() {
    use ciborium::Value;
    let value = Value::Map(vec![
        (
            Value::Text("tagged".into()),
            Value::Tag(1, Box::new(Value::Integer(1_700_000_000.into()))),
        ),
        (
            Value::Integer((-5).into()),
            Value::Array(vec![
                Value::Bytes(vec![0, 1, 2]),
                Value::Float(2.5),
                Value::Bool(true),
                Value::Null,
                Value::Tag(55_799, Box::new(Value::Text("nested".into()))),
            ]),
        ),
    ]);
    same(&value);
}

#[test]
fn rows_state_with_text_and_byte_rows_across_pieces() {
    let mut state = RowsState {
        newest_row_time: "2026-11-24 00:00:00".to_owned(),
        ..RowsState::default()
    };
    for i in 0..20_000u32 {
        state.newest_rows.insert(Row::from(format!(
            "{i:08},\"2026-11-24 00:00:00\",http://x/{i}"
        )));
    }
    state
        .newest_rows
        .insert(Row::from(&b"\xff\xfe,not text"[..]));
    let expected = ciborium_bytes(&state);
    assert!(expected.len() > 2 * PIECE_SIZE, "spans several pieces");
    assert_eq!(ours(&state), expected);
    assert_eq!(ours_streamed(&state), expected);
}

#[test]
fn raw_bytes_larger_than_a_piece_are_written_in_order() {
    let big = vec![0x5a_u8; PIECE_SIZE + 17];
    let mut out = Vec::new();
    let mut encoder = Encoder::to_writer(&mut out);
    encoder.encode("before").expect("encode");
    encoder.raw(&big).expect("raw");
    encoder.encode(&1u8).expect("encode");
    encoder.finish().expect("flush");
    let mut expected = ciborium_bytes("before");
    expected.extend_from_slice(&big);
    expected.push(0x01);
    assert_eq!(out, expected);
}

#[test]
fn a_failing_writer_is_an_io_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut full = Full;
    let mut encoder = Encoder::to_writer(&mut full);
    let err = encoder
        .encode(&vec!["0123456789"; PIECE_SIZE / 8])
        .expect_err("the writer fails");
    assert!(matches!(err, super::EncodeError::Io(_)), "{err:?}");
}
