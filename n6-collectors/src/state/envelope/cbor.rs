//! The CBOR encoder of state saves: a serde `Serializer` that writes the bytes
//! `ciborium::into_writer` writes — item for item, byte for byte — straight into one
//! buffer, handed to the file in big pieces.
//!
//! Why not ciborium's own serializer: a state of a million rows is a million small items
//! (a one- or two-byte header, a 40-byte string), and ciborium builds a `Header`, turns
//! it into a `Title` and makes two or three writer calls per item, each returning its
//! own `Result`. Here an item is one bounds check and one copy into the buffer. The
//! format does not change: every rule below is ciborium 0.2's (`ser::Serializer`,
//! `ciborium_ll::Title::from`), and the tests compare the two on every kind of value.
//!
//! - Integers and lengths in the shortest head; `i128`/`u128` beyond 64 bits as
//!   bignums (tags 2/3); floats in the shortest of half, single and double precision
//!   that keeps the value's bits (ciborium does that choice here too).
//! - `None`, `()` and unit structs as `null`; unit variants as their name; newtype,
//!   tuple and struct variants as a one-entry map from the name; sequences and maps of
//!   unknown length indefinite (ended by a break).
//! - ciborium's tag convention (`ciborium::tag`: a tuple variant `@@TAGGED@@` of
//!   `@@TAG@@`, the tag number first) as a tag head.

use std::io::{self, Write};

use serde::ser::{self, Serialize};

use super::EncodeError;

/// How many bytes the buffer of a writing [`Encoder`] holds before they go to the
/// writer.
pub(crate) const PIECE_SIZE: usize = 256 * 1024;

const MAJOR_POSITIVE: u8 = 0;
const MAJOR_NEGATIVE: u8 = 1;
const MAJOR_BYTES: u8 = 2;
const MAJOR_TEXT: u8 = 3;
const MAJOR_ARRAY: u8 = 4;
const MAJOR_MAP: u8 = 5;
const MAJOR_TAG: u8 = 6;
/// The head of an indefinite-length item (minor 31), or'ed with its major type.
const INDEFINITE: u8 = 31;
const FALSE: u8 = 0xf4;
const TRUE: u8 = 0xf5;
const NULL: u8 = 0xf6;
const BREAK: u8 = 0xff;
/// Tags of RFC 8949 bignums.
const TAG_BIGPOS: u64 = 2;
const TAG_BIGNEG: u64 = 3;

/// Encodes serde values as CBOR, into a buffer that is either the result
/// ([`Encoder::to_vec`]) or handed to a writer piece by piece ([`Encoder::to_writer`]).
pub(crate) struct Encoder<'w> {
    buf: Vec<u8>,
    /// Where full pieces go; `None`: the buffer grows and is the result.
    out: Option<&'w mut dyn Write>,
}

impl Encoder<'static> {
    /// An encoder whose result is the bytes ([`Encoder::into_vec`]); `capacity` is a
    /// guess of their size (no harm when wrong).
    pub(crate) fn to_vec(capacity: usize) -> Self {
        Encoder {
            buf: Vec::with_capacity(capacity),
            out: None,
        }
    }

    /// The encoded bytes.
    pub(crate) fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

impl<'w> Encoder<'w> {
    /// An encoder writing to `out` in pieces of [`PIECE_SIZE`] bytes (and larger
    /// [`Encoder::raw`] data as it is); call [`Encoder::finish`] at the end.
    pub(crate) fn to_writer(out: &'w mut dyn Write) -> Self {
        Encoder {
            buf: Vec::with_capacity(PIECE_SIZE),
            out: Some(out),
        }
    }

    /// Writes what is still buffered.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.write_out()
    }

    /// Encodes `value` (one CBOR item).
    pub(crate) fn encode<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    /// Appends `data` as it is: bytes that are CBOR already.
    pub(crate) fn raw(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        self.put(data)
    }

    #[inline]
    fn put(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        if data.len() > self.buf.capacity() - self.buf.len() {
            return self.put_past_capacity(data);
        }
        self.buf.extend_from_slice(data);
        Ok(())
    }

    #[cold]
    fn put_past_capacity(&mut self, data: &[u8]) -> Result<(), EncodeError> {
        if self.out.is_none() {
            self.buf.extend_from_slice(data);
            return Ok(());
        }
        self.write_out()?;
        if data.len() >= PIECE_SIZE {
            if let Some(out) = self.out.as_mut() {
                out.write_all(data)?;
            }
        } else {
            self.buf.extend_from_slice(data);
        }
        Ok(())
    }

    fn write_out(&mut self) -> io::Result<()> {
        if let Some(out) = self.out.as_mut()
            && !self.buf.is_empty()
        {
            out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// The head of an item: major type and argument, the argument in the shortest form.
    #[inline]
    fn head(&mut self, major: u8, argument: u64) -> Result<(), EncodeError> {
        let major = major << 5;
        let mut head = [0u8; 9];
        let len = if argument < 24 {
            head[0] = major | argument as u8;
            1
        } else if argument <= u64::from(u8::MAX) {
            head[0] = major | 24;
            head[1] = argument as u8;
            2
        } else if argument <= u64::from(u16::MAX) {
            head[0] = major | 25;
            head[1..3].copy_from_slice(&(argument as u16).to_be_bytes());
            3
        } else if argument <= u64::from(u32::MAX) {
            head[0] = major | 26;
            head[1..5].copy_from_slice(&(argument as u32).to_be_bytes());
            5
        } else {
            head[0] = major | 27;
            head[1..9].copy_from_slice(&argument.to_be_bytes());
            9
        };
        self.put(&head[..len])
    }

    /// The head of a string, array or map; `None`: of indefinite length.
    #[inline]
    fn length_head(&mut self, major: u8, length: Option<usize>) -> Result<(), EncodeError> {
        match length {
            Some(n) => self.head(major, n as u64),
            None => self.put(&[major << 5 | INDEFINITE]),
        }
    }

    #[inline]
    fn text(&mut self, text: &str) -> Result<(), EncodeError> {
        self.head(MAJOR_TEXT, text.len() as u64)?;
        self.put(text.as_bytes())
    }

    /// A bignum: `tag` (2 or 3) and the magnitude's bytes without leading zeros.
    fn bignum(&mut self, tag: u64, magnitude: u128) -> Result<(), EncodeError> {
        let bytes = magnitude.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        self.head(MAJOR_TAG, tag)?;
        self.head(MAJOR_BYTES, (bytes.len() - skip) as u64)?;
        self.put(&bytes[skip..])
    }

    /// A float in the shortest precision that keeps its bits: ciborium's choice, made
    /// by ciborium itself (rare in states; one small call).
    fn float(&mut self, value: f64) -> Result<(), EncodeError> {
        let mut item = [0u8; 9];
        let mut rest = &mut item[..];
        ciborium::into_writer(&value, &mut rest).map_err(|e| match e {
            ciborium::ser::Error::Io(e) => EncodeError::Io(e),
            ciborium::ser::Error::Value(msg) => EncodeError::Value(msg),
        })?;
        let len = 9 - rest.len();
        self.put(&item[..len])
    }
}

/// The entries of a sequence, map, struct or variant being encoded.
pub(crate) struct Compound<'a, 'w> {
    encoder: &'a mut Encoder<'w>,
    /// Of indefinite length: ends with a break.
    indefinite: bool,
    /// ciborium's tag convention: the next field is the tag number.
    tag_next: bool,
}

impl Compound<'_, '_> {
    fn end(self) -> Result<(), EncodeError> {
        if self.indefinite {
            self.encoder.put(&[BREAK])?;
        }
        Ok(())
    }

    fn field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        if !self.tag_next {
            return value.serialize(&mut *self.encoder);
        }
        self.tag_next = false;
        // ciborium accepts an unsigned integer as the tag number, nothing else.
        let mut number = Encoder::to_vec(9);
        value.serialize(&mut number)?;
        let number = tag_number(&number.into_vec())
            .ok_or_else(|| EncodeError::Value("expected tag".into()))?;
        self.encoder.head(MAJOR_TAG, number)
    }
}

/// The value of `item` when it is exactly one CBOR unsigned integer.
fn tag_number(item: &[u8]) -> Option<u64> {
    let (&first, rest) = item.split_first()?;
    if first >> 5 != MAJOR_POSITIVE {
        return None;
    }
    let width = match first & 0x1f {
        n @ 0..=23 => return rest.is_empty().then_some(u64::from(n)),
        24 => 1,
        25 => 2,
        26 => 4,
        27 => 8,
        _ => return None,
    };
    (rest.len() == width).then(|| rest.iter().fold(0u64, |n, &b| n << 8 | u64::from(b)))
}

impl<'a, 'w> ser::Serializer for &'a mut Encoder<'w> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Compound<'a, 'w>;
    type SerializeTuple = Compound<'a, 'w>;
    type SerializeTupleStruct = Compound<'a, 'w>;
    type SerializeTupleVariant = Compound<'a, 'w>;
    type SerializeMap = Compound<'a, 'w>;
    type SerializeStruct = Compound<'a, 'w>;
    type SerializeStructVariant = Compound<'a, 'w>;

    fn serialize_bool(self, v: bool) -> Result<(), EncodeError> {
        self.put(&[if v { TRUE } else { FALSE }])
    }

    fn serialize_i8(self, v: i8) -> Result<(), EncodeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i16(self, v: i16) -> Result<(), EncodeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i32(self, v: i32) -> Result<(), EncodeError> {
        self.serialize_i64(v.into())
    }

    fn serialize_i64(self, v: i64) -> Result<(), EncodeError> {
        if v < 0 {
            self.head(MAJOR_NEGATIVE, v as u64 ^ !0)
        } else {
            self.head(MAJOR_POSITIVE, v as u64)
        }
    }

    fn serialize_i128(self, v: i128) -> Result<(), EncodeError> {
        let (major, tag, magnitude) = if v < 0 {
            (MAJOR_NEGATIVE, TAG_BIGNEG, v as u128 ^ !0)
        } else {
            (MAJOR_POSITIVE, TAG_BIGPOS, v as u128)
        };
        match u64::try_from(magnitude) {
            Ok(small) => self.head(major, small),
            Err(_) => self.bignum(tag, magnitude),
        }
    }

    fn serialize_u8(self, v: u8) -> Result<(), EncodeError> {
        self.head(MAJOR_POSITIVE, v.into())
    }

    fn serialize_u16(self, v: u16) -> Result<(), EncodeError> {
        self.head(MAJOR_POSITIVE, v.into())
    }

    fn serialize_u32(self, v: u32) -> Result<(), EncodeError> {
        self.head(MAJOR_POSITIVE, v.into())
    }

    fn serialize_u64(self, v: u64) -> Result<(), EncodeError> {
        self.head(MAJOR_POSITIVE, v)
    }

    fn serialize_u128(self, v: u128) -> Result<(), EncodeError> {
        match u64::try_from(v) {
            Ok(small) => self.head(MAJOR_POSITIVE, small),
            Err(_) => self.bignum(TAG_BIGPOS, v),
        }
    }

    fn serialize_f32(self, v: f32) -> Result<(), EncodeError> {
        self.float(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<(), EncodeError> {
        self.float(v)
    }

    fn serialize_char(self, v: char) -> Result<(), EncodeError> {
        self.text(v.encode_utf8(&mut [0u8; 4]))
    }

    #[inline]
    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        self.text(v)
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), EncodeError> {
        self.head(MAJOR_BYTES, v.len() as u64)?;
        self.put(v)
    }

    fn serialize_none(self) -> Result<(), EncodeError> {
        self.put(&[NULL])
    }

    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), EncodeError> {
        self.put(&[NULL])
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), EncodeError> {
        self.put(&[NULL])
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), EncodeError> {
        self.text(variant)
    }

    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &V,
    ) -> Result<(), EncodeError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &V,
    ) -> Result<(), EncodeError> {
        if name != "@@TAG@@" || variant != "@@UNTAGGED@@" {
            self.head(MAJOR_MAP, 1)?;
            self.text(variant)?;
        }
        value.serialize(self)
    }

    fn serialize_seq(self, length: Option<usize>) -> Result<Compound<'a, 'w>, EncodeError> {
        self.length_head(MAJOR_ARRAY, length)?;
        Ok(Compound {
            encoder: self,
            indefinite: length.is_none(),
            tag_next: false,
        })
    }

    fn serialize_tuple(self, length: usize) -> Result<Compound<'a, 'w>, EncodeError> {
        self.serialize_seq(Some(length))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        length: usize,
    ) -> Result<Compound<'a, 'w>, EncodeError> {
        self.serialize_seq(Some(length))
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        length: usize,
    ) -> Result<Compound<'a, 'w>, EncodeError> {
        let tagged = (name, variant) == ("@@TAG@@", "@@TAGGED@@");
        if !tagged {
            self.head(MAJOR_MAP, 1)?;
            self.text(variant)?;
            self.head(MAJOR_ARRAY, length as u64)?;
        }
        Ok(Compound {
            encoder: self,
            indefinite: false,
            tag_next: tagged,
        })
    }

    fn serialize_map(self, length: Option<usize>) -> Result<Compound<'a, 'w>, EncodeError> {
        self.length_head(MAJOR_MAP, length)?;
        Ok(Compound {
            encoder: self,
            indefinite: length.is_none(),
            tag_next: false,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        length: usize,
    ) -> Result<Compound<'a, 'w>, EncodeError> {
        self.head(MAJOR_MAP, length as u64)?;
        Ok(Compound {
            encoder: self,
            indefinite: false,
            tag_next: false,
        })
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        length: usize,
    ) -> Result<Compound<'a, 'w>, EncodeError> {
        self.head(MAJOR_MAP, 1)?;
        self.text(variant)?;
        self.head(MAJOR_MAP, length as u64)?;
        Ok(Compound {
            encoder: self,
            indefinite: false,
            tag_next: false,
        })
    }

    fn is_human_readable(&self) -> bool {
        false
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    #[inline]
    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_element<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        self.field(value)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), EncodeError> {
        key.serialize(&mut *self.encoder)
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), EncodeError> {
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), EncodeError> {
        self.encoder.text(key)?;
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), EncodeError> {
        self.encoder.text(key)?;
        value.serialize(&mut *self.encoder)
    }

    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests;
