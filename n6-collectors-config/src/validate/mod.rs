//! Building a typed configuration from raw values and a spec (n6's
//! `n6lib.config.Config._modern_init`).
//!
//! [`validate`] walks the spec exactly like n6's `Config`: sections in spec order; in each,
//! the declared options in spec order (raw value, else default, else *missing*), then the
//! undeclared ones sorted by name (free options when the section has `...`, else
//! *illegal*). Every problem is collected; the result is either the typed config plus
//! n6's non-fatal warnings, or [`ConfigErrors`] listing all problems in n6's order.
//!
//! Converters are looked up among the collector's [`CustomConverter`]s first (they may
//! shadow standard names), then with [`Converter::from_name`](crate::convert::Converter::from_name).
//!
//! One job a file: [`typed`] holds the result (sections and their converted values),
//! [`problems`] what can be wrong and n6's words for it, `algorithm` the walk itself.

mod algorithm;
pub mod problems;
pub mod typed;

use crate::value::Value;

pub use algorithm::validate;
pub use problems::{ConfigErrors, ConfigProblem, ConfigWarning, ProblemKind};
pub use typed::{TypedConfig, TypedSection};

/// A collector-defined converter (n6's `custom_converters`).
#[derive(Debug, Clone, Copy)]
pub struct CustomConverter {
    /// The name used after `::` in the spec.
    pub name: &'static str,
    /// Converts a raw value; the error is the message shown to the operator.
    pub convert: fn(&str) -> Result<Value, String>,
}

#[cfg(test)]
mod tests;
