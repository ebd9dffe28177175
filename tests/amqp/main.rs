//! RabbitMQ: the AMQP sink against a real broker ([`sink`]), n6's own client (pika)
//! reading what Rust published ([`interop_pika`]), collector runs publishing to the
//! broker ([`collector_run`]) and a broker stopped mid-run ([`broker_stop`]).
//!
//! Where the broker is comes from `tests/support/amqp.rs`; without one the tests skip
//! loudly, under CI (`CI` set) they fail.

#[path = "../support/mod.rs"]
mod support;

mod broker_stop;
mod collector_run;
mod interop_pika;
mod sink;
