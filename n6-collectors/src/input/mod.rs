//! Inputs a collector consumes continuously rather than fetching once:
//!
//! * [`amqp_consumer`] — an AMQP queue on a connection of its own, republished message by
//!   message, each acked after the broker confirmed its copy (n6's `AMQPCollector`).

pub mod amqp_consumer;
