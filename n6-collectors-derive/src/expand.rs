//! The pipeline (parse → check → expand, one error context) and code generation:
//! `impl StatefulCollector` for the struct, plus the config structs. The generated code
//! reaches the runtime only through `::n6_collectors::__private`, inside
//! `const _: () = { ... };`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Field, Input, Role};
use crate::check;
use crate::config_struct;
use crate::ctxt::Ctxt;
use crate::fallback;
use crate::model::{Complete, Identity, StateModel};
use n6_collectors_config::identity::RawType;

/// Expands the derive; with any error, the errors plus stub items (see `fallback.rs`).
pub fn derive(input: &DeriveInput) -> TokenStream {
    let (errors, tokens) = expand(input);
    let errors = errors.map(darling::Error::write_errors);
    quote!(#errors #tokens)
}

/// The pipeline: parse → check → generate; with any error, every error found plus stub
/// items.
fn expand(input: &DeriveInput) -> (Option<darling::Error>, TokenStream) {
    let mut cx = Ctxt::new();
    let parsed = Input::from_syn(input, &mut cx);
    let checked = check::check(&parsed, &mut cx);
    let complete = checked.complete();
    match (cx.finish(), complete) {
        (None, Some(complete)) => (None, generate(&complete)),
        (Some(errors), _) => (Some(errors), fallback::stubs(&checked)),
        (None, None) => (
            Some(darling::Error::custom(
                "internal error of `#[derive(StatefulCollector)]`: a rule failed without saying why",
            )),
            fallback::stubs(&checked),
        ),
    }
}

/// The items of a collector that passed every rule: its config structs, then the impls
/// in the hidden `const _` block.
fn generate(c: &Complete<'_>) -> TokenStream {
    let input = c.input;
    let custom = &input.collector.converters.0;
    let structs = config_struct::structs(c.config_model, input.vis, input.ident, custom);
    let (wrappers, converters) = config_struct::converter_wrappers(custom);
    let collector = impl_stateful_collector(c, &converters);
    let helpers = helper_impls(input, c.state.map(|s| s.field));
    let items = hidden_const(quote! {
        #wrappers
        #collector
        #helpers
    });
    quote! {
        #structs
        #items
    }
}

/// `#[doc(hidden)] const _: () = { ... };` around generated impls, with the runtime's
/// hidden path as `__n6`: shared by the generated code and the stubs after errors.
pub fn hidden_const(items: TokenStream) -> TokenStream {
    quote! {
        #[doc(hidden)]
        const _: () = {
            use ::n6_collectors::__private as __n6;

            #items
        };
    }
}

/// `impl StatefulCollector`; `converters` lists the wrappers of the author's converters.
fn impl_stateful_collector(c: &Complete<'_>, converters: &TokenStream) -> TokenStream {
    let input = c.input;
    let ident = input.ident;
    let config_ty = input.config_ident();
    let config_fns = config_fns(c, converters);
    let meta = meta(
        &input.ident.to_string(),
        c.identity,
        c.state.map_or(1, |s| s.version),
        c.state.is_some(),
    );
    let StateItems {
        state_type,
        state_ref,
        default_state,
        migrate,
    } = state_items(c.state);
    let parts_fns = parts_fns(c, &state_ref);
    let args_type = args_type(c.args);
    quote! {
        #[automatically_derived]
        impl __n6::StatefulCollector for #ident {
            type Config = #config_ty;
            #state_type
            #args_type

            const META: __n6::CollectorMeta = #meta;

            #config_fns

            fn make_default_state() -> Self::State {
                #default_state
            }

            #migrate

            #parts_fns
        }
    }
}

/// `type Args`: the `#[args]` field's type (spanned at it), or no arguments.
fn args_type(args: Option<&Field<'_>>) -> TokenStream {
    match args {
        Some(field) => {
            let ty = field.ty;
            quote_spanned!(ty.span()=> type Args = #ty;)
        }
        None => quote!(
            type Args = __n6::NoArgs;
        ),
    }
}

/// The config functions of `impl StatefulCollector`: the spec, the author's converters
/// (`converters`, their wrappers), building the config struct, and its `state_dir`.
fn config_fns(c: &Complete<'_>, converters: &TokenStream) -> TokenStream {
    let custom = &c.input.collector.converters.0;
    let spec = config_struct::spec_literal(&c.config_model.spec);
    let build = config_struct::build_config(c.config_model, custom);
    quote! {
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
    }
}

/// The functions of `impl StatefulCollector` that build the collector from its parts
/// and lend them back: `from_parts`, `state` (`state_ref`) and `config`.
fn parts_fns(c: &Complete<'_>, state_ref: &TokenStream) -> TokenStream {
    let ident = c.input.ident;
    let inits = field_inits(&c.input.fields);
    let config_field = c.config.ident;
    quote! {
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
}

/// The state's parts of `impl StatefulCollector` (`()` without a `#[state]` field).
struct StateItems {
    state_type: TokenStream,
    state_ref: TokenStream,
    default_state: TokenStream,
    migrate: Option<TokenStream>,
}

fn state_items(state: Option<&StateModel<'_>>) -> StateItems {
    let Some(state) = state else {
        return StateItems {
            state_type: quote!(
                type State = ();
            ),
            state_ref: quote!(&()),
            default_state: TokenStream::new(), // `()`
            migrate: None,
        };
    };
    let (ty, name) = (state.field.ty, state.field.ident);
    let migrate = state.attr.migrate.as_ref().map(|path| {
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
    StateItems {
        state_type: quote_spanned!(ty.span()=> type State = #ty;),
        state_ref: quote!(&self.#name),
        default_state: default_state(state),
        migrate,
    }
}

/// `from_parts`' field initialisers: each field from its role.
fn field_inits(fields: &[Field<'_>]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
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
        })
        .collect()
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

/// `CollectorMeta` as a struct literal, each value named (shared with the stubs).
pub fn meta(name: &str, identity: &Identity, state_version: u32, has_state: bool) -> TokenStream {
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
            state_version: #state_version,
            has_state: #has_state,
        }
    }
}

/// `#[state(default = expr)]` spanned on the expression, so a wrong type points at it;
/// else the type's `Default`, spanned on the field type.
fn default_state(state: &StateModel<'_>) -> TokenStream {
    match &state.attr.default {
        Some(expr) => {
            let expr = &expr.0;
            quote_spanned!(expr.span()=> #expr)
        }
        None => {
            let ty = state.field.ty;
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
