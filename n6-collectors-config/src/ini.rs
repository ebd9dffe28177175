//! n6's INI dialect: Python 3's `configparser.ConfigParser` with the defaults n6 patches
//! in (`n6lib.config.Config._load_n6_config_files`): `inline_comment_prefixes=(';',)`, `strict=False`,
//! `BasicInterpolation`, `allow_no_value=False`, `empty_lines_in_values=True`,
//! delimiters `=` and `:`, full-line comment prefixes `#` and `;`.
//!
//! Use an [`IniReader`]: feed it every config file in reading order
//! ([`IniReader::read_str`] / [`IniReader::read_bytes`]), then call
//! [`IniReader::finish`], which applies `%`-interpolation against the final merged values
//! of every section (as n6 does, so a bad `%` in *any* section fails the load), then
//! n6's legacy rule (a value of exactly `""` becomes empty).
//!
//! Unlike Python, which stops at the first broken file, the reader collects the problems
//! of all files (and all interpolation problems) and reports them together.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::py::repr::py_str_repr;
use crate::py::text::{is_py_space as py_isspace, py_rstrip, py_strip};
use crate::raw::{Origin, RawConfig, RawOption, RawSection};

/// Name of the special section whose options every section inherits.
pub const DEFAULT_SECTION: &str = "DEFAULT";

/// Python's `configparser.MAX_INTERPOLATION_DEPTH`.
pub const MAX_INTERPOLATION_DEPTH: usize = 10;

/// What kind of INI problem was found; each kind corresponds to the Python exception
/// n6 would raise (see [`IniErrorKind::python_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IniErrorKind {
    /// An option line before any `[section]` header.
    MissingSectionHeader,
    /// A line that is neither a header, an option line, a comment nor a continuation.
    Parsing,
    /// A `%` that is not `%%` nor a well-formed `%(name)s`.
    InterpolationSyntax,
    /// `%(name)s` naming an option that is neither in the section nor in `[DEFAULT]`.
    InterpolationMissingOption,
    /// `%(name)s` references nested deeper than [`MAX_INTERPOLATION_DEPTH`].
    InterpolationDepth,
    /// The file is not valid UTF-8.
    UnicodeDecode,
}

impl IniErrorKind {
    /// The name of the Python exception n6 reports for this problem.
    pub fn python_name(self) -> &'static str {
        match self {
            IniErrorKind::MissingSectionHeader => "MissingSectionHeaderError",
            IniErrorKind::Parsing => "ParsingError",
            IniErrorKind::InterpolationSyntax => "InterpolationSyntaxError",
            IniErrorKind::InterpolationMissingOption => "InterpolationMissingOptionError",
            IniErrorKind::InterpolationDepth => "InterpolationDepthError",
            IniErrorKind::UnicodeDecode => "UnicodeDecodeError",
        }
    }
}

impl fmt::Display for IniErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python_name())
    }
}

/// One problem in one config file.
///
/// Displayed as `<path>:<line>: <PythonExceptionName>: <message>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {kind}: {message}", path.display())]
pub struct IniError {
    /// The config file.
    pub path: PathBuf,
    /// 1-based line number (for interpolation problems: the line of the option whose
    /// value could not be interpolated).
    pub line: usize,
    /// What kind of problem (and which Python exception n6 would raise).
    pub kind: IniErrorKind,
    /// What is wrong.
    pub message: String,
}

/// All problems found while reading config files (never empty).
///
/// Displayed as one problem per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IniErrors(pub Vec<IniError>);

impl fmt::Display for IniErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

/// Insertion-ordered map with string keys (Python's `dict` order: a replaced key keeps
/// its first position).
#[derive(Debug, Clone)]
struct OrderedMap<T> {
    items: Vec<(String, T)>,
    index: HashMap<String, usize>,
}

impl<T> Default for OrderedMap<T> {
    fn default() -> Self {
        OrderedMap {
            items: Vec::new(),
            index: HashMap::new(),
        }
    }
}

impl<T> OrderedMap<T> {
    fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        self.index.get(key).map(|&i| &mut self.items[i].1)
    }

    fn insert(&mut self, key: String, value: T) {
        match self.index.get(&key) {
            Some(&i) => self.items[i].1 = value,
            None => {
                self.index.insert(key.clone(), self.items.len());
                self.items.push((key, value));
            }
        }
    }

    /// The entry for `key`, created with `T::default()` when absent.
    fn entry_or_default(&mut self, key: &str) -> &mut T
    where
        T: Default,
    {
        let i = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.index.insert(key.to_owned(), self.items.len());
                self.items.push((key.to_owned(), T::default()));
                self.items.len() - 1
            }
        };
        &mut self.items[i].1
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// One option as parsed: its value lines (joined with `\n` when read) and the place
/// of its option line.
#[derive(Debug, Clone)]
struct Entry {
    parts: Vec<String>,
    file: usize,
    line: usize,
}

impl Entry {
    /// The raw (uninterpolated) value: lines joined by `\n`, trailing whitespace dropped
    /// (Python: `'\n'.join(val).rstrip()`).
    fn raw_value(&self) -> String {
        py_rstrip(&self.parts.join("\n")).to_owned()
    }
}

/// One parsed section.
#[derive(Debug, Clone, Default)]
struct Section {
    options: OrderedMap<Entry>,
    /// Indices (into `IniReader::files`) of the files whose header opened this section.
    files: Vec<usize>,
}

/// Where the parser is inside the current section.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cursor {
    /// No section header seen yet in this file.
    NoSection,
    /// Inside `[DEFAULT]`.
    Defaults,
    /// Inside the named section.
    Section(String),
}

/// Reads n6 config files, in order, into one merged configuration (like feeding them to
/// one Python `ConfigParser`).
#[derive(Debug, Clone, Default)]
pub struct IniReader {
    files: Vec<PathBuf>,
    defaults: Section,
    sections: OrderedMap<Section>,
    errors: Vec<IniError>,
}

impl IniReader {
    /// An empty reader.
    pub fn new() -> IniReader {
        IniReader::default()
    }

    /// Parses a file's bytes (decoded as UTF-8, as n6 does; a byte-order mark is *not*
    /// skipped, like Python's `utf-8` codec). Problems are collected for
    /// [`IniReader::finish`].
    pub fn read_bytes(&mut self, path: &Path, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.read_str(path, text),
            Err(err) => {
                let valid = &bytes[..err.valid_up_to()];
                let line = 1 + split_lines(&String::from_utf8_lossy(valid)).count()
                    - usize::from(
                        !valid.is_empty() && !valid.ends_with(b"\n") && !valid.ends_with(b"\r"),
                    );
                self.errors.push(IniError {
                    path: path.to_owned(),
                    line,
                    kind: IniErrorKind::UnicodeDecode,
                    message: format!(
                        "'utf-8' codec can't decode byte 0x{:02x} in position {}: \
                         the file is not valid UTF-8",
                        bytes[err.valid_up_to()],
                        err.valid_up_to()
                    ),
                });
            }
        }
    }

    /// Parses one file's text (Python's `ConfigParser._read`). Problems are collected
    /// for [`IniReader::finish`]; as in Python, a missing section header stops the
    /// parsing of this file, other problems do not.
    pub fn read_str(&mut self, path: &Path, text: &str) {
        let file = self.files.len();
        self.files.push(path.to_owned());
        let mut cursor = Cursor::NoSection;
        // Python's `optname`: `None` or a (possibly empty) name; only a non-empty one
        // can take continuation or blank lines.
        let mut optname: Option<String> = None;
        let mut indent_level = 0usize;
        for (idx, line) in split_lines(text).enumerate() {
            let lineno = idx + 1;
            let comment_start = comment_start(line);
            let value = py_strip(&line[..comment_start.unwrap_or(line.len())]);
            let has_option = optname.as_deref().is_some_and(|o| !o.is_empty());
            if value.is_empty() {
                // `empty_lines_in_values=True`: a blank line (not a comment line) is
                // part of the current value (trailing ones are dropped when joining).
                if comment_start.is_none()
                    && has_option
                    && let Some(entry) = self.entry_mut(&cursor, optname.as_deref())
                {
                    entry.parts.push(String::new());
                }
                continue;
            }
            let cur_indent_level = line.chars().take_while(|&c| py_isspace(c)).count();
            if cursor != Cursor::NoSection && has_option && cur_indent_level > indent_level {
                if let Some(entry) = self.entry_mut(&cursor, optname.as_deref()) {
                    entry.parts.push(value.to_owned());
                }
                continue;
            }
            indent_level = cur_indent_level;
            if let Some(name) = section_header(value) {
                cursor = self.open_section(name, file);
                optname = None;
            } else if cursor == Cursor::NoSection {
                self.errors.push(IniError {
                    path: path.to_owned(),
                    line: lineno,
                    kind: IniErrorKind::MissingSectionHeader,
                    message: format!(
                        "File contains no section headers: line {} is {}",
                        lineno,
                        py_str_repr(line)
                    ),
                });
                return;
            } else {
                let at = LineAt {
                    path,
                    lineno,
                    line,
                    file,
                };
                if let Some(name) = self.read_option(&at, value, &cursor) {
                    optname = Some(name);
                }
            }
        }
    }

    /// A `name = value` line of the current section (its lower-cased name), or a parsing
    /// problem recorded.
    fn read_option(&mut self, at: &LineAt<'_>, value: &str, cursor: &Cursor) -> Option<String> {
        let Some((name, val)) = option_line(value) else {
            self.errors.push(IniError {
                path: at.path.to_owned(),
                line: at.lineno,
                kind: IniErrorKind::Parsing,
                message: format!(
                    "neither a section header nor a `name = value` line \
                     (options without a value are not allowed): {}",
                    py_str_repr(at.line)
                ),
            });
            return None;
        };
        if name.is_empty() {
            self.errors.push(IniError {
                path: at.path.to_owned(),
                line: at.lineno,
                kind: IniErrorKind::Parsing,
                message: format!(
                    "option line without an option name: {}",
                    py_str_repr(at.line)
                ),
            });
        }
        let name = name.to_lowercase();
        let entry = Entry {
            parts: vec![val.to_owned()],
            file: at.file,
            line: at.lineno,
        };
        self.section_mut(cursor).options.insert(name.clone(), entry);
        Some(name)
    }

    /// Interpolates every value of every section (except `DEFAULT`, whose options are
    /// inherited by every section) against the final merged values, applies the `""` →
    /// empty rule, and returns the raw configuration — or every problem found in any
    /// file.
    pub fn finish(self) -> Result<RawConfig, IniErrors> {
        let mut errors = self.errors.clone();
        let mut config = RawConfig::default();
        for (sect_name, section) in self.sections.iter() {
            let mut raw_section = RawSection {
                options: Default::default(),
                files: section
                    .files
                    .iter()
                    .map(|&f| self.files[f].clone())
                    .collect(),
            };
            // Python's `items(section)`: DEFAULT's options, then the section's own.
            let mut merged: OrderedMap<&Entry> = OrderedMap::default();
            for (name, entry) in self.defaults.options.iter() {
                merged.insert(name.to_owned(), entry);
            }
            for (name, entry) in section.options.iter() {
                merged.insert(name.to_owned(), entry);
            }
            let raw_values: HashMap<&str, String> = merged
                .iter()
                .map(|(name, entry)| (name, entry.raw_value()))
                .collect();
            for (name, entry) in merged.iter() {
                let raw = &raw_values[name];
                let origin = Origin::File {
                    path: self.files[entry.file].clone(),
                    line: entry.line,
                };
                match interpolate(sect_name, name, raw, &raw_values) {
                    Ok(value) => {
                        let value = if value == "\"\"" {
                            String::new()
                        } else {
                            value
                        };
                        raw_section
                            .options
                            .insert(name.to_owned(), RawOption { value, origin });
                    }
                    Err((kind, message)) => errors.push(IniError {
                        path: self.files[entry.file].clone(),
                        line: entry.line,
                        kind,
                        message,
                    }),
                }
            }
            config.sections.insert(sect_name.to_owned(), raw_section);
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(IniErrors(errors))
        }
    }

    /// Makes `name` the current section (sections merge: `strict=False`).
    fn open_section(&mut self, name: &str, file: usize) -> Cursor {
        let section = if name == DEFAULT_SECTION {
            &mut self.defaults
        } else {
            self.sections.entry_or_default(name)
        };
        if !section.files.contains(&file) {
            section.files.push(file);
        }
        if name == DEFAULT_SECTION {
            Cursor::Defaults
        } else {
            Cursor::Section(name.to_owned())
        }
    }

    fn section_mut(&mut self, cursor: &Cursor) -> &mut Section {
        match cursor {
            Cursor::Section(name) => self.sections.entry_or_default(name),
            Cursor::Defaults | Cursor::NoSection => &mut self.defaults,
        }
    }

    fn entry_mut(&mut self, cursor: &Cursor, optname: Option<&str>) -> Option<&mut Entry> {
        let optname = optname?;
        match cursor {
            Cursor::NoSection => None,
            Cursor::Defaults => self.defaults.options.get_mut(optname),
            Cursor::Section(name) => self.sections.get_mut(name)?.options.get_mut(optname),
        }
    }
}

/// Byte index where a comment starts on `line`, if any: the whole line when its first
/// non-whitespace character is `#` or `;`, else the first `;` that begins the line or
/// follows a whitespace character.
fn comment_start(line: &str) -> Option<usize> {
    let stripped = py_strip(line);
    if stripped.starts_with('#') || stripped.starts_with(';') {
        return Some(0);
    }
    let mut prev: Option<char> = None;
    for (i, c) in line.char_indices() {
        if c == ';' && prev.is_none_or(py_isspace) {
            return Some(i);
        }
        prev = Some(c);
    }
    None
}

/// The section name if `value` (a stripped, comment-free line) is a header: Python's
/// `\[(?P<header>.+)\]` matched at the start — everything between the first `[` and the
/// last `]` (at least one character).
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    match rest.rfind(']') {
        Some(end) if end > 0 => Some(&rest[..end]),
        _ => None,
    }
}

/// Splits an option line at the first `=` or `:` into the (right-stripped) name and the
/// stripped value; `None` when there is no delimiter.
fn option_line(value: &str) -> Option<(&str, &str)> {
    let pos = value.find(['=', ':'])?;
    Some((py_rstrip(&value[..pos]), py_strip(&value[pos + 1..])))
}

/// Upper bound on `%(name)s` substitutions while interpolating one value. Python has
/// none, so a few options referring to each other many times can make n6 hang
/// (exponential work within the depth limit); here that is an error instead.
pub const MAX_INTERPOLATION_STEPS: usize = 100_000;

/// BasicInterpolation of `value` (option `option` of section `section`) against `map`
/// (the section's options merged over `DEFAULT`'s, raw values).
fn interpolate(
    section: &str,
    option: &str,
    value: &str,
    map: &HashMap<&str, String>,
) -> Result<String, (IniErrorKind, String)> {
    let mut interp = Interpolation {
        section,
        option,
        rawval: value,
        map,
        steps_left: MAX_INTERPOLATION_STEPS,
    };
    let mut accum = String::new();
    interp.some(&mut accum, value, 1)?;
    Ok(accum)
}

/// The interpolation of one option's value.
struct Interpolation<'a> {
    section: &'a str,
    option: &'a str,
    /// The raw value of the option being read (for messages).
    rawval: &'a str,
    map: &'a HashMap<&'a str, String>,
    steps_left: usize,
}

impl Interpolation<'_> {
    /// Python's `BasicInterpolation._interpolate_some`.
    fn some(
        &mut self,
        accum: &mut String,
        mut rest: &str,
        depth: usize,
    ) -> Result<(), (IniErrorKind, String)> {
        if depth > MAX_INTERPOLATION_DEPTH {
            return Err((
                IniErrorKind::InterpolationDepth,
                format!(
                    "Recursion limit exceeded in value substitution: option {} in section {} \
                     contains an interpolation key which cannot be substituted in {} steps. \
                     Raw value: {}",
                    py_str_repr(self.option),
                    py_str_repr(self.section),
                    MAX_INTERPOLATION_DEPTH,
                    py_str_repr(self.rawval)
                ),
            ));
        }
        while !rest.is_empty() {
            let Some(p) = rest.find('%') else {
                accum.push_str(rest);
                return Ok(());
            };
            accum.push_str(&rest[..p]);
            rest = &rest[p..];
            let after = &rest[1..];
            if after.starts_with('%') {
                accum.push('%');
                rest = &rest[2..];
            } else if after.starts_with('(') {
                rest = self.reference(accum, rest, depth)?;
            } else {
                return Err((
                    IniErrorKind::InterpolationSyntax,
                    format!(
                        "option {} in section {}: '%' must be followed by '%' or '(', \
                         found: {}",
                        py_str_repr(self.option),
                        py_str_repr(self.section),
                        py_str_repr(rest)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A `%(name)s` reference at the start of `rest`: the option's value substituted
    /// (its own references too); returns what follows the reference.
    fn reference<'r>(
        &mut self,
        accum: &mut String,
        rest: &'r str,
        depth: usize,
    ) -> Result<&'r str, (IniErrorKind, String)> {
        // `%\(([^)]+)\)s`
        let inner = &rest[2..];
        let name_end = inner.find(')').filter(|&e| e > 0);
        let Some(end) = name_end.filter(|&e| inner[e + 1..].starts_with('s')) else {
            return Err((
                IniErrorKind::InterpolationSyntax,
                format!(
                    "option {} in section {}: bad interpolation variable reference {}",
                    py_str_repr(self.option),
                    py_str_repr(self.section),
                    py_str_repr(rest)
                ),
            ));
        };
        let var = inner[..end].to_lowercase();
        let rest = &inner[end + 2..];
        let Some(v) = self.map.get(var.as_str()) else {
            return Err((
                IniErrorKind::InterpolationMissingOption,
                format!(
                    "Bad value substitution: option {} in section {} contains an \
                     interpolation key {} which is not a valid option name. \
                     Raw value: {}",
                    py_str_repr(self.option),
                    py_str_repr(self.section),
                    py_str_repr(&var),
                    py_str_repr(self.rawval)
                ),
            ));
        };
        if self.steps_left == 0 {
            return Err((
                IniErrorKind::InterpolationDepth,
                format!(
                    "option {} in section {} needs more than {} substitutions \
                     (options referring to each other too many times). Raw value: {}",
                    py_str_repr(self.option),
                    py_str_repr(self.section),
                    MAX_INTERPOLATION_STEPS,
                    py_str_repr(self.rawval)
                ),
            ));
        }
        self.steps_left -= 1;
        if v.contains('%') {
            self.some(accum, v, depth + 1)?;
        } else {
            accum.push_str(v);
        }
        Ok(rest)
    }
}

/// Splits text into lines like Python's text-mode file iteration (universal newlines:
/// `\n`, `\r\n` and `\r` end a line; the terminators are not included). A final line
/// without a terminator is included; an empty text has no lines.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            Some(i) => {
                let line = &rest[..i];
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

/// Where a line of a config file is: for messages and origins.
struct LineAt<'a> {
    path: &'a Path,
    lineno: usize,
    line: &'a str,
    file: usize,
}

#[cfg(test)]
mod tests {
    //! Expected values were produced by CPython 3.11's `configparser.ConfigParser` with
    //! n6's settings (files written to disk and read in text mode, then n6's `""` rule),
    //! and are recorded here literally.

    use super::*;
    use std::collections::BTreeMap;

    type Sections = BTreeMap<String, BTreeMap<String, String>>;

    fn reader(files: &[(&str, &str)]) -> IniReader {
        let mut r = IniReader::new();
        for (path, text) in files {
            r.read_bytes(Path::new(path), text.as_bytes());
        }
        r
    }

    fn values(config: &RawConfig) -> Sections {
        config
            .sections
            .iter()
            .map(|(s, sect)| {
                let opts = sect
                    .options
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect();
                (s.clone(), opts)
            })
            .collect()
    }

    fn parse(files: &[(&str, &str)]) -> Sections {
        match reader(files).finish() {
            Ok(config) => values(&config),
            Err(errs) => panic!("unexpected errors:\n{errs}"),
        }
    }

    fn parse_err(files: &[(&str, &str)]) -> IniErrors {
        match reader(files).finish() {
            Ok(config) => panic!("expected errors, got {:?}", values(&config)),
            Err(errs) => errs,
        }
    }

    fn kinds(errs: &IniErrors) -> Vec<IniErrorKind> {
        errs.0.iter().map(|e| e.kind).collect()
    }

    fn expect(sections: &[(&str, &[(&str, &str)])]) -> Sections {
        sections
            .iter()
            .map(|(s, opts)| {
                let opts = opts
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect();
                ((*s).to_owned(), opts)
            })
            .collect()
    }

    #[test]
    fn table_inline_semicolon_comment() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\nopt1 = value1 ; inline semicolon comment\n"
            )]),
            expect(&[("s", &[("opt1", "value1")][..])])
        );
    }

    #[test]
    fn table_hash_is_not_inline_comment() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nopt2 = value2 # not a comment\n")]),
            expect(&[("s", &[("opt2", "value2 # not a comment")][..])])
        );
    }

    #[test]
    fn table_semicolon_without_space_is_not_comment() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\nopt3 = value3;not a comment either\n"
            )]),
            expect(&[("s", &[("opt3", "value3;not a comment either")][..])])
        );
    }

    #[test]
    fn table_option_names_lowercased() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nOptUpper = UP\n")]),
            expect(&[("s", &[("optupper", "UP")][..])])
        );
    }

    #[test]
    fn table_multiline_value() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\nmulti = line1\n  line2\n\n  line3\n"
            )]),
            expect(&[("s", &[("multi", "line1\nline2\n\nline3")][..])])
        );
    }

    #[test]
    fn table_empty_value() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nempty =\n")]),
            expect(&[("s", &[("empty", "")][..])])
        );
    }

    #[test]
    fn table_quoted_empty_legacy_rule() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nquoted = \"\"\n")]),
            expect(&[("s", &[("quoted", "")][..])])
        );
    }

    #[test]
    fn table_double_percent() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\npct = 100%%\n")]),
            expect(&[("s", &[("pct", "100%")][..])])
        );
    }

    #[test]
    fn table_interpolation_uses_final_value() {
        assert_eq!(
            parse(&[
                (
                    "/etc/n6/10_a.conf",
                    "[sect]\nopt1 = from_a\ninterp = %(opt1)s-x\n"
                ),
                ("/etc/n6/20_b.conf", "[sect]\nopt1 = from_sub_05\n")
            ]),
            expect(&[(
                "sect",
                &[("interp", "from_sub_05-x"), ("opt1", "from_sub_05")][..]
            )])
        );
    }

    #[test]
    fn table_colon_delimiter() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\ncolon : colonval\n")]),
            expect(&[("s", &[("colon", "colonval")][..])])
        );
    }

    #[test]
    fn table_duplicate_sections_merge() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[dup]\na = 1\n[dup]\nb = 2\na = 3\n")]),
            expect(&[("dup", &[("a", "3"), ("b", "2")][..])])
        );
    }

    #[test]
    fn table_default_inherited() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[DEFAULT]\nshared = fromdefault\n[sect]\nx = 1\n"
            )]),
            expect(&[("sect", &[("shared", "fromdefault"), ("x", "1")][..])])
        );
    }

    #[test]
    fn header_last_bracket() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[a]b]\nx=1\n")]),
            expect(&[("a]b", &[("x", "1")][..])])
        );
    }

    #[test]
    fn header_trailing_text_ignored() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[a] trailing\nx=1\n")]),
            expect(&[("a", &[("x", "1")][..])])
        );
    }

    #[test]
    fn header_inner_whitespace_kept() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[ x ]\nx=1\n")]),
            expect(&[(" x ", &[("x", "1")][..])])
        );
    }

    #[test]
    fn header_case_sensitive() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[A]\nx=1\n[a]\nx=2\n")]),
            expect(&[("A", &[("x", "1")][..]), ("a", &[("x", "2")][..])])
        );
    }

    #[test]
    fn header_bracket_only() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[]]\nx=1\n")]),
            expect(&[("]", &[("x", "1")][..])])
        );
    }

    #[test]
    fn header_with_comment() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s] ; comment\nx=1\n")]),
            expect(&[("s", &[("x", "1")][..])])
        );
    }

    #[test]
    fn default_lowercase_is_ordinary_section() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[default]\nx=1\n[s]\ny=2\n")]),
            expect(&[("default", &[("x", "1")][..]), ("s", &[("y", "2")][..])])
        );
    }

    #[test]
    fn default_only_gives_no_sections() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[DEFAULT]\nx=1\n")]),
            expect(&[])
        );
    }

    #[test]
    fn default_overridden_in_section() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[DEFAULT]\nx=1\n[s]\nX=2\n[t]\n")]),
            expect(&[("s", &[("x", "2")][..]), ("t", &[("x", "1")][..])])
        );
    }

    #[test]
    fn first_delimiter_splits_colon() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nf:g=h\n")]),
            expect(&[("s", &[("f", "g=h")][..])])
        );
    }

    #[test]
    fn first_delimiter_splits_equals() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nf=g:h\n")]),
            expect(&[("s", &[("f", "g:h")][..])])
        );
    }

    #[test]
    fn colon_value_with_colons() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nk : v : w\n")]),
            expect(&[("s", &[("k", "v : w")][..])])
        );
    }

    #[test]
    fn option_name_inner_spaces() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nkey with spaces = v\n")]),
            expect(&[("s", &[("key with spaces", "v")][..])])
        );
    }

    #[test]
    fn option_name_unicode_lower() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nŚĆIEŻKA = v\nΣΑΣ = w\n")]),
            expect(&[("s", &[("śćieżka", "v"), ("σας", "w")][..])])
        );
    }

    #[test]
    fn case_collapse_last_wins() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nX=1\nx=2\n")]),
            expect(&[("s", &[("x", "2")][..])])
        );
    }

    #[test]
    fn no_value_line_is_parsing_error() {
        // Python: ParsingError: "Source contains parsing errors: '/etc/n6/10_a.conf'\n\t[line  2]: 'just a name\\n'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\njust a name\n")]);
        assert_eq!(kinds(&errs), vec![IniErrorKind::Parsing], "{errs}");
    }

    #[test]
    fn line_starting_with_delimiter_is_parsing_error() {
        // Python: ParsingError: "Source contains parsing errors: '/etc/n6/10_a.conf'\n\t[line  2]: '=1\\n'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\n=1\n")]);
        assert_eq!(kinds(&errs), vec![IniErrorKind::Parsing], "{errs}");
    }

    #[test]
    fn options_before_header() {
        // Python: MissingSectionHeaderError: "File contains no section headers.\nfile: '/etc/n6/10_a.conf', line: 1\n'abc = foo\\n'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "abc = foo\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::MissingSectionHeader],
            "{errs}"
        );
    }

    #[test]
    fn comment_then_option_before_header() {
        // Python: MissingSectionHeaderError: "File contains no section headers.\nfile: '/etc/n6/10_a.conf', line: 4\n'abc = foo\\n'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "# c\n; d\n\nabc = foo\n[s]\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::MissingSectionHeader],
            "{errs}"
        );
    }

    #[test]
    fn full_line_comments() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "# c\n[s]\n# x = 1\n  ; y = 2\nz = 3\n")]),
            expect(&[("s", &[("z", "3")][..])])
        );
    }

    #[test]
    fn inline_comment_rules() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\nx = 1 #c ;d\ny = a;b\nz = ;only comment\nw = a\t;tab comment\nv = a;b ;c\n"
            )]),
            expect(&[(
                "s",
                &[
                    ("v", "a;b"),
                    ("w", "a"),
                    ("x", "1 #c"),
                    ("y", "a;b"),
                    ("z", "")
                ][..]
            )])
        );
    }

    #[test]
    fn inline_comment_on_continuation() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx = 1\n  2 ; two\n  3;three\n")]),
            expect(&[("s", &[("x", "1\n2\n3;three")][..])])
        );
    }

    #[test]
    fn comment_inside_value_skipped() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx = 1\n  # c\n  ; d\n  2\n")]),
            expect(&[("s", &[("x", "1\n2")][..])])
        );
    }

    #[test]
    fn comment_line_at_option_indent_inside_value() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx = 1\n# c\n  2\n")]),
            expect(&[("s", &[("x", "1\n2")][..])])
        );
    }

    #[test]
    fn trailing_blank_lines_dropped() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx = 1\n  2\n\n\n\n[t]\ny=1\n\n")]),
            expect(&[("s", &[("x", "1\n2")][..]), ("t", &[("y", "1")][..])])
        );
    }

    #[test]
    fn blank_line_with_spaces_inside_value() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx=1\n\t\n   \n  y\n")]),
            expect(&[("s", &[("x", "1\n\n\ny")][..])])
        );
    }

    #[test]
    fn blank_after_empty_value() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx =\n\n  y\n")]),
            expect(&[("s", &[("x", "\n\ny")][..])])
        );
    }

    #[test]
    fn uniformly_indented_file() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "  [s]\n  a=1\n  b=2\n   c\n")]),
            expect(&[("s", &[("a", "1"), ("b", "2\nc")][..])])
        );
    }

    #[test]
    fn less_indented_option_is_new_option() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\n  a=1\n b=2\n")]),
            expect(&[("s", &[("a", "1"), ("b", "2")][..])])
        );
    }

    #[test]
    fn continuation_with_delimiter_stays_value() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na=1\n  b=2\n")]),
            expect(&[("s", &[("a", "1\nb=2")][..])])
        );
    }

    #[test]
    fn continuation_of_header_is_option() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\n  a=1\n")]),
            expect(&[("s", &[("a", "1")][..])])
        );
    }

    #[test]
    fn tab_indentation() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na=1\n\tb\n")]),
            expect(&[("s", &[("a", "1\nb")][..])])
        );
    }

    #[test]
    fn quotes_not_interpreted() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\nq = \"quoted\"\nr = ''\nt = \" \"\n"
            )]),
            expect(&[("s", &[("q", "\"quoted\""), ("r", "''"), ("t", "\" \"")][..])])
        );
    }

    #[test]
    fn quoted_empty_in_default() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[DEFAULT]\nq = \"\"\n[s]\n")]),
            expect(&[("s", &[("q", "")][..])])
        );
    }

    #[test]
    fn quoted_empty_after_interpolation() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\nq = \"%(e)s\"\ne =\nr = %(p)s\np = \"\"\n"
            )]),
            expect(&[("s", &[("e", ""), ("p", ""), ("q", ""), ("r", "")][..])])
        );
    }

    #[test]
    fn crlf_and_cr_line_endings() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\r\nx = 1\r\n  2\ry = 3\r")]),
            expect(&[("s", &[("x", "1\n2"), ("y", "3")][..])])
        );
    }

    #[test]
    fn no_final_newline() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nx = 1")]),
            expect(&[("s", &[("x", "1")][..])])
        );
    }

    #[test]
    fn empty_file() {
        assert_eq!(parse(&[("/etc/n6/10_a.conf", "")]), expect(&[]));
    }

    #[test]
    fn duplicate_sections_across_files() {
        assert_eq!(
            parse(&[
                ("/etc/n6/10_a.conf", "[s]\na=1\nb=2\n"),
                ("/etc/n6/20_b.conf", "[s]\nb=3\n[t]\nc=4\n")
            ]),
            expect(&[
                ("s", &[("a", "1"), ("b", "3")][..]),
                ("t", &[("c", "4")][..])
            ])
        );
    }

    #[test]
    fn continuation_does_not_cross_files() {
        // Python: MissingSectionHeaderError: "File contains no section headers.\nfile: '/etc/n6/20_b.conf', line: 1\n'  b=2\\n'"
        let errs = parse_err(&[
            ("/etc/n6/10_a.conf", "[s]\na=1\n"),
            ("/etc/n6/20_b.conf", "  b=2\n"),
        ]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::MissingSectionHeader],
            "{errs}"
        );
    }

    #[test]
    fn interp_from_default() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[DEFAULT]\nbase = /srv\n[s]\npath = %(base)s/x\n"
            )]),
            expect(&[("s", &[("base", "/srv"), ("path", "/srv/x")][..])])
        );
    }

    #[test]
    fn interp_name_lowercased() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\nab = 1\nx = %(AB)s\n")]),
            expect(&[("s", &[("ab", "1"), ("x", "1")][..])])
        );
    }

    #[test]
    fn interp_nested() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\na = %(b)s%(b)s\nb = %(c)s-\nc = C\n"
            )]),
            expect(&[("s", &[("a", "C-C-"), ("b", "C-"), ("c", "C")][..])])
        );
    }

    #[test]
    fn interp_nested_double_percent() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na = %(b)s\nb = x%%y\n")]),
            expect(&[("s", &[("a", "x%y"), ("b", "x%y")][..])])
        );
    }

    #[test]
    fn interp_escaped_reference() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na = %%(b)s\nb = 1\n")]),
            expect(&[("s", &[("a", "%(b)s"), ("b", "1")][..])])
        );
    }

    #[test]
    fn interp_default_value_uses_section_value() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[DEFAULT]\nurl = %(host)s/api\n[s]\nhost = a.example\n[t]\nhost = b.example\n"
            )]),
            expect(&[
                ("s", &[("host", "a.example"), ("url", "a.example/api")][..]),
                ("t", &[("host", "b.example"), ("url", "b.example/api")][..])
            ])
        );
    }

    #[test]
    fn interp_phishtank_like() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[phishtank]\nlink_source = https://x/\napi_key = KEY\nformat_options = /online.json\nurl=%(link_source)s%(api_key)s%(format_options)s\n"
            )]),
            expect(&[(
                "phishtank",
                &[
                    ("api_key", "KEY"),
                    ("format_options", "/online.json"),
                    ("link_source", "https://x/"),
                    ("url", "https://x/KEY/online.json")
                ][..]
            )])
        );
    }

    #[test]
    fn interp_lone_percent() {
        // Python: InterpolationSyntaxError: "'%' must be followed by '%' or '(', found: '% bare'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\nx = 50% bare\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationSyntax],
            "{errs}"
        );
    }

    #[test]
    fn interp_trailing_percent() {
        // Python: InterpolationSyntaxError: "'%' must be followed by '%' or '(', found: '%'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\nx = 50%\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationSyntax],
            "{errs}"
        );
    }

    #[test]
    fn interp_bad_reference() {
        // Python: InterpolationSyntaxError: "bad interpolation variable reference '%(a)d'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\nx = %(a)d\na=1\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationSyntax],
            "{errs}"
        );
    }

    #[test]
    fn interp_empty_name() {
        // Python: InterpolationSyntaxError: "bad interpolation variable reference '%()s'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\nx = %()s\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationSyntax],
            "{errs}"
        );
    }

    #[test]
    fn interp_missing_option() {
        // Python: InterpolationMissingOptionError: "Bad value substitution: option 'x' in section 's' contains an interpolation key 'nope' which is not a valid option name. Raw value: '%(nope)s'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\nx = %(nope)s\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationMissingOption],
            "{errs}"
        );
    }

    #[test]
    fn interp_missing_in_other_section() {
        // Python: InterpolationMissingOptionError: "Bad value substitution: option 'x' in section 't' contains an interpolation key 'a' which is not a valid option name. Raw value: '%(a)s'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\na = 1\n[t]\nx = %(a)s\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationMissingOption],
            "{errs}"
        );
    }

    #[test]
    fn interp_self_reference_depth() {
        // Python: InterpolationDepthError: "Recursion limit exceeded in value substitution: option 'a' in section 's' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(a)s'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "[s]\na = %(a)s\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationDepth],
            "{errs}"
        );
    }

    #[test]
    fn interp_depth_ten_ok() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\na0 = %(a1)s\na1 = %(a2)s\na2 = %(a3)s\na3 = %(a4)s\na4 = %(a5)s\na5 = %(a6)s\na6 = %(a7)s\na7 = %(a8)s\na8 = %(a9)s\na9 = %%end\n"
            )]),
            expect(&[(
                "s",
                &[
                    ("a0", "%end"),
                    ("a1", "%end"),
                    ("a2", "%end"),
                    ("a3", "%end"),
                    ("a4", "%end"),
                    ("a5", "%end"),
                    ("a6", "%end"),
                    ("a7", "%end"),
                    ("a8", "%end"),
                    ("a9", "%end")
                ][..]
            )])
        );
    }

    #[test]
    fn interp_depth_eleven_fails() {
        // Python: InterpolationDepthError: "Recursion limit exceeded in value substitution: option 'a0' in section 's' contains an interpolation key which cannot be substituted in 10 steps. Raw value: '%(a1)s'"
        let errs = parse_err(&[(
            "/etc/n6/10_a.conf",
            "[s]\na0 = %(a1)s\na1 = %(a2)s\na2 = %(a3)s\na3 = %(a4)s\na4 = %(a5)s\na5 = %(a6)s\na6 = %(a7)s\na7 = %(a8)s\na8 = %(a9)s\na9 = %(a10)s\na10 = %%end\n",
        )]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationDepth],
            "{errs}"
        );
    }

    #[test]
    fn interp_lone_percent_in_irrelevant_section() {
        // Python: InterpolationSyntaxError: "'%' must be followed by '%' or '(', found: '% bare'"
        let errs = parse_err(&[
            ("/etc/n6/10_a.conf", "[first]\na = 1\n"),
            ("/etc/n6/20_b.conf", "[irrelevant]\nx = 50% bare\n"),
        ]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::InterpolationSyntax],
            "{errs}"
        );
    }

    #[test]
    fn interp_lone_percent_in_default_without_sections() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[DEFAULT]\nx = 50% bare\n")]),
            expect(&[])
        );
    }

    #[test]
    fn interp_multiline_value() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na = 1\n  %(b)s\nb = B\n")]),
            expect(&[("s", &[("a", "1\nB"), ("b", "B")][..])])
        );
    }

    #[test]
    fn utf8_values() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[secondś]\nxx = Zażółć Gęślą Jaźń\n")]),
            expect(&[("secondś", &[("xx", "Zażółć Gęślą Jaźń")][..])])
        );
    }

    #[test]
    fn bom_is_not_skipped() {
        // Python: MissingSectionHeaderError: "File contains no section headers.\nfile: '/etc/n6/10_a.conf', line: 1\n'\\ufeff[s]\\n'"
        let errs = parse_err(&[("/etc/n6/10_a.conf", "\u{feff}[s]\nx=1\n")]);
        assert_eq!(
            kinds(&errs),
            vec![IniErrorKind::MissingSectionHeader],
            "{errs}"
        );
    }

    #[test]
    fn unicode_whitespace_indent() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na=1\n\u{3000}b\n\u{1c}c\n")]),
            expect(&[("s", &[("a", "1\nb\nc")][..])])
        );
    }

    #[test]
    fn info_separator_is_whitespace() {
        assert_eq!(
            parse(&[(
                "/etc/n6/10_a.conf",
                "[s]\na=\u{1c}1\u{1c}\nb = x \u{1f};c\n"
            )]),
            expect(&[("s", &[("a", "1"), ("b", "x")][..])])
        );
    }

    #[test]
    fn nbsp_before_semicolon_starts_comment() {
        assert_eq!(
            parse(&[("/etc/n6/10_a.conf", "[s]\na = x\u{a0};c\n")]),
            expect(&[("s", &[("a", "x")][..])])
        );
    }

    #[test]
    fn origins_point_at_option_lines() {
        let files = [
            (
                "/etc/n6/10_a.conf",
                "[DEFAULT]\nd = 1\n[s]\na = 1\n  more\nb = 2\n",
            ),
            ("/home/u/.n6/20_b.conf", "# c\n[s]\n\nb = 3\n[t]\n"),
        ];
        let config = reader(&files).finish().unwrap();
        let s = &config.sections["s"];
        let origin = |sect: &RawSection, name: &str| sect.options[name].origin.to_string();
        assert_eq!(origin(s, "a"), "/etc/n6/10_a.conf:4");
        assert_eq!(origin(s, "b"), "/home/u/.n6/20_b.conf:4");
        assert_eq!(origin(s, "d"), "/etc/n6/10_a.conf:2");
        assert_eq!(
            s.files,
            vec![
                PathBuf::from("/etc/n6/10_a.conf"),
                PathBuf::from("/home/u/.n6/20_b.conf")
            ]
        );
        let t = &config.sections["t"];
        assert_eq!(t.files, vec![PathBuf::from("/home/u/.n6/20_b.conf")]);
        assert_eq!(origin(t, "d"), "/etc/n6/10_a.conf:2");
        assert_eq!(t.options.len(), 1);
        assert!(!config.sections.contains_key(DEFAULT_SECTION));
    }

    #[test]
    fn parse_errors_are_collected_with_lines_across_files() {
        // Python reports the first file only: ParsingError listing
        // "[line  2]: '=1\n'" and "[line  3]: '  foo\n'".
        let errs = parse_err(&[
            ("/etc/n6/10_a.conf", "[s]\n=1\n  foo\nok = 1\nbad line\n"),
            ("/etc/n6/20_b.conf", "\n# c\nabc = foo\nxyz = 1\n"),
            ("/etc/n6/30_c.conf", "[t]\nx = 50%\n"),
        ]);
        let got: Vec<(String, usize, IniErrorKind)> = errs
            .0
            .iter()
            .map(|e| (e.path.display().to_string(), e.line, e.kind))
            .collect();
        let want = vec![
            ("/etc/n6/10_a.conf".to_owned(), 2, IniErrorKind::Parsing),
            ("/etc/n6/10_a.conf".to_owned(), 3, IniErrorKind::Parsing),
            ("/etc/n6/10_a.conf".to_owned(), 5, IniErrorKind::Parsing),
            (
                "/etc/n6/20_b.conf".to_owned(),
                3,
                IniErrorKind::MissingSectionHeader,
            ),
            (
                "/etc/n6/30_c.conf".to_owned(),
                2,
                IniErrorKind::InterpolationSyntax,
            ),
        ];
        assert_eq!(got, want);
        assert_eq!(
            errs.to_string(),
            "/etc/n6/10_a.conf:2: ParsingError: option line without an option name: '=1'\n\
             /etc/n6/10_a.conf:3: ParsingError: neither a section header nor a `name = value` \
             line (options without a value are not allowed): '  foo'\n\
             /etc/n6/10_a.conf:5: ParsingError: neither a section header nor a `name = value` \
             line (options without a value are not allowed): 'bad line'\n\
             /etc/n6/20_b.conf:3: MissingSectionHeaderError: File contains no section \
             headers: line 3 is 'abc = foo'\n\
             /etc/n6/30_c.conf:2: InterpolationSyntaxError: option 'x' in section 't': \
             '%' must be followed by '%' or '(', found: '%'"
        );
    }

    #[test]
    fn interpolation_error_messages_match_python() {
        let errs = parse_err(&[(
            "/etc/n6/10_a.conf",
            "[s]\nx = %(nope)s\na = %(a)s\nb = %(b)d\n",
        )]);
        let msgs: Vec<String> = errs.0.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            vec![
                "/etc/n6/10_a.conf:2: InterpolationMissingOptionError: Bad value substitution: \
                 option 'x' in section 's' contains an interpolation key 'nope' which is not a \
                 valid option name. Raw value: '%(nope)s'",
                "/etc/n6/10_a.conf:3: InterpolationDepthError: Recursion limit exceeded in \
                 value substitution: option 'a' in section 's' contains an interpolation key \
                 which cannot be substituted in 10 steps. Raw value: '%(a)s'",
                "/etc/n6/10_a.conf:4: InterpolationSyntaxError: option 'b' in section 's': \
                 bad interpolation variable reference '%(b)d'",
            ]
        );
    }

    #[test]
    fn invalid_utf8_is_reported_with_line() {
        let mut r = IniReader::new();
        r.read_bytes(Path::new("/x/10_a.conf"), b"[s]\na = 1\nb = \xff\n");
        r.read_bytes(Path::new("/x/20_b.conf"), b"\xc5");
        let errs = r.finish().unwrap_err();
        let got: Vec<(usize, IniErrorKind)> = errs.0.iter().map(|e| (e.line, e.kind)).collect();
        assert_eq!(
            got,
            vec![
                (3, IniErrorKind::UnicodeDecode),
                (1, IniErrorKind::UnicodeDecode)
            ]
        );
        assert_eq!(
            errs.0[0].message,
            "'utf-8' codec can't decode byte 0xff in position 14: the file is not valid UTF-8"
        );
    }

    #[test]
    fn python_repr() {
        assert_eq!(py_str_repr("a'b"), "\"a'b\"");
        assert_eq!(py_str_repr("a'\"b"), "'a\\'\"b'");
        assert_eq!(py_str_repr("ś\t\u{1}\u{feff}\\"), "'ś\\t\\x01\\ufeff\\\\'");
    }

    #[test]
    fn exponential_interpolation_is_cut_off() {
        // Ten levels of ten references each: 10^10 substitutions in Python (it hangs).
        let mut text = String::from("[s]\n");
        for level in 0..10 {
            text.push_str(&format!(
                "a{level} = {}\n",
                format!("%(a{})s", level + 1).repeat(10)
            ));
        }
        text.push_str("a10 = x\n");
        let errs = parse_err(&[("/etc/n6/10_a.conf", &text)]);
        let lines: Vec<(usize, IniErrorKind)> = errs.0.iter().map(|e| (e.line, e.kind)).collect();
        // a_k needs 10 + 100 + ... + 10^(10-k) substitutions: a0..a5 exceed 100000.
        let expected: Vec<(usize, IniErrorKind)> = (0..6)
            .map(|level| (level + 2, IniErrorKind::InterpolationDepth))
            .collect();
        assert_eq!(lines, expected, "{errs}");
    }
}
