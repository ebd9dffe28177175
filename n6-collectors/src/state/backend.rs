//! One API over where a collector's state lives and how its runs exclude each other.
//!
//! - [`StateBackend`]: [`StateBackend::begin`] takes the run lock without waiting and
//!   reads the stored envelope in the same step, giving a [`HeldRun`].
//! - [`HeldRun`]: the envelope as it was read, [`HeldRun::replace`] to store a new one
//!   while the lock is held, [`HeldRun::still_held`] to ask whether the lock can still be
//!   vouched for. Dropping it releases the lock.
//! - [`FileBackend`]: today's state file and `flock` run lock ([`StateStore`],
//!   [`RunLock`]), unchanged; the default.
//! - [`super::etcd::EtcdBackend`]: state and lock in etcd, every save fenced.
//!
//! The envelope (header, collector check, schema versions, migrations, byte offsets in
//! errors) is the same on every backend: [`load_typed`] and [`save_typed`].
//!
//! The backend is chosen by `[n6_collectors_state]` ([`STATE_CONFIG_SPEC`]).

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::envelope::{
    Activity, EncodeError, EnvelopeHeader, write_envelope, write_envelope_encoded,
};
use super::error::{LockError, StateError};
use super::etcd::{EtcdBackend, EtcdSettings};
use super::lock::RunLock;
use super::store::{Loaded, Migration, StateStore, decode_state};
use crate::config::Value;

/// Writes a whole envelope; what [`HeldRun::replace`] stores.
pub type EnvelopeWriter<'a> = dyn FnMut(&mut dyn Write) -> io::Result<()> + 'a;

/// Where a collector's state lives, and how its runs exclude each other.
pub trait StateBackend: Send + Sync {
    /// For messages: "state file /var/lib/…/x.cbor" or "etcd key /n6/…/x/state (3 endpoints)".
    fn describe(&self) -> String;
    /// Where the state is, as errors name it: the file, or `etcd:{key}`.
    fn location(&self) -> PathBuf;
    /// What saves record as `written_by` (program and crate version).
    fn written_by(&self) -> &str;
    /// Takes the run lock without waiting and reads the stored state in the same step.
    ///
    /// # Errors
    /// [`LockError::AlreadyRunning`] / [`LockError::HeldElsewhere`] (exit 75) when
    /// another run holds the lock; [`LockError::Unavailable`] (69) when the lock service
    /// cannot be reached; [`LockError::Io`] (74) for a local file problem.
    fn begin(&self) -> Result<Box<dyn HeldRun>, LockError>;
}

/// A run that holds the lock. Dropping it releases the lock.
pub trait HeldRun: Send {
    /// Where the state is, as errors name it.
    fn location(&self) -> &Path;
    /// The stored envelope as it was when the lock was taken; `None`: no state yet.
    fn stored(&mut self) -> Result<Option<Box<dyn BufRead + '_>>, StateError>;
    /// Replaces the stored envelope with what `write` writes, if this run still holds
    /// the lock and nobody else wrote since it was read.
    fn replace(&mut self, write: &mut EnvelopeWriter<'_>) -> Result<(), SaveError>;
    /// `Err` once the lock is lost or can no longer be vouched for.
    fn still_held(&self) -> Result<(), LockError>;
    /// `Some(reason)` when this run should not collect because a good run finished
    /// recently (`fleet_min_interval`).
    fn skip_reason(&self) -> Option<String> {
        None
    }
    /// Records the end of a successful run (who and when), for `fleet_min_interval`.
    fn finish(&mut self, _messages: u64) {}
}

/// Why [`HeldRun::replace`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The state could not be written (74) or encoded.
    #[error(transparent)]
    State(#[from] StateError),
    /// The lock was lost (75) or the backend is unreachable (69): not saved.
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// Loads the typed state from `held` (see [`StateStore::load`] for what is checked).
pub fn load_typed<S: DeserializeOwned>(
    held: &mut dyn HeldRun,
    collector_id: &str,
    schema_version: u32,
    migrate: Option<Migration<S>>,
) -> Result<Option<Loaded<S>>, StateError> {
    let location = held.location().to_owned();
    let Some(reader) = held.stored()? else {
        return Ok(None);
    };
    decode_state(&location, reader, collector_id, schema_version, migrate).map(Some)
}

/// Saves `state` with `schema_version` through `held`, in a new envelope header (with
/// `activity`, the run history of run tracking).
pub fn save_typed<S: Serialize + ?Sized>(
    held: &mut dyn HeldRun,
    collector_id: &str,
    written_by: &str,
    activity: Activity,
    state: &S,
    schema_version: u32,
) -> Result<(), SaveError> {
    let mut header = EnvelopeHeader::now(collector_id, schema_version, written_by);
    header.activity = activity;
    save_with_header(held, &header, state)
}

/// Saves `state` through `held` in an envelope with `header` (its `saved_at` as given).
pub fn save_with_header<S: Serialize + ?Sized>(
    held: &mut dyn HeldRun,
    header: &EnvelopeHeader,
    state: &S,
) -> Result<(), SaveError> {
    let mut encode_error = None;
    let result = held.replace(&mut |writer: &mut dyn Write| {
        write_envelope(&mut &mut *writer, header, state).map_err(|e| match e {
            EncodeError::Io(e) => e,
            EncodeError::Value(reason) => {
                encode_error = Some(reason);
                io::Error::other("the state cannot be encoded")
            }
        })
    });
    match (result, encode_error) {
        (Err(_), Some(reason)) => Err(SaveError::State(StateError::Encode {
            path: held.location().to_owned(),
            reason,
        })),
        (result, _) => result,
    }
}

/// [`save_with_header`] with the state already encoded as CBOR (`payload`): the run's
/// saver encodes a state once, compares it with what is stored, and writes those bytes.
pub(crate) fn save_encoded(
    held: &mut dyn HeldRun,
    header: &EnvelopeHeader,
    payload: &[u8],
) -> Result<(), SaveError> {
    held.replace(&mut |writer: &mut dyn Write| {
        write_envelope_encoded(&mut &mut *writer, header, payload).map_err(|e| match e {
            EncodeError::Io(e) => e,
            EncodeError::Value(reason) => io::Error::other(reason),
        })
    })
}

/// Stores already-encoded envelope bytes through `held` (tooling: import, copy).
pub fn save_raw(held: &mut dyn HeldRun, envelope: &[u8]) -> Result<(), SaveError> {
    held.replace(&mut |writer: &mut dyn Write| writer.write_all(envelope))
}

/// The state file and `flock` run lock of one collector (today's behaviour).
#[derive(Debug, Clone)]
pub struct FileBackend {
    store: StateStore,
    /// What the run lock is named after: the state file, or for a collector without state,
    /// the collector (`{StructName}` in the state directory).
    lock_subject: PathBuf,
    /// A read-only run (`--check-config`, `--dry-run`) creates neither the state directory
    /// nor the lock file: it locks only a lock file that exists already.
    read_only: bool,
}

impl FileBackend {
    /// The backend of `store`'s file, locked on `<state file>.lock`.
    pub fn new(store: StateStore) -> FileBackend {
        let lock_subject = store.path().to_owned();
        FileBackend {
            store,
            lock_subject,
            read_only: false,
        }
    }

    /// Locks on `<lock_subject>.lock` instead, and for a `read_only` run creates nothing.
    pub fn with_lock(mut self, lock_subject: PathBuf, read_only: bool) -> FileBackend {
        self.lock_subject = lock_subject;
        self.read_only = read_only;
        self
    }

    /// The state store.
    pub fn store(&self) -> &StateStore {
        &self.store
    }
}

impl StateBackend for FileBackend {
    fn describe(&self) -> String {
        format!("state file {}", self.store.path().display())
    }

    fn location(&self) -> PathBuf {
        self.store.path().to_owned()
    }

    fn written_by(&self) -> &str {
        self.store.written_by()
    }

    fn begin(&self) -> Result<Box<dyn HeldRun>, LockError> {
        let lock = if self.read_only {
            RunLock::acquire_if_present(&self.lock_subject)?
        } else {
            Some(RunLock::acquire(&self.lock_subject)?)
        };
        Ok(Box::new(FileHeld {
            _lock: lock,
            store: self.store.clone(),
        }))
    }
}

/// A file run: the `flock` is held as long as this lives.
struct FileHeld {
    _lock: Option<RunLock>,
    store: StateStore,
}

impl HeldRun for FileHeld {
    fn location(&self) -> &Path {
        self.store.path()
    }

    fn stored(&mut self) -> Result<Option<Box<dyn BufRead + '_>>, StateError> {
        Ok(self
            .store
            .open_reader()?
            .map(|reader| Box::new(reader) as Box<dyn BufRead>))
    }

    fn replace(&mut self, write: &mut EnvelopeWriter<'_>) -> Result<(), SaveError> {
        Ok(self.store.save_with(write)?)
    }

    fn still_held(&self) -> Result<(), LockError> {
        Ok(()) // the kernel holds a flock until the process ends
    }
}

/// The section that chooses the backend.
pub const STATE_SECTION: &str = "n6_collectors_state";

/// The spec of `[n6_collectors_state]`: every option has a default, so the section is
/// optional (then the state stays in files). Durations in seconds.
pub const STATE_CONFIG_SPEC: &str = "\
[n6_collectors_state]
backend = file :: str
etcd_endpoints = :: list_of_str
etcd_prefix = /n6/collectors/v1 :: str
etcd_lease_ttl = 15 :: int
etcd_request_timeout = 2 :: float
etcd_ca_certs = :: str
etcd_certfile = :: str
etcd_keyfile = :: str
etcd_username = :: str
etcd_password = :: str
etcd_max_state_bytes = 1048576 :: int
fleet_min_interval = 0 :: int
";

/// Which backend `[n6_collectors_state]` chose.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// State files in the state directory (the default).
    #[default]
    File,
    /// etcd, with these settings.
    Etcd(Box<EtcdSettings>),
}

impl BackendChoice {
    /// Reads the converted values of `[n6_collectors_state]`; every problem at once.
    pub fn from_values<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<BackendChoice, Vec<String>> {
        let mut problems = Vec::new();
        let mut backend = "file".to_owned();
        let mut settings = EtcdSettings::new(Vec::new());
        for (name, value) in values {
            match (name, value) {
                ("backend", Value::Str(s)) => backend = s.trim().to_ascii_lowercase(),
                _ => {
                    if let Err(problem) = set_etcd_option(&mut settings, name, value) {
                        problems.push(problem);
                    }
                }
            }
        }
        problems.extend(endpoint_problems(&settings));
        let choice = choose_backend(&backend, settings, &mut problems);
        if problems.is_empty() {
            Ok(choice)
        } else {
            Err(problems)
        }
    }

    /// The backend for one collector: its state file (file backend) or its keys.
    /// `file_lock` names the file backend's lock subject and whether the run is read-only
    /// (see [`FileBackend::with_lock`]); the etcd backend ignores it.
    pub fn backend(
        &self,
        store: StateStore,
        written_by: &str,
        file_lock: Option<(PathBuf, bool)>,
    ) -> Result<Box<dyn StateBackend>, LockError> {
        match self {
            BackendChoice::File => {
                let backend = FileBackend::new(store);
                Ok(Box::new(match file_lock {
                    Some((subject, read_only)) => backend.with_lock(subject, read_only),
                    None => backend,
                }))
            }
            BackendChoice::Etcd(settings) => Ok(Box::new(EtcdBackend::new(
                settings,
                store.collector_id(),
                written_by,
            )?)),
        }
    }
}

/// Sets the etcd (or fleet) option `name` of `[n6_collectors_state]` in `settings`;
/// the problem with its value, if any (options of other names are ignored).
fn set_etcd_option(settings: &mut EtcdSettings, name: &str, value: &Value) -> Result<(), String> {
    let section = STATE_SECTION;
    let path = |s: &str| (!s.trim().is_empty()).then(|| expand_home(s.trim()));
    match (name, value) {
        ("etcd_endpoints", Value::List(items)) => {
            settings.endpoints = items
                .iter()
                .filter_map(|item| match item {
                    Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                    _ => None,
                })
                .collect();
        }
        ("etcd_prefix", Value::Str(s)) => {
            settings.prefix = s.trim().trim_end_matches('/').to_owned();
            if !settings.prefix.starts_with('/') {
                return Err(format!(
                    "[{section}] etcd_prefix: {s:?} must start with '/'"
                ));
            }
        }
        ("etcd_lease_ttl", Value::Int(n)) => match u64::try_from(*n) {
            Ok(n) if n >= 2 => settings.lease_ttl = Duration::from_secs(n),
            _ => {
                return Err(format!(
                    "[{section}] etcd_lease_ttl: {n} (must be at least 2 seconds)"
                ));
            }
        },
        ("etcd_request_timeout", Value::Float(f)) => {
            if f.is_finite() && *f >= 0.05 {
                settings.request_timeout = Duration::from_secs_f64(*f);
            } else {
                return Err(format!(
                    "[{section}] etcd_request_timeout: {f} (must be at least 0.05 seconds)"
                ));
            }
        }
        ("etcd_ca_certs", Value::Str(s)) => settings.ca_certs = path(s),
        ("etcd_certfile", Value::Str(s)) => settings.certfile = path(s),
        ("etcd_keyfile", Value::Str(s)) => settings.keyfile = path(s),
        ("etcd_username", Value::Str(s)) => settings.username = (!s.is_empty()).then(|| s.clone()),
        ("etcd_password", Value::Str(s)) => settings.password = (!s.is_empty()).then(|| s.clone()),
        ("etcd_max_state_bytes", Value::Int(n)) => match usize::try_from(*n) {
            Ok(n) if n >= 1024 => settings.max_state_bytes = n,
            _ => {
                return Err(format!(
                    "[{section}] etcd_max_state_bytes: {n} (must be at least 1024)"
                ));
            }
        },
        ("fleet_min_interval", Value::Int(n)) => match u64::try_from(*n) {
            Ok(n) => settings.fleet_min_interval = Duration::from_secs(n),
            _ => {
                return Err(format!(
                    "[{section}] fleet_min_interval: {n} (must be 0 or more seconds)"
                ));
            }
        },
        _ => {}
    }
    Ok(())
}

/// One problem for each etcd endpoint that is not an `http://` or `https://` URL.
fn endpoint_problems(settings: &EtcdSettings) -> Vec<String> {
    let section = STATE_SECTION;
    settings
        .endpoints
        .iter()
        .filter(|endpoint| !(endpoint.starts_with("http://") || endpoint.starts_with("https://")))
        .map(|endpoint| {
            format!("[{section}] etcd_endpoints: {endpoint:?} must start with http:// or https://")
        })
        .collect()
}

/// The backend `backend` names, with the etcd settings checked as a whole (endpoints,
/// credentials, TLS files); problems go to `problems`.
fn choose_backend(
    backend: &str,
    settings: EtcdSettings,
    problems: &mut Vec<String>,
) -> BackendChoice {
    let section = STATE_SECTION;
    match backend {
        "file" => BackendChoice::File,
        "etcd" => {
            if settings.endpoints.is_empty() {
                problems.push(format!(
                    "[{section}] backend = etcd needs etcd_endpoints (e.g. https://etcd1:2379, https://etcd2:2379, https://etcd3:2379)"
                ));
            }
            if settings.password.is_some() && settings.username.is_none() {
                problems.push(format!(
                    "[{section}] etcd_password is set but etcd_username is not"
                ));
            }
            if let Err(e) = super::etcd::config::tls_config(&settings) {
                problems.push(format!("[{section}] {e}"));
            }
            BackendChoice::Etcd(Box::new(settings))
        }
        other => {
            problems.push(format!(
                "[{section}] backend: {other:?} (must be file or etcd)"
            ));
            BackendChoice::File
        }
    }
}

fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(options: &[(&str, Value)]) -> Result<BackendChoice, Vec<String>> {
        BackendChoice::from_values(options.iter().map(|(k, v)| (*k, v)))
    }

    #[test]
    fn file_is_the_default_and_etcd_takes_every_option() {
        assert_eq!(choose(&[]), Ok(BackendChoice::File));
        let choice = choose(&[
            ("backend", Value::Str("etcd".into())),
            (
                "etcd_endpoints",
                Value::List(vec![
                    Value::Str("http://a:2379".into()),
                    Value::Str(" https://b:2379 ".into()),
                ]),
            ),
            ("etcd_prefix", Value::Str("/site/x/".into())),
            ("etcd_lease_ttl", Value::Int(9)),
            ("etcd_request_timeout", Value::Float(0.25)),
            ("etcd_username", Value::Str("n6".into())),
            ("etcd_password", Value::Str("pw".into())),
            ("fleet_min_interval", Value::Int(1700)),
        ])
        .expect("valid");
        let BackendChoice::Etcd(settings) = choice else {
            panic!("etcd expected")
        };
        assert_eq!(settings.endpoints, ["http://a:2379", "https://b:2379"]);
        assert_eq!(settings.prefix, "/site/x");
        assert_eq!(settings.lease_ttl, Duration::from_secs(9));
        assert_eq!(settings.request_timeout, Duration::from_millis(250));
        assert_eq!(settings.fleet_min_interval, Duration::from_secs(1700));
        let debug = format!("{settings:?}");
        assert!(
            debug.contains("***") && !debug.contains("\"pw\""),
            "{debug}"
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = choose(&[
            ("backend", Value::Str("etcd".into())),
            ("etcd_prefix", Value::Str("relative".into())),
            ("etcd_lease_ttl", Value::Int(1)),
            ("etcd_password", Value::Str("pw".into())),
            ("etcd_certfile", Value::Str("/c.pem".into())),
        ])
        .expect_err("invalid");
        let text = problems.join("\n");
        for needle in [
            "etcd_prefix",
            "etcd_lease_ttl",
            "needs etcd_endpoints",
            "etcd_username is not",
            "etcd_keyfile must be given together",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(!text.contains("pw"), "{text}");
        let problems = choose(&[("backend", Value::Str("zookeeper".into()))]).unwrap_err();
        assert!(problems[0].contains("must be file or etcd"), "{problems:?}");
    }

    #[test]
    fn the_margin_leaves_time_to_renew() {
        use crate::state::etcd::keepalive::margin;
        assert_eq!(margin(Duration::from_secs(15)), Duration::from_secs(3));
        assert_eq!(margin(Duration::from_secs(3)), Duration::from_secs(1));
        assert_eq!(margin(Duration::from_secs(60)), Duration::from_secs(12));
        for ttl in 2..120 {
            let ttl = Duration::from_secs(ttl);
            // Renewals every ttl/3 keep the deadline ahead: ttl - margin > ttl/3.
            assert!(ttl - margin(ttl) > ttl / 3, "{ttl:?}");
        }
    }
}
