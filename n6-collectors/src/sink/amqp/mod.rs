//! The AMQP (RabbitMQ) output: n6's wire contract, made safer with
//! publisher confirms.
//!
//! * `settings` — `[rabbitmq]` exactly as n6 reads it (errors, warnings, the guest
//!   fallbacks), plus the Rust-only `[n6_collectors_amqp]` section;
//! * `tls` — rustls: the CA file as the only trust anchors, client certificate for
//!   SASL EXTERNAL, host-name verification on by default;
//! * `sink` — [`AmqpSink`], the [`crate::sink::Sink`] with pipelined confirms.
//!
//! # Configuration
//!
//! `[rabbitmq]` ([`RABBITMQ_CONFIG_SPEC`]) is shared with n6's Python components, whose
//! spec rejects unknown options there, so nothing is added to it. The Rust-only options
//! live in `[n6_collectors_amqp]` ([`AMQP_OPTIONS_CONFIG_SPEC`], all optional):
//!
//! ```ini
//! [n6_collectors_amqp]
//! tls_verify_hostname = yes   ; `no` = n6's behaviour: CA chain checked, host name not
//! connect_timeout = 10        ; seconds for TCP + TLS + AMQP handshake (n6: 3 s socket timeout)
//! confirm_timeout = 60        ; seconds to wait for publisher confirms (and for a stalled send)
//! max_unconfirmed = 2000      ; published-but-unconfirmed messages at most
//! ```
//!
//! # Differences from n6 (deliberate or unavoidable)
//!
//! * publisher confirms, `mandatory = true`: a nacked or unroutable message fails the
//!   run (n6: none, `mandatory = false`, unroutable messages silently dropped). An
//!   exchange with no bound queue returns *every* message, e.g. on a fresh broker before
//!   n6's parsers have bound their queues;
//! * TLS host-name verification (and SNI) unless `tls_verify_hostname = no`;
//! * heartbeat negotiation is lapin's: the lower non-zero value of client and broker wins
//!   (pika 0.13: the client's value always wins); `0` accepts the broker's value;
//! * header tables are encoded in key order (pika: dict insertion order); the decoded
//!   tables, value types included, are the same.
//!
//! Why lapin and not amqprs: see `ARCHITECTURE.md` (design decisions).
//!
//! ```no_run
//! # use n6_collectors::sink::amqp::*;
//! # use n6_collectors::sink::Sink;
//! # fn section() -> RabbitmqSection { unimplemented!() }
//! let rabbitmq: RabbitmqSection = section(); // from the validated [rabbitmq] values
//! let settings = derive_settings(&rabbitmq, None, &AmqpOptions::default(), &mut |w| {
//!     eprintln!("WARNING: {w}")
//! })?;
//! let mut sink = AmqpSink::connect(&settings, &["raw"])?;
//! sink.confirm()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
mod client_info;
mod pyrepr;
mod settings;
pub(crate) mod sink;
pub(crate) mod tls;
mod wire;

pub use settings::{
    AMQP_OPTIONS_CONFIG_SPEC, AMQP_OPTIONS_SECTION, AmqpOptions, AmqpSettings, Auth, ClientCert,
    RABBITMQ_CONFIG_SPEC, RabbitmqSection, SettingsError, TlsSettings, derive_settings,
};
pub use sink::AmqpSink;
