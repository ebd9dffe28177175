//! Handing state back to n6: for every fixture whose collector is ported and keeps
//! state, n6's `state_before.pickle` is taken over and exported again with
//! `state export-pickle`; the export must
//! * decode with the runtime's pickle reader to the same Python value as n6's pickle,
//! * be a protocol-4 pickle that Python's own `pickle.load` reads as an object equal to
//!   the one in n6's pickle (python3 with a stub `n6lib.common_helpers.OPSet`, no n6),
//! * leave n6's pickle untouched.

use std::path::{Path, PathBuf};
use std::process::Command;

use n6_collectors::pickle::{Py2Strings, PyValue, decode};
use n6_datasources::registry;

fn cases() -> Vec<(PathBuf, &'static registry::Entry)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases = Vec::new();
    for class in std::fs::read_dir(&root).expect("fixtures").flatten() {
        let name = class.file_name().to_string_lossy().into_owned();
        let Some(entry) = registry::find(&name).filter(|e| e.python_form.is_some()) else {
            continue;
        };
        for case in std::fs::read_dir(class.path()).expect("cases").flatten() {
            if case.path().join("state_before.pickle").is_file() {
                cases.push((case.path(), entry));
            }
        }
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

/// `value` with sets (and dicts) in a canonical order, for comparing Python values.
fn canonical(value: &PyValue) -> PyValue {
    let sort = |items: &[PyValue]| {
        let mut items: Vec<PyValue> = items.iter().map(canonical).collect();
        items.sort_by_key(|v| v.to_string());
        items
    };
    match value {
        PyValue::Set(items) => PyValue::Set(sort(items)),
        PyValue::FrozenSet(items) => PyValue::FrozenSet(sort(items)),
        PyValue::List(items) => PyValue::List(items.iter().map(canonical).collect()),
        PyValue::Tuple(items) => PyValue::Tuple(items.iter().map(canonical).collect()),
        PyValue::OpSet(items) => PyValue::OpSet(items.iter().map(canonical).collect()),
        PyValue::Dict(entries) => {
            let mut entries: Vec<(PyValue, PyValue)> = entries
                .iter()
                .map(|(k, v)| (canonical(k), canonical(v)))
                .collect();
            entries.sort_by_key(|(k, _)| k.to_string());
            PyValue::Dict(entries)
        }
        other => other.clone(),
    }
}

/// Whether n6's own run refused the case's state when loading it (MISP's wrong states).
fn refused_by_n6(case: &Path) -> bool {
    std::fs::read_to_string(case.join("expected_error.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|error| error["where"].as_str().map(|w| w.contains("in load_state")))
        .unwrap_or(false)
}

const PYTHON_CHECK: &str = r#"
import pickle, sys, types
common_helpers = types.ModuleType('n6lib.common_helpers')
class OPSet:
    def __eq__(self, other):
        return list(self._d) == list(other._d)
OPSet.__module__ = 'n6lib.common_helpers'
common_helpers.OPSet = OPSet
n6lib = types.ModuleType('n6lib')
n6lib.common_helpers = common_helpers
sys.modules['n6lib'] = n6lib
sys.modules['n6lib.common_helpers'] = common_helpers
ours, theirs = (open(p, 'rb').read() for p in sys.argv[1:3])
assert ours[:2] == b'\x80\x04', ours[:2]
a, b = pickle.loads(ours), pickle.loads(theirs)
if a != b:
    sys.exit(f'python reads {a!r}, n6 saved {b!r}')
"#;

#[test]
fn exported_pickles_are_what_n6_saved() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no fixture with a state_before.pickle of a ported collector"
    );
    for (case, entry) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let (conf, state) = (dir.path().join("conf"), dir.path().join("state"));
        std::fs::create_dir_all(&conf).expect("conf");
        std::fs::create_dir_all(&state).expect("state");
        std::fs::copy(case.join("60_case.conf"), conf.join("60_case.conf")).expect("config");
        let n6_pickle = state.join(entry.pickle_file_name());
        std::fs::copy(case.join("state_before.pickle"), &n6_pickle).expect("pickle");
        let exported = dir.path().join("exported.pickle");
        // The collector's own arguments (MISP's config section).
        let own_args: Vec<String> = std::fs::read_to_string(case.join("cmdline.json"))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        let status = Command::new(env!("CARGO_BIN_EXE_n6-replay"))
            .arg("run")
            .arg(entry.class)
            .arg("--config-dir")
            .arg(&conf)
            .arg("--state-dir")
            .arg(&state)
            .args(&own_args)
            .args(["state", "export-pickle"])
            .arg(&exported)
            .status()
            .expect("n6-replay runs");
        if refused_by_n6(&case) {
            assert!(
                !status.success(),
                "{}: n6 refuses this state, export-pickle took it",
                case.display()
            );
            continue;
        }
        assert!(status.success(), "{}: export-pickle failed", case.display());

        let theirs = std::fs::read(case.join("state_before.pickle")).expect("read");
        assert_eq!(
            std::fs::read(&n6_pickle).expect("read"),
            theirs,
            "n6's pickle changed"
        );
        let ours = std::fs::read(&exported).expect("exported");
        let ours_value = decode(&ours, Py2Strings::default()).expect("our pickle decodes");
        let theirs_value = decode(&theirs, Py2Strings::default()).expect("n6's pickle decodes");
        assert_eq!(ours_value.protocol, 4);
        assert_eq!(
            canonical(&ours_value.value),
            canonical(&theirs_value.value),
            "{}",
            case.display()
        );

        let python = Command::new("python3")
            .arg("-c")
            .arg(PYTHON_CHECK)
            .arg(&exported)
            .arg(case.join("state_before.pickle"))
            .output()
            .expect("python3 runs");
        assert!(
            python.status.success(),
            "{}: {}",
            case.display(),
            String::from_utf8_lossy(&python.stderr)
        );
    }
}
