//! n6's `ExampleTimeOrderedRowsCollector` (`TestBaseTimeOrderedRowsCollector` in
//! test_base.py): a `BaseTimeOrderedRowsCollector` over the test's `orig_data` (served
//! by the replay's stub).

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

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
