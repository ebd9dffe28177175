//! [`EtcdBackend`]: a collector's state and run lock in etcd, every save fenced.
//!
//! Keys, under `{prefix}/{collector_id}/`:
//!
//! | key | value |
//! |---|---|
//! | `lock` | JSON `{host, pid, run_id, started_at, written_by}`, bound to the run's lease; its `create_revision` is the run's fencing token |
//! | `state` | the CBOR envelope: the same bytes as a state file |
//! | `last_run` | JSON `{run_id, host, finished_at, messages}` of the last successful run |
//!
//! A run, step by step:
//! 1. grant a lease with the TTL `etcd_lease_ttl`;
//! 2. one transaction: *if the lock key is absent, put it with the lease and read the
//!    state and `last_run`*; otherwise read the lock (exit 75 naming its holder). The
//!    lock's create revision is the token T, the state's mod revision R;
//! 3. a keep-alive thread renews the lease and keeps a local deadline ([`keepalive`]);
//!    [`HeldRun::still_held`] (called before every publish and checkpoint) fails once it
//!    passed and a renewal made then fails too;
//! 4. every save is one transaction: *if create_revision(lock) = T and
//!    mod_revision(state) = R, put the state*. Refused: the lock was lost or someone else
//!    wrote (exit 75); the newer state stays. (When an earlier attempt's answer was lost,
//!    a refusal that finds our own bytes under our own lock counts as saved.)
//! 5. the lease is revoked when the run ends (this deletes the lock key); if that
//!    fails, the lease expires after its TTL.
//!
//! Why a paused or cut-off run can never overwrite newer state: the lock key exists only
//! while its lease lives, and a new lock always has a larger create revision, so the save
//! transaction commits only under the run's own lock and only over the state it read.

pub mod config;
pub mod keepalive;
pub mod transport;

use std::io::{BufRead, Cursor};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value as Json, json};

pub use config::EtcdSettings;
use keepalive::KeepAlive;
use transport::{CallError, Gateway, b64, num, unb64};

use super::backend::{EnvelopeWriter, HeldRun, SaveError, StateBackend};
use super::error::{LockError, StateError};

/// Test hook: milliseconds to sleep inside every etcd save, after the state is encoded
/// and before the fenced transaction (for the tests that pause a run there).
pub const TEST_DELAY_BEFORE_SAVE_ENV: &str = "N6_TEST_DELAY_BEFORE_SAVE_MS";

/// The keys of one collector.
#[derive(Debug, Clone)]
pub struct Keys {
    /// `{prefix}/{collector_id}/lock`.
    pub lock: String,
    /// `{prefix}/{collector_id}/state`.
    pub state: String,
    /// `{prefix}/{collector_id}/last_run`.
    pub last_run: String,
}

impl Keys {
    /// The keys of `collector_id` under `prefix`.
    pub fn new(prefix: &str, collector_id: &str) -> Keys {
        let base = format!("{}/{collector_id}", prefix.trim_end_matches('/'));
        Keys {
            lock: format!("{base}/lock"),
            state: format!("{base}/state"),
            last_run: format!("{base}/last_run"),
        }
    }
}

/// The etcd backend of one collector.
#[derive(Debug, Clone)]
pub struct EtcdBackend {
    gateway: Arc<Gateway>,
    settings: EtcdSettings,
    keys: Keys,
    written_by: String,
}

impl EtcdBackend {
    /// The backend of `collector_id` (its keys under `settings.prefix`).
    pub fn new(
        settings: &EtcdSettings,
        collector_id: &str,
        written_by: &str,
    ) -> Result<EtcdBackend, LockError> {
        let gateway = Gateway::new(settings).map_err(|reason| LockError::Unavailable {
            reason: format!("etcd client: {reason}"),
        })?;
        Ok(EtcdBackend {
            gateway: Arc::new(gateway),
            settings: settings.clone(),
            keys: Keys::new(&settings.prefix, collector_id),
            written_by: written_by.to_owned(),
        })
    }

    /// The collector's keys.
    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Reads the stored envelope without taking the lock (`n6-state show`); `None` when
    /// there is no state key.
    pub fn read_unlocked(&self) -> Result<Option<Vec<u8>>, LockError> {
        let answer = self
            .gateway
            .call(
                "/v3/kv/range",
                &json!({"key": b64(self.keys.state.as_bytes())}),
            )
            .map_err(unavailable)?;
        match answer.get("kvs").and_then(|kvs| kvs.get(0)) {
            Some(kv) => Ok(Some(
                unb64("/v3/kv/range", kv.get("value")).map_err(unavailable)?,
            )),
            None => Ok(None),
        }
    }

    fn grant(&self) -> Result<(i64, Instant), LockError> {
        let sent = Instant::now();
        let ttl = self.settings.lease_ttl.as_secs();
        let answer = self
            .gateway
            .call("/v3/lease/grant", &json!({"TTL": ttl.to_string()}))
            .map_err(unavailable)?;
        match num(answer.get("ID")) {
            0 => Err(LockError::Unavailable {
                reason: format!("etcd granted no lease: {answer}"),
            }),
            id => Ok((id, sent)),
        }
    }

    /// Step 2's transaction under `lease`: if the lock key is absent, put it with
    /// `lock_value` and read the state and `last_run`; otherwise read all three. The
    /// lease is revoked when the call fails.
    fn lock_txn(&self, lease: i64, lock_value: &str) -> Result<Json, LockError> {
        let txn = json!({
            "compare": [{"key": b64(self.keys.lock.as_bytes()), "target": "CREATE",
                         "result": "EQUAL", "create_revision": "0"}],
            "success": [
                {"requestPut": {"key": b64(self.keys.lock.as_bytes()),
                                "value": b64(lock_value.as_bytes()),
                                "lease": lease.to_string()}},
                range(&self.keys.state),
                range(&self.keys.last_run),
            ],
            "failure": [range(&self.keys.lock), range(&self.keys.state), range(&self.keys.last_run)],
        });
        match self.gateway.call(TXN_CALL, &txn) {
            Ok(answer) => Ok(answer),
            Err(e) => {
                revoke(&self.gateway, lease);
                Err(unavailable(e))
            }
        }
    }

    /// The fencing token from the lock transaction's `answer`: the lock's create
    /// revision when this run (under `lease`) holds it; otherwise the lease is revoked
    /// and the error names the lock's holder.
    fn fencing_token(&self, answer: &Json, lease: i64) -> Result<i64, LockError> {
        if answer.get("succeeded").and_then(Json::as_bool) == Some(true) {
            return Ok(num(answer.get("header").and_then(|h| h.get("revision"))));
        }
        let lock = txn_kv(answer, 0);
        if lock.map(|kv| num(kv.get("lease"))) == Some(lease) {
            // An earlier attempt of this transaction went through: the lock is ours.
            Ok(lock.map(|kv| num(kv.get("create_revision"))).unwrap_or(0))
        } else {
            revoke(&self.gateway, lease);
            Err(LockError::HeldElsewhere {
                lock_key: self.keys.lock.clone(),
                holder: describe_holder(TXN_CALL, lock),
            })
        }
    }

    /// The stored envelope in the state key's kv, if any; the lease is revoked when it
    /// cannot be decoded.
    fn stored_envelope(
        &self,
        state_kv: Option<&Json>,
        lease: i64,
    ) -> Result<Option<Vec<u8>>, LockError> {
        match state_kv {
            Some(kv) => Ok(Some(unb64(TXN_CALL, kv.get("value")).map_err(|e| {
                revoke(&self.gateway, lease);
                unavailable(e)
            })?)),
            None => Ok(None),
        }
    }
}

fn unavailable(e: CallError) -> LockError {
    LockError::Unavailable {
        reason: e.to_string(),
    }
}

fn revoke(gateway: &Gateway, lease: i64) {
    if let Err(e) = gateway.call("/v3/lease/revoke", &json!({"ID": lease.to_string()})) {
        tracing::warn!("cannot revoke the run's etcd lease (it expires by itself): {e}");
    }
}

/// The gateway call of the lock transaction.
const TXN_CALL: &str = "/v3/kv/txn";

/// A new run's id and the lock key's value naming it (`{host, pid, run_id,
/// started_at, written_by}`).
fn run_identity(host: &str, written_by: &str) -> (String, String) {
    let pid = std::process::id();
    let started_at = unix_now();
    let run_id = format!(
        "{host}-{pid}-{}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let lock_value = json!({
        "host": host, "pid": pid, "run_id": run_id,
        "started_at": started_at, "written_by": written_by,
    })
    .to_string();
    (run_id, lock_value)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// This host's name (`gethostname`), or "unknown-host".
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname NUL-terminates on success.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "unknown-host".to_owned();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

fn range(key: &str) -> Json {
    json!({"requestRange": {"key": b64(key.as_bytes())}})
}

/// The first kv of the `index`-th response of a txn answer (a range), if any.
fn txn_kv(answer: &Json, index: usize) -> Option<&Json> {
    answer
        .get("responses")?
        .get(index)?
        .get("response_range")?
        .get("kvs")?
        .get(0)
}

fn describe_holder(call: &str, kv: Option<&Json>) -> String {
    let value = kv.map(|kv| unb64(call, kv.get("value")).unwrap_or_default());
    let parsed: Option<Json> = value.and_then(|v| serde_json::from_slice(&v).ok());
    match parsed {
        Some(v) => format!(
            "host {} pid {} since {}",
            v.get("host").and_then(Json::as_str).unwrap_or("?"),
            v.get("pid")
                .map(Json::to_string)
                .unwrap_or_else(|| "?".into()),
            v.get("started_at")
                .map(Json::to_string)
                .unwrap_or_else(|| "?".into()),
        ),
        None => "an unknown run".to_owned(),
    }
}

impl StateBackend for EtcdBackend {
    fn describe(&self) -> String {
        format!(
            "etcd key {} ({} endpoint(s))",
            self.keys.state,
            self.gateway.endpoints().len()
        )
    }

    fn location(&self) -> PathBuf {
        PathBuf::from(format!("etcd:{}", self.keys.state))
    }

    fn written_by(&self) -> &str {
        &self.written_by
    }

    fn begin(&self) -> Result<Box<dyn HeldRun>, LockError> {
        let (lease, granted) = self.grant()?;
        let host = host_name();
        let (run_id, lock_value) = run_identity(&host, &self.written_by);
        let answer = self.lock_txn(lease, &lock_value)?;
        let token = self.fencing_token(&answer, lease)?;
        let (state_kv, last_run_kv) = (txn_kv(&answer, 1), txn_kv(&answer, 2));
        let stored = self.stored_envelope(state_kv, lease)?;
        let last_run: Option<Json> = last_run_kv
            .and_then(|kv| unb64(TXN_CALL, kv.get("value")).ok())
            .and_then(|v| serde_json::from_slice(&v).ok());
        let keepalive = KeepAlive::start(
            Arc::clone(&self.gateway),
            lease,
            self.settings.lease_ttl,
            granted,
        );
        Ok(Box::new(EtcdHeld {
            gateway: Arc::clone(&self.gateway),
            keys: self.keys.clone(),
            location: self.location(),
            lease,
            token,
            state_revision: state_kv.map(|kv| num(kv.get("mod_revision"))).unwrap_or(0),
            stored,
            last_run,
            run_id,
            host,
            max_state_bytes: self.settings.max_state_bytes,
            min_interval: self.settings.fleet_min_interval,
            keepalive: Some(keepalive),
        }))
    }
}

/// A run holding the etcd lock.
struct EtcdHeld {
    gateway: Arc<Gateway>,
    keys: Keys,
    location: PathBuf,
    lease: i64,
    /// The lock key's create revision: the fencing token.
    token: i64,
    /// The state key's mod revision as last read or written (0: no state key).
    state_revision: i64,
    stored: Option<Vec<u8>>,
    last_run: Option<Json>,
    run_id: String,
    host: String,
    max_state_bytes: usize,
    min_interval: Duration,
    keepalive: Option<KeepAlive>,
}

impl EtcdHeld {
    fn lost(&self, reason: impl Into<String>) -> LockError {
        LockError::Lost {
            lock_key: self.keys.lock.clone(),
            reason: reason.into(),
        }
    }

    fn fence(&self) -> Json {
        json!({"key": b64(self.keys.lock.as_bytes()), "target": "CREATE",
               "result": "EQUAL", "create_revision": self.token.to_string()})
    }
}

impl HeldRun for EtcdHeld {
    fn location(&self) -> &Path {
        &self.location
    }

    fn stored(&mut self) -> Result<Option<Box<dyn BufRead + '_>>, StateError> {
        Ok(self
            .stored
            .as_deref()
            .map(|bytes| Box::new(Cursor::new(bytes)) as Box<dyn BufRead>))
    }

    fn replace(&mut self, write: &mut EnvelopeWriter<'_>) -> Result<(), SaveError> {
        const CALL: &str = "/v3/kv/txn";
        let mut envelope = Vec::new();
        write(&mut envelope).map_err(|source| StateError::Io {
            path: self.location.clone(),
            action: "encode",
            source,
        })?;
        if envelope.len() > self.max_state_bytes {
            return Err(StateError::TooLarge {
                path: self.location.clone(),
                size: envelope.len(),
                limit: self.max_state_bytes,
            }
            .into());
        }
        if let Some(ms) = std::env::var(TEST_DELAY_BEFORE_SAVE_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            eprintln!("{TEST_DELAY_BEFORE_SAVE_ENV}: pausing {ms} ms before the save");
            std::thread::sleep(Duration::from_millis(ms));
        }
        let txn = json!({
            "compare": [
                self.fence(),
                {"key": b64(self.keys.state.as_bytes()), "target": "MOD", "result": "EQUAL",
                 "mod_revision": self.state_revision.to_string()},
            ],
            "success": [{"requestPut": {"key": b64(self.keys.state.as_bytes()),
                                        "value": b64(&envelope)}}],
            "failure": [range(&self.keys.lock), range(&self.keys.state)],
        });
        let answer = self
            .gateway
            .call(CALL, &txn)
            .map_err(|e| LockError::Unavailable {
                reason: format!("the state was not saved: {e}"),
            })?;
        if answer.get("succeeded").and_then(Json::as_bool) == Some(true) {
            self.state_revision = num(answer.get("header").and_then(|h| h.get("revision")));
            self.stored = Some(envelope);
            tracing::debug!("saved the collector state to {}", self.keys.state);
            return Ok(());
        }
        let lock = txn_kv(&answer, 0);
        let state = txn_kv(&answer, 1);
        let lock_revision = lock.map(|kv| num(kv.get("create_revision"))).unwrap_or(0);
        if lock_revision == self.token
            && let Some(kv) = state
            && unb64(CALL, kv.get("value")).ok().as_deref() == Some(envelope.as_slice())
        {
            // An earlier attempt of this very save went through (its answer was lost).
            self.state_revision = num(kv.get("mod_revision"));
            self.stored = Some(envelope);
            return Ok(());
        }
        let reason = if lock_revision == 0 {
            "the run's lease ended; another run may have taken over".to_owned()
        } else if lock_revision != self.token {
            format!(
                "another run holds the lock now: {}",
                describe_holder(CALL, lock)
            )
        } else {
            "the state was changed by someone else since this run read it".to_owned()
        };
        Err(self.lost(format!("the save was refused: {reason}")).into())
    }

    fn still_held(&self) -> Result<(), LockError> {
        let Some(keepalive) = &self.keepalive else {
            return Ok(());
        };
        keepalive.check().map_err(|(gone, reason)| {
            if gone {
                self.lost(reason)
            } else {
                LockError::Unavailable { reason }
            }
        })
    }

    fn skip_reason(&self) -> Option<String> {
        if self.min_interval.is_zero() {
            return None;
        }
        let last = self.last_run.as_ref()?;
        let finished = last.get("finished_at").and_then(Json::as_u64)?;
        let ago = unix_now().saturating_sub(finished);
        (ago < self.min_interval.as_secs()).then(|| {
            format!(
                "collected {ago} s ago by host {} (fleet_min_interval = {} s); nothing to do",
                last.get("host").and_then(Json::as_str).unwrap_or("?"),
                self.min_interval.as_secs()
            )
        })
    }

    fn finish(&mut self, messages: u64) {
        let record = json!({
            "run_id": self.run_id, "host": self.host,
            "finished_at": unix_now(), "messages": messages,
        })
        .to_string();
        let txn = json!({
            "compare": [self.fence()],
            "success": [{"requestPut": {"key": b64(self.keys.last_run.as_bytes()),
                                        "value": b64(record.as_bytes())}}],
        });
        match self.gateway.call("/v3/kv/txn", &txn) {
            Ok(answer) if answer.get("succeeded").and_then(Json::as_bool) == Some(true) => {}
            Ok(_) => tracing::warn!(
                "cannot record the run in {}: the lock was lost",
                self.keys.last_run
            ),
            Err(e) => tracing::warn!("cannot record the run in {}: {e}", self.keys.last_run),
        }
    }
}

impl Drop for EtcdHeld {
    fn drop(&mut self) {
        let unreachable = self.keepalive.as_ref().is_some_and(KeepAlive::unreachable);
        drop(self.keepalive.take());
        if unreachable {
            tracing::warn!(
                "etcd is unreachable: not revoking the run's lease; it expires by itself"
            );
        } else {
            revoke(&self.gateway, self.lease);
        }
    }
}
