//! Code generation: `impl StatefulCollector` for the struct, plus the config structs.
//! The generated code reaches the runtime only through `::n6_collectors::__private`,
//! inside `const _: () = { ... };`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Field, Input, Role};
use crate::attr::StateAttr;
use crate::check::{self, Identity};
use crate::config_struct;
use crate::fallback;
use crate::spec_model::{self, ConfigModel, SpecInput};
use n6_collectors_config::identity::RawType;

/// Expands the derive; with any error, the errors plus stub items (see `fallback.rs`).
pub fn derive(input: &DeriveInput) -> TokenStream {
    let (errors, tokens) = expand(input);
    let errors = errors.map(darling::Error::write_errors);
    quote!(#errors #tokens)
}

/// The generated items, or every error found plus stub items.
fn expand(input: &DeriveInput) -> (Option<darling::Error>, TokenStream) {
    let mut errors = darling::Error::accumulator();
    check::check_generics(input, &mut errors);
    let parsed = Input::from_syn(input, &mut errors);
    let identity = check::check_identity(&parsed, &mut errors);
    let (state, config) = check::check_fields(&parsed, &mut errors);
    let spec_input = SpecInput {
        struct_name: parsed.ident,
        spec: parsed.spec.as_ref(),
        download: parsed.collector.download.is_present(),
        time_ordered_rows: parsed.collector.time_ordered_rows.is_present(),
        converters: &parsed.collector.converters.0,
        fallback_span: parsed
            .collector_attr
            .map_or_else(|| parsed.ident.span(), |a| a.path().span()),
        converters_known: parsed.collector_ok,
    };
    let model = spec_model::build(&spec_input, &mut errors);
    check::check_flags(&parsed, state, &mut errors);
    match (errors.finish(), identity, config, model) {
        (Ok(()), Some(identity), Some(config), Some(model)) => {
            (None, generate(&parsed, &identity, state, config, &model))
        }
        (result, _, _, model) => (
            result.err(),
            fallback::stubs(&parsed, &input.generics, state, model.as_ref()),
        ),
    }
}

fn generate(
    input: &Input<'_>,
    identity: &Identity,
    state: Option<&Field<'_>>,
    config: &Field<'_>,
    model: &ConfigModel,
) -> TokenStream {
    let ident = input.ident;
    let custom = &input.collector.converters.0;
    let config_ty = input.config_ident();
    let structs = config_struct::structs(model, input.vis, ident, custom);
    let spec = config_struct::spec_literal(&model.spec);
    let build = config_struct::build_config(model, custom);
    let (wrappers, converters) = config_struct::converter_wrappers(custom);
    let state_attr = state.and_then(|f| match &f.role {
        Role::State(attr, _) => Some(attr),
        _ => None,
    });
    let config_field = config.ident;
    let meta = meta(input, identity, state_attr);
    let default_state = match (state, state_attr) {
        (Some(field), Some(attr)) => default_state(attr, field),
        _ => TokenStream::new(), // `()`
    };
    let migrate = state_attr.and_then(|a| a.migrate.as_ref()).map(|path| {
        let call = quote_spanned!(path.span()=> __n6::migrate(#path, __from_version, __payload));
        quote! {
            fn migrate_state(
                __from_version: u32,
                __payload: __n6::ciborium::Value,
            ) -> ::core::result::Result<Self::State, ::std::string::String> {
                #call
            }
        }
    });
    let inits = input.fields.iter().map(|f| {
        let name = f.ident;
        match &f.role {
            Role::Config => quote!(#name: __config,),
            Role::State(..) => quote!(#name: __state,),
            Role::Args(_) => quote!(#name: __args,),
            Role::Other(Some(expr)) => quote_spanned!(expr.span()=> #name: #expr,),
            Role::Other(None) => {
                let ty = f.ty;
                quote_spanned!(ty.span()=> #name: <#ty as ::core::default::Default>::default(),)
            }
        }
    });
    let (state_type, state_ref) = match state {
        Some(field) => {
            let (ty, name) = (field.ty, field.ident);
            (
                quote_spanned!(ty.span()=> type State = #ty;),
                quote!(&self.#name),
            )
        }
        None => (
            quote!(
                type State = ();
            ),
            quote!(&()),
        ),
    };
    let helpers = helper_impls(input, state);
    let args_type = match input
        .fields
        .iter()
        .find(|f| matches!(f.role, Role::Args(_)))
    {
        Some(field) => {
            let ty = field.ty;
            quote_spanned!(ty.span()=> type Args = #ty;)
        }
        None => quote!(
            type Args = __n6::NoArgs;
        ),
    };
    quote! {
        #structs

        #[doc(hidden)]
        const _: () = {
            use ::n6_collectors::__private as __n6;

            #wrappers

            #[automatically_derived]
            impl __n6::StatefulCollector for #ident {
                type Config = #config_ty;
                #state_type
                #args_type

                const META: __n6::CollectorMeta = #meta;

                fn config_spec() -> __n6::Spec {
                    #spec
                }

                fn custom_converters() -> ::std::vec::Vec<__n6::CustomConverter> {
                    #converters
                }

                fn build_config(
                    mut __config: __n6::TypedConfig,
                ) -> ::core::result::Result<Self::Config, ::std::string::String> {
                    #build
                }

                fn state_dir(__config: &Self::Config) -> &::std::path::Path {
                    &__config.state_dir
                }

                fn make_default_state() -> Self::State {
                    #default_state
                }

                #migrate

                fn from_parts(
                    __config: Self::Config,
                    __state: Self::State,
                    __args: Self::Args,
                ) -> Self {
                    #ident { #(#inits)* }
                }

                fn state(&self) -> &Self::State {
                    #state_ref
                }

                fn config(&self) -> &Self::Config {
                    &self.#config_field
                }
            }

            #helpers
        };
    }
}

/// The helpers' settings traits for `#[collector(download)]` and
/// `#[collector(time_ordered_rows)]`, from the options their spec fragments add.
fn helper_impls(input: &Input<'_>, state: Option<&Field<'_>>) -> TokenStream {
    let ident = input.ident;
    let mut out = TokenStream::new();
    if input.collector.download.is_present() {
        out.extend(quote! {
            #[automatically_derived]
            impl __n6::DownloadConfig for #ident {
                fn download_settings(
                    &self,
                ) -> ::core::result::Result<__n6::DownloadSettings, ::n6_collectors::Error> {
                    let __config = __n6::StatefulCollector::config(self);
                    __n6::DownloadSettings::from_config(
                        __config.download_retries,
                        __config.download_timeout,
                        &__config.base_request_headers,
                    )
                    .and_then(|__s| __s.with_deadline(__config.download_deadline))
                    .and_then(|__s| __s.with_min_interval(__config.download_min_interval))
                    .map(|__s| __s.with_if_changed(
                        __config.download_only_if_changed,
                        __config.download_only_if_body_changed,
                    ))
                }
            }
        });
    }
    if let (true, Some(state)) = (input.collector.time_ordered_rows.is_present(), state) {
        let field = state.ident;
        out.extend(quote! {
            #[automatically_derived]
            impl __n6::RowsConfig for #ident {
                fn rows_options(&self) -> __n6::RowsOptions {
                    __n6::RowsOptions::new(
                        __n6::StatefulCollector::config(self).row_count_mismatch_is_fatal,
                    )
                }

                fn rows_state(&mut self) -> &mut Self::State {
                    &mut self.#field
                }
            }
        });
    }
    out
}

/// `CollectorMeta` as a struct literal, each value named.
fn meta(input: &Input<'_>, identity: &Identity, state: Option<&StateAttr>) -> TokenStream {
    let name = input.ident.to_string();
    let source = &identity.source;
    let raw_type = match identity.raw_type {
        RawType::Stream => quote!(Stream),
        RawType::File => quote!(File),
        RawType::Blacklist => quote!(Blacklist),
    };
    let opt = |v: &Option<String>| match v {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    };
    let content_type = opt(&identity.content_type);
    let tag = opt(&identity.raw_format_version_tag);
    let state_file = opt(&identity.state_file);
    let version = state.map_or(1, check::state_version);
    let has_state = state.is_some();
    quote! {
        __n6::CollectorMeta {
            name: #name,
            module_path: ::core::module_path!(),
            identity: __n6::Identity {
                source: #source,
                raw_type: __n6::RawType::#raw_type,
                content_type: #content_type,
                raw_format_version_tag: #tag,
            },
            state_file: #state_file,
            state_version: #version,
            has_state: #has_state,
        }
    }
}

/// `#[state(default = expr)]` spanned on the expression, so a wrong type points at it;
/// else the type's `Default`, spanned on the field type.
fn default_state(state: &StateAttr, field: &Field<'_>) -> TokenStream {
    match &state.default {
        Some(expr) => {
            let expr = &expr.0;
            quote_spanned!(expr.span()=> #expr)
        }
        None => {
            let ty = field.ty;
            quote_spanned!(ty.span()=> <#ty as ::core::default::Default>::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages of every error reported for `input`.
    fn errors(input: DeriveInput) -> Vec<String> {
        match expand(&input).0 {
            None => Vec::new(),
            Some(e) => e.flatten().into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn every_problem_is_reported_in_one_pass() {
        let input: DeriveInput = syn::parse_quote! {
            #[collector(source = "Bad.Source", raw_type = "file", raw_format_version_tag = "2024")]
            struct C<T> {
                config: CConfig,
                #[state] a: A,
                #[state(version = 0)] b: T,
            }
        };
        let found = errors(input);
        let expected = [
            "a collector cannot be generic",
            "invalid source: \"Bad.Source\" is not a valid source specification",
            "needs a content type",
            "raw_format_version_tag \"2024\" is not of the form YYYYMM",
            "only one field can be `#[state]`",
            "state version must be an integer from 1",
        ];
        for e in expected {
            assert!(
                found.iter().any(|f| f.contains(e)),
                "missing {e:?} in {found:#?}"
            );
        }
    }

    #[test]
    fn unknown_keys_name_the_closest_one() {
        let input: DeriveInput = syn::parse_quote! {
            #[collector(sorce = "a.b", raw_type = "stream")]
            struct C { config: CConfig, #[state] s: S }
        };
        let found = errors(input);
        assert!(
            found
                .iter()
                .any(|f| f.contains("Unknown field: `sorce`") && f.contains("source")),
            "{found:#?}"
        );
    }

    #[test]
    fn fields_need_one_config_and_at_most_one_state() {
        let input: DeriveInput = syn::parse_quote! {
            #[collector(source = "a.b", raw_type = "stream")]
            struct C { other: u8 }
        };
        let found = errors(input);
        assert_eq!(found.len(), 1, "no state field is fine: {found:#?}");
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("no field holds the config: add `config: CConfig`")),
            "{found:#?}"
        );
    }

    #[test]
    fn custom_converters_need_their_type() {
        let input: DeriveInput = syn::parse_quote! {
            #[collector(source = "a.b", raw_type = "stream", converters(tlp = parse_tlp))]
            struct C { config: CConfig, #[state] s: S }
        };
        let found = errors(input);
        assert!(
            found.iter().any(|f| f.contains("expected `-> Type`")),
            "{found:#?}"
        );
    }

    fn with_spec(spec: &str) -> DeriveInput {
        syn::parse_quote! {
            #[collector(source = "a.b", raw_type = "stream")]
            #[config_spec(#spec)]
            struct C { config: CConfig, #[state] s: S }
        }
    }

    #[test]
    fn a_valid_collector_has_no_errors() {
        let found = errors(with_spec(
            "url :: str\nretries = 3 :: int\n[api]\nkey :: str\n...",
        ));
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn spec_problems_name_the_line_and_option() {
        let found = errors(with_spec(
            "\n  url :: str\n  retries = abc :: int\n  mode = x :: integer\n  klm.rst = 1\n",
        ));
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("config_spec line 3: option `retries`: the default \"abc\" does not convert with `int`: ValueError: "), "{}", found[0]);
        assert!(found[1].starts_with("config_spec line 4: option `mode`: unknown converter `integer` (valid converters: bool, bytes, date, "), "{}", found[1]);
        assert!(
            found[2].starts_with(
                "config_spec line 5: option `klm.rst` cannot become a field of the config struct"
            ),
            "{}",
            found[2]
        );
        assert!(
            found[2].ends_with("rename it, e.g. `klm_rst`"),
            "{}",
            found[2]
        );
    }

    #[test]
    fn parser_errors_are_reported_with_their_line() {
        let found = errors(with_spec("\n  url :: str\n  URL :: str\n  a b = 1\n"));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found.iter().all(|f| f.starts_with("config_spec line ")),
            "{found:#?}"
        );
    }

    #[test]
    #[ignore = "prints the expansion for review: N6_DERIVE_DUMP=path cargo test -- --ignored"]
    fn dump_expansion() {
        let input: DeriveInput = syn::parse_quote! {
            #[collector(source = "a.b", raw_type = "file", content_type = "text/csv", download,
                        converters(tlp = parse_tlp -> Option<String>))]
            #[config_spec("url :: str\nlevel = :: tlp\nports = 1,2 :: list_of_int\n[api]\nkey :: str\n... :: int")]
            pub struct C {
                config: CConfig,
                #[state(default = S::new(), version = 2, migrate = up)] s: S,
                #[init(3)] n: u8,
                other: Vec<u8>,
            }
        };
        let out = derive(&input).to_string();
        if let Ok(path) = std::env::var("N6_DERIVE_DUMP") {
            std::fs::write(path, out).expect("write the dump");
        }
    }

    #[test]
    fn explicit_main_section_and_hyphenated_sections_are_accepted() {
        assert_eq!(
            errors(with_spec("[C]\nurl :: str\n[misp-api]\nkey :: str\n")),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_section_field_may_not_hide_an_option() {
        let found = errors(with_spec("api = 1 :: int\n[api]\nkey :: str\n"));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].starts_with(
                "config_spec line 2: section [api] would be stored in the field `api` of `CConfig`"
            ),
            "{found:#?}"
        );
    }

    #[test]
    fn the_framework_options_follow_the_flags() {
        let input: DeriveInput = syn::parse_quote! {
            #[collector(source = "a.b", raw_type = "stream", download, time_ordered_rows)]
            #[config_spec("download_retries = many :: int")]
            struct C { config: CConfig, #[state] s: S }
        };
        let found = errors(input);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0]
                .starts_with("config_spec line 1: option `download_retries`: the default \"many\""),
            "{found:#?}"
        );
    }
}
