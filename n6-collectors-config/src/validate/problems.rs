//! What can be wrong in a configuration, and n6's words for it: the one-line message of
//! n6's `ConfigError` and a clearer line per problem for operators.

use std::fmt;
use std::path::PathBuf;

use crate::convert::UnknownConverter;
use crate::py::repr::{py_ascii_repr, py_str_repr};
use crate::raw::Origin;

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
