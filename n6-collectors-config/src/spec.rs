//! The n6 config-spec language (n6-contract §2.1–2.6), parsed into a [`Spec`].
//!
//! ```text
//! [section]              ; optional; options before any header go to the main section
//! name = default :: conv ; optional option with a default
//! name :: conv           ; required option
//! name = :: conv         ; optional option, empty default
//! ... :: conv            ; free (undeclared) options allowed
//! ```
//!
//! The parser reports every problem at once, in n6's words (quoted names and lines are
//! Python `ascii()` reprs, as n6 formats them).

use std::fmt;

use crate::convert::pytext::{is_py_space, py_strip};
use crate::pyliteral::py_ascii_repr;

/// A parsed config spec: sections in spec order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Spec {
    /// The sections, in the order they appear in the spec.
    pub sections: Vec<SectionSpec>,
}

/// One section of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionSpec {
    /// The section name (case-sensitive).
    pub name: String,
    /// 1-based line of the header in the spec text (0 for the implicit main section).
    pub line: usize,
    /// Declared options, in spec order.
    pub options: Vec<OptionSpec>,
    /// `Some` when `...` allows free options.
    pub free_options: Option<FreeOptionsSpec>,
}

/// The `... :: conv` line of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeOptionsSpec {
    /// Converter name for free options (`str` when not given).
    pub converter: String,
    /// 1-based line in the spec text.
    pub line: usize,
}

/// One declared option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSpec {
    /// Option name, lower-cased.
    pub name: String,
    /// The raw default (`None` = required option).
    pub default: Option<String>,
    /// The converter name (`str` when not given).
    pub converter: String,
    /// 1-based line in the spec text.
    pub line: usize,
}

/// A problem found in a spec; `line` is 1-based (0 when it concerns the whole spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// 1-based line in the spec text (0 = the whole spec).
    pub line: usize,
    /// What is wrong, in n6's words where n6 has words for it.
    pub message: String,
}

impl Spec {
    /// Parses a config spec (n6-contract §2.1–2.3).
    ///
    /// Options placed before any section header belong to the section named
    /// `main_section` (n6 uses `''`; here it is the collector's struct name). Unlike n6,
    /// which stops at the first problem, every problem is reported, each with its 1-based
    /// line in `text` (pre-processing does not renumber lines). Converter names are not
    /// checked here.
    pub fn parse(text: &str, main_section: &str) -> Result<Spec, Vec<SpecError>> {
        match Spec::parse_lenient(text, main_section) {
            (spec, errors) if errors.is_empty() => Ok(spec),
            (_, errors) => Err(errors),
        }
    }

    /// [`Spec::parse`] that also returns what could be read: every line that was fine
    /// (a duplicate option or section keeps its first declaration), with the problems of
    /// the others. The derive uses it so that one bad line costs one error, not one more
    /// per config field the collector's code reads.
    pub fn parse_lenient(text: &str, main_section: &str) -> (Spec, Vec<SpecError>) {
        let mut parser = Parser::new(main_section);
        check_reserved_chars(text, &mut parser.errors);
        for (idx, line) in reduce_indent(text).iter().enumerate() {
            parser.line(idx + 1, line);
        }
        parser.finish()
    }

    /// The section of the given name.
    pub fn section(&self, name: &str) -> Option<&SectionSpec> {
        self.sections.iter().find(|s| s.name == name)
    }
}

impl SectionSpec {
    /// True when the section has at least one required option (n6: a *required section*,
    /// whose absence from the config is an error).
    pub fn is_required(&self) -> bool {
        self.options.iter().any(OptionSpec::is_required)
    }

    /// The declared option of the given (lower-case) name.
    pub fn option(&self, name: &str) -> Option<&OptionSpec> {
        self.options.iter().find(|o| o.name == name)
    }

    /// True when `...` allows free (undeclared) options.
    pub fn allows_free_options(&self) -> bool {
        self.free_options.is_some()
    }
}

impl OptionSpec {
    /// True when the option has no default (it must be present in the config).
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// The name that marks free options (`... :: conv`).
pub const FREE_OPTIONS_MARKER: &str = "...";

/// The converter of options that do not name one.
pub const DEFAULT_CONVERTER: &str = "str";

/// n6's `combined_config_spec` (n6-contract §2.6): `foreground` (e.g. the collector
/// author's spec) layered over `background` (e.g. the framework's fragments).
///
/// Background sections come first, in their order, then sections only the foreground
/// has. Within a section, background options keep their place; an option the
/// foreground redeclares takes the foreground's default (and so its required-ness) and
/// line, but must keep the converter (an omitted converter is `str`); new options are
/// appended. Free options are allowed when either side has `...`; when both have it,
/// the converters must agree. Every disagreement is reported.
pub fn combine(background: &Spec, foreground: &Spec) -> Result<Spec, Vec<SpecError>> {
    match combine_lenient(background, foreground) {
        (spec, errors) if errors.is_empty() => Ok(spec),
        (_, errors) => Err(errors),
    }
}

/// [`combine`] that also returns the combined spec when there are disagreements (a
/// redeclared option then keeps the background's converter).
pub fn combine_lenient(background: &Spec, foreground: &Spec) -> (Spec, Vec<SpecError>) {
    let mut errors = Vec::new();
    let mut sections: Vec<SectionSpec> = Vec::new();
    for back in &background.sections {
        match foreground.section(&back.name) {
            Some(fore) => sections.push(combine_section(back, fore, &mut errors)),
            None => sections.push(back.clone()),
        }
    }
    for fore in &foreground.sections {
        if background.section(&fore.name).is_none() {
            sections.push(fore.clone());
        }
    }
    (Spec { sections }, errors)
}

fn combine_section(
    back: &SectionSpec,
    fore: &SectionSpec,
    errors: &mut Vec<SpecError>,
) -> SectionSpec {
    let mut options = back.options.clone();
    for fore_opt in &fore.options {
        match options.iter_mut().find(|o| o.name == fore_opt.name) {
            Some(slot) => {
                if slot.converter != fore_opt.converter {
                    errors.push(differing_converters(
                        &fore_opt.name,
                        &fore.name,
                        fore_opt.line,
                        &slot.converter,
                        &fore_opt.converter,
                    ));
                }
                slot.default = fore_opt.default.clone();
                slot.line = fore_opt.line;
            }
            None => options.push(fore_opt.clone()),
        }
    }
    let free_options = match (&back.free_options, &fore.free_options) {
        (Some(b), Some(f)) => {
            if b.converter != f.converter {
                errors.push(differing_converters(
                    FREE_OPTIONS_MARKER,
                    &fore.name,
                    f.line,
                    &b.converter,
                    &f.converter,
                ));
            }
            Some(f.clone())
        }
        (b, f) => f.clone().or_else(|| b.clone()),
    };
    SectionSpec {
        name: back.name.clone(),
        line: if fore.line != 0 { fore.line } else { back.line },
        options,
        free_options,
    }
}

fn differing_converters(
    option: &str,
    section: &str,
    line: usize,
    inherited: &str,
    here: &str,
) -> SpecError {
    SpecError {
        line,
        message: format!(
            "differing *converter specs* of the option `{option}` in section `{section}` \
             (inherited: `{inherited}`, here: `{here}`; a redeclared option may change its \
             default, not its converter)"
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Pre-processing (§2.1)

/// Python's `re.ASCII` `\s`.
fn is_ascii_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// Splits at `\r\n`, `\r` and `\n` (the line breaks n6 accepts).
fn split_lines(text: &str) -> Vec<&str> {
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
fn expand_tabs(line: &str) -> String {
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
fn reduce_indent(text: &str) -> Vec<String> {
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
fn check_reserved_chars(text: &str, errors: &mut Vec<SpecError>) {
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

// ---------------------------------------------------------------------------------------
// Line grammar (§2.2)

/// `/^[;#]/` or `/^\s*$/`.
fn is_blank_or_comment(line: &str) -> bool {
    line.starts_with([';', '#']) || line.chars().all(is_ascii_ws)
}

/// `^\[\s*(?P<name>[^\s\].]+)\s*\].*$` → the name.
fn match_section_header(line: &str) -> Option<&str> {
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
enum OptionLine<'a> {
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
fn is_tail_ok(rest: &str) -> bool {
    let after_ws = rest.trim_start_matches(is_ascii_ws);
    after_ws.is_empty() || (after_ws.len() < rest.len() && after_ws.starts_with(';'))
}

/// The option-line regex of n6 (see the grammar in n6-contract §2.2).
fn match_option_line(line: &str) -> Option<OptionLine<'_>> {
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
fn find_inline_comment(text: &str) -> Option<usize> {
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
fn is_valid_converter_spec(spec: &str) -> bool {
    !spec.is_empty() && !spec.chars().any(is_ascii_ws)
}

/// Python's `value.strip()`, then `""` → empty.
fn strip_value(value: &str) -> String {
    let value = py_strip(value);
    if value == "\"\"" {
        String::new()
    } else {
        value.to_owned()
    }
}

// ---------------------------------------------------------------------------------------
// The parser

/// Where option lines currently go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// Before any header: the main section (created on its first option).
    Implicit,
    /// `sections[idx]`.
    Section(usize),
    /// A duplicate section's body: parsed for errors, then dropped.
    Discard,
}

/// An option whose continuation lines are still being collected.
struct Pending {
    name: String,
    line: usize,
    /// `None` for an option without a value (continuation lines are then ignored).
    first_value: Option<String>,
    converter: Option<String>,
    continuation: Vec<String>,
    /// Where the option goes (`None`: duplicate, only checked).
    section: Option<usize>,
}

struct Parser<'a> {
    main_section: &'a str,
    sections: Vec<SectionSpec>,
    /// Option names (incl. `...`) seen per section (index-aligned with `sections`).
    names: Vec<Vec<String>>,
    /// Names seen in the body of a dropped duplicate section.
    discard_names: Vec<String>,
    discard_section: String,
    implicit: Option<usize>,
    target: Target,
    pending: Option<Pending>,
    seen_content: bool,
    errors: Vec<SpecError>,
}

impl<'a> Parser<'a> {
    fn new(main_section: &'a str) -> Self {
        Parser {
            main_section,
            sections: Vec::new(),
            names: Vec::new(),
            discard_names: Vec::new(),
            discard_section: String::new(),
            implicit: None,
            target: Target::Implicit,
            pending: None,
            seen_content: false,
            errors: Vec::new(),
        }
    }

    fn error(&mut self, line: usize, message: String) {
        self.errors.push(SpecError { line, message });
    }

    fn line(&mut self, number: usize, line: &str) {
        if is_blank_or_comment(line) {
            return;
        }
        if line.starts_with(is_ascii_ws) {
            if !self.seen_content {
                self.error(
                    number,
                    format!(
                        "first non-blank config line {} looks like a continuation line \
                         (that is, starts with whitespace characters)",
                        py_ascii_repr(line)
                    ),
                );
            } else if let Some(pending) = &mut self.pending {
                pending.continuation.push(py_strip(line).to_owned());
            }
            return;
        }
        self.seen_content = true;
        self.flush();
        if let Some(name) = match_section_header(line) {
            self.section_header(number, name);
        } else if let Some(option) = match_option_line(line) {
            self.option_line(number, option);
        } else {
            self.error(
                number,
                format!(
                    "config line {} is not valid (note that section/option names that are \
                     empty or contain certain restricted characters, in particular \
                     whitespace, are not supported)",
                    py_ascii_repr(line)
                ),
            );
        }
    }

    fn section_header(&mut self, number: usize, name: &str) {
        if self.sections.iter().any(|s| s.name == name) {
            self.error(
                number,
                format!("duplicate section name {}", py_ascii_repr(name)),
            );
            self.target = Target::Discard;
            self.discard_names.clear();
            name.clone_into(&mut self.discard_section);
            return;
        }
        self.sections.push(SectionSpec {
            name: name.to_owned(),
            line: number,
            options: Vec::new(),
            free_options: None,
        });
        self.names.push(Vec::new());
        self.target = Target::Section(self.sections.len() - 1);
    }

    fn option_line(&mut self, number: usize, option: OptionLine<'_>) {
        let (raw_name, first_value, converter) = match option {
            OptionLine::Valued { name, value } => (name, Some(strip_value(value)), None),
            OptionLine::NoValue { name, converter } => (name, None, converter.map(str::to_owned)),
        };
        let name = raw_name.to_lowercase();
        let section = match self.target {
            Target::Implicit => Some(*self.implicit.get_or_insert_with(|| {
                self.sections.push(SectionSpec {
                    name: self.main_section.to_owned(),
                    line: 0,
                    options: Vec::new(),
                    free_options: None,
                });
                self.names.push(Vec::new());
                self.sections.len() - 1
            })),
            Target::Section(idx) => Some(idx),
            Target::Discard => None,
        };
        let (names, section_name) = match section {
            Some(idx) => (&mut self.names[idx], self.sections[idx].name.as_str()),
            None => (&mut self.discard_names, self.discard_section.as_str()),
        };
        let duplicate = names.contains(&name);
        let message = duplicate.then(|| {
            format!(
                "duplicate option name {} in section {}",
                py_ascii_repr(&name),
                py_ascii_repr(section_name)
            )
        });
        if !duplicate {
            names.push(name.clone());
        }
        if let Some(message) = message {
            self.error(number, message);
        }
        self.pending = Some(Pending {
            name,
            line: number,
            first_value,
            converter,
            continuation: Vec::new(),
            section: section.filter(|_| !duplicate),
        });
    }

    /// Completes the pending option (§2.3).
    fn flush(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        let (default, converter) = match p.first_value {
            None => (
                None,
                p.converter.unwrap_or_else(|| DEFAULT_CONVERTER.to_owned()),
            ),
            Some(first) => {
                let mut text = first;
                for cont in &p.continuation {
                    text.push('\n');
                    text.push_str(cont);
                }
                match text.rfind("::") {
                    Some(idx) => {
                        let converter = py_strip(&text[idx + 2..]).to_owned();
                        if !is_valid_converter_spec(&converter) {
                            self.error(
                                p.line,
                                format!(
                                    "the `{}` option's converter spec {} is not valid",
                                    p.name,
                                    py_ascii_repr(&converter)
                                ),
                            );
                            // Not kept in a lenient parse: the line was not fine.
                            return;
                        }
                        (Some(strip_value(&text[..idx])), converter)
                    }
                    None => (Some(text), DEFAULT_CONVERTER.to_owned()),
                }
            }
        };
        let Some(idx) = p.section else {
            return;
        };
        let section = &mut self.sections[idx];
        if p.name == FREE_OPTIONS_MARKER {
            section.free_options = Some(FreeOptionsSpec {
                converter,
                line: p.line,
            });
        } else {
            section.options.push(OptionSpec {
                name: p.name,
                default,
                converter,
                line: p.line,
            });
        }
    }

    fn finish(mut self) -> (Spec, Vec<SpecError>) {
        self.flush();
        self.errors.sort_by_key(|e| e.line);
        let spec = Spec {
            sections: self.sections,
        };
        (spec, self.errors)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const MAIN: &str = "Main";

    fn parse(text: &str) -> Spec {
        match Spec::parse(text, MAIN) {
            Ok(spec) => spec,
            Err(errors) => panic!("unexpected errors for {text:?}: {errors:?}"),
        }
    }

    fn errors(text: &str) -> Vec<(usize, String)> {
        match Spec::parse(text, MAIN) {
            Ok(spec) => panic!("expected errors for {text:?}, got {spec:?}"),
            Err(errors) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
        }
    }

    /// `(section, [(option, default, converter)])` of every section.
    type Summary = Vec<(String, Vec<(String, Option<String>, String)>)>;

    fn summary(spec: &Spec) -> Summary {
        spec.sections
            .iter()
            .map(|s| {
                let opts = s
                    .options
                    .iter()
                    .map(|o| (o.name.clone(), o.default.clone(), o.converter.clone()))
                    .collect();
                (s.name.clone(), opts)
            })
            .collect()
    }

    fn one_option(text: &str) -> (String, Option<String>, String) {
        let spec = parse(text);
        assert_eq!(spec.sections.len(), 1, "{text:?}");
        let opts = &spec.sections[0].options;
        assert_eq!(opts.len(), 1, "{text:?}");
        (
            opts[0].name.clone(),
            opts[0].default.clone(),
            opts[0].converter.clone(),
        )
    }

    fn opt(name: &str, default: Option<&str>, conv: &str) -> (String, Option<String>, String) {
        (name.to_owned(), default.map(str::to_owned), conv.to_owned())
    }

    fn invalid(line: &str) -> String {
        format!(
            "config line '{line}' is not valid (note that section/option names that are empty or \
             contain certain restricted characters, in particular whitespace, are not supported)"
        )
    }

    // --- §2.3 "Verified parse results" ------------------------------------------------

    #[test]
    fn header_with_trailing_text() {
        let spec = parse("[foo]xyz\na = 1");
        assert_eq!(
            summary(&spec),
            vec![("foo".to_owned(), vec![opt("a", Some("1"), "str")])]
        );
        assert_eq!(spec.sections[0].line, 1);
        assert_eq!(spec.sections[0].options[0].line, 2);
    }

    #[test]
    fn header_with_spaces_and_comment() {
        let spec = parse("[ foo ] ; c\na = 1");
        assert_eq!(
            summary(&spec),
            vec![("foo".to_owned(), vec![opt("a", Some("1"), "str")])]
        );
    }

    #[test]
    fn required_options() {
        assert_eq!(one_option("name ; comment"), opt("name", None, "str"));
        assert_eq!(
            one_option("name :: int ; comment"),
            opt("name", None, "int")
        );
        assert_eq!(one_option("name"), opt("name", None, "str"));
        assert_eq!(one_option("name::int"), opt("name", None, "int"));
        assert!(parse("name :: int").sections[0].options[0].is_required());
        assert!(parse("name :: int").sections[0].is_required());
    }

    #[test]
    fn empty_defaults_are_optional() {
        assert_eq!(one_option("name=::int"), opt("name", Some(""), "int"));
        assert_eq!(
            one_option("name = \"\" :: int"),
            opt("name", Some(""), "int")
        );
        assert_eq!(one_option("name ="), opt("name", Some(""), "str"));
        assert_eq!(one_option("name = \"\""), opt("name", Some(""), "str"));
        assert_eq!(one_option("name: \"\"  ; c"), opt("name", Some(""), "str"));
        assert_eq!(one_option("name = ; c"), opt("name", Some(""), "str"));
        let spec = parse("name=::int");
        assert!(!spec.sections[0].options[0].is_required());
        assert!(!spec.sections[0].is_required());
    }

    #[test]
    fn many_ways_to_write_an_empty_default() {
        for line in [
            "e:\"\"",
            "e: \"\"",
            "e:\"\" ;c",
            "e: \"\" ; c",
            "e :  \"\"  ; c",
            "e:",
            "e :",
            "e  :",
            "e : ;c",
            "e  :  ; c",
            "e=\"\"",
            "e =\"\" ;c",
            "e =  \"\"  ; c",
            "e=",
            "e =",
            "e= ;c",
            "e =  ; c",
        ] {
            assert_eq!(one_option(line), opt("e", Some(""), "str"), "{line:?}");
        }
        for line in [
            "e:\"\"::int",
            "e: \"\" ::int",
            "e:\"\":: int",
            "e: \"\"  ::  int",
            "e:\"\"::int ;c",
            "e: \"\" ::  int  ; c",
            "e :\"\"::int",
            "e  :  \"\"  ::  int",
            "e : \"\" :: int ;c",
        ] {
            assert_eq!(one_option(line), opt("e", Some(""), "int"), "{line:?}");
        }
    }

    #[test]
    fn semicolon_without_whitespace_is_part_of_the_name() {
        assert_eq!(one_option("name;c"), opt("name;c", None, "str"));
        assert_eq!(one_option("name =;c"), opt("name", Some(";c"), "str"));
    }

    #[test]
    fn last_double_colon_separates_the_converter() {
        assert_eq!(
            one_option("name = x :: y :: z"),
            opt("name", Some("x :: y"), "z")
        );
        assert_eq!(
            one_option("Y=ZZ::XX::conv2\t;c"),
            opt("y", Some("ZZ::XX"), "conv2")
        );
        assert_eq!(
            one_option("Y=ZZ::XX::conv2\t\t\t;inline-comment\t\t\t;yeah"),
            opt("y", Some("ZZ::XX"), "conv2")
        );
        assert_eq!(one_option("x:y::conv1 ;c"), opt("x", Some("y"), "conv1"));
    }

    #[test]
    fn continuation_lines() {
        assert_eq!(
            one_option("\nname = a\n  b :: int"),
            opt("name", Some("a\nb"), "int")
        );
        // Blank lines and column-0 comments inside the value are skipped.
        assert_eq!(
            one_option("\nname = a\n\n# c\n  b  \n;x\n\t c"),
            opt("name", Some("a\nb\nc"), "str")
        );
        // No inline comments on continuation lines.
        assert_eq!(
            one_option("\nname = a ; c\n  b ; d"),
            opt("name", Some("a\nb ; d"), "str")
        );
        // Continuation lines after an option without a value are ignored.
        assert_eq!(
            one_option("\nname :: int\n  whatever"),
            opt("name", None, "int")
        );
        assert_eq!(
            one_option("\nbAR = http:://\t\n  example.com/ :: url"),
            opt("bar", Some("http:://\nexample.com/"), "url")
        );
    }

    #[test]
    fn colon_and_semicolon_in_values() {
        assert_eq!(one_option("name:value"), opt("name", Some("value"), "str"));
        assert_eq!(
            one_option("name = val;ue"),
            opt("name", Some("val;ue"), "str")
        );
        assert_eq!(
            one_option("name = val\t;ue"),
            opt("name", Some("val"), "str")
        );
        assert_eq!(
            one_option("name = a=b:c"),
            opt("name", Some("a=b:c"), "str")
        );
    }

    #[test]
    fn options_before_any_header_go_to_the_main_section() {
        let spec = parse("top = 1\n[foo]\nb=2");
        assert_eq!(
            summary(&spec),
            vec![
                ("Main".to_owned(), vec![opt("top", Some("1"), "str")]),
                ("foo".to_owned(), vec![opt("b", Some("2"), "str")]),
            ]
        );
        assert_eq!(spec.sections[0].line, 0);
        // Without options before the first header there is no main section.
        let spec = parse("# comment\n\n[foo]\nb=2");
        assert_eq!(spec.sections.len(), 1);
        // An explicit header of the main section is fine when nothing came before it...
        assert_eq!(parse("[Main]\na = 1").sections[0].line, 1);
        // ...and a duplicate otherwise.
        assert_eq!(
            errors("a = 1\n[Main]\nb = 2"),
            vec![(2, "duplicate section name 'Main'".to_owned())]
        );
    }

    #[test]
    fn free_options_marker() {
        let spec = parse("[s]\n... :: int");
        let section = &spec.sections[0];
        assert!(section.options.is_empty());
        assert_eq!(
            section.free_options,
            Some(FreeOptionsSpec {
                converter: "int".to_owned(),
                line: 2
            })
        );
        assert!(section.allows_free_options());
        let spec = parse("[s]\na = 1\n...  ; any");
        assert_eq!(
            spec.sections[0]
                .free_options
                .as_ref()
                .map(|f| f.converter.as_str()),
            Some("str")
        );
        assert!(!parse("[s]\na = 1").sections[0].allows_free_options());
        // `...` alone makes the implicit main section exist.
        assert_eq!(parse("...").sections[0].name, "Main");
    }

    #[test]
    fn duplicate_option_after_lower_casing() {
        assert_eq!(
            errors("Name = 1\nNAME = 2"),
            vec![(
                2,
                "duplicate option name 'name' in section 'Main'".to_owned()
            )]
        );
        assert_eq!(
            errors("[first]\na\nA = 1\n...\n... :: int"),
            vec![
                (3, "duplicate option name 'a' in section 'first'".to_owned()),
                (
                    5,
                    "duplicate option name '...' in section 'first'".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn invalid_lines() {
        assert_eq!(errors("[foo.bar]"), vec![(1, invalid("[foo.bar]"))]);
        assert_eq!(errors("a b = 1"), vec![(1, invalid("a b = 1"))]);
        assert_eq!(
            errors("[spam]\na b c = foo"),
            vec![(2, invalid("a b c = foo"))]
        );
        for line in [
            "[]", "[ ]", "[a b]", "[foo", "]x = 1", "=x", ":x", "a :: b c", "a ::", "a b",
        ] {
            assert_eq!(errors(line), vec![(1, invalid(line))], "{line:?}");
        }
    }

    #[test]
    fn invalid_converter_specs() {
        assert_eq!(
            errors("a = 1 ::"),
            vec![(
                1,
                "the `a` option's converter spec '' is not valid".to_owned()
            )]
        );
        assert_eq!(
            errors("\nname = a :: int\n  b"),
            vec![(
                2,
                "the `name` option's converter spec 'int\\nb' is not valid".to_owned()
            )]
        );
        assert_eq!(
            errors("name = a :: in t"),
            vec![(
                1,
                "the `name` option's converter spec 'in t' is not valid".to_owned()
            )]
        );
    }

    // --- §2.2 consequences -------------------------------------------------------------

    #[test]
    fn indented_comment_is_a_continuation_line() {
        assert_eq!(
            one_option("\na = 1\n  # indented"),
            opt("a", Some("1\n# indented"), "str")
        );
    }

    #[test]
    fn continuation_line_first() {
        assert_eq!(
            errors("\n# c\n  xyz\nabc = 1"),
            vec![(
                3,
                "first non-blank config line '  xyz' looks like a continuation line (that is, \
                 starts with whitespace characters)"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn continuation_after_header_is_ignored() {
        let spec = parse("[s]\n  ignored\na = 1");
        assert_eq!(
            summary(&spec),
            vec![("s".to_owned(), vec![opt("a", Some("1"), "str")])]
        );
    }

    // --- §2.1 pre-processing -----------------------------------------------------------

    #[test]
    fn indentation_is_reduced() {
        let text =
            "\n        [first]\n        a = 1\n          b\n        c :: int\n\n        [second]\n";
        let spec = parse(text);
        assert_eq!(
            summary(&spec),
            vec![
                (
                    "first".to_owned(),
                    vec![opt("a", Some("1\nb"), "str"), opt("c", None, "int")]
                ),
                ("second".to_owned(), vec![]),
            ]
        );
        assert_eq!(spec.sections[0].line, 2);
        assert_eq!(spec.sections[0].options[1].line, 5);
        assert_eq!(spec.sections[1].line, 7);
        // The first line's own indentation does not count.
        let spec = parse("   [first]\n      a = 1\n      b = 2");
        assert_eq!(summary(&spec)[0].1.len(), 2);
        // Tabs are 8 columns.
        let spec = parse("x\n\t[s]\n        a = 1\n\t\tb");
        assert_eq!(
            summary(&spec)[1],
            ("s".to_owned(), vec![opt("a", Some("1\nb"), "str")])
        );
    }

    #[test]
    fn first_line_does_not_count_for_the_common_indentation() {
        // As n6's `reduce_indent`: a lone indented second line loses its indentation, so
        // it is not a continuation of the first line.
        let spec = parse("name = a :: int\n  b");
        assert_eq!(
            summary(&spec)[0].1,
            vec![opt("name", Some("a"), "int"), opt("b", None, "str")]
        );
    }

    #[test]
    fn line_endings() {
        let spec = parse("[s]\r\na = 1\r  b\rc = 2\n");
        assert_eq!(
            summary(&spec),
            vec![(
                "s".to_owned(),
                vec![opt("a", Some("1\nb"), "str"), opt("c", Some("2"), "str")]
            )]
        );
        assert_eq!(spec.sections[0].options[1].line, 4);
    }

    #[test]
    fn reserved_characters() {
        assert_eq!(
            errors("[s]\na = \x01x\nb = \0"),
            vec![(
                2,
                "found config spec's character(s) reserved for internal purposes: '\\x00', '\\x01'"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn empty_spec() {
        assert_eq!(parse(""), Spec::default());
        assert_eq!(parse("\n  \n# only comments\n"), Spec::default());
    }

    // --- error collection --------------------------------------------------------------

    #[test]
    fn all_errors_are_collected_with_original_line_numbers() {
        let text = "
            [first]
            a = 1
            a = 2
            b c
            d = 1 ::
            [first]
            x = 1
            x = 2
            [ok]
            e :: int
            [bad.name]
            f = x :: int
              more";
        assert_eq!(
            errors(text),
            vec![
                (4, "duplicate option name 'a' in section 'first'".to_owned()),
                (5, invalid("b c")),
                (
                    6,
                    "the `d` option's converter spec '' is not valid".to_owned()
                ),
                (7, "duplicate section name 'first'".to_owned()),
                (9, "duplicate option name 'x' in section 'first'".to_owned()),
                (12, invalid("[bad.name]")),
                (
                    13,
                    "the `f` option's converter spec 'int\\nmore' is not valid".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn non_ascii_names_are_quoted_like_python_ascii() {
        assert_eq!(
            errors("[secondś]\na\na"),
            vec![(
                3,
                "duplicate option name 'a' in section 'second\\u015b'".to_owned()
            )]
        );
    }

    // --- §8.5 -------------------------------------------------------------------------

    /// The spec of n6-contract §8.5 (also used by the validation tests).
    pub(crate) const SPEC_8_5: &str = "
        [first]
        a
        b :: int
        bcd = 0 , 0 , 0 ; comment
        efg = 0 :: float
        hij :: str
        klm.rst :: list_of_bool
        N = 2016-02-25 23:24:25.1234 , 1410-07-15T12:01+02:00::list_of_datetime

        [secondś]
        ... :: float

        [THIRD]
        XX :: bytes
        YY = {\"a\": 42} :: json  ; another comment
        zz :: py
        ...

        [fourth]
        Zzz = ZZZ
        ... :: int

        [fifth]
        f = 42 :: int

        [sixth]
    ";

    #[test]
    fn spec_of_8_5() {
        let spec = parse(SPEC_8_5);
        assert_eq!(
            summary(&spec),
            vec![
                (
                    "first".to_owned(),
                    vec![
                        opt("a", None, "str"),
                        opt("b", None, "int"),
                        opt("bcd", Some("0 , 0 , 0"), "str"),
                        opt("efg", Some("0"), "float"),
                        opt("hij", None, "str"),
                        opt("klm.rst", None, "list_of_bool"),
                        opt(
                            "n",
                            Some("2016-02-25 23:24:25.1234 , 1410-07-15T12:01+02:00"),
                            "list_of_datetime"
                        ),
                    ]
                ),
                ("secondś".to_owned(), vec![]),
                (
                    "THIRD".to_owned(),
                    vec![
                        opt("xx", None, "bytes"),
                        opt("yy", Some("{\"a\": 42}"), "json"),
                        opt("zz", None, "py"),
                    ]
                ),
                ("fourth".to_owned(), vec![opt("zzz", Some("ZZZ"), "str")]),
                ("fifth".to_owned(), vec![opt("f", Some("42"), "int")]),
                ("sixth".to_owned(), vec![]),
            ]
        );
        let free: Vec<Option<&str>> = spec
            .sections
            .iter()
            .map(|s| s.free_options.as_ref().map(|f| f.converter.as_str()))
            .collect();
        assert_eq!(
            free,
            vec![None, Some("float"), Some("str"), Some("int"), None, None]
        );
        let required: Vec<bool> = spec.sections.iter().map(SectionSpec::is_required).collect();
        assert_eq!(required, vec![true, false, true, false, false, false]);
        assert_eq!(spec.section("THIRD").map(|s| s.line), Some(14));
        assert_eq!(spec.section("third"), None);
        assert_eq!(
            spec.section("first")
                .and_then(|s| s.option("n"))
                .map(|o| o.line),
            Some(9)
        );
    }

    // --- combine (§2.6) ----------------------------------------------------------------

    #[test]
    fn combine_replaces_defaults_in_place_and_appends() {
        let background =
            parse("state_dir = ~/.n6state :: path\nretries = 3 :: int\n[extra]\nx = 1");
        let foreground = parse("url\nretries = 5 :: int\n[own]\ny :: int\n");
        let spec = combine(&background, &foreground).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            summary(&spec),
            vec![
                (
                    "Main".to_owned(),
                    vec![
                        opt("state_dir", Some("~/.n6state"), "path"),
                        opt("retries", Some("5"), "int"),
                        opt("url", None, "str"),
                    ]
                ),
                ("extra".to_owned(), vec![opt("x", Some("1"), "str")]),
                ("own".to_owned(), vec![opt("y", None, "int")]),
            ]
        );
        let main = &spec.sections[0];
        assert_eq!(
            main.options.iter().map(|o| o.line).collect::<Vec<_>>(),
            vec![1, 2, 1]
        );
        assert_eq!(spec.sections[2].line, 3);
    }

    #[test]
    fn combine_can_change_required_ness() {
        let background = parse("token :: str\nlimit = 10 :: int");
        let foreground = parse("token = abc\nlimit :: int");
        let spec = combine(&background, &foreground).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            summary(&spec)[0].1,
            vec![opt("token", Some("abc"), "str"), opt("limit", None, "int")]
        );
    }

    #[test]
    fn combine_rejects_differing_converters() {
        let background = parse("state_dir = ~/.n6state :: path\nname = x\n...");
        let foreground = parse("\nstate_dir = /x :: str\nname = y :: str\n... :: int");
        let errs = combine(&background, &foreground).expect_err("must fail");
        assert_eq!(
            errs,
            vec![
                SpecError {
                    line: 2,
                    message:
                        "differing *converter specs* of the option `state_dir` in section `Main` \
                              (inherited: `path`, here: `str`; a redeclared option may change its \
                              default, not its converter)"
                            .to_owned()
                },
                SpecError {
                    line: 4,
                    message: "differing *converter specs* of the option `...` in section `Main` \
                              (inherited: `str`, here: `int`; a redeclared option may change its \
                              default, not its converter)"
                        .to_owned()
                },
            ]
        );
    }

    #[test]
    fn combine_free_options() {
        let with = parse("...  :: int");
        let without = parse("a = 1");
        for (b, f) in [(&with, &without), (&without, &with), (&with, &with)] {
            let spec = combine(b, f).unwrap_or_else(|e| panic!("{e:?}"));
            assert_eq!(
                spec.sections[0]
                    .free_options
                    .as_ref()
                    .map(|x| x.converter.as_str()),
                Some("int")
            );
        }
        let spec = combine(&without, &without).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(spec.sections[0].free_options, None);
    }

    #[test]
    fn combine_with_empty_sides() {
        let spec = parse("[a]\nx = 1\n[b]\ny :: int");
        assert_eq!(combine(&spec, &Spec::default()), Ok(spec.clone()));
        assert_eq!(combine(&Spec::default(), &spec), Ok(spec.clone()));
    }

    #[test]
    fn framework_fragments_parse() {
        for fragment in [
            crate::fragments::STATEFUL,
            crate::fragments::DOWNLOAD,
            crate::fragments::TIME_ORDERED_ROWS,
        ] {
            let spec = parse(fragment);
            assert_eq!(spec.sections.len(), 1);
            assert!(!spec.sections[0].is_required());
        }
        assert_eq!(
            summary(&parse(crate::fragments::DOWNLOAD))[0].1,
            vec![
                opt("download_retries", Some("3"), "int"),
                opt("download_timeout", Some("(12.1, 25)"), "download_timeout"),
                opt("base_request_headers", Some("{}"), "py_namespaces_dict"),
            ]
        );
    }

    #[test]
    fn display_of_errors() {
        let e = SpecError {
            line: 3,
            message: "m".to_owned(),
        };
        assert_eq!(e.to_string(), "line 3: m");
        let e = SpecError {
            line: 0,
            message: "m".to_owned(),
        };
        assert_eq!(e.to_string(), "m");
    }
}
