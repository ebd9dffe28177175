//! Operations features: secrets kept outside the INI files, textfile metrics, the
//! `n6-state health` report of silent and failing collectors, download rate limits,
//! conditional downloads across runs, and recorded runs replayed offline.

#[path = "../support/mod.rs"]
mod support;

mod conditional;
mod conditional_runs;
mod metrics;
mod rate_limits;
mod record_replay;
mod secrets;
