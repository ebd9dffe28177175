//! The checked model: what `check` returns and `expand` / `fallback` generate from. Every
//! rule has run when a model exists; nothing downstream parses or checks again.

use n6_collectors_config::convert::Converter;
use n6_collectors_config::identity::RawType;
use n6_collectors_config::spec::Spec;
use syn::Ident;

use crate::ast::{Field, Input};
use crate::attr::StateAttr;

/// The input after every rule: the parts that passed (`None` where a rule failed and
/// reported why).
pub struct Checked<'a> {
    /// The parsed input.
    pub input: &'a Input<'a>,
    /// The collector's identity.
    pub identity: Option<Identity>,
    /// The `#[state]` field (`None`: the collector keeps no state).
    pub state: Option<StateModel<'a>>,
    /// The field holding the generated config.
    pub config: Option<&'a Field<'a>>,
    /// The `#[args]` field.
    pub args: Option<&'a Field<'a>>,
    /// The config structs to generate (kept, with the options that were fine, after
    /// errors: the stub config struct then has the fields the author's code reads).
    pub config_model: Option<ConfigModel>,
}

/// A model with every part present: what `expand` needs.
pub struct Complete<'a> {
    /// The parsed input.
    pub input: &'a Input<'a>,
    /// The collector's identity.
    pub identity: &'a Identity,
    /// The `#[state]` field.
    pub state: Option<&'a StateModel<'a>>,
    /// The field holding the generated config.
    pub config: &'a Field<'a>,
    /// The `#[args]` field.
    pub args: Option<&'a Field<'a>>,
    /// The config structs to generate.
    pub config_model: &'a ConfigModel,
}

impl<'a> Checked<'a> {
    /// Every part, when every rule passed.
    pub fn complete(&'a self) -> Option<Complete<'a>> {
        Some(Complete {
            input: self.input,
            identity: self.identity.as_ref()?,
            state: self.state.as_ref(),
            config: self.config?,
            args: self.args,
            config_model: self.config_model.as_ref()?,
        })
    }
}

/// The checked identity of the collector.
pub struct Identity {
    /// `provider.channel`.
    pub source: String,
    /// The raw type.
    pub raw_type: RawType,
    /// The content type (file/blacklist).
    pub content_type: Option<String>,
    /// `YYYYMM`.
    pub raw_format_version_tag: Option<String>,
    /// A custom state file name.
    pub state_file: Option<String>,
}

impl Identity {
    /// What the stub impl after errors carries (never used: the build fails).
    pub fn placeholder() -> Identity {
        Identity {
            source: "invalid.invalid".to_owned(),
            raw_type: RawType::Stream,
            content_type: None,
            raw_format_version_tag: None,
            state_file: None,
        }
    }
}

/// The `#[state]` field, checked.
pub struct StateModel<'a> {
    /// The field.
    pub field: &'a Field<'a>,
    /// Its `#[state(...)]`.
    pub attr: &'a StateAttr,
    /// The state version (1 when not given).
    pub version: u32,
}

/// The checked, combined spec and the structs to generate from it.
pub struct ConfigModel {
    /// The effective spec (framework fragments + the author's spec).
    pub spec: Spec,
    /// The main section (named after the struct): the `{StructName}Config` struct.
    pub main: SectionModel,
    /// Every other section: a nested struct in a field of the main one.
    pub others: Vec<SectionModel>,
}

/// One section → one struct.
pub struct SectionModel {
    /// The section name in config files.
    pub name: String,
    /// 1-based line of the section header in the spec.
    pub line: usize,
    /// The field of the main struct holding this section (`None` for the main section).
    pub field: Option<Ident>,
    /// The generated struct's name.
    pub type_ident: Ident,
    /// One field per declared option.
    pub options: Vec<OptionModel>,
    /// The free options (`...`), if allowed.
    pub free: Option<Kind>,
}

/// One option → one field.
pub struct OptionModel {
    /// The option name in config files.
    pub name: String,
    /// The Rust field.
    pub field: Ident,
    /// How its value is converted.
    pub kind: Kind,
    /// The field's doc: the spec line and whether it is required.
    pub doc: String,
}

/// A converter: a row of the converter table, or the author's.
#[derive(Clone)]
pub enum Kind {
    /// A converter of `n6-collectors-config`'s table.
    Standard(Converter),
    /// Index into the custom converters of `#[collector(converters(...))]`.
    Custom(usize),
}
