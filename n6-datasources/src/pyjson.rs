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
