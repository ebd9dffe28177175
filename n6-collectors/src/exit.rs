//! Process exit codes (sysexits-style, so cron mails and monitoring can tell failures apart).
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success, also when there was nothing new to publish |
//! | 64 | command-line usage error |
//! | 65 | unreadable state file, or bad data from the source |
//! | 66 | `--replay`: the recording cannot be read, or the run made a request it does not hold |
//! | 69 | source, broker or etcd state backend unavailable (connection, auth, nack, unroutable, timeout) |
//! | 70 | a bug in the collector or the framework |
//! | 74 | state could not be saved (or another local I/O failure) |
//! | 75 | another run of the same collector is in progress, or the run lost its etcd lock |
//! | 78 | configuration error |
//! | 128 + N | stopped by signal N (SIGINT → 130, SIGTERM → 143); state not saved |

/// Success (also when nothing was new).
pub const OK: u8 = 0;
/// Command-line usage error.
pub const USAGE: u8 = 64;
/// Unreadable state file, or bad data from the source.
pub const DATA: u8 = 65;
/// `--replay`: the recording cannot be read, or the run made a request it does not
/// hold (sysexits' `EX_NOINPUT`).
pub const NO_INPUT: u8 = 66;
/// Source or broker unavailable.
pub const UNAVAILABLE: u8 = 69;
/// A bug (a panic, or an internal inconsistency).
pub const SOFTWARE: u8 = 70;
/// State could not be saved, or another local I/O failure.
pub const IO: u8 = 74;
/// Another run of the same collector holds the lock.
pub const ALREADY_RUNNING: u8 = 75;
/// Configuration error.
pub const CONFIG: u8 = 78;

/// The exit code for a run stopped by `signal`.
pub fn for_signal(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(u8::MAX)
}
