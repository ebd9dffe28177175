//! Operations features: secrets kept outside the INI files, textfile metrics, and the
//! `n6-state health` report of silent and failing collectors.

#[path = "../support/amqp.rs"]
mod amqp_support;

mod metrics;
mod secrets;
