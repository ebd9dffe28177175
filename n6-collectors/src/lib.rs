//! n6-collectors: write n6 collectors in Rust.

pub use n6_collectors_config as config;

pub mod cli;
pub mod collector;
mod configure;
pub mod error;
pub mod helpers;
pub mod exit;
pub mod logging;
pub mod message;
pub mod output;
pub mod pickle;
pub mod publish;
mod run;
pub mod signal;
pub mod state;
pub mod tooling;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use collector::{Collect, CollectorMeta, StatefulCollector};
pub use n6_collectors_derive::StatefulCollector;
pub use error::{Error, Result, ResultExt};
pub use publish::Output;
pub use run::{run, run_from};

/// Everything a collector author needs: `use n6_collectors::prelude::*;`.
pub mod prelude {
    pub use crate::collector::{Collect, StatefulCollector};
    pub use crate::error::{Error, Result, ResultExt};
    pub use crate::message::{HeaderTable, HeaderValue};
    pub use crate::publish::Output;
    pub use serde::{Deserialize, Serialize};
}
