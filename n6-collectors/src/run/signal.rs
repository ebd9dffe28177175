//! SIGINT / SIGTERM: the first one stops the run at its next safe point (before the next
//! publish, confirm or state save) without saving state; a second one exits at once.
//! Either way the state file is left as it was, because it is only ever replaced
//! atomically after the output confirmed everything.

//!
//! A long-running input (the AMQP consumer) may [`take`] the first signal as its request
//! to stop: it finishes the message in hand and ends the run normally (exit 0); a second
//! signal still exits at once.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use crate::error::{Error, Result};

static RECEIVED: AtomicI32 = AtomicI32::new(0);
static TAKEN: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(signal: libc::c_int) {
    if RECEIVED.swap(signal, Ordering::SeqCst) != 0 {
        // Second signal: leave now. `_exit` is async-signal-safe.
        // SAFETY: `_exit` never returns and touches no shared state.
        unsafe { libc::_exit(128 + signal) };
    }
}

/// Installs the handlers for SIGINT and SIGTERM.
pub fn install() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed `sigaction` is a valid "no flags, empty mask" value; the handler
        // only does async-signal-safe work (an atomic swap and `_exit`).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal received so far, if any (and not [`take`]n).
pub fn received() -> Option<i32> {
    if TAKEN.load(Ordering::SeqCst) {
        return None;
    }
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// Takes the first signal as a request to stop that the caller handles itself: returns
/// it once, and from then on [`received`] no longer reports it (the run then ends
/// normally). A second signal still ends the process at once.
pub fn take() -> Option<i32> {
    let signal = received()?;
    TAKEN.store(true, Ordering::SeqCst);
    Some(signal)
}

/// The name of a signal for messages.
pub fn name(signal: i32) -> &'static str {
    match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        _ => "signal",
    }
}

/// Fails with [`Error::Interrupted`] once SIGINT or SIGTERM arrived.
pub(crate) fn stop_if_interrupted() -> Result<()> {
    match received() {
        Some(signal) => Err(Error::Interrupted(signal)),
        None => Ok(()),
    }
}
