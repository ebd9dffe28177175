//! A typed view of the input struct: its attributes parsed, each field's role known.
//! Every problem is pushed to the [`Ctxt`]; parsing goes on so that one compile
//! reports them all.

use syn::{Attribute, DeriveInput, Expr, Generics, Ident, LitStr, Type, Visibility};

use crate::attr::{self, CollectorAttr, StateAttr};
use crate::ctxt::Ctxt;
use crate::symbol;

/// The collector struct.
pub struct Input<'a> {
    /// The struct's name (also the main config section's name).
    pub ident: &'a Ident,
    /// The struct's visibility (given to the generated config structs).
    pub vis: &'a Visibility,
    /// The struct's generics (a rule refuses any).
    pub generics: &'a Generics,
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

/// The struct-level attributes, as read.
struct StructAttrs<'a> {
    collector: Option<CollectorAttr>,
    collector_attr: Option<&'a Attribute>,
    spec_attr: Option<LitStr>,
    collector_ok: bool,
}

impl<'a> Input<'a> {
    /// Reads the struct: its attributes, then its fields.
    pub fn from_syn(input: &'a DeriveInput, cx: &mut Ctxt) -> Input<'a> {
        let attrs = struct_attrs(input, cx);
        let mut collector: CollectorAttr = attrs.collector.unwrap_or_default();
        let spec = spec_literal(attrs.spec_attr, collector.config_spec.take(), cx);
        let fields = fields(input, cx);
        Input {
            ident: &input.ident,
            vis: &input.vis,
            generics: &input.generics,
            collector,
            collector_attr: attrs.collector_attr,
            spec,
            fields,
            collector_ok: attrs.collector_ok,
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

/// `#[collector(...)]` and `#[config_spec(...)]` (each at most once), and field
/// attributes put on the struct.
fn struct_attrs<'a>(input: &'a DeriveInput, cx: &mut Ctxt) -> StructAttrs<'a> {
    let mut attrs = StructAttrs {
        collector: None,
        collector_attr: None,
        spec_attr: None,
        collector_ok: true,
    };
    for attr in &input.attrs {
        if attr.path().is_ident(symbol::COLLECTOR) {
            if attrs.collector.is_some() {
                cx.error_at(
                    attr.path(),
                    "`#[collector(...)]` given twice: put all keys in one attribute",
                );
                // Keys may be split across both: "missing key" errors would mislead.
                attrs.collector_ok = false;
                continue;
            }
            attrs.collector_attr = Some(attr);
            let parsed = cx.handle(attr::parse_collector(&attr.meta));
            attrs.collector_ok = parsed.is_some();
            attrs.collector = Some(parsed.unwrap_or_default());
        } else if attr.path().is_ident(symbol::CONFIG_SPEC) {
            if attrs.spec_attr.is_some() {
                cx.error_at(
                    attr.path(),
                    "`#[config_spec(...)]` given twice: write the whole spec in one string",
                );
                continue;
            }
            attrs.spec_attr = cx.handle(attr::parse_config_spec(&attr.meta));
        } else if attr.path().is_ident(symbol::STATE)
            || attr.path().is_ident(symbol::INIT)
            || attr.path().is_ident(symbol::ARGS)
        {
            cx.error_at(
                attr.path(),
                format!(
                    "`#[{}]` belongs on a field, not on the struct",
                    attr.path()
                        .get_ident()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
        }
    }
    attrs
}

/// The spec from `#[config_spec(...)]` or `config_spec = ...`, not both.
fn spec_literal(
    from_attr: Option<LitStr>,
    from_key: Option<LitStr>,
    cx: &mut Ctxt,
) -> Option<LitStr> {
    match (from_attr, from_key) {
        (Some(a), Some(b)) => {
            cx.error_at(
                &b,
                "the config spec is given twice (`#[config_spec(...)]` and `config_spec = ...`): keep one",
            );
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// The named fields; a tuple struct, an enum or a union is reported.
fn fields<'a>(input: &'a DeriveInput, cx: &mut Ctxt) -> Vec<Field<'a>> {
    match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => named
                .named
                .iter()
                .filter_map(|f| Field::from_syn(input, f, cx))
                .collect(),
            _ => {
                cx.error_at(
                    &input.ident,
                    "`#[derive(StatefulCollector)]` needs a struct with named fields \
                     (`struct X { config: XConfig, #[state] state: MyState }`)",
                );
                Vec::new()
            }
        },
        syn::Data::Enum(data) => {
            cx.error_at(
                &data.enum_token,
                "`#[derive(StatefulCollector)]` works on structs, not enums: \
                 write `struct X { config: XConfig, #[state] state: MyState }`",
            );
            Vec::new()
        }
        syn::Data::Union(data) => {
            cx.error_at(
                &data.union_token,
                "`#[derive(StatefulCollector)]` works on structs, not unions",
            );
            Vec::new()
        }
    }
}

/// A field's own attributes, as read.
#[derive(Default)]
struct FieldAttrs<'a> {
    state: Option<(StateAttr, &'a Attribute)>,
    init: Option<(Option<Expr>, &'a Attribute)>,
    args: Option<&'a Attribute>,
}

impl<'a> Field<'a> {
    /// Reads a field: its attributes, then its role.
    fn from_syn(input: &'a DeriveInput, field: &'a syn::Field, cx: &mut Ctxt) -> Option<Field<'a>> {
        let ident = field.ident.as_ref()?;
        let attrs = field_attrs(field, cx);
        let is_config = is_named(
            &field.ty,
            &format!("{}{}", input.ident, symbol::CONFIG_SUFFIX),
        );
        Some(Field {
            ident,
            ty: &field.ty,
            role: role(attrs, is_config, cx),
        })
    }
}

/// `#[state(...)]`, `#[init(...)]`, `#[args]` (each at most once), and struct attributes
/// put on a field.
fn field_attrs<'a>(field: &'a syn::Field, cx: &mut Ctxt) -> FieldAttrs<'a> {
    let mut attrs = FieldAttrs::default();
    for attr in &field.attrs {
        if attr.path().is_ident(symbol::ARGS) {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                cx.error_at(
                    &attr.meta,
                    "`#[args]` takes no arguments: the field's type is a `clap::Args` \
                     struct that says everything (`#[args] args: MyArgs`)",
                );
            }
            attrs.args = Some(attr);
        } else if attr.path().is_ident(symbol::STATE) {
            if attrs.state.is_some() {
                cx.error_at(attr.path(), "`#[state]` given twice on one field");
                continue;
            }
            let parsed = cx.handle(attr::parse_state(&attr.meta)).unwrap_or_default();
            attrs.state = Some((parsed, attr));
        } else if attr.path().is_ident(symbol::INIT) {
            if attrs.init.is_some() {
                cx.error_at(attr.path(), "`#[init]` given twice on one field");
                continue;
            }
            attrs.init = Some((cx.handle(attr::parse_init(&attr.meta)), attr));
        } else if attr.path().is_ident(symbol::COLLECTOR)
            || attr.path().is_ident(symbol::CONFIG_SPEC)
        {
            cx.error_at(
                attr.path(),
                format!(
                    "`#[{}]` belongs on the struct, not on a field",
                    attr.path()
                        .get_ident()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
        }
    }
    attrs
}

/// What a field holds, from its attributes and type; conflicting attributes are reported
/// and the field keeps one role (so no follow-on "no `#[state]`" error).
fn role<'a>(attrs: FieldAttrs<'a>, is_config: bool, cx: &mut Ctxt) -> Role<'a> {
    let FieldAttrs { state, init, args } = attrs;
    if let Some(attr) = args {
        if state.is_none() && init.is_none() && !is_config {
            return Role::Args(attr);
        }
        cx.error_at(
            attr.path(),
            "the `#[args]` field is filled from the command line: it cannot also be \
             the config, the `#[state]` or have `#[init(...)]`",
        );
    }
    match (state, init, is_config) {
        (Some((s, attr)), init, is_config) => {
            if let Some((_, init_attr)) = init {
                cx.error_at(
                    init_attr.path(),
                    "a `#[state]` field takes its initial value from `#[state(default = ...)]`, not `#[init(...)]`",
                );
            }
            if is_config {
                cx.error_at(
                    attr.path(),
                    "the config field cannot also be the `#[state]` field",
                );
            }
            Role::State(s, attr)
        }
        (None, Some((_, init_attr)), true) => {
            cx.error_at(
                init_attr.path(),
                "the config field is filled from the config files: remove `#[init(...)]`",
            );
            Role::Config
        }
        (None, _, true) => Role::Config,
        (None, init, false) => Role::Other(init.and_then(|(e, _)| e)),
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
