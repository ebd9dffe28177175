//! SIGINT / SIGTERM: the first one stops the run at its next safe point (before the next
//! publish, confirm or state save) without saving state; a second one exits at once.
//! Either way the state file is left as it was, because it is only ever replaced
//! atomically after the output confirmed everything.
//!
//! A run blocked where it cannot look at the flag (a download or a broker connect that
//! never answers, a confirm the broker holds back, opening a FIFO named as a config
//! file) is ended by a watchdog thread: if the run has not finished [`GRACE`] after the
//! first signal, the watchdog prints the run's usual line and exits with 128 + signal.
//! It never exits in the middle of a state file's rename ([`hold_exit`]), so the state
//! is the old one or the new one, never a mix. The second signal's handler prints the
//! same line before it exits. Exactly one final line is printed ([`claim_report`]).

//!
//! A long-running input (the AMQP consumer) may [`take`] the first signal as its request
//! to stop: it finishes the message in hand and ends the run normally (exit 0); a second
//! signal still exits at once. Such an input announces it with [`will_take`], and the
//! watchdog then leaves the stopping to it.

use std::io::Read;
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard, Once, OnceLock};
use std::time::Duration;

/// How long a signalled run may take to stop on its own before the watchdog ends it.
pub const GRACE: Duration = Duration::from_millis(500);

use crate::error::{Error, Result};

static RECEIVED: AtomicI32 = AtomicI32::new(0);
static TAKEN: AtomicBool = AtomicBool::new(false);
/// Set by [`will_take`]: the run stops on its own after the first signal (no watchdog).
static WILL_TAKE: AtomicBool = AtomicBool::new(false);
/// Set by whoever prints the run's final line (the run, the watchdog, the handler).
static REPORTED: AtomicBool = AtomicBool::new(false);
/// The write end of the pipe that wakes the watchdog (-1 before [`install`]).
static WAKE: AtomicI32 = AtomicI32::new(-1);
/// The lines for SIGINT and SIGTERM, rendered before any signal can arrive.
static LINES: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
/// Held while the state file is being renamed into place: the watchdog waits for it.
static COMMIT: Mutex<()> = Mutex::new(());
static INSTALL: Once = Once::new();

extern "C" fn on_signal(signal: libc::c_int) {
    if RECEIVED.swap(signal, Ordering::SeqCst) != 0 {
        // Second signal: say so, then leave now (`write` and `_exit` are
        // async-signal-safe; the rest is atomics and a read of initialised memory).
        report_raw(signal);
        // SAFETY: `_exit` never returns and touches no shared state.
        unsafe { libc::_exit(128 + signal) };
    }
    let fd = WAKE.load(Ordering::SeqCst);
    if fd >= 0 {
        // SAFETY: writing one byte from a valid buffer to our own pipe.
        unsafe { libc::write(fd, [0u8].as_ptr().cast(), 1) };
    }
}

/// Writes the line for `signal` to stderr unless a final line was printed already.
fn report_raw(signal: libc::c_int) {
    if REPORTED.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(line) = LINES.get().and_then(|lines| match signal {
        libc::SIGINT => Some(&lines[0]),
        libc::SIGTERM => Some(&lines[1]),
        _ => None,
    }) {
        // SAFETY: writing an initialised buffer of the given length to stderr.
        unsafe { libc::write(2, line.as_ptr().cast(), line.len()) };
    }
}

/// Installs the handlers for SIGINT and SIGTERM (and unblocks both, in case the parent
/// blocked them); `name` prefixes the line printed when a signal ends a blocked run.
/// Only the first call in a process installs anything; each call starts a new run
/// whose final line is still to be printed.
pub fn install(name: &str) {
    if RECEIVED.load(Ordering::SeqCst) == 0 {
        REPORTED.store(false, Ordering::SeqCst);
    }
    INSTALL.call_once(|| {
        let line = |signal| {
            format!(
                "{name}: error: {}\n",
                crate::error::Error::Interrupted(signal)
            )
            .into_bytes()
        };
        let _ = LINES.set([line(libc::SIGINT), line(libc::SIGTERM)]);
        start_watchdog();
        // SAFETY: a zeroed `sigaction`/`sigset_t` is a valid "no flags, empty mask"
        // value; the handler only does async-signal-safe work.
        unsafe {
            let mut unblock: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut unblock);
            for signal in [libc::SIGINT, libc::SIGTERM] {
                libc::sigaddset(&mut unblock, signal);
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = libc::SA_RESTART;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &unblock, std::ptr::null_mut());
        }
    });
}

/// Starts the thread that ends a run still going [`GRACE`] after the first signal.
fn start_watchdog() {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        tracing::warn!(
            "cannot create the signal pipe ({}): a run blocked in I/O will not stop on \
             SIGTERM until its timeouts expire",
            std::io::Error::last_os_error()
        );
        return;
    }
    // SAFETY: `fds[0]` is a new descriptor that only this `File` owns.
    let mut wake = unsafe { std::fs::File::from_raw_fd(fds[0]) };
    let spawned = std::thread::Builder::new()
        .name("n6-signal-watchdog".into())
        .spawn(move || {
            let mut byte = [0u8; 1];
            loop {
                match wake.read(&mut byte) {
                    Ok(1) => break,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    _ => return,
                }
            }
            std::thread::sleep(GRACE);
            // Not while a state file is being renamed into place.
            let _commit = COMMIT.lock().unwrap_or_else(|e| e.into_inner());
            let signal = RECEIVED.load(Ordering::SeqCst);
            if REPORTED.load(Ordering::SeqCst) {
                return; // the run is printing its own line and ending
            }
            if WILL_TAKE.load(Ordering::SeqCst) {
                return; // an input takes the signal and ends the run normally
            }
            report_raw(signal);
            // SAFETY: `_exit` never returns; the kernel releases the run lock.
            unsafe { libc::_exit(128 + signal) };
        });
    match spawned {
        Ok(_) => WAKE.store(fds[1], Ordering::SeqCst),
        Err(e) => tracing::warn!(
            "cannot start the signal watchdog ({e}): a run blocked in I/O will not stop on \
             SIGTERM until its timeouts expire"
        ),
    }
}

/// Claims the right to print the run's final line: false when a signal's line was
/// printed already (then print nothing more).
pub fn claim_report() -> bool {
    !REPORTED.swap(true, Ordering::SeqCst)
}

/// Keeps the watchdog from ending the process while the guard lives (a state file's
/// rename and the directory sync after it).
pub fn hold_exit() -> MutexGuard<'static, ()> {
    COMMIT.lock().unwrap_or_else(|e| e.into_inner())
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

/// Announces that the run [`take`]s the first signal and stops on its own, finishing
/// what it has in hand: the watchdog then does not end it (a second signal still does).
pub fn will_take() {
    WILL_TAKE.store(true, Ordering::SeqCst);
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
