//! Round trips of every example collector's state through the `state` subcommands:
//! `import` → `export` → `import` → `export` (unchanged), `import-pickle` of the same
//! state pickled by CPython 3 (protocols 2–5) → `export` (unchanged), `reset` → the
//! default state. Add new examples to `examples()`.

#[allow(dead_code)]
#[path = "../../examples/bench_noop.rs"]
mod bench_noop;
#[allow(dead_code)]
#[path = "../bin/lines_collector.rs"]
mod lines_collector;
use crate::state_migration;

use crate::support::pickle::python_pickle;
use crate::{Scratch, scratch};
use n6_collectors::StatefulCollector;
use n6_collectors::pickle::Py2Strings;
use n6_collectors::tooling::StateCommand;

fn state_cmd<C: StatefulCollector>(
    dir: &Scratch,
    command: StateCommand,
    stdin: &[u8],
) -> (u8, String, String) {
    crate::state_cmd::<C>(dir.path(), command, stdin)
}

/// Runs every round trip for collector `C` with `sample`, the JSON of a non-default state.
fn round_trips<C: StatefulCollector>(sample: &str) {
    let name = C::META.name;
    let dir = scratch();
    let (code, default_export, err) = state_cmd::<C>(&dir, StateCommand::Export, b"");
    assert_eq!(code, 0, "{name}: {err}");

    // JSON: import → export → import → export.
    let (code, _, err) = state_cmd::<C>(
        &dir,
        StateCommand::Import { file: "-".into() },
        sample.as_bytes(),
    );
    assert_eq!(code, 0, "{name}: {err}");
    let exported = state_cmd::<C>(&dir, StateCommand::Export, b"").1;
    let as_json = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("json");
    assert_eq!(
        as_json(&exported),
        as_json(sample),
        "{name}: export differs from the imported JSON"
    );
    let (code, _, err) = state_cmd::<C>(
        &dir,
        StateCommand::Import { file: "-".into() },
        exported.as_bytes(),
    );
    assert_eq!(code, 0, "{name}: {err}");
    assert_eq!(
        state_cmd::<C>(&dir, StateCommand::Export, b"").1,
        exported,
        "{name}: export → import changed the state"
    );

    // Pickle: the same state as Python would hold it, pickled by python3.
    let json_file = dir.path().join("sample.json");
    std::fs::write(&json_file, sample).expect("write");
    let pickle_file = dir.path().join("sample.pickle");
    for protocol in 2..=5 {
        state_cmd::<C>(&dir, StateCommand::Reset { yes: true }, b"");
        let expr = format!("json.load(open({:?}))", json_file.display().to_string());
        std::fs::write(&pickle_file, python_pickle("import json", &expr, protocol)).expect("write");
        let (code, _, err) = state_cmd::<C>(
            &dir,
            StateCommand::ImportPickle {
                file: pickle_file.clone(),
                py2_strings: Py2Strings::default(),
                schema_version: None,
            },
            b"",
        );
        assert_eq!(code, 0, "{name}, protocol {protocol}: {err}");
        assert_eq!(
            state_cmd::<C>(&dir, StateCommand::Export, b"").1,
            exported,
            "{name}, protocol {protocol}"
        );
    }

    // Reset → the default state again.
    let (code, _, err) = state_cmd::<C>(&dir, StateCommand::Reset { yes: true }, b"");
    assert_eq!(code, 0, "{name}: {err}");
    assert_eq!(
        state_cmd::<C>(&dir, StateCommand::Export, b"").1,
        default_export,
        "{name}: reset"
    );
}

#[test]
fn examples() {
    round_trips::<state_migration::CsvRowsCollector>(
        r#"{"newest_row_time": "2024-01-02 03:04:05", "rows_published": 7}"#,
    );
    round_trips::<bench_noop::BenchNoopCollector>(
        r#"{"runs": 3, "newest": "2024-01-02 03:04:05"}"#,
    );
    round_trips::<lines_collector::LinesTestCollector>(r#"{"lines": 5}"#);
}
