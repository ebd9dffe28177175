//! Derive macros of [n6-collectors](https://docs.rs/n6-collectors); use them through that
//! crate (`n6_collectors::StatefulCollector`), never directly.
//!
//! The pipeline, one stage a module, one error context ([`ctxt`]) for all: `attr`
//! (darling models of the attributes) and `ast` (typed view of the struct) parse;
//! `check` runs every rule (the config spec through the shared `n6-collectors-config`
//! parser) and returns the checked `model`; `expand` / `config_struct` generate the code,
//! or `fallback` the stubs next to the errors.

mod ast;
mod attr;
mod check;
mod config_struct;
mod ctxt;
mod expand;
mod fallback;
mod model;
mod serde_shim;
mod symbol;

use proc_macro::TokenStream;

#[doc = include_str!("../derive.md")]
#[proc_macro_derive(
    StatefulCollector,
    attributes(collector, config_spec, state, init, args)
)]
pub fn derive_stateful_collector(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// `serde::Serialize` for a type of a crate that depends on `n6-collectors` alone (see
/// `n6_collectors::prelude`); takes every `#[serde(...)]` attribute serde's derive takes.
#[proc_macro_derive(Serialize, attributes(serde))]
pub fn derive_serialize(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    serde_shim::derive(&input, serde_shim::Trait::Serialize).into()
}

/// `serde::Deserialize` for a type of a crate that depends on `n6-collectors` alone (see
/// `n6_collectors::prelude`); takes every `#[serde(...)]` attribute serde's derive takes.
#[proc_macro_derive(Deserialize, attributes(serde))]
pub fn derive_deserialize(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    serde_shim::derive(&input, serde_shim::Trait::Deserialize).into()
}
