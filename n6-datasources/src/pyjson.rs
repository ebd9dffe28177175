//! The little of Python's `json.dumps` (default settings: `ensure_ascii=True`,
//! separators `", "` and `": "`) the family needs for bodies made of strings.

/// `json.dumps(s)` for a `str`: quoted, `"` `\` and control characters escaped as
/// Python does (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00XX`), non-ASCII as `\uXXXX`
/// (UTF-16 surrogate pairs beyond the BMP).
pub fn dumps_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `json.dumps(d)` for a dict of `str` keys and `str` values, in the given order.
pub fn dumps_str_dict(entries: &[(&str, &str)]) -> String {
    let items: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("{}: {}", dumps_str(k), dumps_str(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_python_writes_them() {
        // python3 -c 'import json; print(json.dumps({"a": "x\r\n\"é😀\x7f\x01"}))'
        assert_eq!(
            dumps_str_dict(&[("a", "x\r\n\"é😀\u{7f}\u{1}")]),
            r#"{"a": "x\r\n\"\u00e9\ud83d\ude00\u007f\u0001"}"#
        );
    }
}

/// A JSON value as Python's `json.loads` gives it: objects keep their key order (a
/// repeated key keeps its first place and its last value), integers stay exact.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `None`.
    Null,
    /// `bool`.
    Bool(bool),
    /// `int`, as its decimal text (Python's ints are unbounded).
    Int(String),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(String),
    /// `list`.
    List(Vec<Json>),
    /// `dict`, in insertion order.
    Dict(Vec<(String, Json)>),
}

impl Json {
    /// The value of `key` in a dict.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Python's `json.dumps(value)` with the default settings.
    pub fn dumps(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Int(i) => out.push_str(i),
            Json::Float(f) => out.push_str(&float_repr(*f)),
            Json::Str(s) => out.push_str(&dumps_str(s)),
            Json::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Dict(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&dumps_str(k));
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Python's `float.__repr__` (as `json.dumps` writes floats): the shortest round-trip
/// digits, exponent form below 1e-4 and from 1e16; `NaN`, `Infinity`, `-Infinity`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{f:e}"); // e.g. "-1.2345e-7"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        return format!(
            "{sign}{first}{rest}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        format!(
            "{sign}0.{}{digits}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point as usize >= digits.len() {
        format!(
            "{sign}{digits}{}.0",
            "0".repeat(point as usize - digits.len())
        )
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// Python's `json.loads(text)` (the common subset: no `NaN` literals).
pub fn loads(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("Extra data at char {}", p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.s.get(self.i).is_some_and(|b| b" \t\r\n".contains(b)) {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("{what} at char {}", self.i))
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.s.get(self.i) {
            Some(b'{') => {
                self.i += 1;
                let mut entries: Vec<(String, Json)> = Vec::new();
                self.ws();
                if self.eat("}") {
                    return Ok(Json::Dict(entries));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    if !self.eat(":") {
                        return self.err("Expecting ':' delimiter");
                    }
                    self.ws();
                    let value = self.value()?;
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some(entry) => entry.1 = value,
                        None => entries.push((key, value)),
                    }
                    self.ws();
                    if self.eat("}") {
                        return Ok(Json::Dict(entries));
                    }
                    if !self.eat(",") {
                        return self.err("Expecting ',' delimiter");
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.eat("]") {
                    return Ok(Json::List(items));
                }
                loop {
                    self.ws();
                    items.push(self.value()?);
                    self.ws();
                    if self.eat("]") {
                        return Ok(Json::List(items));
                    }
                    if !self.eat(",") {
                        return self.err("Expecting ',' delimiter");
                    }
                }
            }
            Some(b'"') => self.string().map(Json::Str),
            _ if self.eat("null") => Ok(Json::Null),
            _ if self.eat("true") => Ok(Json::Bool(true)),
            _ if self.eat("false") => Ok(Json::Bool(false)),
            _ => self.number(),
        }
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        let mut float = false;
        while let Some(&b) = self.s.get(self.i) {
            match b {
                b'0'..=b'9' | b'-' | b'+' => {}
                b'.' | b'e' | b'E' => float = true,
                _ => break,
            }
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        if text.is_empty() {
            return self.err("Expecting value");
        }
        if float {
            text.parse()
                .map(Json::Float)
                .map_err(|_| format!("Expecting value at char {start}"))
        } else if text
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit())
        {
            Ok(Json::Int(text.to_owned()))
        } else {
            Err(format!("Expecting value at char {start}"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if !self.eat("\"") {
            return self.err("Expecting property name enclosed in double quotes");
        }
        let mut out = String::new();
        let mut pending_high: Option<u16> = None;
        loop {
            let Some(&b) = self.s.get(self.i) else {
                return self.err("Unterminated string");
            };
            self.i += 1;
            match b {
                b'"' => return Ok(out),
                b'\\' => {
                    let Some(&e) = self.s.get(self.i) else {
                        return self.err("Unterminated string");
                    };
                    self.i += 1;
                    let c = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hex = self
                                .s
                                .get(self.i..self.i + 4)
                                .and_then(|h| std::str::from_utf8(h).ok());
                            let Some(unit) = hex.and_then(|h| u16::from_str_radix(h, 16).ok())
                            else {
                                return self.err("Invalid \\uXXXX escape");
                            };
                            self.i += 4;
                            if (0xD800..0xDC00).contains(&unit) {
                                pending_high = Some(unit);
                                continue;
                            }
                            if let (Some(high), true) =
                                (pending_high.take(), (0xDC00..0xE000).contains(&unit))
                            {
                                let code = 0x10000
                                    + ((u32::from(high) - 0xD800) << 10)
                                    + (u32::from(unit) - 0xDC00);
                                char::from_u32(code).unwrap_or('\u{fffd}')
                            } else {
                                char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}')
                            }
                        }
                        _ => return self.err("Invalid \\escape"),
                    };
                    out.push(c);
                }
                _ => {
                    // Copy one UTF-8 character.
                    let start = self.i - 1;
                    let len = match b {
                        0x00..=0x7f => 1,
                        0xc0..=0xdf => 2,
                        0xe0..=0xef => 3,
                        _ => 4,
                    };
                    let Some(ch) = self
                        .s
                        .get(start..start + len)
                        .and_then(|c| std::str::from_utf8(c).ok())
                    else {
                        return self.err("Invalid UTF-8");
                    };
                    out.push_str(ch);
                    self.i = start + len;
                }
            }
        }
    }
}

#[cfg(test)]
mod json_tests {
    use super::*;

    #[test]
    fn loads_then_dumps_as_python() {
        let text = r#"{"b": 1, "a": [1.5, 1e20, 0.0001, 1e-05, 100.0, -2, "\u00e9\ud83d\ude00"], "b": null, "t": true}"#;
        // python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])))' "$text"
        assert_eq!(
            loads(text).expect("json").dumps(),
            r#"{"b": null, "a": [1.5, 1e+20, 0.0001, 1e-05, 100.0, -2, "\u00e9\ud83d\ude00"], "t": true}"#
        );
        assert!(loads("{").is_err());
        assert_eq!(float_repr(123456789012345680.0), "1.2345678901234568e+17");
        assert_eq!(float_repr(0.1), "0.1");
    }
}
