//! Every rule, in one place: the parsed input in, the [`Checked`] model out, each
//! problem pushed to the [`Ctxt`] (spanned at the attribute, key or literal at fault). Each
//! rule says why it exists.
//!
//! * `identity` — the identity keys of `#[collector(...)]`;
//! * `fields` — one config field, at most one `#[state]` and one `#[args]` field;
//! * `spec` — the config spec, combined with the framework's fragments, as structs;
//! * `names` — Rust names for what the spec names.

mod fields;
mod identity;
pub mod names;
pub mod spec;

use syn::spanned::Spanned;

use crate::ast::Input;
use crate::ctxt::Ctxt;
use crate::model::{Checked, StateModel};

/// Runs every rule over `input`.
pub fn check<'a>(input: &'a Input<'a>, cx: &mut Ctxt) -> Checked<'a> {
    check_generics(input, cx);
    let identity = identity::check_identity(input, cx);
    let state = fields::state_field(input, cx);
    let args = fields::args_field(input, cx);
    let config = fields::config_field(input, cx);
    let spec_input = spec::SpecInput {
        struct_name: input.ident,
        spec: input.spec.as_ref(),
        download: input.collector.download.is_present(),
        time_ordered_rows: input.collector.time_ordered_rows.is_present(),
        converters: &input.collector.converters.0,
        fallback_span: input
            .collector_attr
            .map_or_else(|| input.ident.span(), |a| a.path().span()),
        converters_known: input.collector_ok,
    };
    let config_model = spec::build(&spec_input, cx);
    check_flags(input, state.as_ref(), cx);
    Checked {
        input,
        identity,
        state,
        config,
        args,
        config_model,
    }
}

/// Generic structs are rejected: the runtime needs one concrete collector type per
/// binary, and the generated config struct could not name the parameters.
fn check_generics(input: &Input<'_>, cx: &mut Ctxt) {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        cx.error_at(
            input.generics,
            "a collector cannot be generic: the runtime runs one concrete collector type; \
             remove the type parameters (keep generic code in helper types)",
        );
    }
}

/// `time_ordered_rows` keeps n6's rows state (newest time, rows of that time) in the
/// `#[state]` field: without one there is nothing to select the fresh rows against.
fn check_flags(input: &Input<'_>, state: Option<&StateModel<'_>>, cx: &mut Ctxt) {
    if input.collector.time_ordered_rows.is_present() && state.is_none() && input.named_struct {
        cx.error_at(
            input.ident,
            "`time_ordered_rows` keeps the rows state in the `#[state]` field: add \
             `#[state] state: RowsState`",
        );
    }
}
