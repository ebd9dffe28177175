//! The collectors a fixture can be replayed with: the family's registry, plus test-only
//! ports of n6's base-class test collectors (`n6datasources.tests.collectors.test_base`).

use std::ffi::OsString;

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;
use n6_datasources::registry::{self, Entry};

/// The port of n6's class `class`.
pub fn find(class: &str) -> Option<Entry> {
    registry::find(class).copied().or_else(|| {
        TEST_PORTS
            .iter()
            .find(|entry| entry.class == class)
            .copied()
    })
}

/// Ports of n6's test collectors (not part of the family: they exist only in n6's tests).
const TEST_PORTS: &[Entry] = &[Entry {
    class: "ExampleTimeOrderedRowsCollector",
    module: "test_base",
    run: n6_collectors::run_from::<ExampleTimeOrderedRowsCollector, Vec<OsString>, OsString>,
    python_form: Some(n6_datasources::forms::rows_state),
}];

/// Where the port gets its `obtain_orig_data` (the replay's stub answers).
const ORIG_DATA_URL: &str = "http://orig-data.invalid/";

/// n6's `ExampleTimeOrderedRowsCollector` (test_base.py): rows whose time is CSV column
/// 1 verbatim, source `example-provider.example-channel`.
#[derive(StatefulCollector)]
#[collector(
    source = "example-provider.example-channel",
    raw_type = "file",
    content_type = "text/csv",
    state_file = "n6datasources.collectors.test_base.ExampleTimeOrderedRowsCollector.cbor",
    time_ordered_rows
)]
pub struct ExampleTimeOrderedRowsCollector {
    config: ExampleTimeOrderedRowsCollectorConfig,
    #[state]
    state: RowsState,
}

impl Collect for ExampleTimeOrderedRowsCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
        let url = n6_datasources::fetch::effective_url(ORIG_DATA_URL);
        let time = CsvColumn {
            column: 1,
            delimiter: b',',
        };
        download_fresh_rows_into(
            DownloadSettings::default(),
            &url,
            &mut self.state,
            &time,
            options,
            out,
        )
        .map(drop)
    }
}
