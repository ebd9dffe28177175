//! n6-collectors: write n6 collectors in Rust.

pub use n6_collectors_config as config;

pub mod cli;
pub mod exit;
pub mod logging;
pub mod message;
pub mod output;
pub mod pickle;
pub mod signal;
pub mod state;
