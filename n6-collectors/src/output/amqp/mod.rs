//! The AMQP (RabbitMQ) output: n6's wire contract with publisher confirms.
//!
//! * [`settings`] — `[rabbitmq]` exactly as n6 reads it, plus `[n6_collectors_amqp]`;
mod pyrepr;
pub mod settings;

pub use settings::{
    AMQP_OPTIONS_CONFIG_SPEC, AMQP_OPTIONS_SECTION, AmqpOptions, AmqpSettings, Auth, ClientCert,
    RABBITMQ_CONFIG_SPEC, RabbitmqSection, SettingsError, TlsSettings, derive_settings,
};
