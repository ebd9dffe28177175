//! Stub items emitted next to the errors, so that code using the collector (its
//! `impl Collect`, `run::<C>()`, `self.config.url`) does not drown in follow-on errors.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::{Field, Input};
use crate::config_struct;
use crate::spec_model::ConfigModel;

/// The config structs (empty when the spec could not be read) and an
/// `impl StatefulCollector` whose bodies are never run.
pub fn stubs(
    input: &Input<'_>,
    generics: &syn::Generics,
    state: Option<&Field<'_>>,
    model: Option<&ConfigModel>,
) -> TokenStream {
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let ident = input.ident;
    let config_ty = input.config_ident();
    let vis = input.vis;
    let structs = match model {
        Some(model) => config_struct::structs(model, vis, ident, &input.collector.converters.0),
        None => quote! {
            #[doc = "Not generated: see the errors of `#[derive(StatefulCollector)]`."]
            #vis struct #config_ty {}
        },
    };
    let state_ty = match state {
        Some(f) => {
            let ty = f.ty;
            quote!(#ty)
        }
        None => quote!(()),
    };
    let name = ident.to_string();
    quote! {
        #structs

        #[doc(hidden)]
        const _: () = {
            use ::n6_collectors::__private as __n6;

            #[automatically_derived]
            impl #impl_generics __n6::StatefulCollector for #ident #ty_generics #where_clause {
                type Config = #config_ty;
                type State = #state_ty;
                type Args = __n6::NoArgs;
                const META: __n6::CollectorMeta = __n6::CollectorMeta {
                    name: #name,
                    module_path: ::core::module_path!(),
                    identity: __n6::Identity {
                        source: "invalid.invalid",
                        raw_type: __n6::RawType::Stream,
                        content_type: ::core::option::Option::None,
                        raw_format_version_tag: ::core::option::Option::None,
                    },
                    state_file: ::core::option::Option::None,
                    state_version: 1,
                    has_state: false,
                };
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
        };
    }
}
