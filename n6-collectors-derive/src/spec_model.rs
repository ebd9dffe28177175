//! From the author's config spec to a model of the generated config structs: the spec is
//! parsed and combined with the framework's fragments by the shared parser, then every
//! option gets a Rust field and a converter, and every default is converted once here so
//! that `retries = abc :: int` fails the build.

use std::collections::BTreeSet;

use darling::error::Accumulator;
use n6_collectors_config::convert::Converter;
use n6_collectors_config::fragments;
use n6_collectors_config::spec::{OptionSpec, SectionSpec, Spec, SpecError};
use proc_macro2::Span;
use syn::{Ident, LitStr};

use crate::attr::CustomConverter;
use crate::spec_api;
use crate::symbol;

/// The checked, combined spec and the structs to generate from it.
pub struct ConfigModel {
    /// The effective spec (framework fragments + the author's spec).
    pub spec: Spec,
    /// The main section (named after the struct): the `{StructName}Config` struct.
    pub main: SectionModel,
    /// Every other section: a nested struct in a field of the main one.
    pub others: Vec<SectionModel>,
}

/// One section → one struct.
pub struct SectionModel {
    /// The section name in config files.
    pub name: String,
    /// 1-based line of the section header in the spec.
    pub line: usize,
    /// The field of the main struct holding this section (`None` for the main section).
    pub field: Option<Ident>,
    /// The generated struct's name.
    pub type_ident: Ident,
    /// One field per declared option.
    pub options: Vec<OptionModel>,
    /// The free options (`...`), if allowed.
    pub free: Option<Kind>,
}

/// One option → one field.
pub struct OptionModel {
    /// The option name in config files.
    pub name: String,
    /// The Rust field.
    pub field: Ident,
    /// How its value is converted.
    pub kind: Kind,
    /// The field's doc: the spec line and whether it is required.
    pub doc: String,
}

/// A converter: standard (known here) or the author's.
#[derive(Clone)]
pub enum Kind {
    /// A converter of `n6-collectors-config`.
    Standard(Converter),
    /// Index into the custom converters of `#[collector(converters(...))]`.
    Custom(usize),
}

/// Everything the spec step needs from the attributes.
pub struct SpecInput<'a> {
    /// The struct name = the main section's name.
    pub struct_name: &'a Ident,
    /// The spec literal (`None` = no options of the author's own).
    pub spec: Option<&'a LitStr>,
    /// `#[collector(download)]`.
    pub download: bool,
    /// `#[collector(time_ordered_rows)]`.
    pub time_ordered_rows: bool,
    /// The custom converters.
    pub converters: &'a [CustomConverter],
    /// Where errors without a spec literal point.
    pub fallback_span: Span,
    /// False when `#[collector(...)]` could not be read: custom converter names are then
    /// unknown, so unknown converters are not reported (the attribute's error is).
    pub converters_known: bool,
}

/// The framework's options for the chosen helpers, as spec text.
pub fn background_text(download: bool, time_ordered_rows: bool) -> String {
    let mut text = String::from(fragments::STATEFUL);
    if download {
        text.push_str(fragments::DOWNLOAD);
    }
    if time_ordered_rows {
        text.push_str(fragments::TIME_ORDERED_ROWS);
    }
    text
}

/// Parses, combines and checks the spec, reporting every problem. `None` only when the
/// framework's own fragment is broken; otherwise the model, keeping every option that was
/// fine when problems were reported (so the stub config struct has the fields the
/// author's code reads, and one mistake is one error).
pub fn build(input: &SpecInput<'_>, errors: &mut Accumulator) -> Option<ConfigModel> {
    let main_name = input.struct_name.to_string();
    let report = Reporter {
        lit: input.spec,
        fallback: input.fallback_span,
    };

    check_custom_names(input.converters, errors);

    let background_text = background_text(input.download, input.time_ordered_rows);
    let (background, broken) = spec_api::parse(&background_text, &main_name);
    for e in &broken {
        report.at(
            errors,
            0,
            format!(
                "internal error in the framework's spec fragment: {}",
                e.message
            ),
        );
    }
    if !broken.is_empty() {
        return None;
    }
    let user = match input.spec {
        None => Spec::default(),
        Some(lit) => {
            let text = lit.value();
            let (mut spec, problems) = spec_api::parse(&text, &main_name);
            for e in &problems {
                report.at(errors, e.line, spec_error_message(e));
            }
            n6_placeholder_sections(&mut spec, &main_name, &report, errors);
            spec
        }
    };
    let (spec, problems) = spec_api::combine(&background, &user);
    for e in &problems {
        report.at(errors, e.line, spec_error_message(e));
    }
    let framework_options: BTreeSet<&str> = background
        .sections
        .iter()
        .flat_map(|s| s.options.iter().map(|o| o.name.as_str()))
        .collect();

    let mut main = None;
    let mut others = Vec::new();
    for section in &spec.sections {
        let is_main = section.name == main_name;
        match section_model(input, section, is_main, &framework_options, errors, &report) {
            Some(model) if is_main => main = Some(model),
            Some(model) => others.push(model),
            None => {}
        }
    }
    // The framework's fragment always has the main section (`state_dir`).
    let main = main?;
    // A nested section's field sits next to the main section's option fields.
    others.retain(|other| {
        let Some(field) = &other.field else {
            return true;
        };
        let clash = main.options.iter().any(|o| o.field == *field);
        if clash {
            report.at(
                errors,
                other.line,
                format!(
                    "config_spec line {}: section [{}] would be stored in the field `{field}` of `{}`, \
                     which already holds the option `{field}`: rename the section or the option",
                    other.line, other.name, main.type_ident
                ),
            );
        }
        !clash
    });
    Some(ConfigModel { spec, main, others })
}

/// Where a spec problem is reported: the offending line inside the string literal where
/// the compiler allows a span there (`Literal::subspan`, nightly only today), else the
/// whole literal; the message names the line either way.
struct Reporter<'a> {
    lit: Option<&'a LitStr>,
    fallback: Span,
}

impl Reporter<'_> {
    fn at(&self, errors: &mut Accumulator, line: usize, message: String) {
        let span = match self.lit {
            Some(lit) => line_span(lit, line),
            None => self.fallback,
        };
        errors.push(darling::Error::custom(message).with_span(&span));
    }
}

/// The span of spec line `line` (1-based) inside `lit`, when the literal's source maps
/// byte for byte onto its value (a raw string, or a string without escapes).
fn line_span(lit: &LitStr, line: usize) -> Span {
    let token = lit.token();
    let source = token.to_string();
    let body_start = match source.find('"') {
        Some(quote) if source.starts_with('r') || !source.contains('\\') => quote + 1,
        _ => return lit.span(),
    };
    let Some(index) = line.checked_sub(1) else {
        return lit.span();
    };
    let body = &source[body_start..];
    let mut offset = 0;
    for (i, text) in body.split('\n').enumerate() {
        if i == index {
            let range = body_start + offset..body_start + offset + text.len();
            return token.subspan(range).unwrap_or_else(|| lit.span());
        }
        offset += text.len() + 1;
    }
    lit.span()
}

/// n6 writes a collector's spec as a `str.format` template: `[{collector_class_name}]`
/// as the section header and `{{`/`}}` for braces. Pasted verbatim, the header would make
/// a section of that name: it is taken as the main section (so the options still become
/// fields) and reported with what to write instead.
fn n6_placeholder_sections(
    spec: &mut Spec,
    main_name: &str,
    report: &Reporter<'_>,
    errors: &mut Accumulator,
) {
    let has_main = spec.sections.iter().any(|s| s.name == main_name);
    let mut renamed = false;
    for section in &mut spec.sections {
        if !(section.name.starts_with('{') && section.name.ends_with('}')) {
            continue;
        }
        report.at(
            errors,
            section.line,
            format!(
                "config_spec line {}: `[{}]` is a placeholder of n6's `str.format` spec template: \
                 options before any section header already belong to `[{main_name}]`; remove the \
                 header (or write `[{main_name}]`)",
                section.line, section.name
            ),
        );
        if !has_main && !renamed {
            main_name.clone_into(&mut section.name);
            renamed = true;
        }
    }
}

/// `config_spec line N: <message>` (the parser's messages name the option).
fn spec_error_message(e: &SpecError) -> String {
    if e.line == 0 {
        format!("config_spec: {}", e.message)
    } else {
        format!("config_spec line {}: {}", e.line, e.message)
    }
}

fn check_custom_names(converters: &[CustomConverter], errors: &mut Accumulator) {
    let mut seen = BTreeSet::new();
    for c in converters {
        let name = c.name.to_string();
        if !seen.insert(name.clone()) {
            errors.push(
                darling::Error::custom(format!("custom converter `{name}` is declared twice"))
                    .with_span(&c.name),
            );
        }
    }
}

fn section_model(
    input: &SpecInput<'_>,
    section: &SectionSpec,
    is_main: bool,
    framework_options: &BTreeSet<&str>,
    errors: &mut Accumulator,
    report: &Reporter<'_>,
) -> Option<SectionModel> {
    let (field, type_ident) = if is_main {
        (
            None,
            Ident::new(
                &format!("{}{}", input.struct_name, symbol::CONFIG_SUFFIX),
                input.struct_name.span(),
            ),
        )
    } else {
        let snake = snake_case(&section.name);
        match rust_ident(&snake) {
            Ok(field) => (
                Some(field),
                Ident::new(
                    &format!(
                        "{}{}{}",
                        input.struct_name,
                        camel_case(&section.name),
                        symbol::CONFIG_SUFFIX
                    ),
                    input.struct_name.span(),
                ),
            ),
            Err(why) => {
                report.at(
                    errors,
                    section.line,
                    format!(
                        "config_spec line {}: section [{}] cannot become a field of the config struct ({why}): \
                         use a name made of letters, digits and `_`",
                        section.line, section.name
                    ),
                );
                return None;
            }
        }
    };
    let mut options = Vec::new();
    for option in &section.options {
        let field = match option_field(option) {
            Ok(field) => field,
            Err(msg) => {
                report.at(errors, option.line, msg);
                continue;
            }
        };
        if section.free_options.is_some() && option.name == symbol::FREE_OPTIONS_FIELD {
            report.at(
                errors,
                option.line,
                format!(
                    "config_spec line {}: option `{}`: this section allows free options (`...`), which are \
                     stored in the field `{}`: rename the option",
                    option.line,
                    option.name,
                    symbol::FREE_OPTIONS_FIELD
                ),
            );
            continue;
        }
        let Some(kind) = kind_of(
            input,
            &option.converter,
            option.line,
            &format!("option `{}`", option.name),
            errors,
            report,
        ) else {
            continue;
        };
        if let Some(default) = &option.default
            && default.contains("{{")
        {
            // n6's spec templates go through `str.format`, which turns `{{` into `{`
            // (`}}` alone also ends nested dicts, so only `{{` tells a template).
            report.at(
                errors,
                option.line,
                format!(
                    "config_spec line {}: option `{}`: the default {:?} is written for n6's `str.format` \
                     spec template: write it as n6 reads it, `{}`",
                    option.line,
                    option.name,
                    default,
                    default.replace("{{", "{").replace("}}", "}")
                ),
            );
        } else if let (Kind::Standard(conv), Some(default)) = (&kind, &option.default)
            && let Err(msg) = conv.check_default(default)
        {
            report.at(
                errors,
                option.line,
                format!(
                    "config_spec line {}: option `{}`: the default {:?} does not convert with `{}`: {msg}",
                    option.line, option.name, default, option.converter
                ),
            );
        }
        let doc = option_doc(
            option,
            framework_options.contains(option.name.as_str()) && is_main,
        );
        options.push(OptionModel {
            name: option.name.clone(),
            field,
            kind,
            doc,
        });
    }
    let free = match &section.free_options {
        None => None,
        Some(free) => kind_of(
            input,
            &free.converter,
            free.line,
            "free options `...`",
            errors,
            report,
        ),
    };
    Some(SectionModel {
        name: section.name.clone(),
        line: section.line,
        field,
        type_ident,
        options,
        free,
    })
}

/// Looks a converter name up: the author's converters first (they may shadow standard
/// names, as in n6), then the standard ones.
fn kind_of(
    input: &SpecInput<'_>,
    name: &str,
    line: usize,
    what: &str,
    errors: &mut Accumulator,
    report: &Reporter<'_>,
) -> Option<Kind> {
    if let Some(i) = input.converters.iter().position(|c| c.name == name) {
        return Some(Kind::Custom(i));
    }
    match Converter::from_name(name) {
        Ok(conv) => Some(Kind::Standard(conv)),
        Err(unknown) if unknown.is_python_only() => {
            report.at(
                errors,
                line,
                format!(
                    "config_spec line {line}: {what}: the converter `{name}` imports a Python object and is not \
                     supported; use `str` and look the value up in your code, or declare a converter \
                     function with `#[collector(converters({name} = path::to::function -> Type))]`"
                ),
            );
            None
        }
        Err(_) if !input.converters_known => None,
        Err(_) => {
            let valid: Vec<&str> = Converter::all().map(|c| c.name()).collect();
            let custom: Vec<String> = input
                .converters
                .iter()
                .map(|c| c.name.to_string())
                .collect();
            let custom = if custom.is_empty() {
                String::new()
            } else {
                format!("; custom: {}", custom.join(", "))
            };
            report.at(
                errors,
                line,
                format!(
                    "config_spec line {line}: {what}: unknown converter `{name}` (valid converters: {}{custom}; \
                     declare your own with `#[collector(converters({name} = path::to::function -> Type))]`)",
                    valid.join(", ")
                ),
            );
            None
        }
    }
}

fn option_doc(option: &OptionSpec, framework: bool) -> String {
    let one_line = |t: &str| t.replace('\n', " ");
    let mut doc = match option.default.as_deref() {
        None => format!("`{} :: {}` — required", option.name, option.converter),
        Some("") => format!(
            "`{} = :: {}` — default: empty",
            option.name, option.converter
        ),
        Some(d) => format!(
            "`{} = {} :: {}` — default `{}`",
            option.name,
            one_line(d),
            option.converter,
            one_line(d)
        ),
    };
    if framework {
        doc.push_str(" (added by the framework)");
    }
    doc
}

/// The field for an option: its name if it is a Rust identifier (keywords become raw
/// identifiers), else an error suggesting one.
fn option_field(option: &OptionSpec) -> Result<Ident, String> {
    rust_ident(&option.name).map_err(|why| {
        let mut suggestion: String = option
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if rust_ident(&suggestion).is_err() {
            suggestion = format!("option_{suggestion}");
        }
        format!(
            "config_spec line {}: option `{}` cannot become a field of the config struct ({why}): \
             rename it, e.g. `{suggestion}`",
            option.line, option.name
        )
    })
}

/// A Rust identifier for `name` (raw for keywords), or why there is none.
pub fn rust_ident(name: &str) -> Result<Ident, String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(
            "only ASCII letters, digits and `_` are allowed, not starting with a digit".to_owned(),
        );
    }
    if name == "_" {
        return Err("`_` is not a field name".to_owned());
    }
    if matches!(name, "self" | "Self" | "super" | "crate") {
        return Err(format!(
            "`{name}` is a Rust keyword that cannot be a field name"
        ));
    }
    match syn::parse_str::<Ident>(name) {
        Ok(ident) => Ok(Ident::new(&ident.to_string(), Span::call_site())),
        Err(_) => Ok(Ident::new_raw(name, Span::call_site())),
    }
}

/// `misp_api` → `misp_api`, `MispApi` → `misp_api`, `misp-api` → `misp_api`.
pub fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '-' {
            out.push('_');
            prev_lower = false;
        } else if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// `misp_api` → `MispApi`.
pub fn camel_case(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_conversions() {
        assert_eq!(snake_case("misp_api"), "misp_api");
        assert_eq!(snake_case("MispApi"), "misp_api");
        assert_eq!(snake_case("misp-api2"), "misp_api2");
        assert_eq!(camel_case("misp_api"), "MispApi");
        assert_eq!(camel_case("MispApi"), "MispApi");
        assert_eq!(camel_case("abc"), "Abc");
    }

    #[test]
    fn identifiers() {
        assert_eq!(
            rust_ident("url").map(|i| i.to_string()),
            Ok("url".to_owned())
        );
        assert_eq!(
            rust_ident("type").map(|i| i.to_string()),
            Ok("r#type".to_owned())
        );
        assert!(rust_ident("klm.rst").is_err());
        assert!(rust_ident("1abc").is_err());
        assert!(rust_ident("self").is_err());
        assert!(rust_ident("_").is_err());
    }

    #[test]
    fn background_has_the_helpers_options() {
        assert_eq!(background_text(false, false), fragments::STATEFUL);
        assert!(background_text(true, true).contains("download_retries"));
        assert!(background_text(false, true).contains("row_count_mismatch_is_fatal"));
    }
}
