//! A collector consuming an AMQP queue as n6's `AMQPCollector` does (same options, the
//! config section named by the first positional argument), for the tests of
//! `n6_collectors::input::amqp_consumer` (tests/capabilities/amqp_input.rs), which need
//! a process to send SIGTERM to.

use n6_collectors::cli::SectionArg;
use n6_collectors::input::amqp_consumer::{
    AmqpConsumer, InputQueue, input_settings, republish_until_stopped,
};
use n6_collectors::prelude::*;
use n6_collectors::sink::amqp::RabbitmqSection;

#[derive(StatefulCollector)]
#[collector(source = "example-provider.example-channel", raw_type = "stream")]
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
pub struct AmqpInputTestCollector {
    config: AmqpInputTestCollectorConfig,
    #[args]
    args: SectionArg,
}

impl Collect for AmqpInputTestCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let c = &self.config;
        let section = RabbitmqSection {
            host: c.input_host.clone(),
            port: c.input_port,
            heartbeat_interval: c.input_heartbeat_interval,
            ssl: c.input_ssl,
            ssl_ca_certs: c.input_ssl_ca_certs.clone(),
            ssl_certfile: c.input_ssl_certfile.clone(),
            ssl_keyfile: c.input_ssl_keyfile.clone(),
            password_auth: c.input_password_auth,
            username: c.input_username.clone(),
            password: c.input_password.clone(),
        };
        let settings = input_settings(&self.args.n6config_section_name, &section)?;
        let queue = InputQueue {
            queue: c.input_queue_name.clone(),
            exchange: c.input_queue_exchange.clone(),
            exchange_type: c.input_queue_exchange_type.clone(),
            binding_keys: c.input_queue_binding_keys.clone(),
        };
        let source = format!("{}.{}", c.source_provider, c.source_channel);
        let mut input = AmqpConsumer::connect(&settings, &queue)?;
        republish_until_stopped(&mut input, out, |_| {
            MessageOptions::new().source(source.as_str())
        })?;
        Ok(())
    }
}

fn main() -> std::process::ExitCode {
    n6_collectors::run::<AmqpInputTestCollector>()
}
