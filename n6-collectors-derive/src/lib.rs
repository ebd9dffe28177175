//! Derive macros of [n6-collectors](https://docs.rs/n6-collectors); use them through that
//! crate (`n6_collectors::StatefulCollector`), never directly.
//!
//! Stages, one module each: `attr` (darling models of the attributes) → `ast` (typed
//! view of the struct) → `check` (rules across fields) and `spec_model` (the config
//! spec, parsed by the shared `n6-collectors-config` crate) → `expand` /
//! `config_struct` (code) or `fallback` (stubs next to the errors).

mod ast;
mod attr;
mod check;
mod config_struct;
mod expand;
mod fallback;
mod serde_shim;
mod spec_api;
mod spec_model;
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
