//! The line grammar: what one pre-processed line of a spec is (n6's regular
//! expressions, written out).

use super::preprocess::is_ascii_ws;
use crate::py::text::py_strip;

/// `/^[;#]/` or `/^\s*$/`.
pub(super) fn is_blank_or_comment(line: &str) -> bool {
    line.starts_with([';', '#']) || line.chars().all(is_ascii_ws)
}

/// `^\[\s*(?P<name>[^\s\].]+)\s*\].*$` → the name.
pub(super) fn match_section_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?.trim_start_matches(is_ascii_ws);
    let end = rest
        .find(|c: char| is_ascii_ws(c) || c == ']' || c == '.')
        .unwrap_or(rest.len());
    let (name, after) = rest.split_at(end);
    if name.is_empty() {
        return None;
    }
    after
        .trim_start_matches(is_ascii_ws)
        .starts_with(']')
        .then_some(name)
}

/// A matched option line.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum OptionLine<'a> {
    /// `name = value` / `name: value` (value before any inline comment, unstripped).
    Valued { name: &'a str, value: &'a str },
    /// `name` or `name :: conv`.
    NoValue {
        name: &'a str,
        converter: Option<&'a str>,
    },
}

/// Is `rest` (what follows a complete token) `\s*?(\s;.*)?$`: only whitespace, or
/// whitespace ending right before a `;`?
pub(super) fn is_tail_ok(rest: &str) -> bool {
    let after_ws = rest.trim_start_matches(is_ascii_ws);
    after_ws.is_empty() || (after_ws.len() < rest.len() && after_ws.starts_with(';'))
}

/// The option-line regex of n6 (`_OPT_BEG_REGEX` of n6's `n6lib.config` spec parser).
pub(super) fn match_option_line(line: &str) -> Option<OptionLine<'_>> {
    let first = line.chars().next()?;
    if matches!(first, ':' | '=' | '[' | ']') || is_ascii_ws(first) {
        return None;
    }
    let name_end = line
        .find(|c: char| c == ':' || c == '=' || is_ascii_ws(c))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    let after_name = &line[name_end..];
    let rest = after_name.trim_start_matches(is_ascii_ws);
    if rest.starts_with('=') || (rest.starts_with(':') && !rest.starts_with("::")) {
        let text = &rest[1..];
        let value = match find_inline_comment(text) {
            Some(idx) => &text[..idx],
            None => text,
        };
        return Some(OptionLine::Valued { name, value });
    }
    if let Some(conv_part) = rest.strip_prefix("::") {
        let conv_part = conv_part.trim_start_matches(is_ascii_ws);
        let end = conv_part.find(is_ascii_ws).unwrap_or(conv_part.len());
        if end > 0 && is_tail_ok(&conv_part[end..]) {
            return Some(OptionLine::NoValue {
                name,
                converter: Some(&conv_part[..end]),
            });
        }
    }
    is_tail_ok(after_name).then_some(OptionLine::NoValue {
        name,
        converter: None,
    })
}

/// Byte index of the first whitespace character followed by `;`.
pub(super) fn find_inline_comment(text: &str) -> Option<usize> {
    let mut prev: Option<(usize, char)> = None;
    for (idx, c) in text.char_indices() {
        if c == ';'
            && let Some((ws_idx, p)) = prev
            && is_ascii_ws(p)
        {
            return Some(ws_idx);
        }
        prev = Some((idx, c));
    }
    None
}

/// `\A\S+\Z` (ASCII `\s`).
pub(super) fn is_valid_converter_spec(spec: &str) -> bool {
    !spec.is_empty() && !spec.chars().any(is_ascii_ws)
}

/// Python's `value.strip()`, then `""` → empty.
pub(super) fn strip_value(value: &str) -> String {
    let value = py_strip(value);
    if value == "\"\"" {
        String::new()
    } else {
        value.to_owned()
    }
}
