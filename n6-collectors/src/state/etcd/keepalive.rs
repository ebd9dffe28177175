//! [`KeepAlive`]: renews the run's lease in the background and keeps a local deadline.
//!
//! Every `ttl / 3` the thread sends one keep-alive. An answer with a TTL moves the
//! deadline to *send time* + ttl − margin on the monotonic clock (margin: 2 s, at most a
//! third of the TTL, at least a fifth). etcd expires a lease at least a TTL after it
//! *received* the last renewal, which is after we sent it, so while `now < deadline` no
//! other run can hold the lock. An answer without a TTL means the lease is gone: the lock
//! is lost for good. Failed renewals change nothing: the deadline simply passes.
//! Wall clocks are never used here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::json;

use super::transport::{CallError, Gateway, num};

/// What the keep-alive thread and the run share.
#[derive(Debug)]
struct Shared {
    deadline: Mutex<Instant>,
    lost: AtomicBool,
    /// A renewal after the deadline found no member that answers.
    unreachable: AtomicBool,
    stop: Mutex<bool>,
    wake: Condvar,
}

/// The result of one renewal.
pub enum Renewal {
    /// The lease lives; the new local deadline.
    Alive(Instant),
    /// etcd says the lease no longer exists.
    Gone,
}

/// The background renewal of one lease; stopped when dropped.
#[derive(Debug)]
pub struct KeepAlive {
    shared: Arc<Shared>,
    gateway: Arc<Gateway>,
    lease: i64,
    ttl: Duration,
    thread: Option<JoinHandle<()>>,
}

/// How long before the server could expire the lease the run stops trusting it.
pub fn margin(ttl: Duration) -> Duration {
    Duration::from_secs(2).min(ttl / 3).max(ttl / 5)
}

/// Sends one keep-alive for `lease`.
pub fn renew(gateway: &Gateway, lease: i64, ttl: Duration) -> Result<Renewal, CallError> {
    let sent = Instant::now();
    let answer = gateway.call("/v3/lease/keepalive", &json!({"ID": lease.to_string()}))?;
    if num(answer.get("TTL")) > 0 {
        Ok(Renewal::Alive(sent + ttl - margin(ttl)))
    } else {
        Ok(Renewal::Gone)
    }
}

impl KeepAlive {
    /// Starts renewing `lease` (granted at `granted`, with `ttl`).
    pub fn start(gateway: Arc<Gateway>, lease: i64, ttl: Duration, granted: Instant) -> KeepAlive {
        let shared = Arc::new(Shared {
            deadline: Mutex::new(granted + ttl - margin(ttl)),
            lost: AtomicBool::new(false),
            unreachable: AtomicBool::new(false),
            stop: Mutex::new(false),
            wake: Condvar::new(),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            let gateway = Arc::clone(&gateway);
            std::thread::Builder::new()
                .name("n6-etcd-keepalive".to_owned())
                .spawn(move || renew_until_stopped(&shared, &gateway, lease, ttl))
                .ok()
        };
        if thread.is_none() {
            tracing::warn!("cannot start the etcd keep-alive thread; the run may lose its lock");
        }
        KeepAlive {
            shared,
            gateway,
            lease,
            ttl,
            thread,
        }
    }

    /// `Ok` while the lease is vouched for: the local deadline has not passed, or a
    /// renewal made now succeeds. `Err(true)`: the lease is gone; `Err(false)` with the
    /// reason: it can no longer be renewed.
    pub fn check(&self) -> Result<(), (bool, String)> {
        if self.shared.lost.load(Ordering::SeqCst) {
            return Err((true, "etcd says the run's lease has ended".to_owned()));
        }
        if Instant::now() < self.deadline() {
            return Ok(());
        }
        // The deadline passed (a stalled cluster, or this process was paused): ask now.
        match renew(&self.gateway, self.lease, self.ttl) {
            Ok(Renewal::Alive(deadline)) => {
                self.set_deadline(deadline);
                Ok(())
            }
            Ok(Renewal::Gone) => {
                self.shared.lost.store(true, Ordering::SeqCst);
                Err((true, "etcd says the run's lease has ended".to_owned()))
            }
            Err(e) => {
                self.shared.unreachable.store(true, Ordering::SeqCst);
                Err((false, format!("cannot renew the run's etcd lease: {e}")))
            }
        }
    }

    /// Whether the last renewal attempted after the deadline reached no member (then
    /// revoking the lease at the end would only wait for the same timeouts again).
    pub fn unreachable(&self) -> bool {
        self.shared.unreachable.load(Ordering::SeqCst)
    }

    fn deadline(&self) -> Instant {
        match self.shared.deadline.lock() {
            Ok(deadline) => *deadline,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    fn set_deadline(&self, deadline: Instant) {
        if let Ok(mut slot) = self.shared.deadline.lock() {
            *slot = (*slot).max(deadline);
        }
    }
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        if let Ok(mut stop) = self.shared.stop.lock() {
            *stop = true;
        }
        self.shared.wake.notify_all();
        // Not joined: a renewal in flight (at most one call's time budget when etcd is
        // unreachable) must not delay the end of the run; the thread stops after it.
        drop(self.thread.take());
    }
}

fn renew_until_stopped(shared: &Shared, gateway: &Gateway, lease: i64, ttl: Duration) {
    let interval = ttl / 3;
    loop {
        {
            let Ok(stop) = shared.stop.lock() else { return };
            let Ok((stop, _)) = shared
                .wake
                .wait_timeout_while(stop, interval, |stop| !*stop)
            else {
                return;
            };
            if *stop {
                return;
            }
        }
        match renew(gateway, lease, ttl) {
            Ok(Renewal::Alive(deadline)) => {
                if let Ok(mut slot) = shared.deadline.lock() {
                    *slot = (*slot).max(deadline);
                }
            }
            Ok(Renewal::Gone) => {
                tracing::warn!("the run's etcd lease has ended; stopping at the next safe point");
                shared.lost.store(true, Ordering::SeqCst);
                return;
            }
            Err(e) => tracing::warn!("cannot renew the run's etcd lease: {e}"),
        }
    }
}
