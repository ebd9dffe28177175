//! The state-file decoder on arbitrary bytes: never panics, and every file it refuses
//! is refused with a content error that names the file and a byte offset inside it.
//!
//! The bytes are written to a state file, then loaded three ways: typed with the
//! current schema version and a migration, typed without a migration, and untyped
//! (`read_envelope_untyped`, the operator tool's reader). The collector id and schema
//! versions match the seeds in `corpus/state_decoder/`, so the fuzzer starts from valid
//! envelopes of every kind (current, older, newer schema, another collector).

#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use n6_collectors::state::{StateError, StateErrorKind, StateStore};
use serde::Deserialize;

/// The collector id the seeds were written for.
const COLLECTOR: &str = "fuzz.FuzzCollector";
/// The schema version the target loads with (seeds have 1, 2 and 3).
const SCHEMA: u32 = 2;
const FILE_NAME: &str = "fuzz.FuzzCollector.cbor";

/// A state shape with the usual parts: numbers, text, bytes, lists, maps, options.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct FuzzState {
    lines: u64,
    last: Option<String>,
    seen: Vec<String>,
    #[serde(with = "serde_bytes_compat")]
    digest: Vec<u8>,
    counts: BTreeMap<String, i64>,
    #[serde(default)]
    ratio: f64,
}

/// `Vec<u8>` from a CBOR byte string (or an array of small ints).
mod serde_bytes_compat {
    use serde::de::{Deserializer, Error, SeqAccess, Visitor};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl<'de> Visitor<'de> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(out)
            }
        }
        d.deserialize_bytes(Bytes)
    }
}

fn migrate(from: u32, payload: ciborium::Value) -> Result<FuzzState, String> {
    if from == 0 {
        return Err("schema version 0 is not migrated".to_owned());
    }
    payload.deserialized().map_err(|e| e.to_string())
}

fn state_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("n6-fuzz-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz state directory");
        dir
    })
}

/// Checks the guarantees for a refused file of `len` bytes.
fn check_refusal(e: &StateError, path: &Path, len: usize) {
    assert_eq!(
        e.kind(),
        StateErrorKind::Data,
        "a regular file refused as I/O: {e}"
    );
    assert_eq!(e.path(), path, "{e}");
    let message = e.to_string();
    assert!(
        message.contains(&path.display().to_string()),
        "path not named: {message}"
    );
    match e {
        StateError::Corrupt { offset, .. } => {
            assert!(
                *offset <= len as u64,
                "offset {offset} past the end ({len} bytes): {e}"
            );
            assert!(message.contains(&format!("offset {offset}")), "{message}");
        }
        StateError::NewerEnvelope { .. }
        | StateError::WrongCollector { .. }
        | StateError::NewerSchema { .. } => {
            let offset = e.offset().expect("a header error has an offset");
            assert!(
                offset < len as u64,
                "offset {offset} past the end ({len} bytes): {e}"
            );
        }
        // Well-formed envelopes whose version needs a migration (or whose migration
        // refused the payload): the file is fine, the error names what to do.
        StateError::NoMigration { .. } | StateError::Migration { .. } => {}
        other => panic!("unexpected error for a regular file: {other}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let dir = state_dir();
    let store = StateStore::new(dir, FILE_NAME, COLLECTOR, "fuzz");
    let path = store.path().to_owned();
    std::fs::write(&path, data).expect("write the state file");

    let typed = store.load::<FuzzState>(SCHEMA, Some(migrate));
    let strict = store.load::<FuzzState>(SCHEMA, None);
    let untyped = StateStore::read_envelope_untyped(&path);

    for result in [&typed, &strict] {
        match result {
            Ok(Some(loaded)) => {
                assert_eq!(loaded.header.collector, COLLECTOR);
                assert!(loaded.header.schema_version <= SCHEMA);
            }
            Ok(None) => panic!("an existing file loaded as absent"),
            Err(e) => check_refusal(e, &path, data.len()),
        }
    }
    match &untyped {
        Ok(Some(_)) => {}
        Ok(None) => panic!("an existing file read as absent"),
        Err(e) => check_refusal(e, &path, data.len()),
    }
    // Anything the typed loader accepts is a well-formed envelope.
    if typed.is_ok() {
        assert!(
            untyped.is_ok(),
            "typed load accepted what the untyped reader refused"
        );
    }
    // Loading never changes the file.
    assert_eq!(std::fs::read(&path).expect("read back").as_slice(), data);
});
