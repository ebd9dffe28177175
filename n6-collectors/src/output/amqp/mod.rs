//! The AMQP (RabbitMQ) output: n6's wire contract (n6-contract §3, §4), made safer with
//! publisher confirms.
//!
//! * [`settings`] — `[rabbitmq]` exactly as n6 reads it (errors, warnings, the guest
//!   fallbacks), plus the Rust-only `[n6_collectors_amqp]` section;
//! * [`tls`] — rustls: the CA file as the only trust anchors, client certificate for
//!   SASL EXTERNAL, host-name verification on by default;
//! * [`sink`] — [`AmqpSink`], the [`crate::output::Sink`] with pipelined confirms.
//!
//! ```no_run
//! # use n6_collectors::output::amqp::*;
//! # fn section() -> RabbitmqSection { unimplemented!() }
//! let rabbitmq: RabbitmqSection = section(); // from the validated [rabbitmq] values
//! let settings = derive_settings(&rabbitmq, None, &AmqpOptions::default(), &mut |w| {
//!     tracing::warn!("{w}")
//! })?;
//! let sink = AmqpSink::connect(&settings, &["raw"])?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
mod client_info;
mod pyrepr;
pub mod settings;
pub mod sink;
pub mod tls;
mod wire;

pub use settings::{
    AMQP_OPTIONS_CONFIG_SPEC, AMQP_OPTIONS_SECTION, AmqpOptions, AmqpSettings, Auth, ClientCert,
    RABBITMQ_CONFIG_SPEC, RabbitmqSection, SettingsError, TlsSettings, derive_settings,
};
pub use sink::AmqpSink;
