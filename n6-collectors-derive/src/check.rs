//! Rules that span the whole struct: identity keys, exactly one state field, exactly one
//! config field, generics. Each rule says why it exists.

use darling::error::Accumulator;
use n6_collectors_config::identity::{self, RawType};
use syn::{DeriveInput, LitStr};

use crate::ast::{Field, Input, Role};
use crate::attr::StateAttr;

/// The checked identity of the collector.
pub struct Identity {
    /// `provider.channel`.
    pub source: String,
    /// The raw type.
    pub raw_type: RawType,
    /// The content type (file/blacklist).
    pub content_type: Option<String>,
    /// `YYYYMM`.
    pub raw_format_version_tag: Option<String>,
    /// A custom state file name.
    pub state_file: Option<String>,
}

/// Generic structs are rejected: the runtime needs one concrete collector type per
/// binary, and the generated config struct could not name the parameters.
pub fn check_generics(input: &DeriveInput, errors: &mut Accumulator) {
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        errors.push(
            darling::Error::custom(
                "a collector cannot be generic: the runtime runs one concrete collector type; \
                 remove the type parameters (keep generic code in helper types)",
            )
            .with_span(&input.generics),
        );
    }
}

/// Checks `source`, `raw_type`, `content_type`, `raw_format_version_tag`, `state_file`.
/// n6 checks these when a class is defined or a message is sent; here a typo fails the
/// build instead of the first cron run.
pub fn check_identity(input: &Input<'_>, errors: &mut Accumulator) -> Option<Identity> {
    let Some(attr) = input.collector_attr else {
        errors.push(
            darling::Error::custom(
                "missing `#[collector(source = \"provider.channel\", raw_type = \"stream\")]` on the struct",
            )
            .with_span(input.ident),
        );
        return None;
    };
    if !input.collector_ok {
        return None;
    }
    let c = &input.collector;
    let source = match &c.source {
        None => {
            errors.push(
                darling::Error::custom(
                    "missing `source = \"provider.channel\"` in `#[collector(...)]`",
                )
                .with_span(attr.path()),
            );
            None
        }
        Some(lit) => {
            let value = lit.value();
            match identity::validate_source(&value) {
                Ok(()) => Some(value),
                Err(reason) => {
                    errors.push(
                        darling::Error::custom(format!(
                            "invalid source: {reason} (n6 wants `provider.channel`: lower-case ASCII \
                             letters, digits and `-`, exactly one `.`, at most {} characters)",
                            identity::MAX_SOURCE_LEN
                        ))
                        .with_span(lit),
                    );
                    None
                }
            }
        }
    };
    let raw_type = match &c.raw_type {
        None => {
            errors.push(
                darling::Error::custom(
                    "missing `raw_type = \"stream\"` (or \"file\" or \"blacklist\") in `#[collector(...)]`",
                )
                .with_span(attr.path()),
            );
            None
        }
        Some(lit) => match RawType::from_name(&lit.value()) {
            Some(t) => Some(t),
            None => {
                errors.push(
                    darling::Error::custom(format!(
                        "unknown raw_type {:?}: expected one of \"stream\", \"file\", \"blacklist\"",
                        lit.value()
                    ))
                    .with_span(lit),
                );
                None
            }
        },
    };
    // n6 refuses to publish a file or blacklist without a content type.
    if let (Some(t), None) = (raw_type, &c.content_type)
        && t.needs_content_type()
    {
        errors.push(
            darling::Error::custom(format!(
                "raw_type = \"{t}\" needs a content type: add `content_type = \"text/csv\"` \
                 (or the feed's MIME type) to `#[collector(...)]`"
            ))
            .with_span(
                &c.raw_type
                    .as_ref()
                    .map_or_else(|| attr.pound_token.span, LitStr::span),
            ),
        );
    }
    // n6 sends a content type only with `file` and `blacklist` messages: on a `stream`
    // collector it would be silently dropped.
    if let (Some(RawType::Stream), Some(lit)) = (raw_type, &c.content_type) {
        errors.push(
            darling::Error::custom(
                "a `stream` collector's messages carry no content type: remove \
                 `content_type = ...`, or use `raw_type = \"file\"` (or \"blacklist\")",
            )
            .with_span(lit),
        );
    }
    let tag = c.raw_format_version_tag.as_ref().and_then(|lit| {
        let value = lit.value();
        match identity::validate_raw_format_version_tag(&value) {
            Ok(()) => Some(value),
            Err(reason) => {
                errors.push(darling::Error::custom(reason).with_span(lit));
                None
            }
        }
    });
    let state_file = c.state_file.as_ref().and_then(|lit| {
        let value = lit.value();
        // The file lives in `state_dir`; a path here would escape it.
        if value.is_empty() || value.contains('/') || value == "." || value == ".." {
            errors.push(
                darling::Error::custom(
                    "state_file must be a plain file name (it is placed in the configured `state_dir`), \
                     e.g. `state_file = \"my-collector.cbor\"`",
                )
                .with_span(lit),
            );
            None
        } else {
            Some(value)
        }
    });
    Some(Identity {
        source: source?,
        raw_type: raw_type?,
        content_type: c.content_type.as_ref().map(LitStr::value),
        raw_format_version_tag: tag,
        state_file,
    })
}

/// The one `#[state]` field and the one config field. The runtime loads exactly one
/// state value and builds exactly one config, so there must be exactly one place for each.
pub fn check_fields<'i, 'a>(
    input: &'i Input<'a>,
    errors: &mut Accumulator,
) -> (Option<&'i Field<'a>>, Option<&'i Field<'a>>) {
    let states: Vec<&Field<'_>> = input
        .fields
        .iter()
        .filter(|f| matches!(f.role, Role::State(..)))
        .collect();
    let configs: Vec<&Field<'_>> = input
        .fields
        .iter()
        .filter(|f| matches!(f.role, Role::Config))
        .collect();
    let has_fields = input.named_struct;
    // A `()` state would be a state file holding nothing, read and written on every run.
    for field in &states {
        if let (Role::State(_, attr), syn::Type::Tuple(t)) = (&field.role, field.ty)
            && t.elems.is_empty()
        {
            errors.push(
                darling::Error::custom(
                    "a `()` state is not needed: remove the field; a collector without a \
                     `#[state]` field keeps no state (no state file is read or written)",
                )
                .with_span(attr.path()),
            );
        }
    }
    for extra in states.iter().skip(1) {
        if let Role::State(_, attr) = &extra.role {
            errors.push(
                darling::Error::custom(
                    "only one field can be `#[state]`: put everything to persist in one type \
                     (a struct with both values)",
                )
                .with_span(attr.path()),
            );
        }
    }
    for field in &states {
        if let Role::State(s, _) = &field.role {
            check_state_attr(s, errors);
        }
    }
    let args: Vec<&Field<'_>> = input
        .fields
        .iter()
        .filter(|f| matches!(f.role, Role::Args(_)))
        .collect();
    for extra in args.iter().skip(1) {
        if let Role::Args(attr) = &extra.role {
            errors.push(
                darling::Error::custom(
                    "only one field can be `#[args]`: flatten the argument structs into one \
                     (`#[command(flatten)]`)",
                )
                .with_span(attr.path()),
            );
        }
    }
    // Without `#[state]` a collector keeps no state; a field named `state` left unmarked
    // is almost always the attribute forgotten, and would silently start over every run.
    if states.is_empty() {
        for field in &input.fields {
            if field.ident == "state" && matches!(field.role, Role::Other(None)) {
                errors.push(
                    darling::Error::custom(
                        "the field `state` is not marked `#[state]`: add `#[state]` to persist it \
                         between runs (or give it `#[init(...)]` if it is not the state)",
                    )
                    .with_span(field.ident),
                );
            }
        }
    }
    let config_ident = input.config_ident();
    if configs.is_empty() && has_fields {
        errors.push(
            darling::Error::custom(format!(
                "no field holds the config: add `config: {config_ident}` \
                 (the struct generated from the config spec)"
            ))
            .with_span(input.ident),
        );
    }
    for extra in configs.iter().skip(1) {
        errors.push(
            darling::Error::custom(format!("only one field can hold the `{config_ident}`"))
                .with_span(extra.ident),
        );
    }
    (states.first().copied(), configs.first().copied())
}

/// `version` starts at 1 (the envelope stores it); `migrate` only makes sense once there
/// is an older version to migrate from.
fn check_state_attr(s: &StateAttr, errors: &mut Accumulator) {
    let version = match &s.version {
        None => Some(1),
        Some(lit) => match lit.base10_parse::<u32>() {
            Ok(0) | Err(_) => {
                errors.push(
                    darling::Error::custom(
                        "state version must be an integer from 1 to 4294967295 (the first version is 1)",
                    )
                    .with_span(lit),
                );
                None
            }
            Ok(v) => Some(v),
        },
    };
    if let (Some(1), Some(path)) = (version, &s.migrate) {
        errors.push(
            darling::Error::custom(
                "`migrate` is only called for state files older than `version`: raise \
                 `version = 2` (or higher) when you change the state type, or remove `migrate`",
            )
            .with_span(path),
        );
    }
}

/// The checked state version (1 when absent or invalid).
pub fn state_version(s: &StateAttr) -> u32 {
    s.version
        .as_ref()
        .and_then(|l| l.base10_parse::<u32>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(1)
}

/// `time_ordered_rows` keeps n6's rows state (newest time, rows of that time) in the
/// `#[state]` field: without one there is nothing to select the fresh rows against.
pub fn check_flags(input: &Input<'_>, state: Option<&Field<'_>>, errors: &mut Accumulator) {
    if input.collector.time_ordered_rows.is_present() && state.is_none() && input.named_struct {
        errors.push(
            darling::Error::custom(
                "`time_ordered_rows` keeps the rows state in the `#[state]` field: add \
                 `#[state] state: RowsState`",
            )
            .with_span(input.ident),
        );
    }
}
