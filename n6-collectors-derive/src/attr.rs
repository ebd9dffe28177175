//! The attributes, as parsed by darling: `#[collector(...)]`, `#[config_spec("...")]`,
//! `#[state(...)]`, `#[init(expr)]`. Only syntax here; rules live in `check.rs` and
//! `spec_model.rs`.

use darling::util::Flag;
use darling::{FromMeta, Result};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitInt, LitStr, Meta, Path, Token, Type};

/// `#[collector(source = "...", raw_type = "...", ...)]`.
#[derive(Debug, Default, FromMeta)]
pub struct CollectorAttr {
    /// `provider.channel`.
    pub source: Option<LitStr>,
    /// `stream` | `file` | `blacklist`.
    pub raw_type: Option<LitStr>,
    /// MIME type; required for `file` and `blacklist`.
    pub content_type: Option<LitStr>,
    /// `YYYYMM`.
    pub raw_format_version_tag: Option<LitStr>,
    /// Replaces the default state file name.
    pub state_file: Option<LitStr>,
    /// The spec, as an alternative to `#[config_spec("...")]`.
    pub config_spec: Option<LitStr>,
    /// Adds the downloading options (`download_retries`, `download_timeout`, ...).
    pub download: Flag,
    /// Adds the time-ordered-rows options (`row_count_mismatch_is_fatal`).
    pub time_ordered_rows: Flag,
    /// `converters(name = path::to::function -> Type, ...)`.
    #[darling(default)]
    pub converters: Converters,
}

/// The custom converters declared in `#[collector(converters(...))]`.
#[derive(Debug, Default)]
pub struct Converters(pub Vec<CustomConverter>);

/// `name = path::to::function -> Type`: converter `name` of the spec is `function`,
/// a `fn(&str) -> Result<Type, E>` with `E: Display`.
#[derive(Debug)]
pub struct CustomConverter {
    /// The converter name used in the spec (`... :: name`).
    pub name: Ident,
    /// The function.
    pub function: Path,
    /// What the function returns in `Ok` (the type of the config fields it fills).
    pub output: Type,
}

impl Parse for CustomConverter {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        input.parse::<Token![=]>()?;
        let function: Path = input.parse()?;
        if !input.peek(Token![->]) {
            let shown = quote::ToTokens::to_token_stream(&function)
                .to_string()
                .replace(' ', "");
            return Err(syn::Error::new_spanned(
                &function,
                format!(
                    "expected `-> Type` after the converter function: write `{name} = {shown} -> YourType`, \
                     where YourType is what the function returns inside `Ok(...)`"
                ),
            ));
        }
        input.parse::<Token![->]>()?;
        let output: Type = input.parse()?;
        Ok(CustomConverter {
            name,
            function,
            output,
        })
    }
}

impl FromMeta for Converters {
    fn from_meta(item: &Meta) -> Result<Self> {
        match item {
            Meta::List(list) => {
                let items = list
                    .parse_args_with(Punctuated::<CustomConverter, Token![,]>::parse_terminated)
                    .map_err(darling::Error::from)?;
                Ok(Converters(items.into_iter().collect()))
            }
            _ => Err(darling::Error::custom(
                "write `converters(name = path::to::function -> Type, ...)`",
            )
            .with_span(item)),
        }
    }
}

/// `#[state]` or `#[state(default = expr, version = N, migrate = path)]`.
#[derive(Debug, Default, FromMeta)]
#[darling(from_word = || Ok(StateAttr::default()))]
pub struct StateAttr {
    /// The state used when there is no state file (else `Default::default()`).
    pub default: Option<RawExpr>,
    /// The state schema version (default 1).
    pub version: Option<LitInt>,
    /// `fn(u32, ciborium::Value) -> Result<State, E>` turning an older payload into the state.
    pub migrate: Option<Path>,
}

/// An expression taken as written (darling would parse a string literal's contents).
#[derive(Debug, Clone)]
pub struct RawExpr(pub Expr);

impl FromMeta for RawExpr {
    fn from_expr(expr: &Expr) -> Result<Self> {
        Ok(RawExpr(expr.clone()))
    }
}

/// Parses `#[state]` / `#[state(...)]`.
pub fn parse_state(meta: &Meta) -> Result<StateAttr> {
    StateAttr::from_meta(meta)
}

/// Parses `#[collector(...)]`.
pub fn parse_collector(meta: &Meta) -> Result<CollectorAttr> {
    match meta {
        Meta::List(_) => CollectorAttr::from_meta(meta),
        _ => Err(darling::Error::custom(
            "write `#[collector(source = \"provider.channel\", raw_type = \"stream\")]`",
        )
        .with_span(meta)),
    }
}

/// Parses `#[config_spec("...")]`.
pub fn parse_config_spec(meta: &Meta) -> Result<LitStr> {
    match meta {
        Meta::List(list) => list.parse_args::<LitStr>().map_err(|_| {
            darling::Error::custom(
                "write the spec as one string literal: `#[config_spec(r#\"...\"#)]`",
            )
            .with_span(meta)
        }),
        _ => Err(darling::Error::custom(
            "write the spec as one string literal: `#[config_spec(r#\"...\"#)]`",
        )
        .with_span(meta)),
    }
}

/// Parses `#[init(expr)]`.
pub fn parse_init(meta: &Meta) -> Result<Expr> {
    match meta {
        Meta::List(list) => list.parse_args::<Expr>().map_err(darling::Error::from),
        _ => Err(darling::Error::custom(
            "write the field's initial value in parentheses: `#[init(expr)]`",
        )
        .with_span(meta)),
    }
}
