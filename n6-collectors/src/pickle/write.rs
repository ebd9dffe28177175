//! Writing n6 state pickles: [`encode`] turns a [`PyValue`] into the bytes Python's
//! `pickle.dump(state, f, protocol=4)` would load back as the same object, so a state
//! exported by a Rust collector is continued by n6's `StatefulCollectorMixin.load_state`.
//!
//! Protocol 4 (never 2: n6 takes a protocol-2 file for Python 2 state). One frame after
//! the `PROTO` opcode, as Python frames small pickles; no memo (nothing is shared).
//! Python `str` values holding surrogate-escaped bytes are written as Python writes them
//! (UTF-8 with `surrogatepass`), so a row with undecodable bytes comes back unchanged.

use super::PyValue;
use super::opcode as op;

/// The pickle protocol [`encode`] writes.
pub const PROTOCOL: u8 = 4;

/// Encodes `value` as a protocol-4 pickle.
pub fn encode(value: &PyValue) -> Vec<u8> {
    let mut body = Vec::new();
    write_value(&mut body, value);
    body.push(op::STOP);
    let mut out = Vec::with_capacity(body.len() + 11);
    out.extend_from_slice(&[op::PROTO, PROTOCOL]);
    if body.len() >= 4 {
        out.push(op::FRAME);
        out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    }
    out.extend_from_slice(&body);
    out
}

fn write_value(out: &mut Vec<u8>, value: &PyValue) {
    match value {
        PyValue::None => out.push(op::NONE),
        PyValue::Bool(true) => out.push(op::NEWTRUE),
        PyValue::Bool(false) => out.push(op::NEWFALSE),
        PyValue::Int(i) => write_int(out, *i),
        PyValue::Float(f) => write_float(out, *f),
        PyValue::Complex(re, im) => {
            // `builtins.complex(re, im)`, as Python pickles it.
            write_global(out, "builtins", "complex");
            write_float(out, *re);
            write_float(out, *im);
            out.push(op::TUPLE2);
            out.push(op::REDUCE);
        }
        PyValue::Str(text) => write_str(out, text.as_bytes()),
        PyValue::EscapedStr(escaped) => write_str(out, &surrogatepass(escaped.as_bytes())),
        PyValue::Bytes(raw) => write_bytes(out, raw),
        PyValue::List(items) => {
            out.push(op::EMPTY_LIST);
            if !items.is_empty() {
                out.push(op::MARK);
                items.iter().for_each(|item| write_value(out, item));
                out.push(op::APPENDS);
            }
        }
        PyValue::Tuple(items) => write_tuple(out, items),
        PyValue::Set(items) => {
            out.push(op::EMPTY_SET);
            if !items.is_empty() {
                out.push(op::MARK);
                items.iter().for_each(|item| write_value(out, item));
                out.push(op::ADDITEMS);
            }
        }
        PyValue::FrozenSet(items) => {
            out.push(op::MARK);
            items.iter().for_each(|item| write_value(out, item));
            out.push(op::FROZENSET);
        }
        PyValue::Dict(entries) => write_dict(out, entries.iter().map(|(k, v)| (k, v))),
        PyValue::Date { year, month, day } => {
            let mut raw = year.to_be_bytes().to_vec();
            raw.extend_from_slice(&[*month, *day]);
            write_reduce(out, "datetime", "date", &raw);
        }
        PyValue::DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            microsecond,
        } => {
            let mut raw = year.to_be_bytes().to_vec();
            raw.extend_from_slice(&[*month, *day, *hour, *minute, *second]);
            raw.extend_from_slice(&microsecond.to_be_bytes()[1..]);
            write_reduce(out, "datetime", "datetime", &raw);
        }
        PyValue::OpSet(items) => {
            // `OPSet.__new__` then `BUILD` with its instance dict `{'_d': {item: None, ...}}`.
            write_global(out, "n6lib.common_helpers", "OPSet");
            out.push(op::EMPTY_TUPLE);
            out.push(op::NEWOBJ);
            let members: Vec<(PyValue, PyValue)> = items
                .iter()
                .map(|item| (item.clone(), PyValue::None))
                .collect();
            let instance = [(PyValue::Str("_d".to_owned()), PyValue::Dict(members))];
            write_dict(out, instance.iter().map(|(k, v)| (k, v)));
            out.push(op::BUILD);
        }
    }
}

fn write_int(out: &mut Vec<u8>, i: i128) {
    if (0..=0xff).contains(&i) {
        out.extend_from_slice(&[op::BININT1, i as u8]);
    } else if (0..=0xffff).contains(&i) {
        out.push(op::BININT2);
        out.extend_from_slice(&(i as u16).to_le_bytes());
    } else if let Ok(small) = i32::try_from(i) {
        out.push(op::BININT);
        out.extend_from_slice(&small.to_le_bytes());
    } else {
        // The shortest little-endian two's complement, as Python's `encode_long`.
        let mut raw = i.to_le_bytes().to_vec();
        while raw.len() > 1 {
            let last = raw[raw.len() - 1];
            let before = raw[raw.len() - 2];
            let redundant =
                (last == 0 && before & 0x80 == 0) || (last == 0xff && before & 0x80 != 0);
            if !redundant {
                break;
            }
            raw.pop();
        }
        out.extend_from_slice(&[op::LONG1, raw.len() as u8]);
        out.extend_from_slice(&raw);
    }
}

fn write_float(out: &mut Vec<u8>, f: f64) {
    out.push(op::BINFLOAT);
    out.extend_from_slice(&f.to_be_bytes());
}

fn write_str(out: &mut Vec<u8>, utf8: &[u8]) {
    if let Ok(len) = u8::try_from(utf8.len()) {
        out.extend_from_slice(&[op::SHORT_BINUNICODE, len]);
    } else {
        out.push(op::BINUNICODE);
        out.extend_from_slice(&(utf8.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(utf8);
}

fn write_bytes(out: &mut Vec<u8>, raw: &[u8]) {
    if let Ok(len) = u8::try_from(raw.len()) {
        out.extend_from_slice(&[op::SHORT_BINBYTES, len]);
    } else {
        out.push(op::BINBYTES);
        out.extend_from_slice(&(raw.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(raw);
}

fn write_tuple(out: &mut Vec<u8>, items: &[PyValue]) {
    match items.len() {
        0 => out.push(op::EMPTY_TUPLE),
        1..=3 => {
            items.iter().for_each(|item| write_value(out, item));
            out.push([op::TUPLE1, op::TUPLE2, op::TUPLE3][items.len() - 1]);
        }
        _ => {
            out.push(op::MARK);
            items.iter().for_each(|item| write_value(out, item));
            out.push(op::TUPLE);
        }
    }
}

fn write_dict<'a>(
    out: &mut Vec<u8>,
    entries: impl ExactSizeIterator<Item = (&'a PyValue, &'a PyValue)>,
) {
    out.push(op::EMPTY_DICT);
    if entries.len() > 0 {
        out.push(op::MARK);
        for (k, v) in entries {
            write_value(out, k);
            write_value(out, v);
        }
        out.push(op::SETITEMS);
    }
}

fn write_global(out: &mut Vec<u8>, module: &str, name: &str) {
    write_str(out, module.as_bytes());
    write_str(out, name.as_bytes());
    out.push(op::STACK_GLOBAL);
}

/// `module.name(raw_bytes)`: how `datetime.date` and `datetime.datetime` pickle.
fn write_reduce(out: &mut Vec<u8>, module: &str, name: &str, raw: &[u8]) {
    write_global(out, module, name);
    write_bytes(out, raw);
    out.push(op::TUPLE1);
    out.push(op::REDUCE);
}

/// The UTF-8 (`surrogatepass`) form of a Python `str` given as its `surrogateescape`
/// bytes: each byte that is not part of valid UTF-8 becomes the surrogate U+DC80..U+DCFF.
fn surrogatepass(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for chunk in raw.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        for &b in chunk.invalid() {
            let code = 0xDC00u32 + u32::from(b);
            out.extend_from_slice(&[
                0xE0 | (code >> 12) as u8,
                0x80 | ((code >> 6) & 0x3F) as u8,
                0x80 | (code & 0x3F) as u8,
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pickle::{Py2Strings, decode};

    fn s(text: &str) -> PyValue {
        PyValue::Str(text.to_owned())
    }

    fn round_trip(value: PyValue) {
        let bytes = encode(&value);
        assert_eq!(&bytes[..2], &[0x80, 4]);
        let back = decode(&bytes, Py2Strings::default()).expect("decodes");
        assert_eq!(back.protocol, 4);
        assert_eq!(back.value, value, "pickle {bytes:02x?}");
    }

    #[test]
    fn n6_state_shapes_round_trip() {
        round_trip(PyValue::Dict(vec![
            (s("newest_row_time"), s("2019-07-13")),
            (
                s("newest_rows"),
                PyValue::Set(vec![s("\"ham\",\"2019-07-13\"")]),
            ),
            (s("rows_count"), PyValue::Int(7)),
        ]));
        round_trip(PyValue::Dict(vec![
            (s("newest_row_time"), s("")),
            (s("newest_rows"), PyValue::Set(vec![])),
            (s("rows_count"), PyValue::Int(0)),
        ]));
        round_trip(PyValue::Dict(vec![(
            PyValue::Date {
                year: 2024,
                month: 1,
                day: 2,
            },
            PyValue::Set(vec![s(&"ab".repeat(32))]),
        )]));
        let dt = PyValue::DateTime {
            year: 2024,
            month: 1,
            day: 2,
            hour: 3,
            minute: 4,
            second: 5,
            microsecond: 678_901,
        };
        round_trip(PyValue::Dict(vec![
            (s("events_last_proc_datetime"), dt.clone()),
            (s("samples_last_proc_datetime"), dt),
            (
                s("already_processed_sample_ids"),
                PyValue::Set(vec![PyValue::Int(123)]),
            ),
        ]));
        round_trip(PyValue::OpSet(vec![
            PyValue::Tuple(vec![
                s("title"),
                s("descr"),
                s("Mon, 01 Jan 2024 00:00:00 +0000"),
            ]),
            PyValue::Tuple(vec![PyValue::None, PyValue::None, PyValue::None]),
        ]));
        round_trip(PyValue::None);
    }

    #[test]
    fn plain_values_round_trip() {
        for i in [
            0i128,
            1,
            255,
            256,
            65535,
            65536,
            -1,
            -129,
            i32::MAX as i128,
            i32::MIN as i128,
            1 << 40,
            -(1 << 40),
            u64::MAX as i128,
        ] {
            round_trip(PyValue::Int(i));
        }
        round_trip(PyValue::List(vec![
            PyValue::Bool(true),
            PyValue::Bool(false),
            PyValue::Float(1.5),
        ]));
        round_trip(PyValue::Tuple(vec![PyValue::Int(1); 5]));
        round_trip(PyValue::Tuple(vec![]));
        round_trip(PyValue::FrozenSet(vec![s("a")]));
        round_trip(PyValue::Bytes(vec![0, 1, 2]));
        round_trip(PyValue::Bytes(vec![7; 300]));
        round_trip(s(&"x".repeat(300)));
    }

    #[test]
    fn surrogate_escaped_bytes_come_back() {
        round_trip(PyValue::str_from_escaped(b"ok \xff\xfe,\xc3\xa9".to_vec()));
        assert_eq!(surrogatepass(b"a\xff"), b"a\xed\xb3\xbf");
        assert_eq!(surrogatepass(b"\x80"), b"\xed\xb2\x80");
    }

    #[test]
    fn the_default_rows_state_is_the_bytes_python_writes_after_the_header() {
        // Python 3.11 `pickle.dumps({...}, 4)` minus the MEMOIZE opcodes (0x94), which
        // only matter for shared objects: the same opcodes otherwise.
        let value = PyValue::Dict(vec![
            (s("newest_row_time"), s("")),
            (s("newest_rows"), PyValue::Set(vec![])),
            (s("rows_count"), PyValue::Int(0)),
        ]);
        let bytes = encode(&value);
        let python_without_memo = "7d288c0f6e65776573745f726f775f74696d658c008c0b6e65776573745f726f77738f8c0a726f77735f636f756e744b00752e";
        let hex: String = bytes[11..].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, python_without_memo);
    }

    #[test]
    fn a_complex_number_is_the_bytes_python_writes_after_the_header() {
        // Python's `pickle.dumps(1+2j, 4)` minus its MEMOIZE opcodes (the decoder reads no
        // `complex`: no n6 state holds one).
        let bytes = encode(&PyValue::Complex(1.0, 2.0));
        let python_without_memo =
            "8c086275696c74696e738c07636f6d706c657893473ff000000000000047400000000000000086522e";
        let hex: String = bytes[11..].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, python_without_memo);
    }
}
