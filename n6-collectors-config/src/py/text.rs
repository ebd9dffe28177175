//! Python's notions of whitespace and decimal digits, which n6's converters inherit from
//! `str.strip()`, `int()` and `float()`.

/// Python `str.isspace()` (the characters `str.strip()` removes).
#[inline]
pub fn is_py_space(c: char) -> bool {
    matches!(c,
        '\t'..='\r' | '\x1c'..='\x1f' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}'
        | '\u{2000}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}'
        | '\u{3000}')
}

/// Python `s.strip()` (no arguments).
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python `s.rstrip()` (no arguments).
pub fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

/// The first code point of each run of ten Unicode decimal digits (category `Nd`,
/// Unicode 15.0); every run is contiguous and ordered `0`..`9`.
const DECIMAL_DIGIT_ZEROS: [u32; 68] = [
    0x0030, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0,
    0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x11F50, 0x16A60,
    0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E4F0,
    0x1E950, 0x1FBF0,
];

/// The value of a Unicode decimal digit (Python `unicodedata.decimal(c)`), if `c` is one.
pub fn decimal_value(c: char) -> Option<u32> {
    let code = c as u32;
    let idx = DECIMAL_DIGIT_ZEROS.partition_point(|&zero| zero <= code);
    let zero = DECIMAL_DIGIT_ZEROS[idx.checked_sub(1)?];
    (code - zero < 10).then_some(code - zero)
}

/// Python's `_PyUnicode_TransformDecimalAndSpaceToASCII` (the first step of `int()` and
/// `float()` on a `str`): non-ASCII whitespace becomes `' '`, non-ASCII decimal digits
/// become their ASCII digit; `None` when some other non-ASCII character occurs (such a
/// string can never be a valid number).
pub fn decimal_and_space_to_ascii(s: &str) -> Option<String> {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                Some(c)
            } else if is_py_space(c) {
                Some(' ')
            } else {
                decimal_value(c).and_then(|d| char::from_digit(d, 10))
            }
        })
        .collect()
}

/// C's `isspace()` in the "C" locale, which Python's number parsers use once the text
/// has been made ASCII.
pub fn is_ascii_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(py_strip("\x1c\u{3000} a b\u{85}\x0b"), "a b");
        assert_eq!(py_strip("\u{200b}a"), "\u{200b}a");
        assert_eq!(py_rstrip(" a \t"), " a");
    }

    #[test]
    fn decimal_digits() {
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('٣'), Some(3));
        assert_eq!(decimal_value('\u{1D7FF}'), Some(9));
        assert_eq!(decimal_value('\u{1FBF9}'), Some(9));
        assert_eq!(decimal_value('\u{1FBFA}'), None);
        assert_eq!(decimal_value('a'), None);
        assert_eq!(decimal_value('/'), None);
        assert_eq!(decimal_value('\u{19DA}'), None);
        assert!(DECIMAL_DIGIT_ZEROS.windows(2).all(|w| w[0] + 10 <= w[1]));
    }

    #[test]
    fn transform_to_ascii() {
        assert_eq!(
            decimal_and_space_to_ascii("\u{2003}٣٤\u{a0}").as_deref(),
            Some(" 34 ")
        );
        assert_eq!(decimal_and_space_to_ascii("1ś"), None);
    }
}
