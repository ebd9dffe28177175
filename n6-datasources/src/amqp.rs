//! n6's `n6datasources.collectors.amqp`: the generic AMQP collector.
//!
//! `n6collector_amqp SECTION` reads its options from the config section named on the
//! command line (so one config can hold any number of input brokers), consumes the
//! queue `input_queue_name` on the broker `input_host:input_port` (a connection of its
//! own; TLS and authentication as n6 reads `[rabbitmq]`, from the `input_*` options),
//! after declaring the durable exchange `input_queue_exchange` and binding the queue to
//! it with each of `input_queue_binding_keys` (unless the exchange is empty), and
//! republishes every message's body as a `stream` message of
//! `<source_provider>.<source_channel>` to the output (`[rabbitmq]`, or `--output`).
//!
//! Each input message is acked only after the output broker confirmed its copy
//! (n6 acks after flushing): a crash gives a duplicate, never a loss. The collector
//! runs until SIGTERM or SIGINT; it then finishes the message in hand, cancels its
//! consumer (messages not yet republished go back to the queue) and exits 0, where n6
//! dies of `KeyboardInterrupt` (or of SIGTERM).

use n6_collectors::cli::CollectorArgs;
use n6_collectors::input::amqp_consumer::{
    AmqpConsumer, InputQueue, input_settings, republish_until_stopped,
};
use n6_collectors::prelude::*;
use n6_collectors::sink::amqp::RabbitmqSection;

/// The AMQP collector's command line: n6's one positional argument, the config
/// section's name. Further positional arguments are ignored with a warning, as n6
/// ignores them.
#[derive(Debug, Clone, clap::Args)]
pub struct AmqpArgs {
    /// The configuration section name to be used by the AMQP collector.
    #[arg(value_name = "N6CONFIG_SECTION_NAME")]
    pub n6config_section_name: String,
    /// Ignored (n6 ignores extra positional arguments too).
    #[arg(hide = true, value_name = "IGNORED")]
    pub ignored: Vec<String>,
}

impl CollectorArgs for AmqpArgs {
    fn config_section(&self) -> Option<&str> {
        Some(&self.n6config_section_name)
    }
}

/// n6's `AMQPCollector`: republishes an input queue as `stream` messages of
/// `<source_provider>.<source_channel>`.
#[derive(StatefulCollector)]
#[collector(source = "amqp.input", raw_type = "stream")]
#[config_spec(
    r#"
    source_provider :: str
    source_channel :: str
    input_host :: str
    input_port :: int
    input_heartbeat_interval :: int
    input_ssl :: bool
    input_ssl_ca_certs = :: str
    input_ssl_certfile = :: str
    input_ssl_keyfile = :: str
    input_password_auth = false :: bool
    input_username = :: str
    input_password = :: str
    input_queue_name :: str
    input_queue_exchange :: str
    input_queue_exchange_type :: str
    input_queue_binding_keys :: list_of_str
"#
)]
pub struct AMQPCollector {
    config: AMQPCollectorConfig,
    #[args]
    args: AmqpArgs,
}

/// The largest heartbeat AMQP can negotiate (`connection.tune-ok` carries a 16-bit value).
pub const MAX_HEARTBEAT: i64 = 65_535;

impl AMQPCollector {
    /// The input connection's options as a `[rabbitmq]`-like section. A heartbeat above
    /// [`MAX_HEARTBEAT`] (n6 accepts any, its AMQP library cannot send it) is lowered to
    /// it, with a warning.
    pub fn input_section(&self) -> RabbitmqSection {
        let c = &self.config;
        let mut heartbeat_interval = c.input_heartbeat_interval;
        if heartbeat_interval > MAX_HEARTBEAT {
            tracing::warn!(
                "input_heartbeat_interval = {heartbeat_interval} is more than AMQP can \
                 negotiate; {MAX_HEARTBEAT} is used"
            );
            heartbeat_interval = MAX_HEARTBEAT;
        }
        RabbitmqSection {
            host: c.input_host.clone(),
            port: c.input_port,
            heartbeat_interval,
            ssl: c.input_ssl,
            ssl_ca_certs: c.input_ssl_ca_certs.clone(),
            ssl_certfile: c.input_ssl_certfile.clone(),
            ssl_keyfile: c.input_ssl_keyfile.clone(),
            password_auth: c.input_password_auth,
            username: c.input_username.clone(),
            password: c.input_password.clone(),
        }
    }

    /// The queue to consume, its exchange and bindings.
    pub fn input_queue(&self) -> InputQueue {
        let c = &self.config;
        InputQueue {
            queue: c.input_queue_name.clone(),
            exchange: c.input_queue_exchange.clone(),
            exchange_type: c.input_queue_exchange_type.clone(),
            binding_keys: c.input_queue_binding_keys.clone(),
        }
    }

    /// n6's `get_source`: `<source_provider>.<source_channel>`.
    pub fn source(&self) -> String {
        format!(
            "{}.{}",
            self.config.source_provider, self.config.source_channel
        )
    }
}

impl Collect for AMQPCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        if !self.args.ignored.is_empty() {
            tracing::warn!(
                ignored = ?self.args.ignored,
                "extra command-line arguments after the section name are ignored"
            );
        }
        let section = &self.args.n6config_section_name;
        let settings = input_settings(section, &self.input_section())?;
        let source = self.source();
        // A source n6's parsers would refuse is a configuration error before anything
        // is consumed (n6 finds it at the first message).
        n6_collectors::message::check_source(&source)?;
        let mut input = AmqpConsumer::connect(&settings, &self.input_queue())?;
        tracing::info!("Consuming messages from the input queue...");
        let republished = republish_until_stopped(&mut input, out, |_| {
            MessageOptions::new().source(source.as_str())
        })?;
        tracing::info!(republished, "stopped");
        Ok(())
    }
}
