//! The capabilities n6's real collectors need from the framework (issue 13), each with
//! tests of its own: per-message identity (JSON lines and a real RabbitMQ), the
//! collector-defined command line, the injectable clock, the rows helper's custom bodies
//! and chunks, and the AMQP consumer input (a real RabbitMQ). The collectors are run
//! in-process against a scratch site (`tests/support/site.rs`), the AMQP input one as a
//! process.

#[path = "../support/mod.rs"]
mod support;

mod message_id;

mod amqp_input;
mod cli;
mod clock;
mod identity;
mod rows;
