//! The example collectors (`examples/`) and the helpers they are built on, run
//! in-process against scratch sites and offline fixtures: what each publishes, what it
//! saves, and how it fails.

#[path = "../support/mod.rs"]
mod support;

mod example_support;

mod abuse_ch_cert_pl;
mod email_report;
mod helpers_simple_two_phase;
mod json_api_stream;
mod spamhaus_drop;
mod urlhaus_urls;
