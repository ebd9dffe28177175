//! The `json` converter (Python's `json.loads`).

use super::ConvertError;

/// `json`: a JSON document, surrounding JSON whitespace allowed.
///
/// Errors are `JSONDecodeError: <what>: line L column C (char N)` in Python's words for
/// the common cases (`Expecting value`, `Expecting ',' delimiter`, `Extra data`, ...);
/// the position may differ from Python's for rarer errors.
///
/// Deviation from n6: `NaN`, `Infinity` and `-Infinity` (which Python's `json` accepts)
/// are rejected, because a `serde_json::Value` cannot hold non-finite numbers.
pub fn to_json(raw: &str) -> Result<serde_json::Value, ConvertError> {
    serde_json::from_str(raw).map_err(|e| decode_error(raw, &e))
}

/// Rephrases a serde_json error the way Python's `json` module reports it.
fn decode_error(raw: &str, e: &serde_json::Error) -> ConvertError {
    let text = e.to_string();
    let what = text.split(" at line ").next().unwrap_or(&text);
    let chars: Vec<char> = raw.chars().collect();
    // serde_json's (1-based) line and column of the offending character.
    let line_start: usize = raw
        .split('\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.chars().count() + 1)
        .sum();
    let at = (line_start + e.column()).saturating_sub(1).min(chars.len());
    // (only used for errors at the end of the input)
    let last_significant = chars
        .iter()
        .rev()
        .find(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .copied();
    let (message, pos) = match what {
        "EOF while parsing a value" => ("Expecting value".to_owned(), chars.len()),
        "expected value" | "invalid number" if non_finite_at(raw, at).is_some() => (
            "NaN and Infinity are not supported (a JSON value cannot hold them)".to_owned(),
            non_finite_at(raw, at).unwrap_or(at),
        ),
        "expected value" => ("Expecting value".to_owned(), at),
        "key must be a string" => (
            "Expecting property name enclosed in double quotes".to_owned(),
            at,
        ),
        "expected `:`" => ("Expecting ':' delimiter".to_owned(), at),
        "expected `,` or `]`" | "expected `,` or `}`" => ("Expecting ',' delimiter".to_owned(), at),
        "trailing comma" if chars.get(at) == Some(&'}') => (
            "Expecting property name enclosed in double quotes".to_owned(),
            at,
        ),
        "trailing comma" => ("Expecting value".to_owned(), at),
        "trailing characters" => ("Extra data".to_owned(), at),
        "EOF while parsing a list" => match last_significant {
            Some('[' | ',') => ("Expecting value".to_owned(), chars.len()),
            _ => ("Expecting ',' delimiter".to_owned(), chars.len()),
        },
        "EOF while parsing an object" => match last_significant {
            Some('{' | ',') => (
                "Expecting property name enclosed in double quotes".to_owned(),
                chars.len(),
            ),
            Some(':') => ("Expecting value".to_owned(), chars.len()),
            _ => ("Expecting ',' delimiter".to_owned(), chars.len()),
        },
        w if w.starts_with("control character") => ("Invalid control character at".to_owned(), at),
        other => (other.to_owned(), at),
    };
    let line = chars[..pos].iter().filter(|c| **c == '\n').count() + 1;
    let column = pos
        - chars[..pos]
            .iter()
            .rposition(|c| *c == '\n')
            .map_or(0, |i| i + 1)
        + 1;
    ConvertError::new(
        "JSONDecodeError",
        format!("{message}: line {line} column {column} (char {pos})"),
    )
}

/// Where `NaN`, `Infinity` or `-Infinity` starts, if one is at char `at` (for
/// `-Infinity` serde_json points at the `I`).
fn non_finite_at(raw: &str, at: usize) -> Option<usize> {
    let rest = &raw[char_to_byte(raw, at)..];
    if rest.starts_with("NaN") || rest.starts_with("-Infinity") {
        return Some(at);
    }
    let after_minus = at > 0 && raw[..char_to_byte(raw, at)].ends_with('-');
    rest.starts_with("Infinity")
        .then(|| if after_minus { at - 1 } else { at })
}

fn char_to_byte(s: &str, char_index: usize) -> usize {
    s.char_indices().nth(char_index).map_or(s.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(raw: &str) -> String {
        to_json(raw).unwrap_err().to_string()
    }

    #[test]
    fn errors_in_pythons_words() {
        // Expected texts captured from CPython's json.loads.
        let cases: &[(&str, &str)] = &[
            ("", "Expecting value: line 1 column 1 (char 0)"),
            (
                "{'a':1}",
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            ),
            ("[1,", "Expecting value: line 1 column 4 (char 3)"),
            ("[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"),
            (
                "{\"a\" 1}",
                "Expecting ':' delimiter: line 1 column 6 (char 5)",
            ),
            (
                "{\"a\":1,}",
                "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)",
            ),
            ("[1] x", "Extra data: line 1 column 5 (char 4)"),
            (
                "\"a\u{1}\"",
                "Invalid control character at: line 1 column 3 (char 2)",
            ),
            ("  ", "Expecting value: line 1 column 3 (char 2)"),
            ("\n\n [", "Expecting value: line 3 column 3 (char 4)"),
            (
                "{\"a\":1 \"b\"}",
                "Expecting ',' delimiter: line 1 column 8 (char 7)",
            ),
            ("[1,]", "Expecting value: line 1 column 4 (char 3)"),
            ("[1", "Expecting ',' delimiter: line 1 column 3 (char 2)"),
            (
                "{",
                "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(err(raw), format!("JSONDecodeError: {expected}"), "{raw:?}");
        }
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        let msg = "JSONDecodeError: NaN and Infinity are not supported (a JSON value cannot \
                   hold them): line 1 column";
        assert_eq!(err("[1, NaN]"), format!("{msg} 5 (char 4)"));
        assert_eq!(err("NaN"), format!("{msg} 1 (char 0)"));
        assert_eq!(err(" Infinity"), format!("{msg} 2 (char 1)"));
        assert_eq!(err("{\"a\": -Infinity}"), format!("{msg} 7 (char 6)"));
    }
}
