//! n6's configuration layer, in one place, shared by the `n6-collectors` runtime (which
//! reads config files at run time) and `n6-collectors-derive` (which parses and checks
//! config specs at compile time).
//!
//! * [`ini`] — the INI dialect of n6 (Python's `configparser` with n6's defaults);
//! * [`files`] — config-file discovery (`/etc/n6`, `~/.n6`) and `--n6config-override`;
//! * [`spec`] — the config-spec language (`name = default :: converter`);
//! * [`convert`] — the standard converters (`int`, `bool`, `list_of_path`, ...);
//! * [`validate`] — building a typed configuration from raw values and a spec, reporting
//!   every problem at once, exactly in n6's order and words.
//!
//! This crate is an implementation detail of `n6-collectors`; use it through
//! `n6_collectors::config`.

pub mod convert;
pub mod files;
pub mod fragments;
pub mod identity;
pub mod ini;
pub mod isotime;
pub mod py;
pub mod raw;
pub mod secret;
pub mod secret_source;
pub mod spec;
pub mod validate;
pub mod value;

pub use value::{PyValue, Value};
