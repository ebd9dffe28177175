//! The run lifecycle through a real collector process (`tests/bin/lines_collector.rs`):
//! exit codes, publishing and saving ([`run`]), passwords that never leave the process
//! ([`secrets`]), private state files that are never followed through a symbolic link
//! ([`state_files`]).

#[path = "../support/mod.rs"]
mod support;

mod operator;
mod run;
mod secrets;
mod state_files;
mod state_name;
