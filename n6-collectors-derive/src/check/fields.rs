//! Rules across the fields: exactly one config field, at most one `#[state]` and one
//! `#[args]` field, the `#[state(...)]` keys. The runtime loads exactly one state value,
//! builds exactly one config and parses one set of arguments, so there must be exactly
//! one place for each.

use crate::ast::{Field, Input, Role};
use crate::attr::StateAttr;
use crate::ctxt::Ctxt;
use crate::model::StateModel;

/// The `#[state]` field (the first, when there are several: reported).
pub fn state_field<'a>(input: &'a Input<'a>, cx: &mut Ctxt) -> Option<StateModel<'a>> {
    let states: Vec<(&Field<'_>, &StateAttr, &syn::Attribute)> = input
        .fields
        .iter()
        .filter_map(|f| match &f.role {
            Role::State(s, attr) => Some((f, s, *attr)),
            _ => None,
        })
        .collect();
    // A `()` state would be a state file holding nothing, read and written on every run.
    for (field, _, attr) in &states {
        if let syn::Type::Tuple(t) = field.ty
            && t.elems.is_empty()
        {
            cx.error_at(
                attr.path(),
                "a `()` state is not needed: remove the field; a collector without a \
                 `#[state]` field keeps no state (no state file is read or written)",
            );
        }
    }
    for (_, _, attr) in states.iter().skip(1) {
        cx.error_at(
            attr.path(),
            "only one field can be `#[state]`: put everything to persist in one type \
             (a struct with both values)",
        );
    }
    let versions: Vec<u32> = states
        .iter()
        .map(|(_, s, _)| state_version(s, cx))
        .collect();
    if states.is_empty() {
        unmarked_state_field(input, cx);
    }
    let (field, attr, _) = *states.first()?;
    Some(StateModel {
        field,
        attr,
        version: versions.first().copied().unwrap_or(1),
    })
}

/// `version` starts at 1 (the envelope stores it); `migrate` only makes sense once there
/// is an older version to migrate from. The checked version (1 when absent or invalid).
fn state_version(s: &StateAttr, cx: &mut Ctxt) -> u32 {
    let version = match &s.version {
        None => Some(1),
        Some(lit) => match lit.base10_parse::<u32>() {
            Ok(0) | Err(_) => {
                cx.error_at(
                    lit,
                    "state version must be an integer from 1 to 4294967295 (the first version is 1)",
                );
                None
            }
            Ok(v) => Some(v),
        },
    };
    if let (Some(1), Some(path)) = (version, &s.migrate) {
        cx.error_at(
            path,
            "`migrate` is only called for state files older than `version`: raise \
             `version = 2` (or higher) when you change the state type, or remove `migrate`",
        );
    }
    version.unwrap_or(1)
}

/// Without `#[state]` a collector keeps no state; a field named `state` left unmarked
/// is almost always the attribute forgotten, and would silently start over every run.
fn unmarked_state_field(input: &Input<'_>, cx: &mut Ctxt) {
    for field in &input.fields {
        if field.ident == "state" && matches!(field.role, Role::Other(None)) {
            cx.error_at(
                field.ident,
                "the field `state` is not marked `#[state]`: add `#[state]` to persist it \
                 between runs (or give it `#[init(...)]` if it is not the state)",
            );
        }
    }
}

/// The `#[args]` field (the first, when there are several: reported).
pub fn args_field<'a>(input: &'a Input<'a>, cx: &mut Ctxt) -> Option<&'a Field<'a>> {
    let args: Vec<(&Field<'_>, &syn::Attribute)> = input
        .fields
        .iter()
        .filter_map(|f| match &f.role {
            Role::Args(attr) => Some((f, *attr)),
            _ => None,
        })
        .collect();
    for (_, attr) in args.iter().skip(1) {
        cx.error_at(
            attr.path(),
            "only one field can be `#[args]`: flatten the argument structs into one \
             (`#[command(flatten)]`)",
        );
    }
    args.first().map(|(f, _)| *f)
}

/// The one field holding the generated `{StructName}Config`.
pub fn config_field<'a>(input: &'a Input<'a>, cx: &mut Ctxt) -> Option<&'a Field<'a>> {
    let configs: Vec<&Field<'_>> = input
        .fields
        .iter()
        .filter(|f| matches!(f.role, Role::Config))
        .collect();
    let config_ident = input.config_ident();
    if configs.is_empty() && input.named_struct {
        cx.error_at(
            input.ident,
            format!(
                "no field holds the config: add `config: {config_ident}` \
                 (the struct generated from the config spec)"
            ),
        );
    }
    for extra in configs.iter().skip(1) {
        cx.error_at(
            extra.ident,
            format!("only one field can hold the `{config_ident}`"),
        );
    }
    configs.first().copied()
}
