//! An AMQP queue as a collector's input, as n6's `n6datasources.collectors.amqp.AMQPCollector`
//! consumes one: on a connection of its own (not the output's), declare the input
//! exchange (durable, of the configured type) and bind the durable input queue to it
//! with each binding key — or without a key when none is given — unless the exchange
//! name is empty (then nothing is declared or bound but the queue), then republish every
//! message's body.
//!
//! Safer than n6 in one respect: a message is acked only after the broker *confirmed*
//! the republished message (n6 acks after flushing its output), so a crash between the
//! two gives a duplicate, never a loss. The loop runs until SIGTERM or SIGINT: it then
//! finishes the message in hand, cancels the consumer (messages received but not yet
//! republished go back to the queue) and returns, and the run ends with exit 0. A second
//! signal ends the process at once.
//!
//! ```no_run
//! # use n6_collectors::prelude::*;
//! # use n6_collectors::input::amqp_consumer::{AmqpConsumer, InputQueue, republish_until_stopped};
//! # fn demo<S: Serialize>(out: &mut Output<'_, S>, settings: n6_collectors::sink::amqp::AmqpSettings) -> Result<()> {
//! let queue = InputQueue {
//!     queue: "example-input-amqp-queue-2".into(),
//!     exchange: "example-input-amqp-exchange-2".into(),
//!     exchange_type: "topic".into(),
//!     binding_keys: vec!["example.binding.key.first".into()],
//! };
//! let mut input = AmqpConsumer::connect(&settings, &queue)?;
//! let republished = republish_until_stopped(&mut input, out, |_message| {
//!     MessageOptions::new().source("example-prov-2.example-chan-2")
//! })?;
//! # let _ = republished;
//! # Ok(())
//! # }
//! ```

use std::pin::Pin;
use std::time::Duration;

use futures_core::Stream;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicQosOptions,
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ExchangeKind};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::message::MessageOptions;
use crate::output::Output;
use crate::sink::amqp::sink::{describe_lapin_error, open_channel};
use crate::sink::amqp::{AmqpOptions, AmqpSettings, RabbitmqSection, derive_settings};

/// How long one wait for a message lasts before the loop looks for a stop signal.
const POLL: Duration = Duration::from_millis(250);

/// How many messages the broker sends ahead of the acks (they go back to the queue
/// when the consumer stops).
const PREFETCH: u16 = 64;

/// What to consume: n6's `input_queue_name`, `input_queue_exchange`,
/// `input_queue_exchange_type`, `input_queue_binding_keys`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputQueue {
    /// The queue (declared durable).
    pub queue: String,
    /// The exchange to declare and bind the queue to; empty: none (as n6).
    pub exchange: String,
    /// The exchange's type (`topic`, `fanout`, `direct`, `headers`, or a plugin's).
    pub exchange_type: String,
    /// The binding keys; none: one binding without a key.
    pub binding_keys: Vec<String>,
}

/// The input connection's settings from n6's `input_*` options (`input_host`,
/// `input_port`, `input_heartbeat_interval`, `input_ssl`, `input_ssl_ca_certs`,
/// `input_ssl_certfile`, `input_ssl_keyfile`, `input_password_auth`, `input_username`,
/// `input_password`, given as a [`RabbitmqSection`]), checked as n6 checks `[rabbitmq]`;
/// a problem is a configuration error naming `section` (n6: `ConfigError('in section
/// ...: ...')`).
pub fn input_settings(section: &str, input: &RabbitmqSection) -> Result<AmqpSettings> {
    derive_settings(input, None, &AmqpOptions::default(), &mut |warning| {
        tracing::warn!("in section {section}: {warning}")
    })
    .map_err(|e| Error::Config(vec![format!("in section {section}: {e}")]))
}

/// One message taken from the input queue (not yet acked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputMessage {
    /// The body, as received.
    pub body: Vec<u8>,
    /// The exchange it was published to.
    pub exchange: String,
    /// Its routing key.
    pub routing_key: String,
    /// Whether the broker delivered it before (a consumer stopped before acking it).
    pub redelivered: bool,
    delivery_tag: u64,
}

/// A consumer of one queue on its own connection. See the module docs.
pub struct AmqpConsumer {
    runtime: Option<tokio::runtime::Runtime>,
    connection: Connection,
    channel: Channel,
    consumer: lapin::Consumer,
    consumer_tag: String,
    described: String,
}

impl std::fmt::Debug for AmqpConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpConsumer")
            .field("broker", &self.described)
            .field("consumer_tag", &self.consumer_tag)
            .finish()
    }
}

fn unavailable(what: impl std::fmt::Display) -> Error {
    Error::source_unavailable(what)
}

fn exchange_kind(name: &str) -> ExchangeKind {
    match name {
        "topic" => ExchangeKind::Topic,
        "fanout" => ExchangeKind::Fanout,
        "direct" => ExchangeKind::Direct,
        "headers" => ExchangeKind::Headers,
        other => ExchangeKind::Custom(other.to_owned()),
    }
}

/// The declarations, bindings and `basic.consume` of [`AmqpConsumer::connect`], as
/// n6's `AMQPCollector` makes them, on the input connection's channel.
struct SetUp<'a> {
    /// The input connection's channel.
    channel: &'a Channel,
    /// What to consume.
    input: &'a InputQueue,
    /// The broker, as errors name it.
    described: &'a str,
}

impl SetUp<'_> {
    /// Declares the exchange (if any) and the queue, binds them, and starts consuming.
    async fn run(&self) -> Result<lapin::Consumer> {
        if !self.input.exchange.is_empty() {
            self.declare_exchange().await?;
        }
        self.declare_queue().await?;
        if !self.input.exchange.is_empty() {
            self.bind_queue().await?;
        }
        self.consume().await
    }

    /// The error of step `what`, naming the broker.
    fn step(&self, what: String, e: &lapin::Error) -> Error {
        unavailable(format!(
            "input queue on {}: {what}: {}",
            self.described,
            describe_lapin_error(e)
        ))
    }

    /// Declares the input exchange, durable, of the configured type.
    async fn declare_exchange(&self) -> Result<()> {
        let input = self.input;
        self.channel
            .exchange_declare(
                input.exchange.as_str().into(),
                exchange_kind(&input.exchange_type),
                ExchangeDeclareOptions {
                    durable: true,
                    ..ExchangeDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| {
                self.step(
                    format!(
                        "cannot declare exchange {:?} ({}, durable)",
                        input.exchange, input.exchange_type
                    ),
                    &e,
                )
            })
    }

    /// Declares the input queue, durable.
    async fn declare_queue(&self) -> Result<()> {
        let input = self.input;
        self.channel
            .queue_declare(
                input.queue.as_str().into(),
                QueueDeclareOptions {
                    durable: true,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map(drop)
            .map_err(|e| {
                self.step(
                    format!("cannot declare queue {:?} (durable)", input.queue),
                    &e,
                )
            })
    }

    /// Binds the queue to the exchange with each binding key, or once without a key.
    async fn bind_queue(&self) -> Result<()> {
        let input = self.input;
        let keys: Vec<&str> = if input.binding_keys.is_empty() {
            vec![""]
        } else {
            input.binding_keys.iter().map(String::as_str).collect()
        };
        for key in keys {
            self.channel
                .queue_bind(
                    input.queue.as_str().into(),
                    input.exchange.as_str().into(),
                    key.into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(|e| {
                    self.step(
                        format!(
                            "cannot bind queue {:?} to {:?} with key {key:?}",
                            input.queue, input.exchange
                        ),
                        &e,
                    )
                })?;
        }
        Ok(())
    }

    /// Sets the prefetch and starts consuming the queue.
    async fn consume(&self) -> Result<lapin::Consumer> {
        self.channel
            .basic_qos(PREFETCH, BasicQosOptions::default())
            .await
            .map_err(|e| self.step("basic.qos".to_owned(), &e))?;
        self.channel
            .basic_consume(
                self.input.queue.as_str().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| self.step(format!("cannot consume queue {:?}", self.input.queue), &e))
    }
}

impl AmqpConsumer {
    /// Connects with `settings` (a connection of its own), declares and binds as n6's
    /// `AMQPCollector` does, and starts consuming `input.queue`. Any failure is
    /// [`Error::SourceUnavailable`] naming the broker and the step (exit 69).
    pub fn connect(settings: &AmqpSettings, input: &InputQueue) -> Result<AmqpConsumer> {
        let described = settings.describe();
        let (runtime, connection, channel) =
            open_channel(settings).map_err(|e| unavailable(format!("input queue: {e}")))?;
        let timeout = settings.connect_timeout;
        let set_up = SetUp {
            channel: &channel,
            input,
            described: &described,
        };
        let consumer =
            match runtime.block_on(async { tokio::time::timeout(timeout, set_up.run()).await }) {
                Ok(result) => result?,
                Err(_) => {
                    return Err(unavailable(format!(
                        "input queue on {described}: no answer within {} s",
                        timeout.as_secs()
                    )));
                }
            };
        let consumer_tag = consumer.tag().as_str().to_owned();
        tracing::info!(queue = %input.queue, broker = %described, "consuming the input queue");
        Ok(AmqpConsumer {
            runtime: Some(runtime),
            connection,
            channel,
            consumer,
            consumer_tag,
            described,
        })
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime> {
        self.runtime
            .as_ref()
            .ok_or_else(|| unavailable("the input connection is closed"))
    }

    /// Waits up to `timeout` for the next message; `None` when none came.
    pub fn next(&mut self, timeout: Duration) -> Result<Option<InputMessage>> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| unavailable("the input connection is closed"))?;
        let consumer = &mut self.consumer;
        let next = std::future::poll_fn(|cx| Pin::new(&mut *consumer).poll_next(cx));
        let waited = runtime.block_on(async { tokio::time::timeout(timeout, next).await });
        match waited {
            Err(_) => Ok(None),
            Ok(None) => Err(unavailable(format!(
                "{}: the broker cancelled the input consumer",
                self.described
            ))),
            Ok(Some(Err(e))) => Err(unavailable(format!(
                "{}: the input connection failed: {}",
                self.described,
                describe_lapin_error(&e)
            ))),
            Ok(Some(Ok(delivery))) => Ok(Some(InputMessage {
                body: delivery.data,
                exchange: delivery.exchange.as_str().to_owned(),
                routing_key: delivery.routing_key.as_str().to_owned(),
                redelivered: delivery.redelivered,
                delivery_tag: delivery.delivery_tag,
            })),
        }
    }

    /// Acks `message`: the broker forgets it.
    pub fn ack(&mut self, message: &InputMessage) -> Result<()> {
        let channel = self.channel.clone();
        let tag = message.delivery_tag;
        self.runtime()?
            .block_on(async move { channel.basic_ack(tag, BasicAckOptions::default()).await })
            .map_err(|e| {
                unavailable(format!(
                    "{}: cannot ack an input message: {}",
                    self.described,
                    describe_lapin_error(&e)
                ))
            })
    }

    /// Stops consuming and closes the channel and the connection; messages received
    /// but not acked go back to the queue.
    pub fn close(&mut self) -> Result<()> {
        let Some(runtime) = self.runtime.take() else {
            return Ok(());
        };
        let (channel, connection) = (&self.channel, &self.connection);
        let tag = self.consumer_tag.as_str();
        runtime.block_on(async {
            let _ = tokio::time::timeout(Duration::from_secs(5), async {
                let _ = channel
                    .basic_cancel(tag.into(), BasicCancelOptions::default())
                    .await;
                let _ = channel.close(200, "Normal shutdown".into()).await;
                let _ = connection.close(200, "Normal shutdown".into()).await;
            })
            .await;
        });
        runtime.shutdown_timeout(Duration::from_millis(200));
        Ok(())
    }
}

impl Drop for AmqpConsumer {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// n6's `AMQPCollector` loop: republish the body of every message of `input` through
/// `out` with the options `options` gives for it, wait until the broker confirmed the
/// republished message, then ack the input message; until SIGTERM or SIGINT (taken as
/// the request to stop: see the module docs). Returns how many messages were
/// republished. An input or output failure ends the loop with its error; the message in
/// hand is then not acked (the broker delivers it again).
pub fn republish_until_stopped<S: Serialize>(
    input: &mut AmqpConsumer,
    out: &mut Output<'_, S>,
    mut options: impl FnMut(&InputMessage) -> MessageOptions,
) -> Result<u64> {
    crate::run::signal::will_take();
    let mut republished = 0;
    loop {
        if crate::run::signal::take().is_some() {
            break;
        }
        let Some(message) = input.next(POLL)? else {
            continue;
        };
        // A signal from now on stops the loop after this message.
        let stop = crate::run::signal::take().is_some();
        out.publish_with(message.body.clone(), options(&message))?;
        out.confirm()?;
        input.ack(&message)?;
        republished += 1;
        if stop {
            break;
        }
    }
    tracing::info!(republished, "stopping: the input consumer is cancelled");
    input.close()?;
    Ok(republished)
}
