//! Shared by every integration-test target (`tests/<topic>/main.rs`): the scratch site
//! builder ([`site::Site`]), the test broker ([`amqp`]), reading what a run published
//! ([`published`]) and what a process printed ([`process`]), and Python-made pickles
//! ([`pickle`]).
//!
//! A target includes it with `#[path = "../support/mod.rs"] mod support;`.
#![allow(dead_code)]

pub mod amqp;
pub mod http;
pub mod pickle;
pub mod process;
pub mod published;
pub mod site;
