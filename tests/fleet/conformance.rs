//! Backend conformance: the same cases against the file backend and the etcd backend
//! (the library API: `StateBackend::begin`, `load_typed`, `save_typed`).

use std::collections::BTreeMap;
use std::time::Duration;

use n6_collectors::state::etcd::{EtcdBackend, EtcdSettings, Keys};
use n6_collectors::state::{
    Activity, FileBackend, LockError, SaveError, StateBackend, StateError, StateStore, load_typed,
    save_typed,
};

use crate::cluster::cluster;

const COLLECTOR: &str = "fleet_test.Collector";
const WRITER: &str = "fleet-test (n6-collectors test)";

type State = BTreeMap<String, u64>;

fn state(n: u64) -> State {
    BTreeMap::from([("rows".to_owned(), n)])
}

fn load(backend: &dyn StateBackend) -> Option<State> {
    let mut held = backend.begin().expect("begin");
    load_typed::<State>(&mut *held, COLLECTOR, 1, None)
        .expect("load")
        .map(|l| l.state)
}

fn save(backend: &dyn StateBackend, n: u64) {
    let mut held = backend.begin().expect("begin");
    save_typed(
        &mut *held,
        COLLECTOR,
        WRITER,
        Activity::default(),
        &state(n),
        1,
    )
    .expect("save");
}

fn etcd_settings(prefix: &str) -> Option<EtcdSettings> {
    let cluster = cluster()?;
    let mut settings = EtcdSettings::new(cluster.endpoints.clone());
    settings.prefix = prefix.to_owned();
    settings.lease_ttl = Duration::from_secs(3);
    settings.request_timeout = Duration::from_millis(500);
    settings.max_state_bytes = 64 * 1024;
    Some(settings)
}

fn etcd_backend(test: &str) -> Option<(EtcdBackend, Keys)> {
    let cluster = cluster()?;
    let settings = etcd_settings(&cluster.prefix(test))?;
    let backend = EtcdBackend::new(&settings, COLLECTOR, WRITER).expect("backend");
    let keys = backend.keys().clone();
    Some((backend, keys))
}

fn file_backend(dir: &tempfile::TempDir) -> FileBackend {
    FileBackend::new(StateStore::new(
        &dir.path().join("state"),
        "fleet_test.Collector.cbor",
        COLLECTOR,
        WRITER,
    ))
}

/// The cases every backend passes.
fn common_cases(backend: &dyn StateBackend) {
    assert_eq!(load(backend), None, "no state yet");
    save(backend, 7);
    assert_eq!(load(backend), Some(state(7)), "round trip");
    save(backend, 8);
    assert_eq!(
        load(backend),
        Some(state(8)),
        "a second save replaces the first"
    );

    let first = backend.begin().expect("first begin");
    first.still_held().expect("held");
    match backend.begin() {
        Err(LockError::AlreadyRunning { .. } | LockError::HeldElsewhere { .. }) => {}
        other => panic!("a second begin must be refused, got {:?}", other.err()),
    }
    drop(first);
    drop(backend.begin().expect("free again after drop"));

    // Migration: a state of schema version 1 read as version 2.
    let mut held = backend.begin().expect("begin");
    let migrated = load_typed::<State>(
        &mut *held,
        COLLECTOR,
        2,
        Some(|from, payload| {
            let mut s: State = payload.deserialized().map_err(|e| e.to_string())?;
            s.insert("migrated_from".into(), u64::from(from));
            Ok(s)
        }),
    )
    .expect("migrate")
    .expect("state");
    assert_eq!(migrated.migrated_from, Some(1));
    assert_eq!(migrated.state["migrated_from"], 1);
    // A newer schema than the binary's is refused, naming the location.
    match load_typed::<State>(&mut *held, COLLECTOR, 0, None) {
        Err(StateError::NewerSchema { path, .. }) => assert_eq!(path, backend.location()),
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    // Another collector's state is refused.
    assert!(matches!(
        load_typed::<State>(&mut *held, "other.Collector", 1, None),
        Err(StateError::WrongCollector { .. })
    ));
}

#[test]
fn file_backend_conformance() {
    let dir = tempfile::tempdir().unwrap();
    let backend = file_backend(&dir);
    common_cases(&backend);
    assert_eq!(
        backend.describe(),
        format!("state file {}", backend.store().path().display())
    );
    // Corrupt bytes: an error naming the file and the offset.
    std::fs::write(backend.store().path(), b"\xd9\xd9\xf7garbage").unwrap();
    let mut held = backend.begin().unwrap();
    let error = load_typed::<State>(&mut *held, COLLECTOR, 1, None).unwrap_err();
    assert_eq!(error.path(), backend.store().path());
    assert!(error.offset().is_some(), "{error}");
}

#[test]
fn etcd_backend_conformance() {
    let Some((backend, keys)) = etcd_backend("conformance") else {
        return;
    };
    let cluster = cluster().unwrap();
    let _shared = cluster.shared();
    common_cases(&backend);
    assert!(
        backend
            .describe()
            .starts_with(&format!("etcd key {}", keys.state))
    );
    assert_eq!(
        backend.location().display().to_string(),
        format!("etcd:{}", keys.state)
    );
    // The state key holds exactly a state file's bytes: what a file backend wrote
    // loads from etcd.
    let dir = tempfile::tempdir().unwrap();
    let files = file_backend(&dir);
    save(&files, 42);
    cluster.put(&keys.state, &std::fs::read(files.store().path()).unwrap());
    assert_eq!(load(&backend), Some(state(42)));

    // Corrupt bytes: an error naming the etcd key and the offset.
    cluster.put(&keys.state, b"\xd9\xd9\xf7garbage");
    let mut held = backend.begin().unwrap();
    let error = load_typed::<State>(&mut *held, COLLECTOR, 1, None).unwrap_err();
    assert_eq!(error.path(), backend.location());
    assert!(error.offset().is_some(), "{error}");
    assert!(error.to_string().contains(&keys.state), "{error}");
    drop(held);
    cluster.delete(&keys.state);
}

#[test]
fn etcd_save_is_fenced_against_a_foreign_write() {
    let Some((backend, keys)) = etcd_backend("fence") else {
        return;
    };
    let cluster = cluster().unwrap();
    let _shared = cluster.shared();
    save(&backend, 1);
    let mut held = backend.begin().unwrap();
    assert_eq!(
        load_typed::<State>(&mut *held, COLLECTOR, 1, None)
            .unwrap()
            .map(|l| l.state),
        Some(state(1))
    );
    // Someone writes the state behind the run's back.
    let (foreign, _) = cluster.get(&keys.state).unwrap();
    cluster.put(&keys.state, &foreign);
    match save_typed(
        &mut *held,
        COLLECTOR,
        WRITER,
        Activity::default(),
        &state(2),
        1,
    ) {
        Err(SaveError::Lock(LockError::Lost { reason, .. })) => {
            assert!(reason.contains("changed by someone else"), "{reason}")
        }
        other => panic!("expected a refused save, got {other:?}"),
    }
    drop(held);
    assert_eq!(load(&backend), Some(state(1)), "the foreign state stays");

    // The lock deleted under a run (its lease gone): the save is refused too.
    let mut held = backend.begin().unwrap();
    cluster.delete(&keys.lock);
    let other = backend.begin().expect("the lock is free for another run");
    match save_typed(
        &mut *held,
        COLLECTOR,
        WRITER,
        Activity::default(),
        &state(3),
        1,
    ) {
        Err(SaveError::Lock(LockError::Lost { reason, .. })) => {
            assert!(reason.contains("another run holds the lock"), "{reason}")
        }
        other => panic!("expected a refused save, got {other:?}"),
    }
    drop(other);
    drop(held);
    assert_eq!(load(&backend), Some(state(1)));
}

#[test]
fn etcd_refuses_a_state_over_the_limit() {
    let Some((backend, keys)) = etcd_backend("too-large") else {
        return;
    };
    let cluster = cluster().unwrap();
    let _shared = cluster.shared();
    let mut big = State::new();
    for i in 0..10_000 {
        big.insert(format!("key-{i:08}"), i);
    }
    let mut held = backend.begin().unwrap();
    match save_typed(&mut *held, COLLECTOR, WRITER, Activity::default(), &big, 1) {
        Err(SaveError::State(e @ StateError::TooLarge { .. })) => {
            assert!(e.is_io(), "exit 74");
            assert!(e.to_string().contains("65536 bytes"), "{e}");
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    drop(held);
    assert!(cluster.get(&keys.state).is_none(), "nothing stored");
}

#[test]
fn etcd_lock_is_released_at_once_and_names_its_holder() {
    let Some((backend, keys)) = etcd_backend("holder") else {
        return;
    };
    let cluster = cluster().unwrap();
    let _shared = cluster.shared();
    let held = backend.begin().unwrap();
    let (value, _) = cluster.get(&keys.lock).expect("lock key");
    let value: serde_json::Value = serde_json::from_slice(&value).unwrap();
    assert_eq!(value["pid"], std::process::id());
    assert_eq!(value["written_by"], WRITER);
    match backend.begin() {
        Err(e @ LockError::HeldElsewhere { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains(&format!("pid {}", std::process::id())),
                "{text}"
            );
        }
        other => panic!("expected HeldElsewhere, got {:?}", other.err()),
    }
    drop(held);
    assert!(
        cluster.get(&keys.lock).is_none(),
        "revoking the lease deleted the lock"
    );
}

#[test]
fn etcd_unreachable_is_unavailable() {
    let settings = {
        let mut s = EtcdSettings::new(vec![
            "http://127.0.0.1:9".to_owned(),
            "http://127.0.0.1:7".to_owned(),
        ]);
        s.request_timeout = Duration::from_millis(300);
        s
    };
    let backend = EtcdBackend::new(&settings, COLLECTOR, WRITER).unwrap();
    match backend.begin() {
        Err(e @ LockError::Unavailable { .. }) => {
            assert!(e.to_string().contains("127.0.0.1:9"), "{e}")
        }
        other => panic!("expected Unavailable, got {:?}", other.err()),
    }
}
