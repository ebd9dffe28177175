//! Building a typed configuration from raw values and a spec (n6's
//! `n6lib.config.Config._modern_init`).
//!
//! [`validate`] walks the spec exactly like n6's `Config`: sections in spec order; in each,
//! the declared options in spec order (raw value, else default, else *missing*), then the
//! undeclared ones sorted by name (free options when the section has `...`, else
//! *illegal*). Every problem is collected; the result is either the typed config plus
//! n6's non-fatal warnings, or [`ConfigErrors`] listing all problems in n6's order.
//!
//! Converters are looked up among the collector's [`CustomConverter`]s first (they may
//! shadow standard names), then with [`Converter::from_name`].

use std::fmt;
use std::path::PathBuf;

use crate::convert::{Converter, UnknownConverter};
use crate::pyliteral::{py_ascii_repr, py_str_repr};
use crate::raw::{Origin, RawConfig, RawSection};
use crate::spec::{SectionSpec, Spec};
use crate::value::Value;

/// A collector-defined converter (n6's `custom_converters`).
#[derive(Debug, Clone, Copy)]
pub struct CustomConverter {
    /// The name used after `::` in the spec.
    pub name: &'static str,
    /// Converts a raw value; the error is the message shown to the operator.
    pub convert: fn(&str) -> Result<Value, String>,
}

// ---------------------------------------------------------------------------------------
// The typed result

/// One converted option of a [`TypedSection`].
#[derive(Debug)]
struct TypedOption {
    name: String,
    value: Value,
    /// An undeclared option allowed by `...`.
    free: bool,
}

/// One validated section: the declared options in spec order, then the free options
/// sorted by name, each with its converted [`Value`].
///
/// Values can be moved out ([`TypedSection::take`], [`TypedSection::take_all`]), which is
/// how generated code fills typed structs.
#[derive(Debug)]
pub struct TypedSection {
    name: String,
    options: Vec<TypedOption>,
}

impl TypedSection {
    fn new(name: &str) -> Self {
        TypedSection {
            name: name.to_owned(),
            options: Vec::new(),
        }
    }

    /// The section name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of an option (declared or free) still in the section.
    pub fn get(&self, option: &str) -> Option<&Value> {
        self.options
            .iter()
            .find(|o| o.name == option)
            .map(|o| &o.value)
    }

    /// Moves an option's value out of the section.
    pub fn take(&mut self, option: &str) -> Option<Value> {
        let idx = self.options.iter().position(|o| o.name == option)?;
        Some(self.options.remove(idx).value)
    }

    /// Moves every remaining option out, in section order.
    pub fn take_all(&mut self) -> Vec<(String, Value)> {
        self.options.drain(..).map(|o| (o.name, o.value)).collect()
    }

    /// Moves the remaining free options out, sorted by name.
    pub fn take_free(&mut self) -> Vec<(String, Value)> {
        let (free, declared): (Vec<_>, Vec<_>) = self.options.drain(..).partition(|o| o.free);
        self.options = declared;
        free.into_iter().map(|o| (o.name, o.value)).collect()
    }

    /// The remaining options, in section order.
    pub fn values(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.options.iter().map(|o| (o.name.as_str(), &o.value))
    }

    /// The remaining free (undeclared, allowed by `...`) options, sorted by name.
    pub fn free_options(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.options
            .iter()
            .filter(|o| o.free)
            .map(|o| (o.name.as_str(), &o.value))
    }

    /// True when `option` is a free option of this section.
    pub fn is_free(&self, option: &str) -> bool {
        self.options.iter().any(|o| o.free && o.name == option)
    }

    /// Number of remaining options.
    pub fn len(&self) -> usize {
        self.options.len()
    }

    /// True when no options remain.
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }
}

/// A validated configuration: one [`TypedSection`] per spec section, in spec order
/// (sections of the config files that the spec does not name are dropped).
#[derive(Debug, Default)]
pub struct TypedConfig {
    sections: Vec<TypedSection>,
}

impl TypedConfig {
    /// The sections, in spec order.
    pub fn sections(&self) -> impl Iterator<Item = (&str, &TypedSection)> {
        self.sections.iter().map(|s| (s.name.as_str(), s))
    }

    /// The section of the given name.
    pub fn section(&self, name: &str) -> Option<&TypedSection> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The section of the given name, mutably (to take values out).
    pub fn section_mut(&mut self, name: &str) -> Option<&mut TypedSection> {
        self.sections.iter_mut().find(|s| s.name == name)
    }

    /// Moves a section out of the config.
    pub fn take_section(&mut self, name: &str) -> Option<TypedSection> {
        let idx = self.sections.iter().position(|s| s.name == name)?;
        Some(self.sections.remove(idx))
    }

    /// Renames section `from` to `to` (a collector whose main section is named on the
    /// command line, as n6's MISP and AMQP collectors); false when there is no `from`.
    pub fn rename_section(&mut self, from: &str, to: &str) -> bool {
        match self.section_mut(from) {
            Some(section) => {
                section.name = to.to_owned();
                true
            }
            None => false,
        }
    }

    /// All sections, in spec order.
    pub fn into_sections(self) -> Vec<TypedSection> {
        self.sections
    }

    /// Number of sections.
    pub fn len(&self) -> usize {
        self.sections.len()
    }

    /// True when the spec had no sections.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }
}

// ---------------------------------------------------------------------------------------
// Problems

/// What is wrong in a [`ConfigProblem`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A required section (one with a required option) is absent.
    MissingSection {
        /// Its required options (for the operator's message).
        required_options: Vec<String>,
    },
    /// A required option (no default) is absent.
    MissingOption {
        /// Config files that contributed to the section.
        section_files: Vec<PathBuf>,
    },
    /// An option the spec does not declare, in a section without `...`.
    IllegalOption {
        /// Its raw value.
        value: String,
        /// The options the section declares.
        declared: Vec<String>,
    },
    /// The spec names a converter that does not exist (`option: None`: the converter of
    /// the section's free options).
    UnknownConverter {
        /// The converter name.
        converter: String,
    },
    /// A converter rejected a value.
    ConversionFailed {
        /// The converter name.
        converter: String,
        /// A collector-defined converter.
        custom: bool,
        /// The raw value.
        value: String,
        /// The value is the spec's default (no raw value in the config).
        from_default: bool,
        /// The option is a free option.
        free: bool,
        /// The Python exception class n6 would report (`None` for custom converters).
        error_kind: Option<String>,
        /// The converter's message.
        error: String,
    },
}

/// One configuration problem: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The section.
    pub section: String,
    /// The option (`None` for section-level problems).
    pub option: Option<String>,
    /// Where the offending raw value came from, when there is one.
    pub origin: Option<Origin>,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl ConfigProblem {
    /// `SECTION.OPTION` as n6 writes it (the section name alone when there is no option).
    fn location(&self) -> String {
        match &self.option {
            Some(option) => format!("{}.{option}", self.section),
            None => self.section.clone(),
        }
    }

    /// n6's text for a converter problem (`None` for the grouped kinds).
    fn n6_converter_message(&self) -> Option<String> {
        match &self.kind {
            ProblemKind::UnknownConverter { converter } => Some(match &self.option {
                Some(_) => format!(
                    "unknown config value converter `{converter}` (for option {})",
                    self.location()
                ),
                None => format!(
                    "unknown config value converter `{converter}` (for free options in section {})",
                    self.section
                ),
            }),
            ProblemKind::ConversionFailed {
                converter,
                custom,
                value,
                free,
                error_kind,
                error,
                ..
            } => {
                let target = if *free { "" } else { "option " };
                let error = match error_kind {
                    Some(kind) => format!("{kind}: {error}"),
                    None => error.clone(),
                };
                Some(format!(
                    "error when applying config value converter {} to {target}{}={} ({error})",
                    converter_repr(converter, *custom),
                    self.location(),
                    py_ascii_repr(value)
                ))
            }
            _ => None,
        }
    }

    /// What is wrong, for an operator (without the location).
    pub fn message(&self) -> String {
        match &self.kind {
            ProblemKind::MissingSection { required_options } => format!(
                "missing required config section (required options: {})",
                required_options.join(", ")
            ),
            ProblemKind::MissingOption { section_files } => {
                let mut msg =
                    "missing required config option (the spec gives no default)".to_owned();
                if !section_files.is_empty() {
                    let files: Vec<String> = section_files
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect();
                    msg.push_str(&format!("; the section is in {}", files.join(", ")));
                }
                msg
            }
            ProblemKind::IllegalOption { declared, .. } => {
                if declared.is_empty() {
                    "illegal config option (the section declares no options)".to_owned()
                } else {
                    format!(
                        "illegal config option (declared options: {})",
                        declared.join(", ")
                    )
                }
            }
            ProblemKind::UnknownConverter { converter } => UnknownConverter {
                name: converter.clone(),
            }
            .to_string(),
            ProblemKind::ConversionFailed {
                converter,
                custom,
                error_kind,
                error,
                ..
            } => {
                let error = match error_kind.as_deref() {
                    None | Some("ValueError") => error.clone(),
                    Some(kind) => format!("{kind}: {error}"),
                };
                let which = if *custom {
                    "custom converter"
                } else {
                    "converter"
                };
                format!("{error} ({which} {converter})")
            }
        }
    }

    /// One line for an operator: `FILE:LINE: [SECTION] OPTION = 'VALUE': MESSAGE`
    /// (file and value where known).
    pub fn line(&self) -> String {
        let mut out = String::new();
        if let Some(origin) = &self.origin {
            out.push_str(&format!("{origin}: "));
        }
        out.push_str(&format!("[{}]", self.section));
        match (&self.option, &self.kind) {
            // The value of an undeclared option does not matter, and may be a secret.
            (Some(option), ProblemKind::IllegalOption { .. }) => {
                out.push_str(&format!(" {option}"));
            }
            (
                Some(option),
                ProblemKind::ConversionFailed {
                    value,
                    from_default,
                    ..
                },
            ) => {
                let shown = if crate::secret::is_secret_option(option) {
                    crate::secret::REDACTED.to_owned()
                } else {
                    py_str_repr(value)
                };
                out.push_str(&format!(" {option} = {shown}"));
                if *from_default {
                    out.push_str(" (the spec's default)");
                }
            }
            (Some(option), _) => out.push_str(&format!(" {option}")),
            (None, ProblemKind::UnknownConverter { .. }) => out.push_str(" (free options)"),
            (None, _) => {}
        }
        out.push_str(": ");
        out.push_str(&self.message());
        out
    }
}

/// Python's `ascii()` of a converter callable in n6 messages (`<class 'int'>`,
/// `<function str_to_bool at 0x…>`) has no stable meaning here; we write
/// `<converter NAME>` (standard converters) and `<custom converter NAME>`.
fn converter_repr(name: &str, custom: bool) -> String {
    if custom {
        format!("<custom converter {name}>")
    } else {
        format!("<converter {name}>")
    }
}

/// Every problem found by [`validate`], in n6's order: missing sections, missing options,
/// illegal options, then converter errors in processing order.
///
/// `Display` gives n6's one-line message (`[configuration-related error] missing required
/// config sections: c; illegal config options: b.unknown; error when applying config
/// value converter <converter int> to option a.req='x' (ValueError: ...)`; converters are
/// shown as `<converter NAME>` where Python shows the callable); [`ConfigErrors::lines`]
/// gives one clearer line per problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    /// The problems, in n6's order.
    pub problems: Vec<ConfigProblem>,
    /// The non-fatal findings of the same run (n6 logs them before raising its error).
    pub warnings: Vec<ConfigWarning>,
}

impl ConfigErrors {
    /// One line per problem, for operators (see [`ConfigProblem::line`]).
    pub fn lines(&self) -> Vec<String> {
        self.problems.iter().map(ConfigProblem::line).collect()
    }

    /// n6's message without the `[configuration-related error] ` prefix.
    pub fn n6_message(&self) -> String {
        let group = |title: &str, pick: fn(&ProblemKind) -> bool| -> Option<String> {
            let names: Vec<String> = self
                .problems
                .iter()
                .filter(|p| pick(&p.kind))
                .map(ConfigProblem::location)
                .collect();
            (!names.is_empty()).then(|| format!("{title}: {}", names.join(", ")))
        };
        let mut parts: Vec<String> = [
            group("missing required config sections", |k| {
                matches!(k, ProblemKind::MissingSection { .. })
            }),
            group("missing required config options", |k| {
                matches!(k, ProblemKind::MissingOption { .. })
            }),
            group("illegal config options", |k| {
                matches!(k, ProblemKind::IllegalOption { .. })
            }),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.extend(
            self.problems
                .iter()
                .filter_map(ConfigProblem::n6_converter_message),
        );
        parts.join("; ")
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[configuration-related error] {}", self.n6_message())
    }
}

impl std::error::Error for ConfigErrors {}

/// A non-fatal finding of [`validate`] (n6 logs these and goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigWarning {
    /// Non-required sections absent from the config: their defaults were used (n6 logs
    /// this at ERROR level).
    AbsentNonRequiredSections(Vec<String>),
    /// Sections with free options present while some declared (optional) options are
    /// absent: a free option may be a misspelt declared one (n6: WARNING).
    TypoVulnerableSections(Vec<String>),
}

impl ConfigWarning {
    /// True when n6 logs this at ERROR level (rather than WARNING).
    pub fn is_n6_error_level(&self) -> bool {
        matches!(self, ConfigWarning::AbsentNonRequiredSections(_))
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigWarning::AbsentNonRequiredSections(names) => write!(
                f,
                "Absent *non-required* config sections: {}.  Default config values have been \
                 used.  If it is your actual intention, then, for each of these section names, \
                 create an empty section inside your configuration, to make the situation clear.",
                names.join(", ")
            ),
            // n6's text up to "absent."; the last sentence is ours.
            ConfigWarning::TypoVulnerableSections(names) => write!(
                f,
                "For the following config sections: {} some free (undeclared but allowed) \
                 options are present and, at the same time, some declared (though \
                 non-required) options are absent.  Make sure that the names of those free \
                 options are not misspelt names of the declared ones.",
                names.join(", ")
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The algorithm

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

/// Steps 2–6 of n6's algorithm for one present (or non-required, absent) section.
fn validate_section(
    section: &SectionSpec,
    raw: &RawSection,
    custom: &[CustomConverter],
    collected: &mut Collected,
) -> TypedSection {
    let name = section.name.as_str();
    let mut typed = TypedSection::new(name);
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

    // `RawSection::options` is a `BTreeMap`: undeclared options come sorted by name.
    let undeclared: Vec<_> = raw
        .options
        .iter()
        .filter(|(option, _)| section.option(option).is_none())
        .collect();
    if undeclared.is_empty() {
        return typed;
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
        return typed;
    };
    if some_defaulted {
        collected.typo_vulnerable.push(name.to_owned());
    }
    let Some(conv) = Lookup::find(&free.converter, custom) else {
        collected.unknown_converter(name, None, &free.converter);
        return typed;
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
    typed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Spec {
        Spec::parse(text, "Main").unwrap_or_else(|e| panic!("bad test spec: {e:?}"))
    }

    fn file(path: &str, line: usize) -> Origin {
        Origin::File {
            path: PathBuf::from(path),
            line,
        }
    }

    /// A raw config from `(section, option, value)`, each from `/etc/n6/test.conf` at
    /// its index + 1.
    fn raw(items: &[(&str, &str, &str)]) -> RawConfig {
        let mut raw = RawConfig::default();
        for (idx, (section, option, value)) in items.iter().enumerate() {
            raw.set(section, option, value, file("/etc/n6/test.conf", idx + 1));
        }
        raw
    }

    fn ok(
        spec: &Spec,
        raw: &RawConfig,
        custom: &[CustomConverter],
    ) -> (TypedConfig, Vec<ConfigWarning>) {
        validate(spec, raw, custom).unwrap_or_else(|e| panic!("unexpected errors: {e}"))
    }

    fn err(spec: &Spec, raw: &RawConfig, custom: &[CustomConverter]) -> ConfigErrors {
        match validate(spec, raw, custom) {
            Ok((config, _)) => panic!("expected errors, got {config:?}"),
            Err(e) => e,
        }
    }

    /// `{section: [option=Debug(value)]}` as one string, in result order.
    fn render(config: &TypedConfig) -> String {
        config
            .sections()
            .map(|(name, section)| {
                let opts: Vec<String> = section
                    .values()
                    .map(|(o, v)| format!("{o}={v:?}"))
                    .collect();
                format!("{name}: {{{}}}", opts.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    const VERIFIED_SPEC: &str = "
        [a]
        req :: int
        flag = yes :: bool
        when = 2020-01-01 :: date
        ... :: int
        [b]
        x = 1
        [c]
        y :: str
        [d]
        z = 1
        ...
    ";

    #[test]
    fn verified_example_of_2_5() {
        let raw = raw(&[
            ("a", "req", "x"),
            ("a", "flag", "maybe"),
            ("a", "free1", "q"),
            ("b", "unknown", "1"),
            ("b", "x", "2"),
            ("d", "free", "v"),
        ]);
        let e = err(&spec(VERIFIED_SPEC), &raw, &[]);
        assert_eq!(
            e.to_string(),
            "[configuration-related error] missing required config sections: c; illegal config \
             options: b.unknown; error when applying config value converter <converter int> to \
             option a.req='x' (ValueError: invalid literal for int() with base 10: 'x'); error \
             when applying config value converter <converter bool> to option a.flag='maybe' \
             (ValueError: \"maybe\" is not a valid YES/NO flag (expected one of: \"0\", \"f\", \
             \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \"t\", \"true\", \"y\", \"yes\"; \
             or a variant of any of them with some letters upper-cased)); error when applying \
             config value converter <converter int> to a.free1='q' (ValueError: invalid literal \
             for int() with base 10: 'q')"
        );
        assert_eq!(
            e.warnings,
            vec![ConfigWarning::TypoVulnerableSections(vec![
                "a".to_owned(),
                "d".to_owned()
            ])]
        );
        assert_eq!(
            e.lines(),
            vec![
                "[c]: missing required config section (required options: y)".to_owned(),
                "/etc/n6/test.conf:4: [b] unknown: illegal config option (declared options: x)"
                    .to_owned(),
                "/etc/n6/test.conf:1: [a] req = 'x': invalid literal for int() with base 10: 'x' \
                 (converter int)"
                    .to_owned(),
                "/etc/n6/test.conf:2: [a] flag = 'maybe': \"maybe\" is not a valid YES/NO flag \
                 (expected one of: \"0\", \"f\", \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \
                 \"t\", \"true\", \"y\", \"yes\"; or a variant of any of them with some letters \
                 upper-cased) (converter bool)"
                    .to_owned(),
                "/etc/n6/test.conf:3: [a] free1 = 'q': invalid literal for int() with base 10: 'q' \
                 (converter int)"
                    .to_owned(),
            ]
        );
        let kinds: Vec<(&str, Option<&str>)> = e
            .problems
            .iter()
            .map(|p| (p.section.as_str(), p.option.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("c", None),
                ("b", Some("unknown")),
                ("a", Some("req")),
                ("a", Some("flag")),
                ("a", Some("free1"))
            ]
        );
    }

    #[test]
    fn missing_sections_in_spec_order() {
        let e = err(
            &spec(VERIFIED_SPEC.replace("z = 1", "z").as_str()),
            &RawConfig::default(),
            &[],
        );
        assert_eq!(
            e.to_string(),
            "[configuration-related error] missing required config sections: a, c, d"
        );
        // `b` is absent too, but not required: its defaults are used (n6 logs an ERROR).
        assert_eq!(
            e.warnings,
            vec![ConfigWarning::AbsentNonRequiredSections(vec![
                "b".to_owned()
            ])]
        );
    }

    #[test]
    fn unknown_converter_for_an_option() {
        let e = err(
            &spec("[a]\nx = 1 :: nosuchconv"),
            &raw(&[("a", "y", "1")]),
            &[],
        );
        assert_eq!(
            e.to_string(),
            "[configuration-related error] illegal config options: a.y; unknown config value \
             converter `nosuchconv` (for option a.x)"
        );
        assert_eq!(
            e.lines()[1],
            "[a] x: unknown config value converter `nosuchconv`"
        );
    }

    #[test]
    fn defaults_go_through_converters() {
        let (config, warnings) = ok(
            &spec("[s]\nn = 5 :: int\nl = a, b, :: list_of_str\ne = :: str"),
            &raw(&[("s", "e", "x")]),
            &[],
        );
        assert_eq!(
            render(&config),
            "s: {n=Int(5), l=List([Str(\"a\"), Str(\"b\")]), e=Str(\"x\")}"
        );
        assert!(warnings.is_empty());
        let e = err(
            &spec("[s]\nn = five :: int"),
            &raw(&[("s", "other", "1")]),
            &[],
        );
        assert_eq!(
            e.to_string(),
            "[configuration-related error] illegal config options: s.other; error when applying \
             config value converter <converter int> to option s.n='five' (ValueError: invalid \
             literal for int() with base 10: 'five')"
        );
        assert_eq!(
            e.lines()[1],
            "[s] n = 'five' (the spec's default): invalid literal for int() with base 10: 'five' \
             (converter int)"
        );
    }

    #[test]
    fn free_options_sorted_after_declared_ones() {
        let raw = raw(&[
            ("s", "zeta", "1"),
            ("s", "b", "2"),
            ("s", "declared", "3"),
            ("s", "B", "4"),
            ("s", "a", "5"),
        ]);
        let (mut config, warnings) = ok(&spec("[s]\ndeclared :: int\n... :: int"), &raw, &[]);
        assert_eq!(
            render(&config),
            "s: {declared=Int(3), B=Int(4), a=Int(5), b=Int(2), zeta=Int(1)}"
        );
        assert!(warnings.is_empty());
        let section = config.section_mut("s").expect("section s");
        let free: Vec<&str> = section.free_options().map(|(n, _)| n).collect();
        assert_eq!(free, vec!["B", "a", "b", "zeta"]);
        assert!(section.is_free("a"));
        assert!(!section.is_free("declared"));
        assert!(matches!(section.take("declared"), Some(Value::Int(3))));
        assert!(section.take("declared").is_none());
        let taken: Vec<String> = section.take_free().into_iter().map(|(n, _)| n).collect();
        assert_eq!(taken, vec!["B", "a", "b", "zeta"]);
        assert!(section.is_empty());
    }

    #[test]
    fn default_section_options_are_undeclared_options() {
        // The INI layer copies `[DEFAULT]` options into every section; the spec decides.
        let raw = raw(&[
            ("strict", "x", "1"),
            ("strict", "shared", "d"),
            ("loose", "shared", "d"),
            ("other", "q", "1"),
        ]);
        let e = err(&spec("[strict]\nx :: int\n[loose]\n..."), &raw, &[]);
        assert_eq!(
            e.to_string(),
            "[configuration-related error] illegal config options: strict.shared"
        );
        let (config, _) = ok(&spec("[strict]\nx :: int\n...\n[loose]\n..."), &raw, &[]);
        assert_eq!(
            render(&config),
            "strict: {x=Int(1), shared=Str(\"d\")}; loose: {shared=Str(\"d\")}"
        );
    }

    #[test]
    fn sections_not_in_the_spec_are_dropped() {
        let (mut config, warnings) = ok(
            &spec("[b]\nx = 1\n[a]"),
            &raw(&[("zzz", "q", "1"), ("DEFAULT", "d", "1")]),
            &[],
        );
        assert_eq!(render(&config), "b: {x=Str(\"1\")}; a: {}");
        assert_eq!(
            warnings,
            vec![ConfigWarning::AbsentNonRequiredSections(vec![
                "b".to_owned(),
                "a".to_owned()
            ])]
        );
        assert_eq!(config.len(), 2);
        assert!(config.take_section("b").is_some());
        assert!(config.take_section("b").is_none());
        let names: Vec<String> = config
            .into_sections()
            .iter()
            .map(|s| s.name().to_owned())
            .collect();
        assert_eq!(names, vec!["a"]);
    }

    #[test]
    fn custom_converters() {
        fn upper(raw: &str) -> Result<Value, String> {
            Ok(Value::Str(raw.to_uppercase()))
        }
        fn boom(_: &str) -> Result<Value, String> {
            Err("division by zero".to_owned())
        }
        let custom = [
            CustomConverter {
                name: "int",
                convert: upper,
            },
            CustomConverter {
                name: "boom",
                convert: boom,
            },
        ];
        // A custom converter shadows a standard one of the same name.
        let (config, _) = ok(&spec("[s]\nx :: int"), &raw(&[("s", "x", "abc")]), &custom);
        assert_eq!(render(&config), "s: {x=Str(\"ABC\")}");
        let e = err(
            &spec("[s]\nx :: boom\n... :: boom"),
            &raw(&[("s", "x", "1"), ("s", "y", "2")]),
            &custom,
        );
        assert_eq!(
            e.to_string(),
            "[configuration-related error] error when applying config value converter <custom \
             converter boom> to option s.x='1' (division by zero); error when applying config \
             value converter <custom converter boom> to s.y='2' (division by zero)"
        );
        assert_eq!(
            e.lines(),
            vec![
                "/etc/n6/test.conf:1: [s] x = '1': division by zero (custom converter boom)"
                    .to_owned(),
                "/etc/n6/test.conf:2: [s] y = '2': division by zero (custom converter boom)"
                    .to_owned(),
            ]
        );
    }

    #[test]
    fn operator_line_names_file_section_and_option() {
        let mut raw = RawConfig::default();
        raw.set(
            "MyCollector",
            "retries",
            "abc",
            file("/etc/n6/60_x.conf", 3),
        );
        raw.set("MyCollector", "url", "ftp", Origin::Override);
        let spec = Spec::parse("retries = 3 :: int\nurl = x :: bool", "MyCollector")
            .unwrap_or_else(|e| panic!("{e:?}"));
        let e = err(&spec, &raw, &[]);
        assert_eq!(
            e.lines(),
            vec![
                "/etc/n6/60_x.conf:3: [MyCollector] retries = 'abc': invalid literal for int() with \
                 base 10: 'abc' (converter int)"
                    .to_owned(),
                "--n6config-override: [MyCollector] url = 'ftp': \"ftp\" is not a valid YES/NO flag \
                 (expected one of: \"0\", \"f\", \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \
                 \"t\", \"true\", \"y\", \"yes\"; or a variant of any of them with some letters \
                 upper-cased) (converter bool)"
                    .to_owned(),
            ]
        );
        assert_eq!(e.problems[0].origin, Some(file("/etc/n6/60_x.conf", 3)));
        assert_eq!(e.problems[1].origin, Some(Origin::Override));
    }

    #[test]
    fn non_value_errors_keep_their_kind() {
        // A zone `+HH` without minutes makes n6's datetime parser raise TypeError.
        let e = err(
            &spec("[s]\nt :: datetime"),
            &raw(&[("s", "t", "2020-01-01T00:00+01")]),
            &[],
        );
        let ProblemKind::ConversionFailed { error_kind, .. } = &e.problems[0].kind else {
            panic!("unexpected {e:?}");
        };
        assert_eq!(error_kind.as_deref(), Some("TypeError"));
        assert!(e.lines()[0].contains(": TypeError: "), "{}", e.lines()[0]);
        assert!(e.to_string().contains(" (TypeError: "), "{e}");
    }

    #[test]
    fn typo_vulnerability() {
        let s = spec("[s]\ntimeout = 5 :: int\n...");
        let (_, warnings) = ok(&s, &raw(&[("s", "timeot", "7")]), &[]);
        assert_eq!(
            warnings,
            vec![ConfigWarning::TypoVulnerableSections(vec!["s".to_owned()])]
        );
        assert_eq!(
            warnings[0].to_string(),
            "For the following config sections: s some free (undeclared but allowed) options are \
             present and, at the same time, some declared (though non-required) options are \
             absent.  Make sure that the names of those free options are not misspelt names of \
             the declared ones."
        );
        assert!(!warnings[0].is_n6_error_level());
        let (_, warnings) = ok(&s, &raw(&[("s", "timeout", "7"), ("s", "other", "1")]), &[]);
        assert!(warnings.is_empty());
    }

    // --- n6's `n6lib.tests.test_config` example (`DEFAULT_CONFIG_SPEC`) -------------------

    use crate::spec::tests::SPEC_8_5;

    /// What the INI layer delivers for the three files of n6's `test_config` example.
    fn raw_8_5() -> RawConfig {
        raw(&[
            ("first", "a", "xyz"),
            ("first", "bcd", "4 , 5 , 6"),
            ("first", "efg", "42"),
            ("first", "b", "1"),
            ("first", "hij", "43\n44 ś\n45"),
            ("first", "klm.rst", "\nyes,\noff,\nFalse,\ntrue,\n0,"),
            ("THIRD", "xx", "Zażółć Gęślą Jaźń"),
            ("THIRD", "zz", "{1: 2}"),
            ("THIRD", "qq", ""),
            (
                "third",
                "xx",
                "note that section names are always case-sensitive",
            ),
            ("secondś", "a", "3.2"),
            ("secondś", "b", "44.2"),
            ("secondś", "c", "45.2"),
            ("secondś", "d", "46.2"),
            ("irrelevant", "a", "123"),
            ("irrelevant", "bb", "cc"),
        ])
    }

    #[test]
    fn configuration_of_8_5() {
        let (config, warnings) = ok(&spec(SPEC_8_5), &raw_8_5(), &[]);
        let names: Vec<&str> = config.sections().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            vec!["first", "secondś", "THIRD", "fourth", "fifth", "sixth"]
        );
        let first = config.section("first").expect("first");
        let opts: Vec<&str> = first.values().map(|(n, _)| n).collect();
        assert_eq!(opts, vec!["a", "b", "bcd", "efg", "hij", "klm.rst", "n"]);
        assert!(matches!(first.get("a"), Some(Value::Str(s)) if s == "xyz"));
        assert!(matches!(first.get("b"), Some(Value::Int(1))));
        assert!(matches!(first.get("bcd"), Some(Value::Str(s)) if s == "4 , 5 , 6"));
        assert!(matches!(first.get("efg"), Some(Value::Float(f)) if *f == 42.0));
        assert!(matches!(first.get("hij"), Some(Value::Str(s)) if s == "43\n44 ś\n45"));
        assert_eq!(
            format!("{:?}", first.get("klm.rst")),
            "Some(List([Bool(true), Bool(false), Bool(false), Bool(true), Bool(false)]))"
        );
        let Some(Value::List(n)) = first.get("n") else {
            panic!("first.n: {:?}", first.get("n"));
        };
        let n: Vec<String> = n
            .iter()
            .map(|v| match v {
                Value::DateTime(dt) => format!("{} {}", dt.date(), dt.time()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(n, vec!["2016-02-25 23:24:25.1234", "1410-07-15 10:01:00.0"]);
        assert_eq!(
            render_one(&config, "secondś"),
            "a=Float(3.2), b=Float(44.2), c=Float(45.2), d=Float(46.2)"
        );
        let third = config.section("THIRD").expect("THIRD");
        assert!(
            matches!(third.get("xx"), Some(Value::Bytes(b)) if b == "Zażółć Gęślą Jaźń".as_bytes())
        );
        assert_eq!(
            format!("{:?}", third.get("yy")),
            "Some(Json(Object {\"a\": Number(42)}))"
        );
        assert_eq!(
            format!("{:?}", third.get("zz")),
            "Some(Py(Dict([(Int(1), Int(2))])))"
        );
        assert!(matches!(third.get("qq"), Some(Value::Str(s)) if s.is_empty()));
        assert!(third.is_free("qq"));
        assert_eq!(render_one(&config, "fourth"), "zzz=Str(\"ZZZ\")");
        assert_eq!(render_one(&config, "fifth"), "f=Int(42)");
        assert_eq!(render_one(&config, "sixth"), "");
        assert_eq!(
            warnings,
            vec![
                ConfigWarning::AbsentNonRequiredSections(vec![
                    "fourth".to_owned(),
                    "fifth".to_owned(),
                    "sixth".to_owned()
                ]),
                ConfigWarning::TypoVulnerableSections(vec!["THIRD".to_owned()]),
            ]
        );
        assert_eq!(
            warnings[0].to_string(),
            "Absent *non-required* config sections: fourth, fifth, sixth.  Default config values \
             have been used.  If it is your actual intention, then, for each of these section \
             names, create an empty section inside your configuration, to make the situation clear."
        );
        assert!(warnings[0].is_n6_error_level());
    }

    fn render_one(config: &TypedConfig, section: &str) -> String {
        let section = config.section(section).expect("section");
        let opts: Vec<String> = section
            .values()
            .map(|(o, v)| format!("{o}={v:?}"))
            .collect();
        opts.join(", ")
    }

    #[test]
    fn overrides_of_8_5() {
        let mut raw = raw_8_5();
        raw.set("first", "a", "abc", Origin::Override);
        raw.set("THIRD", "yy", "{\"a\": 321}", Origin::Override);
        let (config, _) = ok(&spec(SPEC_8_5), &raw, &[]);
        assert!(
            matches!(config.section("first").and_then(|s| s.get("a")), Some(Value::Str(s)) if s == "abc")
        );
        assert_eq!(
            format!("{:?}", config.section("THIRD").and_then(|s| s.get("yy"))),
            "Some(Json(Object {\"a\": Number(321)}))"
        );
    }

    #[test]
    fn missing_sections_of_8_5() {
        let raw = raw(&[("third", "xx", "ham"), ("third", "zz", "[\"spam\"]")]);
        let e = err(&spec(SPEC_8_5), &raw, &[]);
        assert_eq!(
            e.to_string(),
            "[configuration-related error] missing required config sections: first, THIRD"
        );
    }

    #[test]
    fn missing_options_of_8_5() {
        let raw = raw(&[("first", "klm.rst", "true"), ("THIRD", "zz", "42")]);
        let e = err(&spec(SPEC_8_5), &raw, &[]);
        assert_eq!(
            e.to_string(),
            "[configuration-related error] missing required config options: first.a, first.b, \
             first.hij, THIRD.xx"
        );
        assert_eq!(
            e.lines()[0],
            "[first] a: missing required config option (the spec gives no default); the section is \
             in /etc/n6/test.conf"
        );
    }

    #[test]
    fn illegal_options_of_8_5() {
        let mut raw = raw_8_5();
        raw.set("first", "unknown", "1", file("/etc/n6/x.conf", 1));
        raw.set("THIRD", "unknown", "3", file("/etc/n6/x.conf", 2));
        raw.set("fifth", "unknown", "5", file("/etc/n6/x.conf", 3));
        let e = err(&spec(SPEC_8_5), &raw, &[]);
        assert_eq!(
            e.to_string(),
            "[configuration-related error] illegal config options: first.unknown, fifth.unknown"
        );
        assert_eq!(
            e.lines()[1],
            "/etc/n6/x.conf:3: [fifth] unknown: illegal config option (declared options: f)"
        );
    }

    #[test]
    fn unknown_converters_of_8_5() {
        let e = err(&spec(&SPEC_8_5.replace("float", "weird")), &raw_8_5(), &[]);
        assert_eq!(
            e.to_string(),
            "[configuration-related error] unknown config value converter `weird` (for option \
             first.efg); unknown config value converter `weird` (for free options in section \
             secondś)"
        );
        assert_eq!(
            e.lines()[1],
            "[secondś] (free options): unknown config value converter `weird`"
        );
    }

    #[test]
    fn empty_spec_gives_an_empty_config() {
        let (config, warnings) = ok(&Spec::default(), &raw_8_5(), &[]);
        assert!(config.is_empty());
        assert!(warnings.is_empty());
    }
}
