//! `json.loads`: Python's grammar (its `py_scanstring`, `NUMBER_RE`, `NaN`/`Infinity`
//! constants), its error messages and positions, and its byte-encoding detection.

use super::value::{PyInt, PyJson, PyObject};

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 900;

/// Python 3.11's limit on the digits of an `int` parsed from text
/// (`sys.get_int_max_str_digits()`).
const MAX_INT_DIGITS: usize = 4300;

/// Why a document could not be parsed or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Python's `JSONDecodeError`: its message and where (line and column 1-based,
    /// `pos` the 0-based character index), printed as Python prints it.
    #[error("{message}: line {line} column {column} (char {pos})")]
    Decode {
        /// Python's message, e.g. `Expecting value`.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// 0-based character index.
        pos: usize,
    },
    /// A `\uD800`-`\uDFFF` escape without its pair, which Python keeps as a lone
    /// surrogate; a Rust string cannot hold it.
    #[error("unpaired surrogate escape at char {pos} (not representable)")]
    LoneSurrogate {
        /// 0-based character index of the escape.
        pos: usize,
    },
    /// Arrays/objects nested deeper than [`MAX_DEPTH`] (Python: `RecursionError`).
    #[error("maximum nesting depth ({MAX_DEPTH}) exceeded at char {pos}")]
    TooDeep {
        /// 0-based character index.
        pos: usize,
    },
    /// Python 3.11's integer-digits limit (`ValueError`).
    #[error(
        "Exceeds the limit ({MAX_INT_DIGITS} digits) for integer string conversion: value has {digits} digits; use sys.set_int_max_str_digits() to increase the limit"
    )]
    IntTooLong {
        /// How many digits the number has.
        digits: usize,
    },
    /// The bytes are not text in the detected encoding (Python: `UnicodeDecodeError`).
    #[error("the JSON bytes are not valid {encoding}")]
    Encoding {
        /// The encoding Python's `json.detect_encoding` chose.
        encoding: &'static str,
    },
    /// `dumps_with(.., allow_nan: false)` met a non-finite float (Python's message).
    #[error("Out of range float values are not JSON compliant")]
    OutOfRangeFloat,
}

/// `json.loads(data)` for bytes: the encoding is detected as Python's
/// `json.detect_encoding` does (UTF-8 with or without BOM, UTF-16/32 by BOM or by the
/// zero bytes of the first characters), then [`loads_str`].
pub fn loads(data: &[u8]) -> Result<PyJson, JsonError> {
    let text = decode(data)?;
    loads_str(&text)
}

/// `json.loads(text)` for text (a leading BOM is Python's error, as for `str` input).
pub fn loads_str(text: &str) -> Result<PyJson, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    if text.starts_with('\u{feff}') {
        return Err(parser.error_at("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0));
    }
    parser.skip_ws();
    let value = parser.value(0)?;
    parser.skip_ws();
    if parser.at != parser.bytes.len() {
        return Err(parser.error("Extra data"));
    }
    Ok(value)
}

fn decode(data: &[u8]) -> Result<String, JsonError> {
    let encoding = detect_encoding(data);
    let bad = || JsonError::Encoding { encoding };
    match encoding {
        "utf-8" => String::from_utf8(data.to_vec()).map_err(|_| bad()),
        "utf-8-sig" => String::from_utf8(data[3..].to_vec()).map_err(|_| bad()),
        "utf-16" | "utf-16-be" | "utf-16-le" => {
            let (body, big) = match encoding {
                "utf-16" => (&data[2..], data[0] == 0xfe),
                e => (data, e == "utf-16-be"),
            };
            if body.len() % 2 != 0 {
                return Err(bad());
            }
            let units = body.chunks_exact(2).map(|c| {
                if big {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            char::decode_utf16(units)
                .collect::<Result<String, _>>()
                .map_err(|_| bad())
        }
        _ => {
            let (body, big) = match encoding {
                "utf-32" => (&data[4..], data[0] == 0),
                e => (data, e == "utf-32-be"),
            };
            if body.len() % 4 != 0 {
                return Err(bad());
            }
            body.chunks_exact(4)
                .map(|c| {
                    let b = [c[0], c[1], c[2], c[3]];
                    let n = if big {
                        u32::from_be_bytes(b)
                    } else {
                        u32::from_le_bytes(b)
                    };
                    char::from_u32(n).ok_or_else(bad)
                })
                .collect()
        }
    }
}

/// Python's `json.detect_encoding`.
fn detect_encoding(b: &[u8]) -> &'static str {
    if b.starts_with(&[0, 0, 0xfe, 0xff]) || b.starts_with(&[0xff, 0xfe, 0, 0]) {
        return "utf-32";
    }
    if b.starts_with(&[0xfe, 0xff]) || b.starts_with(&[0xff, 0xfe]) {
        return "utf-16";
    }
    if b.starts_with(&[0xef, 0xbb, 0xbf]) {
        return "utf-8-sig";
    }
    if b.len() >= 4 {
        if b[0] == 0 {
            return if b[1] != 0 { "utf-16-be" } else { "utf-32-be" };
        }
        if b[1] == 0 {
            return if b[2] != 0 || b[3] != 0 {
                "utf-16-le"
            } else {
                "utf-32-le"
            };
        }
    } else if b.len() == 2 {
        if b[0] == 0 {
            return "utf-16-be";
        }
        if b[1] == 0 {
            return "utf-16-le";
        }
    }
    "utf-8"
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn char_pos(&self, byte: usize) -> usize {
        self.text[..byte].chars().count()
    }

    fn error(&self, message: &str) -> JsonError {
        self.error_at(message, self.at)
    }

    /// Python's `JSONDecodeError(msg, doc, pos)`.
    fn error_at(&self, message: &str, byte: usize) -> JsonError {
        let before = &self.text[..byte];
        let pos = before.chars().count();
        let line = before.matches('\n').count() + 1;
        // colno = pos - doc.rfind('\n', 0, pos)
        let column = match before.rfind('\n') {
            Some(nl) => before[nl + 1..].chars().count() + 1,
            None => pos + 1,
        };
        JsonError::Decode {
            message: message.to_owned(),
            line,
            column,
            pos,
        }
    }

    fn value(&mut self, depth: usize) -> Result<PyJson, JsonError> {
        let rest = &self.bytes[self.at..];
        match self.peek() {
            Some(b'"') => {
                self.at += 1;
                self.string().map(PyJson::Str)
            }
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'n') if rest.starts_with(b"null") => self.word(4, PyJson::Null),
            Some(b't') if rest.starts_with(b"true") => self.word(4, PyJson::Bool(true)),
            Some(b'f') if rest.starts_with(b"false") => self.word(5, PyJson::Bool(false)),
            Some(b'N') if rest.starts_with(b"NaN") => self.word(3, PyJson::Float(f64::NAN)),
            Some(b'I') if rest.starts_with(b"Infinity") => {
                self.word(8, PyJson::Float(f64::INFINITY))
            }
            Some(b'-') if rest.starts_with(b"-Infinity") => {
                self.word(9, PyJson::Float(f64::NEG_INFINITY))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("Expecting value")),
        }
    }

    fn word(&mut self, len: usize, value: PyJson) -> Result<PyJson, JsonError> {
        self.at += len;
        Ok(value)
    }

    /// `NUMBER_RE = (-?(?:0|[1-9]\d*))(\.\d+)?([eE][-+]?\d+)?`
    fn number(&mut self) -> Result<PyJson, JsonError> {
        let start = self.at;
        let b = self.bytes;
        let digits = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        let mut i = start;
        if b[i] == b'-' {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(i),
            _ => return Err(self.error("Expecting value")),
        }
        let int_end = i;
        let mut is_float = false;
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = digits(i + 1);
            is_float = true;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            let mut j = i + 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            if b.get(j).is_some_and(u8::is_ascii_digit) {
                i = digits(j);
                is_float = true;
            }
        }
        self.at = i;
        let text = &self.text[start..i];
        if is_float {
            return Ok(PyJson::Float(text.parse().unwrap_or(f64::NAN)));
        }
        let count = int_end - start - usize::from(b[start] == b'-');
        if count > MAX_INT_DIGITS {
            return Err(JsonError::IntTooLong { digits: count });
        }
        PyInt::from_decimal(text)
            .map(PyJson::Int)
            .ok_or_else(|| self.error_at("Expecting value", start))
    }

    /// `py_scanstring` (strict): after the opening quote.
    fn string(&mut self) -> Result<String, JsonError> {
        let begin = self.at - 1;
        let mut out = String::new();
        loop {
            let chunk_start = self.at;
            while let Some(c) = self.peek() {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.at += 1;
            }
            out.push_str(&self.text[chunk_start..self.at]);
            match self.peek() {
                None => return Err(self.error_at("Unterminated string starting at", begin)),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out, begin)?,
                Some(_) => return Err(self.error("Invalid control character at")),
            }
        }
    }

    fn escape(&mut self, out: &mut String, begin: usize) -> Result<(), JsonError> {
        let backslash = self.at;
        self.at += 1;
        let Some(c) = self.peek() else {
            return Err(self.error_at("Unterminated string starting at", begin));
        };
        let simple = match c {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'u' => None,
            _ => return Err(self.error_at("Invalid \\escape", backslash)),
        };
        if let Some(c) = simple {
            out.push(c);
            self.at += 1;
            return Ok(());
        }
        let unit = self.hex4(backslash + 2)?;
        self.at = backslash + 6;
        let code = if (0xd800..=0xdbff).contains(&unit) && self.bytes[self.at..].starts_with(b"\\u")
        {
            let low = self.hex4(self.at + 2)?;
            if (0xdc00..=0xdfff).contains(&low) {
                self.at += 6;
                0x10000 + (((unit - 0xd800) << 10) | (low - 0xdc00))
            } else {
                unit
            }
        } else {
            unit
        };
        match char::from_u32(code) {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(JsonError::LoneSurrogate {
                pos: self.char_pos(backslash),
            }),
        }
    }

    /// Four hex digits at byte `at` (Python's `_decode_uXXXX`).
    fn hex4(&self, at: usize) -> Result<u32, JsonError> {
        let hex = self
            .bytes
            .get(at..at + 4)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit));
        match hex {
            Some(h) => Ok(h
                .iter()
                .fold(0, |n, d| n * 16 + (*d as char).to_digit(16).unwrap_or(0))),
            None => Err(self.error_at("Invalid \\uXXXX escape", at - 1)),
        }
    }

    fn object(&mut self, depth: usize) -> Result<PyJson, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep {
                pos: self.char_pos(self.at),
            });
        }
        self.at += 1;
        let mut pairs = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(PyJson::Object(PyObject::new()));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.error("Expecting property name enclosed in double quotes"));
            }
            self.at += 1;
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("Expecting ':' delimiter"));
            }
            self.at += 1;
            self.skip_ws();
            let value = self.value(depth)?;
            pairs.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.at += 1;
                    return Ok(PyJson::Object(PyObject::from_pairs(pairs)));
                }
                Some(b',') => {
                    self.at += 1;
                    self.skip_ws();
                }
                _ => return Err(self.error("Expecting ',' delimiter")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<PyJson, JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep {
                pos: self.char_pos(self.at),
            });
        }
        self.at += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(PyJson::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.at += 1;
                    return Ok(PyJson::Array(items));
                }
                Some(b',') => {
                    self.at += 1;
                    self.skip_ws();
                }
                _ => return Err(self.error("Expecting ',' delimiter")),
            }
        }
    }
}
