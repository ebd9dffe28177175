//! A small collector whose state changed shape, with the migration from the old shape.
//!
//! The collector reads a local CSV file (`input_file`), lines `time,id,url` with the time
//! as `YYYY-MM-DD HH:MM:SS` (UTC), and publishes every row newer than the newest row of
//! the previous run as one `stream` message.
//!
//! Its state went through two schema versions:
//!
//! - **version 1** stored the newest row time as Unix seconds: `{"newest": 1704164645}`;
//! - **version 2** stores it as n6 does, as text, and counts the rows published:
//!   `{"newest_row_time": "2024-01-02 03:04:05", "rows_published": 0}`.
//!
//! `#[state(version = 2, migrate = migrate_cursor)]` declares it: a state file written by
//! version 1 of this collector is passed to `migrate_cursor` on load, and the next
//! successful run saves it as version 2. A file of version 3 (written by a newer build)
//! is refused with exit code 65. Try it:
//!
//! ```console
//! $ mkdir -p /tmp/csv-rows && printf '2024-01-02 03:04:05,1,http://example.com/a\n' > /tmp/csv-rows/rows.csv
//! $ printf '[CsvRowsCollector]\ninput_file = /tmp/csv-rows/rows.csv\nstate_dir = /tmp/csv-rows/state\n' > /tmp/csv-rows/10_csv_rows.conf
//! $ cargo run --example state_migration -- --config-dir /tmp/csv-rows --output /tmp/csv-rows/out.jsonl
//! $ cargo run --example state_migration -- --config-dir /tmp/csv-rows state show
//! ```
//!
//! `tests/state/tool_migration.rs` runs it on a version-1 state file.

use std::process::ExitCode;

use n6_collectors::StatefulCollector;
use n6_collectors::prelude::*;
use serde::{Deserialize, Serialize};
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// Publishes new rows of a local CSV file.
#[derive(StatefulCollector)]
#[collector(source = "example.csv-rows", raw_type = "stream")]
#[config_spec(
    r#"
    input_file :: path
"#
)]
pub struct CsvRowsCollector {
    config: CsvRowsCollectorConfig,
    #[state(version = 2, migrate = migrate_cursor)]
    state: Cursor,
}

/// The state, schema version 2.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cursor {
    /// Time of the newest row published (`YYYY-MM-DD HH:MM:SS`), empty before the first.
    pub newest_row_time: String,
    /// Rows published by all runs so far (since version 2).
    pub rows_published: u64,
}

/// The state as schema version 1 stored it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CursorV1 {
    /// Unix seconds of the newest row published; 0 before the first.
    newest: i64,
}

const ROW_TIME: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// Turns an older state into the current one (`from_version` < 2).
///
/// When the state changes again (version 3), keep this function's steps and add one:
/// migrate a version-1 payload to version 2 first, then every version-2 value to 3, so
/// that files of every older version go through the same steps in order.
pub fn migrate_cursor(from_version: u32, payload: ciborium::Value) -> Result<Cursor, String> {
    match from_version {
        1 => {
            let v1: CursorV1 = payload.deserialized().map_err(|e| {
                format!("not a version-1 state ({{\"newest\": <Unix seconds>}}): {e}")
            })?;
            if v1.newest == 0 {
                return Ok(Cursor::default());
            }
            let newest = time::OffsetDateTime::from_unix_timestamp(v1.newest)
                .map_err(|e| format!("version-1 `newest` {} is not a time: {e}", v1.newest))?;
            let newest_row_time = newest
                .format(ROW_TIME)
                .map_err(|e| format!("cannot format {newest}: {e}"))?;
            Ok(Cursor {
                newest_row_time,
                rows_published: 0,
            })
        }
        other => Err(format!("there is no migration from schema version {other}")),
    }
}

impl Collect for CsvRowsCollector {
    fn collect(&mut self, out: &mut Output<'_, Cursor>) -> n6_collectors::Result<()> {
        let path = &self.config.input_file;
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::source_unavailable(format!("cannot read {}: {e}", path.display()))
        })?;
        let mut newest = self.state.newest_row_time.clone();
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let time = line.split(',').next().unwrap_or_default();
            if time::PrimitiveDateTime::parse(time, ROW_TIME).is_err() {
                return Err(Error::bad_data(format!(
                    "{}, line {}: the row time {time:?} is not YYYY-MM-DD HH:MM:SS",
                    path.display(),
                    number + 1
                )));
            }
            // The same text format sorts like the times it holds.
            if time > self.state.newest_row_time.as_str() {
                out.publish(line)?;
                self.state.rows_published += 1;
                if time > newest.as_str() {
                    newest = time.to_owned();
                }
            }
        }
        self.state.newest_row_time = newest;
        Ok(())
    }
}

fn main() -> ExitCode {
    n6_collectors::run::<CsvRowsCollector>()
}
