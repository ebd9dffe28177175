//! Logging to stderr with `tracing`: WARN and above by default, `-v` for INFO+DEBUG...,
//! `-q` for errors only. `RUST_LOG` overrides the level when set.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber for the verbosity given on the command line.
pub fn init(verbose: u8, quiet: u8) {
    let level = match (verbose, quiet) {
        (0, 0) => "warn",
        (1, _) => "info",
        (2, _) => "debug",
        (v, _) if v > 2 => "trace",
        (_, 1) => "error",
        _ => "off",
    };
    // lapin's own logs (ERROR dumps per failure, WARN per returned message) repeat what
    // the AMQP output reports in its one error line: only shown from -vv on. Never its
    // TRACE lines: they dump every AMQP frame, Connection.StartOk with the PLAIN
    // password included (tests/lifecycle/secrets.rs).
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| match verbose {
        0 | 1 => EnvFilter::new(format!("{level},lapin=off")),
        2 => EnvFilter::new(level),
        _ => EnvFilter::new(format!("{level},lapin=debug,amq_protocol=debug")),
    });
    // A second initialisation (tests calling `run` twice) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}
