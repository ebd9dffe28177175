//! The config spec's rules: the author's spec is parsed and combined with the framework's
//! fragments by the shared parser of `n6-collectors-config` (the same code the runtime
//! uses, so the two cannot disagree), then every option gets a Rust field and a
//! converter, and every default is converted once here so that `retries = abc :: int`
//! fails the build.

use std::collections::BTreeSet;

use crate::ctxt::Ctxt;
use n6_collectors_config::convert::Converter;
use n6_collectors_config::fragments;
use n6_collectors_config::spec::{self, OptionSpec, SectionSpec, Spec, SpecError};
use proc_macro2::Span;
use syn::{Ident, LitStr};

use crate::attr::CustomConverter;
use crate::check::names::{camel_case, rust_ident, snake_case};
use crate::model::{ConfigModel, Kind, OptionModel, SectionModel};
use crate::symbol;

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
pub fn build(input: &SpecInput<'_>, cx: &mut Ctxt) -> Option<ConfigModel> {
    let main_name = input.struct_name.to_string();
    let report = Reporter {
        lit: input.spec,
        fallback: input.fallback_span,
    };
    check_custom_names(input.converters, cx);
    let background = background_spec(input, &main_name, cx, &report)?;
    let user = user_spec(input, &main_name, cx, &report);
    let (spec, problems) = spec::combine_lenient(&background, &user);
    for e in &problems {
        report.at(cx, e.line, spec_error_message(e));
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
        match section_model(input, section, is_main, &framework_options, cx, &report) {
            Some(model) if is_main => main = Some(model),
            Some(model) => others.push(model),
            None => {}
        }
    }
    // The framework's fragment always has the main section (`state_dir`).
    let main = main?;
    drop_section_field_clashes(&main, &mut others, cx, &report);
    Some(ConfigModel { spec, main, others })
}

/// The framework's options for the chosen helpers; `None` when the fragment is broken
/// (an internal error, reported).
fn background_spec(
    input: &SpecInput<'_>,
    main_name: &str,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) -> Option<Spec> {
    let text = background_text(input.download, input.time_ordered_rows);
    let (background, broken) = Spec::parse_lenient(&text, main_name);
    for e in &broken {
        report.at(
            cx,
            0,
            format!(
                "internal error in the framework's spec fragment: {}",
                e.message
            ),
        );
    }
    broken.is_empty().then_some(background)
}

/// The author's spec: what could be read, its problems reported.
fn user_spec(input: &SpecInput<'_>, main_name: &str, cx: &mut Ctxt, report: &Reporter<'_>) -> Spec {
    let Some(lit) = input.spec else {
        return Spec::default();
    };
    let text = lit.value();
    let (mut spec, problems) = Spec::parse_lenient(&text, main_name);
    for e in &problems {
        report.at(cx, e.line, spec_error_message(e));
    }
    n6_placeholder_sections(&mut spec, main_name, report, cx);
    spec
}

/// A nested section's field sits next to the main section's option fields: a section
/// whose field would hide an option is reported and dropped.
fn drop_section_field_clashes(
    main: &SectionModel,
    others: &mut Vec<SectionModel>,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) {
    others.retain(|other| {
        let Some(field) = &other.field else {
            return true;
        };
        let clash = main.options.iter().any(|o| o.field == *field);
        if clash {
            report.at(
                cx,
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
}

/// Where a spec problem is reported: the offending line inside the string literal where
/// the compiler allows a span there (`Literal::subspan`, nightly only today), else the
/// whole literal; the message names the line either way.
struct Reporter<'a> {
    lit: Option<&'a LitStr>,
    fallback: Span,
}

impl Reporter<'_> {
    fn at(&self, cx: &mut Ctxt, line: usize, message: String) {
        let span = match self.lit {
            Some(lit) => line_span(lit, line),
            None => self.fallback,
        };
        cx.error_at(&span, message);
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
fn n6_placeholder_sections(spec: &mut Spec, main_name: &str, report: &Reporter<'_>, cx: &mut Ctxt) {
    let has_main = spec.sections.iter().any(|s| s.name == main_name);
    let mut renamed = false;
    for section in &mut spec.sections {
        if !(section.name.starts_with('{') && section.name.ends_with('}')) {
            continue;
        }
        report.at(
            cx,
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

fn check_custom_names(converters: &[CustomConverter], cx: &mut Ctxt) {
    let mut seen = BTreeSet::new();
    for c in converters {
        let name = c.name.to_string();
        if !seen.insert(name.clone()) {
            cx.error_at(
                &c.name,
                format!("custom converter `{name}` is declared twice"),
            );
        }
    }
}

/// One section's struct, with the options that are fine (`None`: the section's name
/// cannot be a field, reported).
fn section_model(
    input: &SpecInput<'_>,
    section: &SectionSpec,
    is_main: bool,
    framework_options: &BTreeSet<&str>,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) -> Option<SectionModel> {
    let (field, type_ident) = section_names(input, section, is_main, cx, report)?;
    let options = section
        .options
        .iter()
        .filter_map(|option| {
            let framework = is_main && framework_options.contains(option.name.as_str());
            option_model(input, section, option, framework, cx, report)
        })
        .collect();
    let free = match &section.free_options {
        None => None,
        Some(free) => kind_of(
            input,
            &free.converter,
            free.line,
            "free options `...`",
            cx,
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

/// The field of the main struct holding a section (none for the main section) and the
/// section's struct name.
fn section_names(
    input: &SpecInput<'_>,
    section: &SectionSpec,
    is_main: bool,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) -> Option<(Option<Ident>, Ident)> {
    let type_name = if is_main {
        format!("{}{}", input.struct_name, symbol::CONFIG_SUFFIX)
    } else {
        format!(
            "{}{}{}",
            input.struct_name,
            camel_case(&section.name),
            symbol::CONFIG_SUFFIX
        )
    };
    let type_ident = Ident::new(&type_name, input.struct_name.span());
    if is_main {
        return Some((None, type_ident));
    }
    match rust_ident(&snake_case(&section.name)) {
        Ok(field) => Some((Some(field), type_ident)),
        Err(why) => {
            report.at(
                cx,
                section.line,
                format!(
                    "config_spec line {}: section [{}] cannot become a field of the config struct ({why}): \
                     use a name made of letters, digits and `_`",
                    section.line, section.name
                ),
            );
            None
        }
    }
}

/// One option's field (`None`: its name or converter is wrong, reported). A default
/// that does not convert is reported, and the field kept.
fn option_model(
    input: &SpecInput<'_>,
    section: &SectionSpec,
    option: &OptionSpec,
    framework: bool,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) -> Option<OptionModel> {
    let field = match option_field(option) {
        Ok(field) => field,
        Err(msg) => {
            report.at(cx, option.line, msg);
            return None;
        }
    };
    if section.free_options.is_some() && option.name == symbol::FREE_OPTIONS_FIELD {
        report.at(
            cx,
            option.line,
            format!(
                "config_spec line {}: option `{}`: this section allows free options (`...`), which are \
                 stored in the field `{}`: rename the option",
                option.line,
                option.name,
                symbol::FREE_OPTIONS_FIELD
            ),
        );
        return None;
    }
    let kind = kind_of(
        input,
        &option.converter,
        option.line,
        &format!("option `{}`", option.name),
        cx,
        report,
    )?;
    if let Some(default) = &option.default {
        check_default(option, default, &kind, cx, report);
    }
    Some(OptionModel {
        name: option.name.clone(),
        field,
        kind,
        doc: option_doc(option, framework),
    })
}

/// A default must be written as n6 reads it, and convert with its converter (custom
/// converters run only at run time).
fn check_default(
    option: &OptionSpec,
    default: &str,
    kind: &Kind,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) {
    if default.contains("{{") {
        // n6's spec templates go through `str.format`, which turns `{{` into `{`
        // (`}}` alone also ends nested dicts, so only `{{` tells a template).
        report.at(
            cx,
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
    } else if let Kind::Standard(conv) = kind
        && let Err(msg) = conv.check_default(default)
    {
        report.at(
            cx,
            option.line,
            format!(
                "config_spec line {}: option `{}`: the default {:?} does not convert with `{}`: {msg}",
                option.line, option.name, default, option.converter
            ),
        );
    }
}

/// Looks a converter name up: the author's converters first (they may shadow standard
/// names, as in n6), then the standard ones.
fn kind_of(
    input: &SpecInput<'_>,
    name: &str,
    line: usize,
    what: &str,
    cx: &mut Ctxt,
    report: &Reporter<'_>,
) -> Option<Kind> {
    if let Some(i) = input.converters.iter().position(|c| c.name == name) {
        return Some(Kind::Custom(i));
    }
    match Converter::from_name(name) {
        Ok(conv) => Some(Kind::Standard(conv)),
        Err(unknown) if unknown.is_python_only() => {
            report.at(
                cx,
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
                cx,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn background_has_the_helpers_options() {
        assert_eq!(background_text(false, false), fragments::STATEFUL);
        assert!(background_text(true, true).contains("download_retries"));
        assert!(background_text(false, true).contains("row_count_mismatch_is_fatal"));
    }
}
