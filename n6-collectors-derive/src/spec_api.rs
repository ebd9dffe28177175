//! The one place that calls the shared config-spec parser of `n6-collectors-config`
//! (the same code the runtime uses), so the derive and the runtime cannot disagree.

use n6_collectors_config::spec::{self, Spec, SpecError};

/// Parses `text` with options before any section header in `main_section`: what could
/// be read, and the problems of the rest.
pub fn parse(text: &str, main_section: &str) -> (Spec, Vec<SpecError>) {
    Spec::parse_lenient(text, main_section)
}

/// n6's `combined_config_spec`: `foreground` (the author's) over `background` (the
/// framework's fragments), with any disagreements.
pub fn combine(background: &Spec, foreground: &Spec) -> (Spec, Vec<SpecError>) {
    spec::combine_lenient(background, foreground)
}
