//! Python `str` in pickles, and how this crate represents it.
//!
//! Python 3 pickles a `str` as UTF-8 with `errors='surrogatepass'`, so a lone surrogate
//! such as `'\udcdd'` (which n6's time-ordered-rows collectors produce when they decode
//! non-UTF-8 input with `errors='surrogateescape'`) is stored as the three bytes
//! `ED B3 9D`. This module turns such a string into the bytes that
//! `str.encode('utf-8', 'surrogateescape')` would give: valid text stays UTF-8, and each
//! escaped byte `'\udcXX'` (`XX` ≥ `0x80`) becomes the raw byte `XX` again (the decoder
//! keeps them as a `PyValue::EscapedStr`, plain text as a `PyValue::Str`). Any other lone
//! surrogate cannot be represented and is refused.
//!
//! Python 2 8-bit `str` objects (pickle opcodes `BINSTRING`/`SHORT_BINSTRING`, found in
//! protocol-2 files) carry no encoding; [`Py2Strings`] says how they are read.

use std::fmt;
use std::str::FromStr;

/// How 8-bit `str` objects of a Python-2 pickle are turned into text (n6's
/// `get_py2_pickle_load_kwargs()`, applied only to values that stay strings: the payload
/// of a `datetime` is always read as raw bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Py2Strings {
    /// UTF-8 with `errors='surrogateescape'` (n6's time-ordered-rows collectors): every
    /// byte sequence is accepted and kept byte for byte. The default.
    #[default]
    Utf8SurrogateEscape,
    /// ASCII, strict (n6's default for other collectors): a byte ≥ 0x80 is an error.
    Ascii,
    /// Latin-1 (n6's MISP collector): each byte is one character U+0000..U+00FF.
    Latin1,
    /// Keep them as `bytes` (`encoding='bytes'`).
    Bytes,
}

impl Py2Strings {
    /// The names accepted on the command line, in the order of the variants.
    pub const NAMES: [&'static str; 4] = ["utf-8-surrogateescape", "ascii", "latin1", "bytes"];

    /// The command-line name.
    pub fn name(self) -> &'static str {
        match self {
            Py2Strings::Utf8SurrogateEscape => Self::NAMES[0],
            Py2Strings::Ascii => Self::NAMES[1],
            Py2Strings::Latin1 => Self::NAMES[2],
            Py2Strings::Bytes => Self::NAMES[3],
        }
    }
}

impl fmt::Display for Py2Strings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Py2Strings {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "utf-8-surrogateescape" => Ok(Py2Strings::Utf8SurrogateEscape),
            "ascii" => Ok(Py2Strings::Ascii),
            "latin1" | "latin-1" => Ok(Py2Strings::Latin1),
            "bytes" => Ok(Py2Strings::Bytes),
            other => Err(format!(
                "unknown Python-2 string encoding {other:?} (expected one of: {})",
                Self::NAMES.join(", ")
            )),
        }
    }
}

/// Decodes the payload of a Python 3 `str` (UTF-8 with surrogates encoded as 3-byte
/// sequences) into surrogate-escape bytes. `Err` names the first unrepresentable code
/// unit and its position in `raw`.
pub(crate) fn from_surrogatepass(raw: &[u8]) -> Result<Vec<u8>, (usize, String)> {
    let mut out = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while !rest.is_empty() {
        let pos = raw.len() - rest.len();
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                out.extend_from_slice(valid.as_bytes());
                break;
            }
            Err(e) => {
                let (valid, tail) = rest.split_at(e.valid_up_to());
                out.extend_from_slice(valid);
                let at = pos + valid.len();
                match surrogate(tail) {
                    Some(unit @ 0xDC80..=0xDCFF) => {
                        out.push((unit - 0xDC00) as u8);
                        rest = &tail[3..];
                    }
                    Some(unit) => {
                        return Err((
                            at,
                            format!(
                                "the string holds the lone surrogate U+{unit:04X}, which is not an escaped byte (only U+DC80..U+DCFF, as made by errors='surrogateescape', can be converted)"
                            ),
                        ));
                    }
                    None => return Err((at, "the string is not valid UTF-8".to_owned())),
                }
            }
        }
    }
    Ok(out)
}

/// The UTF-16 surrogate encoded (surrogatepass-style) at the start of `bytes`, if any.
fn surrogate(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [0xED, b1 @ 0xA0..=0xBF, b2 @ 0x80..=0xBF, ..] => {
            Some(0xD000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F))
        }
        _ => None,
    }
}

/// Latin-1 bytes as UTF-8 text.
pub(crate) fn latin1_to_utf8(raw: &[u8]) -> String {
    raw.iter().map(|&b| char::from(b)).collect()
}

/// The code points of `text` as bytes when all are ≤ U+00FF (how Python's
/// `_codecs.encode(s, 'latin1')` turns a `str` back into `bytes`).
pub(crate) fn utf8_to_latin1(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_bytes_come_back_raw() {
        // 'jaźń \udcdd' pickled by Python 3.
        let raw = b"ja\xc5\xba\xc5\x84 \xed\xb3\x9d";
        assert_eq!(
            from_surrogatepass(raw).expect("decodes"),
            b"ja\xc5\xba\xc5\x84 \xdd".to_vec()
        );
    }

    #[test]
    fn plain_utf8_is_unchanged() {
        assert_eq!(
            from_surrogatepass("żółte kąty".as_bytes()).expect("decodes"),
            "żółte kąty".as_bytes().to_vec()
        );
    }

    #[test]
    fn other_surrogates_are_refused_with_position() {
        let (at, why) = from_surrogatepass(b"ab\xed\xa0\x80").expect_err("high surrogate");
        assert_eq!(at, 2);
        assert!(why.contains("U+D800"), "{why}");
        let (at, why) = from_surrogatepass(b"a\xed\xb2\x7f").expect_err("low surrogate below 0x80");
        assert_eq!(at, 1);
        assert!(why.contains("not valid UTF-8"), "{why}");
        let (at, _) = from_surrogatepass(b"abc\xff").expect_err("garbage");
        assert_eq!(at, 3);
    }

    #[test]
    fn latin1_both_ways() {
        assert_eq!(latin1_to_utf8(b"\x07\xe6"), "\u{7}\u{e6}");
        assert_eq!(utf8_to_latin1("\u{7}\u{e6}"), Some(vec![7, 0xe6]));
        assert_eq!(utf8_to_latin1("ź"), None);
    }

    #[test]
    fn policy_names_round_trip() {
        for name in Py2Strings::NAMES {
            assert_eq!(name.parse::<Py2Strings>().expect("known").name(), name);
        }
        assert!("utf-16".parse::<Py2Strings>().is_err());
    }
}
