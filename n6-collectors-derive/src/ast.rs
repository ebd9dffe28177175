//! A typed view of the input struct: its attributes parsed, each field's role known.
//! Every problem is pushed to the accumulator; parsing goes on so that one compile
//! reports them all.

use darling::error::Accumulator;
use syn::{Attribute, DeriveInput, Expr, Ident, LitStr, Type, Visibility};

use crate::attr::{self, CollectorAttr, StateAttr};
use crate::symbol;

/// The collector struct.
pub struct Input<'a> {
    /// The struct's name (also the main config section's name).
    pub ident: &'a Ident,
    /// The struct's visibility (given to the generated config structs).
    pub vis: &'a Visibility,
    /// `#[collector(...)]` (defaults when absent: an error was reported then).
    pub collector: CollectorAttr,
    /// The `#[collector]` attribute itself, for spans.
    pub collector_attr: Option<&'a Attribute>,
    /// The config spec literal, from `#[config_spec]` or `config_spec = "..."`.
    pub spec: Option<LitStr>,
    /// The named fields.
    pub fields: Vec<Field<'a>>,
    /// `#[collector(...)]` was read without errors (else its keys are unknown, and
    /// "missing key" or "unknown converter" errors would only be follow-on noise).
    pub collector_ok: bool,
    /// The input is a struct with named fields (else field rules are not checked).
    pub named_struct: bool,
}

/// One field of the struct.
pub struct Field<'a> {
    /// The field's name.
    pub ident: &'a Ident,
    /// The field's type.
    pub ty: &'a Type,
    /// What the field holds.
    pub role: Role<'a>,
}

/// What a field holds.
pub enum Role<'a> {
    /// The generated typed config (`{StructName}Config`).
    Config,
    /// The persisted state (`#[state]`).
    State(StateAttr, &'a Attribute),
    /// The collector's own command-line arguments (`#[args]`, a `clap::Args` type).
    Args(&'a Attribute),
    /// Anything else: `#[init(expr)]` or `Default::default()`.
    Other(Option<Expr>),
}

impl<'a> Input<'a> {
    /// Reads the struct; `None` when it is not a struct with named fields (reported).
    pub fn from_syn(input: &'a DeriveInput, errors: &mut Accumulator) -> Input<'a> {
        let mut collector = None;
        let mut collector_attr = None;
        let mut spec_attr = None;
        let mut collector_ok = true;
        for attr in &input.attrs {
            if attr.path().is_ident(symbol::COLLECTOR) {
                if collector.is_some() {
                    errors.push(
                        darling::Error::custom(
                            "`#[collector(...)]` given twice: put all keys in one attribute",
                        )
                        .with_span(attr.path()),
                    );
                    // Keys may be split across both: "missing key" errors would mislead.
                    collector_ok = false;
                    continue;
                }
                collector_attr = Some(attr);
                let parsed = errors.handle(attr::parse_collector(&attr.meta));
                collector_ok = parsed.is_some();
                collector = Some(parsed.unwrap_or_default());
            } else if attr.path().is_ident(symbol::CONFIG_SPEC) {
                if spec_attr.is_some() {
                    errors.push(
                        darling::Error::custom(
                            "`#[config_spec(...)]` given twice: write the whole spec in one string",
                        )
                        .with_span(attr.path()),
                    );
                    continue;
                }
                spec_attr = errors.handle(attr::parse_config_spec(&attr.meta));
            } else if attr.path().is_ident(symbol::STATE)
                || attr.path().is_ident(symbol::INIT)
                || attr.path().is_ident(symbol::ARGS)
            {
                errors.push(
                    darling::Error::custom(format!(
                        "`#[{}]` belongs on a field, not on the struct",
                        attr.path()
                            .get_ident()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    ))
                    .with_span(attr.path()),
                );
            }
        }
        let mut collector: CollectorAttr = collector.unwrap_or_default();
        let spec = match (spec_attr, collector.config_spec.take()) {
            (Some(a), Some(b)) => {
                errors.push(
                    darling::Error::custom(
                        "the config spec is given twice (`#[config_spec(...)]` and `config_spec = ...`): keep one",
                    )
                    .with_span(&b),
                );
                Some(a)
            }
            (a, b) => a.or(b),
        };
        let fields = match &input.data {
            syn::Data::Struct(data) => match &data.fields {
                syn::Fields::Named(named) => named
                    .named
                    .iter()
                    .filter_map(|f| Field::from_syn(input, f, errors))
                    .collect(),
                _ => {
                    errors.push(
                        darling::Error::custom(
                            "`#[derive(StatefulCollector)]` needs a struct with named fields \
                             (`struct X { config: XConfig, #[state] state: MyState }`)",
                        )
                        .with_span(&input.ident),
                    );
                    Vec::new()
                }
            },
            syn::Data::Enum(data) => {
                errors.push(
                    darling::Error::custom(
                        "`#[derive(StatefulCollector)]` works on structs, not enums: \
                         write `struct X { config: XConfig, #[state] state: MyState }`",
                    )
                    .with_span(&data.enum_token),
                );
                Vec::new()
            }
            syn::Data::Union(data) => {
                errors.push(
                    darling::Error::custom(
                        "`#[derive(StatefulCollector)]` works on structs, not unions",
                    )
                    .with_span(&data.union_token),
                );
                Vec::new()
            }
        };
        Input {
            ident: &input.ident,
            vis: &input.vis,
            collector,
            collector_attr,
            spec,
            fields,
            collector_ok,
            named_struct: matches!(
                &input.data,
                syn::Data::Struct(syn::DataStruct {
                    fields: syn::Fields::Named(_),
                    ..
                })
            ),
        }
    }

    /// `{StructName}Config`.
    pub fn config_ident(&self) -> Ident {
        Ident::new(
            &format!("{}{}", self.ident, symbol::CONFIG_SUFFIX),
            self.ident.span(),
        )
    }
}

impl<'a> Field<'a> {
    fn from_syn(
        input: &'a DeriveInput,
        field: &'a syn::Field,
        errors: &mut Accumulator,
    ) -> Option<Field<'a>> {
        let ident = field.ident.as_ref()?;
        let mut state = None;
        let mut init = None;
        let mut args = None;
        for attr in &field.attrs {
            if attr.path().is_ident(symbol::ARGS) {
                if !matches!(attr.meta, syn::Meta::Path(_)) {
                    errors.push(
                        darling::Error::custom(
                            "`#[args]` takes no arguments: the field's type is a `clap::Args` \
                             struct that says everything (`#[args] args: MyArgs`)",
                        )
                        .with_span(&attr.meta),
                    );
                }
                args = Some(attr);
                continue;
            }
            if attr.path().is_ident(symbol::STATE) {
                if state.is_some() {
                    errors.push(
                        darling::Error::custom("`#[state]` given twice on one field")
                            .with_span(attr.path()),
                    );
                    continue;
                }
                let parsed = errors
                    .handle(attr::parse_state(&attr.meta))
                    .unwrap_or_default();
                state = Some((parsed, attr));
            } else if attr.path().is_ident(symbol::INIT) {
                if init.is_some() {
                    errors.push(
                        darling::Error::custom("`#[init]` given twice on one field")
                            .with_span(attr.path()),
                    );
                    continue;
                }
                init = Some((errors.handle(attr::parse_init(&attr.meta)), attr));
            } else if attr.path().is_ident(symbol::COLLECTOR)
                || attr.path().is_ident(symbol::CONFIG_SPEC)
            {
                errors.push(
                    darling::Error::custom(format!(
                        "`#[{}]` belongs on the struct, not on a field",
                        attr.path()
                            .get_ident()
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    ))
                    .with_span(attr.path()),
                );
            }
        }
        let is_config = is_named(
            &field.ty,
            &format!("{}{}", input.ident, symbol::CONFIG_SUFFIX),
        );
        if let Some(attr) = args {
            if state.is_none() && init.is_none() && !is_config {
                return Some(Field {
                    ident,
                    ty: &field.ty,
                    role: Role::Args(attr),
                });
            }
            // The field keeps its other role, so no follow-on "no `#[state]`" error.
            errors.push(
                darling::Error::custom(
                    "the `#[args]` field is filled from the command line: it cannot also be \
                     the config, the `#[state]` or have `#[init(...)]`",
                )
                .with_span(attr.path()),
            );
        }
        let role = match (state, init, is_config) {
            (Some((s, attr)), init, is_config) => {
                if let Some((_, init_attr)) = init {
                    errors.push(
                        darling::Error::custom(
                            "a `#[state]` field takes its initial value from `#[state(default = ...)]`, not `#[init(...)]`",
                        )
                        .with_span(init_attr.path()),
                    );
                }
                if is_config {
                    errors.push(
                        darling::Error::custom(
                            "the config field cannot also be the `#[state]` field",
                        )
                        .with_span(attr.path()),
                    );
                }
                Role::State(s, attr)
            }
            (None, Some((_, init_attr)), true) => {
                errors.push(
                    darling::Error::custom(
                        "the config field is filled from the config files: remove `#[init(...)]`",
                    )
                    .with_span(init_attr.path()),
                );
                Role::Config
            }
            (None, _, true) => Role::Config,
            (None, init, false) => Role::Other(init.and_then(|(e, _)| e)),
        };
        Some(Field {
            ident,
            ty: &field.ty,
            role,
        })
    }
}

/// Whether `ty` is a plain path whose last segment is `name`.
fn is_named(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == name && s.arguments.is_none()),
        _ => false,
    }
}
