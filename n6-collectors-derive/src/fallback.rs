//! Stub items emitted next to the errors, so that code using the collector (its
//! `impl Collect`, `run::<C>()`, `self.config.url`) does not drown in follow-on errors.
//! The config structs keep every field that was fine; the impl's bodies are never run
//! (the build fails on the errors).

use proc_macro2::TokenStream;
use quote::quote;

use crate::config_struct;
use crate::expand::{hidden_const, meta};
use crate::model::{Checked, Identity};

/// The config structs (empty when the spec could not be read) and an
/// `impl StatefulCollector` whose bodies are never run.
pub fn stubs(checked: &Checked<'_>) -> TokenStream {
    let input = checked.input;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let ident = input.ident;
    let config_ty = input.config_ident();
    let vis = input.vis;
    let structs = match &checked.config_model {
        Some(model) => config_struct::structs(model, vis, ident, &input.collector.converters.0),
        None => quote! {
            #[doc = "Not generated: see the errors of `#[derive(StatefulCollector)]`."]
            #vis struct #config_ty {}
        },
    };
    let state_ty = match &checked.state {
        Some(s) => {
            let ty = s.field.ty;
            quote!(#ty)
        }
        None => quote!(()),
    };
    let meta = meta(&ident.to_string(), &Identity::placeholder(), 1, false);
    let collector = hidden_const(quote! {
        #[automatically_derived]
        impl #impl_generics __n6::StatefulCollector for #ident #ty_generics #where_clause {
            type Config = #config_ty;
            type State = #state_ty;
            type Args = __n6::NoArgs;
            const META: __n6::CollectorMeta = #meta;
            fn config_spec() -> __n6::Spec {
                ::core::unreachable!()
            }
            fn build_config(
                _: __n6::TypedConfig,
            ) -> ::core::result::Result<Self::Config, ::std::string::String> {
                ::core::unreachable!()
            }
            fn state_dir(_: &Self::Config) -> &::std::path::Path {
                ::core::unreachable!()
            }
            fn make_default_state() -> Self::State {
                ::core::unreachable!()
            }
            fn from_parts(_: Self::Config, _: Self::State, _: Self::Args) -> Self {
                ::core::unreachable!()
            }
            fn state(&self) -> &Self::State {
                ::core::unreachable!()
            }
            fn config(&self) -> &Self::Config {
                ::core::unreachable!()
            }
        }
    });
    quote! {
        #structs
        #collector
    }
}
