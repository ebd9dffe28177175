//! Operator tooling: look at, export, import, reset and migrate a collector's state
//! without writing code.
//!
//! - Every collector binary has `state` subcommands ([`StateCommand`], run by
//!   [`execute`]). They know the collector's state type, so what they import is
//!   validated against it, and they take the run lock like a run does.
//! - The generic `n6-state` binary ([`generic`]) reads any state file (CBOR envelope or
//!   an n6 pickle) without knowing its collector: `show`, `export`, `check`; and
//!   `health` ([`health`]) reports failing and silent collectors across state dirs.
//!
//! JSON forms: the typed `state export` writes the state exactly as its `serde` impls
//! make it (`serde_json`), and `state import` reads the same form back, so
//! `export | import` leaves the state unchanged. The untyped `n6-state export` writes the
//! raw CBOR payload with explicit markers for bytes and other non-JSON values
//! ([`json`]); it is for reading.

pub mod copy;
pub mod generic;
pub mod health;
pub mod json;
mod typed;

pub use typed::{Command, StateCommand, StateIo, execute, execute_on, execute_with};
