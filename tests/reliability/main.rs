//! Reliability: what a run guarantees under faults, through the reliability test
//! collector (`tests/bin/reliability_collector.rs`): broker faults ([`broker`]), the
//! durable save sequence under `strace` ([`durability`]), kill -9 campaigns ([`kill`]),
//! overlapping runs ([`overlap`]) and failing sources ([`source`]).

#[path = "../support/mod.rs"]
mod support;

mod reliability_support;

mod broker;
mod defects;
mod durability;
mod kill;
mod overlap;
mod source;
