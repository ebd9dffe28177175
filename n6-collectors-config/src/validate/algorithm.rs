//! The walk of n6's `Config._modern_init` over a spec and raw values: sections in spec
//! order, declared options, then undeclared ones; every problem collected.

use super::CustomConverter;
use super::problems::{ConfigErrors, ConfigProblem, ConfigWarning, ProblemKind};
use super::typed::{TypedConfig, TypedOption, TypedSection};
use crate::convert::Converter;
use crate::raw::{Origin, RawConfig, RawSection};
use crate::spec::{SectionSpec, Spec};
use crate::value::Value;

/// A converter found by name.
enum Lookup<'a> {
    Custom(&'a CustomConverter),
    Standard(Converter),
}

impl Lookup<'_> {
    fn find<'a>(name: &str, custom: &'a [CustomConverter]) -> Option<Lookup<'a>> {
        if let Some(c) = custom.iter().find(|c| c.name == name) {
            return Some(Lookup::Custom(c));
        }
        Converter::from_name(name).ok().map(Lookup::Standard)
    }

    /// Converts; the error is `(python exception class, message)`.
    fn apply(&self, raw: &str) -> Result<Value, (Option<String>, String)> {
        match self {
            Lookup::Custom(c) => (c.convert)(raw).map_err(|e| (None, e)),
            Lookup::Standard(c) => c.convert(raw).map_err(|e| (Some(e.kind), e.message)),
        }
    }

    fn is_custom(&self) -> bool {
        matches!(self, Lookup::Custom(_))
    }
}

/// The problems of a run, by n6 category.
#[derive(Default)]
struct Collected {
    missing_sections: Vec<ConfigProblem>,
    missing_options: Vec<ConfigProblem>,
    illegal_options: Vec<ConfigProblem>,
    converter_errors: Vec<ConfigProblem>,
    absent_sections: Vec<String>,
    typo_vulnerable: Vec<String>,
}

/// A value to convert: raw text and where it came from.
struct Input<'a> {
    section: &'a str,
    option: &'a str,
    text: &'a str,
    origin: Option<&'a Origin>,
    from_default: bool,
    free: bool,
}

impl Collected {
    /// Converts `input` with `conv`, recording a failure.
    fn convert(&mut self, conv: &Lookup<'_>, converter: &str, input: Input<'_>) -> Option<Value> {
        match conv.apply(input.text) {
            Ok(value) => Some(value),
            Err((error_kind, error)) => {
                self.converter_errors.push(ConfigProblem {
                    section: input.section.to_owned(),
                    option: Some(input.option.to_owned()),
                    origin: input.origin.cloned(),
                    kind: ProblemKind::ConversionFailed {
                        converter: converter.to_owned(),
                        custom: conv.is_custom(),
                        value: input.text.to_owned(),
                        from_default: input.from_default,
                        free: input.free,
                        error_kind,
                        error,
                    },
                });
                None
            }
        }
    }

    fn unknown_converter(&mut self, section: &str, option: Option<&str>, converter: &str) {
        self.converter_errors.push(ConfigProblem {
            section: section.to_owned(),
            option: option.map(str::to_owned),
            origin: None,
            kind: ProblemKind::UnknownConverter {
                converter: converter.to_owned(),
            },
        });
    }
}

/// Builds the typed configuration of `spec` from `raw` (n6's `Config._modern_init`).
///
/// Returns the typed config and n6's non-fatal warnings, or every problem found (with the
/// warnings of the same run). A converter is looked up only when there is a value to
/// convert: a missing required option, or a `... :: conv` line of a section without free
/// options, does not report its converter.
pub fn validate(
    spec: &Spec,
    raw: &RawConfig,
    custom: &[CustomConverter],
) -> Result<(TypedConfig, Vec<ConfigWarning>), ConfigErrors> {
    let mut collected = Collected::default();
    let mut config = TypedConfig::default();
    let empty = RawSection::default();
    for section in &spec.sections {
        let raw_section = match raw.sections.get(&section.name) {
            Some(raw_section) => raw_section,
            None if section.is_required() => {
                collected.missing_sections.push(ConfigProblem {
                    section: section.name.clone(),
                    option: None,
                    origin: None,
                    kind: ProblemKind::MissingSection {
                        required_options: section
                            .options
                            .iter()
                            .filter(|o| o.is_required())
                            .map(|o| o.name.clone())
                            .collect(),
                    },
                });
                continue;
            }
            None => {
                collected.absent_sections.push(section.name.clone());
                &empty
            }
        };
        config.sections.push(validate_section(
            section,
            raw_section,
            custom,
            &mut collected,
        ));
    }

    let Collected {
        missing_sections,
        missing_options,
        illegal_options,
        converter_errors,
        absent_sections,
        typo_vulnerable,
    } = collected;
    let problems: Vec<ConfigProblem> = [
        missing_sections,
        missing_options,
        illegal_options,
        converter_errors,
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut warnings = Vec::new();
    if !absent_sections.is_empty() {
        warnings.push(ConfigWarning::AbsentNonRequiredSections(absent_sections));
    }
    if !typo_vulnerable.is_empty() {
        warnings.push(ConfigWarning::TypoVulnerableSections(typo_vulnerable));
    }
    if problems.is_empty() {
        Ok((config, warnings))
    } else {
        Err(ConfigErrors { problems, warnings })
    }
}

/// Steps 2–6 of n6's algorithm for one present (or non-required, absent) section: the
/// declared options, then the undeclared ones.
fn validate_section(
    section: &SectionSpec,
    raw: &RawSection,
    custom: &[CustomConverter],
    collected: &mut Collected,
) -> TypedSection {
    let mut typed = TypedSection::new(&section.name);
    let some_defaulted = declared_options(section, raw, custom, collected, &mut typed);
    undeclared_options(section, raw, custom, some_defaulted, collected, &mut typed);
    typed
}

/// The declared options in spec order: the raw value, else the default, else *missing*.
/// True when some option took its default.
fn declared_options(
    section: &SectionSpec,
    raw: &RawSection,
    custom: &[CustomConverter],
    collected: &mut Collected,
    typed: &mut TypedSection,
) -> bool {
    let name = section.name.as_str();
    let mut some_defaulted = false;
    for option in &section.options {
        let (text, origin, from_default) = match (raw.options.get(&option.name), &option.default) {
            (Some(raw_option), _) => (raw_option.value.as_str(), Some(&raw_option.origin), false),
            (None, Some(default)) => {
                some_defaulted = true;
                (default.as_str(), None, true)
            }
            (None, None) => {
                collected.missing_options.push(ConfigProblem {
                    section: name.to_owned(),
                    option: Some(option.name.clone()),
                    origin: None,
                    kind: ProblemKind::MissingOption {
                        section_files: raw.files.clone(),
                    },
                });
                continue;
            }
        };
        let Some(conv) = Lookup::find(&option.converter, custom) else {
            collected.unknown_converter(name, Some(&option.name), &option.converter);
            continue;
        };
        let input = Input {
            section: name,
            option: &option.name,
            text,
            origin,
            from_default,
            free: false,
        };
        if let Some(value) = collected.convert(&conv, &option.converter, input) {
            typed.options.push(TypedOption {
                name: option.name.clone(),
                value,
                free: false,
            });
        }
    }
    some_defaulted
}

/// The options the spec does not declare, sorted by name: free options when the section
/// has `...` (a *typo-vulnerable* section when some declared option took its default),
/// else *illegal*.
fn undeclared_options(
    section: &SectionSpec,
    raw: &RawSection,
    custom: &[CustomConverter],
    some_defaulted: bool,
    collected: &mut Collected,
    typed: &mut TypedSection,
) {
    let name = section.name.as_str();
    // `RawSection::options` is a `BTreeMap`: undeclared options come sorted by name.
    let undeclared: Vec<_> = raw
        .options
        .iter()
        .filter(|(option, _)| section.option(option).is_none())
        .collect();
    if undeclared.is_empty() {
        return;
    }
    let Some(free) = &section.free_options else {
        let declared: Vec<String> = section.options.iter().map(|o| o.name.clone()).collect();
        for (option, raw_option) in undeclared {
            collected.illegal_options.push(ConfigProblem {
                section: name.to_owned(),
                option: Some(option.clone()),
                origin: Some(raw_option.origin.clone()),
                kind: ProblemKind::IllegalOption {
                    value: raw_option.value.clone(),
                    declared: declared.clone(),
                },
            });
        }
        return;
    };
    if some_defaulted {
        collected.typo_vulnerable.push(name.to_owned());
    }
    let Some(conv) = Lookup::find(&free.converter, custom) else {
        collected.unknown_converter(name, None, &free.converter);
        return;
    };
    for (option, raw_option) in undeclared {
        let input = Input {
            section: name,
            option,
            text: &raw_option.value,
            origin: Some(&raw_option.origin),
            from_default: false,
            free: true,
        };
        if let Some(value) = collected.convert(&conv, &free.converter, input) {
            typed.options.push(TypedOption {
                name: option.clone(),
                value,
                free: true,
            });
        }
    }
}
