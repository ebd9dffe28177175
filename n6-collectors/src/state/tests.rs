//! Tests of the state store as a whole: round trips, the on-disk layout, every corrupt
//! case (file untouched, error names file and offset), permissions, migrations.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use ciborium::Value;
use serde::{Deserialize, Serialize};

use super::*;

const COLLECTOR: &str = "urlhaus_urls.UrlhausUrlsCollector";
const WRITTEN_BY: &str = "urlhaus_urls (n6-collectors 0.1.0)";
const FILE_NAME: &str = "urlhaus_urls.UrlhausUrlsCollector.cbor";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Cursor {
    newest_row_time: String,
    newest_rows: BTreeSet<String>,
    seen: HashSet<String>,
    #[serde(with = "serde_bytes")]
    digest: Vec<u8>,
    per_day: BTreeMap<String, BTreeMap<String, u64>>,
    rows_count: u64,
}

fn sample() -> Cursor {
    Cursor {
        newest_row_time: "2024-01-02 03:04:05".to_owned(),
        newest_rows: ["\"ham\",\"2019-07-13\"", "zażółć"]
            .into_iter()
            .map(String::from)
            .collect(),
        seen: ["a", "b"].into_iter().map(String::from).collect(),
        digest: vec![0, 1, 2, 0xff],
        per_day: BTreeMap::from([(
            "2024-01-02".to_owned(),
            BTreeMap::from([("x".to_owned(), 7), ("y".to_owned(), u64::MAX)]),
        )]),
        rows_count: 7,
    }
}

fn store_in(dir: &Path) -> StateStore {
    StateStore::new(dir, FILE_NAME, COLLECTOR, WRITTEN_BY)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Writes a valid state file and returns its bytes.
fn saved_bytes(store: &StateStore) -> Vec<u8> {
    store.save(&sample(), 1).unwrap();
    fs::read(store.path()).unwrap()
}

/// Loads from a file holding `bytes`; asserts a content error naming the file and
/// `offset`, and that the file is unchanged. Returns the error.
fn load_corrupt(store: &StateStore, bytes: &[u8], offset: u64) -> StateError {
    load_corrupt_as::<Cursor>(store, bytes, offset)
}

/// [`load_corrupt`] loading the state as `T`.
fn load_corrupt_as<T: serde::de::DeserializeOwned + std::fmt::Debug>(
    store: &StateStore,
    bytes: &[u8],
    offset: u64,
) -> StateError {
    fs::write(store.path(), bytes).unwrap();
    let err = store
        .load::<T>(1, None)
        .expect_err("a corrupt file must not load");
    assert_eq!(err.kind(), StateErrorKind::Data, "{err}");
    assert_eq!(err.offset(), Some(offset), "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&store.path().display().to_string()), "{msg}");
    assert!(msg.contains(&format!("byte offset {offset}")), "{msg}");
    assert_eq!(fs::read(store.path()).unwrap(), bytes, "file changed");
    err
}

/// An envelope built by hand (for versions and shapes `save` never writes).
fn envelope(entries: Vec<(&str, Value)>) -> Vec<u8> {
    let map = Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.to_owned()), v))
            .collect(),
    );
    let mut out = Vec::new();
    ciborium::into_writer(&Value::Tag(55799, Box::new(map)), &mut out).unwrap();
    out
}

fn header_entries(envelope_version: u64, schema_version: u64) -> Vec<(&'static str, Value)> {
    vec![
        ("format", Value::Text(FORMAT_MARKER.to_owned())),
        ("envelope_version", Value::Integer(envelope_version.into())),
        ("collector", Value::Text(COLLECTOR.to_owned())),
        ("schema_version", Value::Integer(schema_version.into())),
        ("saved_at", Value::Text("2026-11-24T08:00:00Z".to_owned())),
        (
            "written_by",
            Value::Text("other_prog (n6-collectors 9.9.9)".to_owned()),
        ),
    ]
}

/// The offset of the value of envelope key `key` (a short text key) in `bytes`.
fn value_offset(bytes: &[u8], key: &str) -> u64 {
    let mut needle = vec![0x60 + key.len() as u8];
    needle.extend_from_slice(key.as_bytes());
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap();
    (at + needle.len()) as u64
}

#[test]
fn file_name_rule() {
    assert_eq!(
        state_file_name("UrlhausUrlsCollector"),
        "UrlhausUrlsCollector.cbor"
    );
    assert_eq!(
        legacy_state_file_name("urlhaus_urls", "UrlhausUrlsCollector"),
        "urlhaus_urls.UrlhausUrlsCollector.cbor"
    );
    assert_eq!(
        legacy_state_file_name("my_crate::feeds::abuse_ch", "FeodoCollector"),
        "my_crate.feeds.abuse_ch.FeodoCollector.cbor"
    );
    let store = StateStore::new(Path::new("/s"), "a.B.cbor", "a.B", "p");
    assert_eq!(store.path(), Path::new("/s/a.B.cbor"));
}

#[test]
fn round_trip_keeps_every_value_and_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let before = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap();
    store.save(&sample(), 4).unwrap();
    let after = time::OffsetDateTime::now_utc();

    let loaded = store.load::<Cursor>(4, None).unwrap().unwrap();
    assert_eq!(loaded.state, sample());
    assert_eq!(loaded.migrated_from, None);
    assert_eq!(loaded.header.envelope_version, 1);
    assert_eq!(loaded.header.collector, COLLECTOR);
    assert_eq!(loaded.header.schema_version, 4);
    assert_eq!(loaded.header.written_by, WRITTEN_BY);
    assert!(loaded.header.saved_at >= before && loaded.header.saved_at <= after);
    assert_eq!(loaded.header.saved_at.offset(), time::UtcOffset::UTC);

    // Saving again replaces the file (no temp file left behind).
    let mut changed = sample();
    changed.rows_count = 8;
    store.save(&changed, 4).unwrap();
    assert_eq!(
        store.load::<Cursor>(4, None).unwrap().unwrap().state,
        changed
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, [FILE_NAME]);
}

#[test]
fn layout_starts_with_the_tag_and_the_header_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = saved_bytes(&store);
    assert_eq!(&bytes[..3], &[0xd9, 0xd9, 0xf7]);
    assert_eq!(bytes[3], 0xa7, "a map of 7 entries");
    let mut expected = vec![0x66];
    expected.extend_from_slice(b"format");
    expected.push(0x73);
    expected.extend_from_slice(b"n6-collectors-state");
    expected.push(0x70);
    expected.extend_from_slice(b"envelope_version");
    expected.push(0x01);
    assert_eq!(&bytes[4..4 + expected.len()], &expected[..]);

    let value: Value = ciborium::from_reader(&bytes[..]).unwrap();
    let (tag, inner) = value.into_tag().unwrap();
    assert_eq!(tag, 55799);
    let map = inner.into_map().unwrap();
    let keys: Vec<_> = map.iter().map(|(k, _)| k.as_text().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "format",
            "envelope_version",
            "collector",
            "schema_version",
            "saved_at",
            "written_by",
            "state"
        ]
    );
    assert_eq!(map[2].1, Value::Text(COLLECTOR.to_owned()));
    assert_eq!(map[5].1, Value::Text(WRITTEN_BY.to_owned()));
    let saved_at = map[4].1.as_text().unwrap();
    assert!(
        saved_at.ends_with('Z') && saved_at.len() == 20,
        "{saved_at}"
    );
    // serde_bytes makes `digest` a CBOR byte string, not an array of integers.
    let state = map[6].1.as_map().unwrap();
    let digest = state
        .iter()
        .find(|(k, _)| k.as_text() == Some("digest"))
        .map(|(_, v)| v.clone());
    assert_eq!(digest, Some(Value::Bytes(vec![0, 1, 2, 0xff])));
}

#[test]
fn read_envelope_untyped_returns_header_and_payload() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    store.save(&vec!["a".to_owned()], 2).unwrap();
    let (header, payload) = StateStore::read_envelope_untyped(store.path())
        .unwrap()
        .unwrap();
    assert_eq!(header.collector, COLLECTOR);
    assert_eq!(header.schema_version, 2);
    assert_eq!(payload, Value::Array(vec![Value::Text("a".to_owned())]));
    let missing = dir.path().join("nope.cbor");
    assert!(
        StateStore::read_envelope_untyped(&missing)
            .unwrap()
            .is_none()
    );
}

#[test]
fn missing_file_gives_none_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("a").join("state");
    let store = store_in(&state_dir);
    assert!(store.load::<Cursor>(1, None).unwrap().is_none());
    assert!(!dir.path().join("a").exists());
    // Directory exists, file does not.
    let store = store_in(dir.path());
    assert!(store.load::<Cursor>(1, None).unwrap().is_none());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn empty_and_one_byte_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let err = load_corrupt(&store, b"", 0);
    assert!(err.to_string().contains("empty"), "{err}");
    load_corrupt(&store, &[0xd9], 1);
    load_corrupt(&store, &[0x00], 0);
}

#[test]
fn every_truncation_is_an_error_at_the_end_of_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let full = saved_bytes(&store);
    for len in 0..full.len() {
        let err = load_corrupt(&store, &full[..len], len as u64);
        assert!(matches!(err, StateError::Corrupt { .. }), "{len}: {err}");
    }
    // The complete file still loads.
    fs::write(store.path(), &full).unwrap();
    assert_eq!(
        store.load::<Cursor>(1, None).unwrap().unwrap().state,
        sample()
    );
}

#[test]
fn garbage_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let err = load_corrupt(&store, b"hello, I am not CBOR\n", 0);
    assert!(err.to_string().contains("self-describe tag"), "{err}");
    // A pickle (what n6 writes) is refused the same way.
    load_corrupt(&store, &[0x80, 0x05, 0x95, 0x00], 0);
    // Tag followed by an invalid map header byte.
    load_corrupt(&store, &[0xd9, 0xd9, 0xf7, 0xbc], 3);
}

#[test]
fn valid_cbor_of_the_wrong_shape_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    // Untagged map.
    let mut untagged = Vec::new();
    ciborium::into_writer(&BTreeMap::from([("format", FORMAT_MARKER)]), &mut untagged).unwrap();
    load_corrupt(&store, &untagged, 0);
    // Tagged array instead of a map.
    let mut array = Vec::new();
    ciborium::into_writer(
        &Value::Tag(55799, Box::new(Value::Array(vec![]))),
        &mut array,
    )
    .unwrap();
    let err = load_corrupt(&store, &array, 3);
    assert!(err.to_string().contains("not a CBOR map"), "{err}");
    // A map that does not start with `format`.
    let mut entries = header_entries(1, 1);
    entries.swap(0, 2);
    let err = load_corrupt(&store, &envelope(entries), 4);
    assert!(err.to_string().contains("`format`"), "{err}");
    // A wrong format marker: offset of the marker value (after tag, map header, key).
    let mut entries = header_entries(1, 1);
    entries[0].1 = Value::Text("something-else".to_owned());
    load_corrupt(&store, &envelope(entries), 4 + 7);
    // A header field of the wrong type.
    let mut entries = header_entries(1, 1);
    entries[2].1 = Value::Integer(5.into());
    let bytes = envelope(entries);
    load_corrupt(&store, &bytes, value_offset(&bytes, "collector") + 1);
    // No `state` entry.
    let bytes = envelope(header_entries(1, 1));
    load_corrupt(&store, &bytes, bytes.len() as u64);
    // A missing header field.
    let mut entries = header_entries(1, 1);
    entries.remove(5);
    entries.push(("state", Value::Null));
    let bytes = envelope(entries);
    let err = load_corrupt(&store, &bytes, bytes.len() as u64 - 1);
    assert!(err.to_string().contains("`written_by`"), "{err}");
    // An entry after `state`.
    let mut entries = header_entries(1, 1);
    entries.push(("state", Value::Null));
    entries.push(("extra", Value::Null));
    let bytes = envelope(entries);
    load_corrupt(&store, &bytes, bytes.len() as u64 - 7);
    // A payload that is not a `Cursor`: the whole array has been read when serde refuses.
    store.save(&vec![1u32, 2, 3], 1).unwrap();
    let bytes = fs::read(store.path()).unwrap();
    let err = load_corrupt(&store, &bytes, value_offset(&bytes, "state") + 1);
    assert!(
        err.to_string().contains("does not have the expected shape"),
        "{err}"
    );
}

#[test]
fn unknown_header_entries_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut entries = header_entries(1, 1);
    entries.insert(3, ("hostname", Value::Text("collector-host".to_owned())));
    entries.push(("state", Value::Array(vec![Value::Text("x".to_owned())])));
    fs::write(store.path(), envelope(entries)).unwrap();
    let loaded = store.load::<Vec<String>>(1, None).unwrap().unwrap();
    assert_eq!(loaded.state, ["x"]);
    assert_eq!(loaded.header.written_by, "other_prog (n6-collectors 9.9.9)");
}

#[test]
fn trailing_bytes_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut bytes = saved_bytes(&store);
    let end = bytes.len() as u64;
    bytes.push(0x00);
    let err = load_corrupt(&store, &bytes, end);
    assert!(err.to_string().contains("trailing bytes"), "{err}");
    // Another complete item after the envelope.
    let mut doubled = saved_bytes(&store);
    let end = doubled.len() as u64;
    doubled.extend_from_slice(&doubled.clone());
    load_corrupt(&store, &doubled, end);
}

#[test]
fn another_collectors_file_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let other = StateStore::new(dir.path(), FILE_NAME, "feeds.OtherCollector", WRITTEN_BY);
    other.save(&sample(), 1).unwrap();
    let bytes = fs::read(other.path()).unwrap();
    let store = store_in(dir.path());
    let err = load_corrupt(&store, &bytes, value_offset(&bytes, "collector"));
    assert!(matches!(err, StateError::WrongCollector { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("feeds.OtherCollector") && msg.contains(COLLECTOR),
        "{msg}"
    );
}

#[test]
fn newer_schema_version_is_refused_naming_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut entries = header_entries(1, 3);
    entries.push(("state", Value::Null));
    let bytes = envelope(entries);
    fs::write(store.path(), &bytes).unwrap();
    let err = store
        .load::<Cursor>(2, Some(|_, _| Ok(sample())))
        .unwrap_err();
    assert_eq!(err.offset(), Some(value_offset(&bytes, "schema_version")));
    assert!(
        matches!(
            err,
            StateError::NewerSchema {
                found: 3,
                supported: 2,
                ..
            }
        ),
        "{err}"
    );
    let msg = err.to_string();
    assert!(msg.contains("other_prog (n6-collectors 9.9.9)"), "{msg}");
    assert!(
        msg.contains("a newer version of the collector is needed"),
        "{msg}"
    );
    assert_eq!(fs::read(store.path()).unwrap(), bytes);
}

#[test]
fn newer_envelope_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut entries = header_entries(2, 1);
    entries.push(("state", Value::Null));
    let bytes = envelope(entries);
    let version_at = value_offset(&bytes, "envelope_version");
    let err = load_corrupt(&store, &bytes, version_at);
    assert!(
        matches!(
            err,
            StateError::NewerEnvelope {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
    // Version 0 does not exist.
    let mut entries = header_entries(0, 1);
    entries.push(("state", Value::Null));
    load_corrupt(&store, &envelope(entries), version_at);
}

#[test]
fn directory_at_the_path_is_an_io_error_on_load_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    fs::create_dir(store.path()).unwrap();
    let err = store.load::<Cursor>(1, None).unwrap_err();
    assert!(
        matches!(
            err,
            StateError::NotAFile {
                what: "a directory",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_io());
    let err = store.save(&sample(), 1).unwrap_err();
    assert!(
        matches!(
            err,
            StateError::NotAFile {
                what: "a directory",
                ..
            }
        ),
        "{err}"
    );
    assert!(store.path().is_dir());
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[test]
fn unreadable_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = saved_bytes(&store);
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o000)).unwrap();
    if fs::File::open(store.path()).is_ok() {
        // Running as root (or with CAP_DAC_OVERRIDE): permissions are not enforced.
        eprintln!("skipped: permissions are not enforced for this user");
        return;
    }
    let err = store.load::<Cursor>(1, None).unwrap_err();
    assert!(
        matches!(err, StateError::Io { action: "open", .. }),
        "{err}"
    );
    assert!(err.is_io());
    assert!(
        err.to_string()
            .contains(&store.path().display().to_string())
    );
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(fs::read(store.path()).unwrap(), bytes);
}

#[test]
fn symlink_at_the_path_is_refused_on_load_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("real");
    let real = store_in(&real_dir);
    let bytes = saved_bytes(&real);
    let state_dir = dir.path().join("state");
    fs::create_dir(&state_dir).unwrap();
    let store = store_in(&state_dir);
    symlink(real.path(), store.path()).unwrap();

    let err = store.load::<Cursor>(1, None).unwrap_err();
    assert!(matches!(err, StateError::Symlink { .. }), "{err}");
    assert!(err.is_io());
    let err = store.save(&sample(), 1).unwrap_err();
    assert!(matches!(err, StateError::Symlink { .. }), "{err}");
    assert!(
        fs::symlink_metadata(store.path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read(real.path()).unwrap(), bytes);
    // A dangling link is refused too (not taken for a missing file).
    fs::remove_file(real.path()).unwrap();
    let err = store.load::<Cursor>(1, None).unwrap_err();
    assert!(matches!(err, StateError::Symlink { .. }), "{err}");
}

#[test]
fn save_creates_the_dir_0700_and_the_file_0600() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("home");
    let state_dir = parent.join(".n6state");
    let store = store_in(&state_dir);
    store.save(&sample(), 1).unwrap();
    assert_eq!(mode(&state_dir), 0o700);
    assert_eq!(mode(store.path()), 0o600);
    // Parents get the default mode (0777 & !umask), as with n6.
    let umask = fs::read_to_string("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
    });
    if let Some(umask) = umask {
        assert_eq!(mode(&parent), 0o777 & !umask);
    }
}

#[test]
fn save_leaves_an_existing_open_dir_alone_and_makes_the_file_0600() {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let store = store_in(dir.path());
    fs::write(store.path(), b"old").unwrap();
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&sample(), 1).unwrap();
    assert_eq!(
        mode(dir.path()),
        0o755,
        "a directory it did not create is not chmod'ed"
    );
    assert_eq!(mode(store.path()), 0o600);
}

#[test]
fn save_refuses_a_world_writable_or_sticky_dir_and_leaves_it_alone() {
    for dir_mode in [0o1777, 0o777, 0o1700] {
        let dir = tempfile::tempdir().unwrap();
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(dir_mode)).unwrap();
        let store = store_in(dir.path());
        let err = store.save(&sample(), 1).unwrap_err();
        assert_eq!(err.kind(), StateErrorKind::Io, "{err}");
        assert!(err.to_string().contains("refusing to use it"), "{err}");
        assert_eq!(mode(dir.path()), dir_mode);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

#[derive(Debug)]
struct Unencodable;

impl Serialize for Unencodable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("no way"))
    }
}

#[test]
fn failed_save_leaves_the_old_file_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let bytes = saved_bytes(&store);
    let err = store.save(&Unencodable, 1).unwrap_err();
    assert!(
        matches!(err, StateError::Encode { ref reason, .. } if reason == "no way"),
        "{err}"
    );
    assert_eq!(fs::read(store.path()).unwrap(), bytes);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn save_into_an_unusable_dir_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, b"").unwrap();
    let store = store_in(&blocker.join("state"));
    let err = store.save(&sample(), 1).unwrap_err();
    assert!(err.is_io(), "{err}");
    assert!(
        matches!(err, StateError::Io { action: "save", .. }),
        "{err}"
    );
}

#[derive(Debug, Serialize, Deserialize)]
struct OldCursor {
    newest: String,
}

fn migrate(from: u32, payload: Value) -> Result<Cursor, String> {
    if from != 1 {
        return Err(format!("cannot migrate from {from}"));
    }
    let old: OldCursor = payload.deserialized().map_err(|e| e.to_string())?;
    Ok(Cursor {
        newest_row_time: old.newest,
        ..sample()
    })
}

#[test]
fn older_schema_version_goes_through_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    store
        .save(
            &OldCursor {
                newest: "2020-01-01".to_owned(),
            },
            1,
        )
        .unwrap();
    let loaded = store.load::<Cursor>(2, Some(migrate)).unwrap().unwrap();
    assert_eq!(loaded.migrated_from, Some(1));
    assert_eq!(loaded.header.schema_version, 1);
    assert_eq!(loaded.state.newest_row_time, "2020-01-01");
    assert_eq!(loaded.state.rows_count, 7);
}

#[test]
fn older_schema_version_without_or_with_a_failing_migration_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    store
        .save(
            &OldCursor {
                newest: String::new(),
            },
            1,
        )
        .unwrap();
    let bytes = fs::read(store.path()).unwrap();
    let err = store.load::<Cursor>(2, None).unwrap_err();
    assert!(
        matches!(
            err,
            StateError::NoMigration {
                found: 1,
                expected: 2,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.kind(), StateErrorKind::Data);

    store
        .save(
            &OldCursor {
                newest: String::new(),
            },
            0,
        )
        .unwrap();
    let err = store.load::<Cursor>(2, Some(migrate)).unwrap_err();
    assert!(
        matches!(err, StateError::Migration { from: 0, to: 2, ref reason, .. } if reason == "cannot migrate from 0"),
        "{err}"
    );
    store
        .save(
            &OldCursor {
                newest: String::new(),
            },
            1,
        )
        .unwrap();
    assert_eq!(fs::read(store.path()).unwrap().len(), bytes.len());
}

#[test]
fn store_lock_uses_the_state_file_lock() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let lock = store.lock().unwrap();
    let expected: PathBuf = dir.path().join(format!("{FILE_NAME}.lock"));
    assert_eq!(lock.path(), expected);
    assert!(matches!(
        store.lock(),
        Err(LockError::AlreadyRunning { .. })
    ));
}

#[test]
fn state_dir_that_is_a_file_is_an_io_error_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, b"x").unwrap();
    let store = store_in(&blocker);
    let err = store.load::<Cursor>(1, None).unwrap_err();
    assert!(
        matches!(err, StateError::Io { action: "open", .. }),
        "{err}"
    );
    assert!(err.is_io());
    assert_eq!(fs::read(&blocker).unwrap(), b"x");
}

/// An envelope with a map header chosen by the test (`map_header`), entries encoded by
/// ciborium, and `end` appended.
fn envelope_with_header(map_header: &[u8], entries: Vec<(&str, Value)>, end: &[u8]) -> Vec<u8> {
    let mut out = SELF_DESCRIBE_TAG.to_vec();
    out.extend_from_slice(map_header);
    for (key, value) in entries {
        ciborium::into_writer(key, &mut out).unwrap();
        ciborium::into_writer(&value, &mut out).unwrap();
    }
    out.extend_from_slice(end);
    out
}

#[test]
fn indefinite_and_long_form_map_headers_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut entries = header_entries(1, 1);
    entries.push(("state", Value::Array(vec![Value::Text("x".to_owned())])));

    let indefinite = envelope_with_header(&[0xbf], entries.clone(), &[0xff]);
    fs::write(store.path(), &indefinite).unwrap();
    let loaded = store.load::<Vec<String>>(1, None).unwrap().unwrap();
    assert_eq!(loaded.state, ["x"]);

    let long_form = envelope_with_header(&[0xb8, 0x07], entries.clone(), &[]);
    fs::write(store.path(), &long_form).unwrap();
    assert_eq!(
        store.load::<Vec<String>>(1, None).unwrap().unwrap().state,
        ["x"]
    );

    // Indefinite map without its break byte: truncated.
    let unterminated = envelope_with_header(&[0xbf], entries.clone(), &[]);
    let err = load_corrupt_as::<Vec<String>>(&store, &unterminated, unterminated.len() as u64);
    assert!(
        err.to_string()
            .contains("ends before the end of the envelope"),
        "{err}"
    );
    // Indefinite map with an entry after `state`.
    let mut extra = entries;
    extra.push(("late", Value::Null));
    let bytes = envelope_with_header(&[0xbf], extra, &[0xff]);
    load_corrupt_as::<Vec<String>>(&store, &bytes, bytes.len() as u64 - 7);
}

#[test]
fn duplicate_header_entry_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let mut entries = header_entries(1, 1);
    entries.insert(3, ("collector", Value::Text(COLLECTOR.to_owned())));
    entries.push(("state", Value::Null));
    let bytes = envelope(entries);
    // The second `collector` key starts right after the first collector value (a text
    // of 33 bytes: 2 header bytes).
    let second = value_offset(&bytes, "collector") + 2 + COLLECTOR.len() as u64;
    assert_eq!(bytes[second as usize], 0x69, "a 9-byte text key");
    let err = load_corrupt(&store, &bytes, second);
    assert!(err.to_string().contains("duplicate `collector`"), "{err}");
}

#[test]
fn a_state_file_of_the_older_name_is_moved_once_and_loads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = StateStore::new(dir.path(), "old_mod.Feed.cbor", "old_mod.Feed", "t");
    old.save(&7u64, 1).expect("save");
    let moved = adopt_legacy_state_file(dir.path(), "old_mod.Feed.cbor", "Feed.cbor");
    assert!(moved.expect("moved"));
    assert!(!dir.path().join("old_mod.Feed.cbor").exists());
    // Moved into another module: the same struct name still owns the file.
    let new = StateStore::new(dir.path(), "Feed.cbor", "new_mod.Feed", "t");
    let loaded = new.load::<u64>(1, None).expect("loads").expect("exists");
    assert_eq!(loaded.state, 7);
    let again = adopt_legacy_state_file(dir.path(), "old_mod.Feed.cbor", "Feed.cbor");
    assert!(!again.expect("nothing to move"));
    // Another struct's file stays another collector's.
    let other = StateStore::new(dir.path(), "Feed.cbor", "new_mod.Other", "t");
    let err = other.load::<u64>(1, None).expect_err("another collector's");
    assert!(matches!(err, StateError::WrongCollector { .. }), "{err}");
}

#[test]
fn both_names_present_is_refused_and_touches_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(dir.path().join("m.Feed.cbor"), b"old").expect("old");
    fs::write(dir.path().join("Feed.cbor"), b"new").expect("new");
    let err =
        adopt_legacy_state_file(dir.path(), "m.Feed.cbor", "Feed.cbor").expect_err("both exist");
    assert!(matches!(err, StateError::TwoStateFiles { .. }), "{err}");
    assert_eq!(err.kind(), StateErrorKind::Data);
    let text = err.to_string();
    assert!(
        text.contains("Feed.cbor") && text.contains("m.Feed.cbor"),
        "{text}"
    );
    assert!(text.contains("both exist"), "{text}");
    assert_eq!(
        fs::read(dir.path().join("m.Feed.cbor")).expect("old"),
        b"old"
    );
    assert_eq!(fs::read(dir.path().join("Feed.cbor")).expect("new"), b"new");
}
