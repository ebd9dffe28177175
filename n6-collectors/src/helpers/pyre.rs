//! Regular expressions from config values with Python `re` semantics (on
//! `fancy-regex`: groups, backreferences, lookahead and lookbehind), as n6 configs use
//! them: Shadowserver's `subject_pattern` / `item_url_pattern` (at least one capture
//! group; matched with n6's default flags `re.MULTILINE | re.DOTALL`), Withaname's
//! `href="((?!last\.csv)[^"]+\.csv)"`.
//!
//! Python's syntax is translated where the engines differ: `$` without `MULTILINE`
//! matches at the end *or before a final newline*, `\Z` is the end of the text,
//! `(?P=name)` is a named backreference, and a `{` that does not start a quantifier is
//! a literal. Not supported (an error): the `(?a)`/`(?L)`/`(?u)` flags and
//! conditionals `(?(1)...)`.
//!
//! ```
//! use n6_collectors::helpers::pyre::{PyRegex, ReFlags};
//!
//! let re = PyRegex::config_option("subject_pattern", r"^\[\w+\] (.*?) report$", 1)?;
//! let text = "[SHADOW] Sinkhole HTTP report\n";
//! assert_eq!(re.search(text).and_then(|m| m.group(1)), Some("Sinkhole HTTP"));
//! let links = PyRegex::compile(r#"href="((?!last\.csv)[^"]+\.csv)""#, ReFlags::NONE)?;
//! assert_eq!(links.findall(r#"<a href="last.csv"> <a href="2024-01-01.csv">"#), ["2024-01-01.csv"]);
//! # Ok::<(), n6_collectors::Error>(())
//! ```

use crate::error::Error;
use n6_collectors_config::py::repr::py_ascii_repr;

/// `re` flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReFlags {
    /// `re.IGNORECASE`.
    pub ignorecase: bool,
    /// `re.MULTILINE`: `^`/`$` at every line.
    pub multiline: bool,
    /// `re.DOTALL`: `.` matches `\n` too.
    pub dotall: bool,
}

impl ReFlags {
    /// No flags (`re.compile(pattern)`).
    pub const NONE: ReFlags = ReFlags {
        ignorecase: false,
        multiline: false,
        dotall: false,
    };
    /// n6's default for patterns given as text (`n6lib.mail_parsing_helpers`:
    /// `re.MULTILINE | re.DOTALL`).
    pub const N6_DEFAULT: ReFlags = ReFlags {
        ignorecase: false,
        multiline: true,
        dotall: true,
    };
}

/// A pattern that does not compile.
#[derive(Debug, thiserror::Error)]
#[error("cannot compile the regex {pattern:?}: {source}")]
pub struct PyRegexError {
    /// The pattern as given.
    pub pattern: String,
    /// The engine's error.
    #[source]
    pub source: Box<fancy_regex::Error>,
}

impl From<PyRegexError> for Error {
    /// Patterns come from configuration: a configuration error.
    fn from(e: PyRegexError) -> Error {
        Error::Config(vec![e.to_string()])
    }
}

/// A compiled Python-style regex.
#[derive(Debug, Clone)]
pub struct PyRegex {
    pattern: String,
    regex: fancy_regex::Regex,
}

/// One match: `re.Match`.
#[derive(Debug)]
pub struct PyMatch<'t> {
    captures: fancy_regex::Captures<'t, str>,
}

impl<'t> PyMatch<'t> {
    /// `m.group(n)`: None when group `n` did not take part (or does not exist).
    pub fn group(&self, n: usize) -> Option<&'t str> {
        self.captures.get(n).map(|m| m.as_str())
    }

    /// `m.group(name)`.
    pub fn name(&self, name: &str) -> Option<&'t str> {
        self.captures.name(name).map(|m| m.as_str())
    }

    /// `m.start()`, `m.end()` (byte offsets).
    pub fn span(&self) -> (usize, usize) {
        self.captures
            .get(0)
            .map_or((0, 0), |m| (m.start(), m.end()))
    }
}

impl PyRegex {
    /// `re.compile(pattern, flags)`.
    pub fn compile(pattern: &str, flags: ReFlags) -> Result<PyRegex, PyRegexError> {
        let translated = translate(pattern, flags.multiline);
        let mut prefix = String::new();
        for (on, flag) in [
            (flags.ignorecase, 'i'),
            (flags.multiline, 'm'),
            (flags.dotall, 's'),
        ] {
            if on {
                prefix.push(flag);
            }
        }
        let full = if prefix.is_empty() {
            translated
        } else {
            format!("(?{prefix}){translated}")
        };
        let regex = fancy_regex::Regex::new(&full).map_err(|e| PyRegexError {
            pattern: pattern.to_owned(),
            source: Box::new(e),
        })?;
        Ok(PyRegex {
            pattern: pattern.to_owned(),
            regex,
        })
    }

    /// A config option's regex as n6's Shadowserver collector checks it: compiled
    /// with n6's default flags, with at least `min_groups` capture groups; failures
    /// are configuration errors in n6's words (`malformed `...` regex`, `wrong `...`
    /// regex (...): it does not contain any capture group`).
    pub fn config_option(option: &str, pattern: &str, min_groups: usize) -> Result<PyRegex, Error> {
        let shown = py_ascii_repr(pattern);
        let regex = PyRegex::compile(pattern, ReFlags::N6_DEFAULT).map_err(|e| {
            Error::Config(vec![format!(
                "malformed `{option}` regex ({shown}) (could not compile it: {})",
                e.source
            )])
        })?;
        if regex.groups() < min_groups {
            return Err(Error::Config(vec![format!(
                "wrong `{option}` regex ({shown}): it does not contain {}",
                if min_groups == 1 {
                    "any capture group".to_owned()
                } else {
                    format!("{min_groups} capture groups")
                }
            )]));
        }
        Ok(regex)
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// `pattern.groups`: the number of capture groups.
    pub fn groups(&self) -> usize {
        self.regex.captures_len() - 1
    }

    /// `pattern.search(text)`; a backtracking-limit failure counts as no match.
    pub fn search<'t>(&self, text: &'t str) -> Option<PyMatch<'t>> {
        self.regex
            .captures(text)
            .ok()
            .flatten()
            .map(|captures| PyMatch { captures })
    }

    /// `pattern.search(text) is not None`.
    pub fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text).unwrap_or(false)
    }

    /// `pattern.finditer(text)`.
    pub fn finditer<'r, 't>(&'r self, text: &'t str) -> impl Iterator<Item = PyMatch<'t>> + 'r
    where
        't: 'r,
    {
        self.regex
            .captures_iter(text)
            .filter_map(Result::ok)
            .map(|captures| PyMatch { captures })
    }

    /// `pattern.findall(text)` for patterns with at most one group: the whole match,
    /// or group 1 (`""` when it did not take part); with more groups, group 1 (use
    /// [`finditer`](Self::finditer) for all).
    pub fn findall(&self, text: &str) -> Vec<String> {
        let n = usize::from(self.groups() > 0);
        self.finditer(text)
            .map(|m| m.group(n).unwrap_or("").to_owned())
            .collect()
    }
}

/// Python → fancy-regex syntax (see the module docs).
fn translate(pattern: &str, multiline: bool) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let next = chars[i + 1];
                if !in_class && next == 'Z' {
                    out.push_str("\\z");
                } else {
                    out.push(c);
                    out.push(next);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // a `]` or `^]` right after the opening is literal
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '[' if in_class => out.push_str("\\["),
            '$' if !in_class && !multiline => out.push_str("(?=\\n?\\z)"),
            '(' if !in_class && chars[i..].starts_with(&['(', '?', 'P', '=']) => {
                let close = chars[i..].iter().position(|&c| c == ')');
                match close {
                    Some(end) => {
                        let name: String = chars[i + 4..i + end].iter().collect();
                        out.push_str(&format!("\\k<{name}>"));
                        i += end + 1;
                        continue;
                    }
                    None => out.push(c),
                }
            }
            '{' if !in_class && !starts_quantifier(&chars[i..]) => out.push_str("\\{"),
            // Python's `{,n}` is `{0,n}`
            '{' if !in_class && chars.get(i + 1) == Some(&',') => out.push_str("{0"),
            '}' if !in_class && !closes_quantifier(&chars[..i]) => out.push_str("\\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `{m}`, `{m,}`, `{,n}`, `{m,n}` (Python also accepts `{,n}`).
fn starts_quantifier(rest: &[char]) -> bool {
    let Some(end) = rest.iter().position(|&c| c == '}') else {
        return false;
    };
    let inner: String = rest[1..end].iter().collect();
    let (a, b) = match inner.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (inner.as_str(), None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    match b {
        None => !a.is_empty() && digits(a),
        Some(b) => digits(a) && digits(b) && !(a.is_empty() && b.is_empty()),
    }
}

fn closes_quantifier(before: &[char]) -> bool {
    match before.iter().rposition(|&c| c == '{') {
        Some(open) => starts_quantifier(
            &before[open..]
                .iter()
                .copied()
                .chain(['}'])
                .collect::<Vec<_>>(),
        ),
        None => false,
    }
}
