//! Test-only ports of n6's base-class test collectors (`n6datasources.tests.collectors
//! .test_base`: `ExampleCollector`, `ExampleSimpleCollector`,
//! `ExampleSimpleEmailCollector`, `ExampleTimeOrderedRowsCollector`), one module each.
//! They are not part of the family: they exist only in n6's tests, which check the base
//! classes' behaviour through them.
//!
//! n6's tests define a collector class per parametrized run, with the class attributes
//! (`raw_type`, `content_type`) and input piles the run needs; the recording holds
//! neither, so [`n6_case`] tells which run a fixture is, from its directory name. The
//! replay says which fixture it replays with [`replaying`] before it runs a port.

mod example_collector;
mod example_simple_collector;
mod example_simple_email_collector;
mod example_time_ordered_rows_collector;
mod n6_case;
mod recorded;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use n6_datasources::registry::Entry;

/// The ports, looked up by n6's class name.
pub const TEST_PORTS: &[Entry] = &[
    Entry {
        class: "ExampleCollector",
        module: "test_base",
        run: example_collector::run,
        python_form: None,
    },
    Entry {
        class: "ExampleSimpleCollector",
        module: "test_base",
        run: example_simple_collector::run,
        python_form: None,
    },
    Entry {
        class: "ExampleSimpleEmailCollector",
        module: "test_base",
        run: example_simple_email_collector::run,
        python_form: None,
    },
    Entry {
        class: "ExampleTimeOrderedRowsCollector",
        module: "test_base",
        run: n6_collectors::run_from::<
            example_time_ordered_rows_collector::ExampleTimeOrderedRowsCollector,
            Vec<OsString>,
            OsString,
        >,
        python_form: Some(n6_datasources::forms::rows_state),
    },
];

static FIXTURE: OnceLock<PathBuf> = OnceLock::new();

/// Tells the ports which fixture this process replays (only the first call counts).
pub fn replaying(fixture: &Path) {
    let _ = FIXTURE.set(fixture.to_owned());
}

/// The fixture being replayed, or why a port cannot run without one.
fn fixture() -> Result<&'static Path, String> {
    FIXTURE.get().map(PathBuf::as_path).ok_or_else(|| {
        "n6's test collectors run only in a replay (n6-replay replay FIXTURE_DIR OUT_DIR): \
         their class attributes come from the recorded test run"
            .to_owned()
    })
}

/// Runs `run` with what `case` finds out about the replayed run, or exits 64 naming why
/// the run is unknown.
fn run_case<T>(
    argv: Vec<OsString>,
    case: impl FnOnce(&Path) -> Result<T, String>,
    run: impl FnOnce(T, Vec<OsString>) -> u8,
) -> u8 {
    match fixture().and_then(case) {
        Ok(params) => run(params, argv),
        Err(e) => {
            eprintln!("n6-replay: {e}");
            64
        }
    }
}
