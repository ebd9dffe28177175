//! Pre-processing of the spec text, as n6 does it before reading lines: line breaks,
//! tabs, `reduce_indent`, reserved characters.

use super::SpecError;
use crate::py::repr::py_ascii_repr;
use crate::py::text::is_py_space;

/// Python's `re.ASCII` `\s`.
pub(super) fn is_ascii_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// Splits at `\r\n`, `\r` and `\n` (the line breaks n6 accepts).
pub(super) fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push(&text[start..]);
    lines
}

/// Python's `str.expandtabs(8)` for one line.
pub(super) fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut column = 0usize;
    for c in line.chars() {
        if c == '\t' {
            let spaces = 8 - column % 8;
            out.extend(std::iter::repeat_n(' ', spaces));
            column += spaces;
        } else {
            out.push(c);
            column += 1;
        }
    }
    out
}

/// n6's `reduce_indent`: tabs expanded, the first line's leading whitespace removed,
/// then `textwrap.dedent` on the other lines (space-only lines emptied, the common
/// leading-space margin of the rest removed). One output line per input line.
pub(super) fn reduce_indent(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = split_lines(text).into_iter().map(expand_tabs).collect();
    if let Some(first) = lines.first_mut() {
        *first = first.trim_start_matches(is_py_space).to_owned();
    }
    let mut margin: Option<usize> = None;
    for line in lines.iter_mut().skip(1) {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent == line.len() {
            line.clear();
        } else {
            margin = Some(margin.map_or(indent, |m| m.min(indent)));
        }
    }
    if let Some(margin) = margin.filter(|&m| m > 0) {
        for line in lines.iter_mut().skip(1) {
            if !line.is_empty() {
                line.drain(..margin);
            }
        }
    }
    lines
}

/// U+0000 and U+0001 are reserved in n6 specs.
pub(super) fn check_reserved_chars(text: &str, errors: &mut Vec<SpecError>) {
    let mut found: Vec<(char, usize)> = Vec::new();
    for (idx, line) in split_lines(text).iter().enumerate() {
        for c in ['\0', '\x01'] {
            if line.contains(c) && !found.iter().any(|(f, _)| *f == c) {
                found.push((c, idx + 1));
            }
        }
    }
    if found.is_empty() {
        return;
    }
    found.sort_by_key(|(c, _)| *c);
    let chars: Vec<String> = found
        .iter()
        .map(|(c, _)| py_ascii_repr(&c.to_string()))
        .collect();
    errors.push(SpecError {
        line: found.iter().map(|(_, line)| *line).min().unwrap_or(0),
        message: format!(
            "found config spec's character(s) reserved for internal purposes: {}",
            chars.join(", ")
        ),
    });
}
