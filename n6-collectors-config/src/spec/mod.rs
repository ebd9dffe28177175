//! The n6 config-spec language (n6's `n6lib.config.parse_config_spec` and
//! `combined_config_spec`), parsed into a [`Spec`].
//!
//! ```text
//! [section]              ; optional; options before any header go to the main section
//! name = default :: conv ; optional option with a default
//! name :: conv           ; required option
//! name = :: conv         ; optional option, empty default
//! ... :: conv            ; free (undeclared) options allowed
//! ```
//!
//! Modules: `preprocess` (line splitting, tabs, n6's `reduce_indent`), `grammar` (what one
//! line is), `parser` (lines into sections and options), `combine` (n6's
//! `combined_config_spec`).
//!
//! The parser reports every problem at once, in n6's words (quoted names and lines are
//! Python `ascii()` reprs, as n6 formats them).

use std::fmt;

mod combine;
mod grammar;
mod parser;
mod preprocess;

pub use combine::{combine, combine_lenient};

use parser::Parser;
use preprocess::{check_reserved_chars, reduce_indent};

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
    /// Parses a config spec (n6's `n6lib.config.parse_config_spec`).
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

#[cfg(test)]
pub(crate) mod tests;
