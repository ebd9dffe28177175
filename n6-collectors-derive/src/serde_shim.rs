//! `#[derive(Serialize, Deserialize)]` of `n6_collectors::prelude`, for a collector crate
//! that depends on `n6-collectors` alone.
//!
//! serde's own derive reaches serde through `extern crate serde`, which fails in a crate
//! without a serde dependency unless the type says `#[serde(crate = "...")]`. A derive
//! cannot add that attribute to the author's type, so this one emits a copy of the type
//! (only its `#[serde]` attributes kept) with serde's derive, `crate` pointing into
//! `::n6_collectors::__private` and `remote` naming the author's type: serde then writes
//! `fn serialize(&Type, ..)` / `fn deserialize(..) -> Type` on the copy, and the impl of
//! the trait for the author's type forwards to them. Field access and construction stay
//! in the author's module (the copy sits in a `const _` block there), so private fields
//! work and every `#[serde(...)]` attribute means what serde documents.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Attribute, Data, DeriveInput, Fields, GenericParam};

/// Which serde trait.
#[derive(Clone, Copy)]
pub enum Trait {
    /// `serde::Serialize`.
    Serialize,
    /// `serde::Deserialize`.
    Deserialize,
}

/// The copy with serde's derive and the forwarding impl, or a `compile_error!`.
pub fn derive(input: &DeriveInput, which: Trait) -> TokenStream {
    if let Some(lifetime) = input.generics.lifetimes().next() {
        return syn::Error::new_spanned(
            lifetime,
            "`n6_collectors::prelude`'s serde derives do not take lifetime parameters: add \
             `serde` to your dependencies and write `#[derive(serde::Serialize, serde::Deserialize)]`",
        )
        .to_compile_error();
    }
    let ident = &input.ident;
    let copy_ident = format_ident!("__N6Serde{}", ident);
    let copy = serde_copy(input, &copy_ident);
    let remote = ident.to_string();
    let derive = match which {
        Trait::Serialize => quote!(::n6_collectors::__private::serde::Serialize),
        Trait::Deserialize => quote!(::n6_collectors::__private::serde::Deserialize),
    };
    let forward = forwarding_impl(input, &copy_ident, which);
    quote! {
        #[doc(hidden)]
        const _: () = {
            #[derive(#derive)]
            #[serde(crate = "::n6_collectors::__private::serde", remote = #remote)]
            #[allow(dead_code, non_camel_case_types, clippy::all)]
            #copy

            #forward
        };
    }
}

/// The author's type renamed, private, with only its `#[serde]` attributes.
fn serde_copy(input: &DeriveInput, copy_ident: &syn::Ident) -> DeriveInput {
    let mut copy = input.clone();
    copy.ident = copy_ident.clone();
    copy.vis = syn::Visibility::Inherited;
    keep_serde_attrs(&mut copy.attrs);
    match &mut copy.data {
        Data::Struct(data) => strip_fields(&mut data.fields),
        Data::Enum(data) => {
            for variant in &mut data.variants {
                keep_serde_attrs(&mut variant.attrs);
                strip_fields(&mut variant.fields);
            }
        }
        Data::Union(_) => {}
    }
    copy
}

fn strip_fields(fields: &mut Fields) {
    for field in fields.iter_mut() {
        keep_serde_attrs(&mut field.attrs);
        field.vis = syn::Visibility::Inherited;
    }
}

fn keep_serde_attrs(attrs: &mut Vec<Attribute>) {
    attrs.retain(|a| a.path().is_ident("serde"));
}

/// `impl Serialize for Type` / `impl<'de> Deserialize<'de> for Type`, calling the copy's
/// remote functions; each type parameter bound by the trait (serde's default bounds).
fn forwarding_impl(input: &DeriveInput, copy_ident: &syn::Ident, which: Trait) -> TokenStream {
    let ident = &input.ident;
    let serde = quote!(::n6_collectors::__private::serde);
    let mut generics = input.generics.clone();
    let bound = match which {
        Trait::Serialize => quote!(#serde::Serialize),
        Trait::Deserialize => quote!(#serde::Deserialize<'de>),
    };
    for param in &mut generics.params {
        if let GenericParam::Type(t) = param {
            t.bounds.push(syn::parse_quote!(#bound));
        }
    }
    let (_, ty_generics, _) = input.generics.split_for_impl();
    let turbofish = ty_generics.as_turbofish();
    match which {
        Trait::Serialize => {
            let (impl_generics, _, where_clause) = generics.split_for_impl();
            quote! {
                #[automatically_derived]
                impl #impl_generics #serde::Serialize for #ident #ty_generics #where_clause {
                    fn serialize<__S>(
                        &self,
                        __serializer: __S,
                    ) -> ::core::result::Result<__S::Ok, __S::Error>
                    where
                        __S: #serde::Serializer,
                    {
                        #copy_ident #turbofish::serialize(self, __serializer)
                    }
                }
            }
        }
        Trait::Deserialize => {
            generics.params.insert(0, syn::parse_quote!('de));
            let (impl_generics, _, where_clause) = generics.split_for_impl();
            quote! {
                #[automatically_derived]
                impl #impl_generics #serde::Deserialize<'de> for #ident #ty_generics #where_clause {
                    fn deserialize<__D>(
                        __deserializer: __D,
                    ) -> ::core::result::Result<Self, __D::Error>
                    where
                        __D: #serde::Deserializer<'de>,
                    {
                        #copy_ident #turbofish::deserialize(__deserializer)
                    }
                }
            }
        }
    }
}
