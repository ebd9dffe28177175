//! Every attribute and key name the derive understands, in one place.

/// `#[collector(...)]` on the struct: identity, options, custom converters.
pub const COLLECTOR: &str = "collector";
/// `#[config_spec("...")]` on the struct: the n6 config spec.
pub const CONFIG_SPEC: &str = "config_spec";
/// `#[state(...)]` on the field holding the persisted state.
pub const STATE: &str = "state";
/// `#[args]` on the field holding the collector's own command-line arguments.
pub const ARGS: &str = "args";
/// `#[init(expr)]` on any other field: its initial value.
pub const INIT: &str = "init";

/// Suffix of the generated config struct's name (`{StructName}Config`).
pub const CONFIG_SUFFIX: &str = "Config";
/// Field of a generated config struct holding the free options (`...`).
pub const FREE_OPTIONS_FIELD: &str = "extra";
