//! Operations features: secrets kept outside the INI files, textfile metrics, the
//! `n6-state health` report of silent and failing collectors, and download rate limits.

#[path = "../support/amqp.rs"]
mod amqp_support;

mod conditional;
mod http_server;
mod metrics;
mod rate_limits;
mod secrets;
