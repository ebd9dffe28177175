//! The parser: pre-processed lines into sections and options, every problem recorded.

use super::grammar::{
    OptionLine, is_blank_or_comment, is_valid_converter_spec, match_option_line,
    match_section_header, strip_value,
};
use super::preprocess::is_ascii_ws;
use super::{
    DEFAULT_CONVERTER, FREE_OPTIONS_MARKER, FreeOptionsSpec, OptionSpec, SectionSpec, Spec,
    SpecError,
};
use crate::py::repr::py_ascii_repr;
use crate::py::text::py_strip;

/// Where option lines currently go.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// Before any header: the main section (created on its first option).
    Implicit,
    /// `sections[idx]`.
    Section(usize),
    /// A duplicate section's body: parsed for errors, then dropped.
    Discard,
}

/// An option whose continuation lines are still being collected.
pub(super) struct Pending {
    name: String,
    line: usize,
    /// `None` for an option without a value (continuation lines are then ignored).
    first_value: Option<String>,
    converter: Option<String>,
    continuation: Vec<String>,
    /// Where the option goes (`None`: duplicate, only checked).
    section: Option<usize>,
}

pub(super) struct Parser<'a> {
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
    pub(super) errors: Vec<SpecError>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(main_section: &'a str) -> Self {
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

    pub(super) fn line(&mut self, number: usize, line: &str) {
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

    /// Completes the pending option (its value, default and converter, as n6's
    /// `_split_value_with_optional_conv`).
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

    pub(super) fn finish(mut self) -> (Spec, Vec<SpecError>) {
        self.flush();
        self.errors.sort_by_key(|e| e.line);
        let spec = Spec {
            sections: self.sections,
        };
        (spec, self.errors)
    }
}
