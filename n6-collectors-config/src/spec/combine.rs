//! n6's `combined_config_spec`: one spec layered over another.

use super::{FREE_OPTIONS_MARKER, SectionSpec, Spec, SpecError};

/// n6's `n6lib.config.combined_config_spec`: `foreground` (e.g. the collector
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
