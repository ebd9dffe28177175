//! n6's `n6datasources.collectors.cert_pl`: CERT Polska's list of dangerous domains
//! (hole.cert.pl), as time-ordered rows.
//!
//! As n6's `CertPlShieldCollector`: the URL is fixed and `row_count_mismatch_is_fatal`
//! is off (neither may appear in the config: illegal options), rows are tab-separated,
//! a row is used when not blank and its column 0 is an integer, the row time is column 2
//! as `str(parse_iso_datetime_to_utc(...))`, and only the duplicate check runs (the
//! source covers a sliding window, so counts do not add up).

use std::borrow::Cow;

use n6_collectors::helpers::prelude::*;
use n6_collectors::helpers::rows::{TimeText, csv_field, is_blank, iso_utc_time};
use n6_collectors::prelude::*;

use crate::fetch;

/// The list's URL (n6 sets it in `set_configuration`).
pub const URL: &str = "https://hole.cert.pl/domains/v2/domains.csv";

/// n6's `CertPlShieldCollector`: `cert-pl.shield` (routing key `cert-pl.shield.202505`).
#[derive(StatefulCollector)]
#[collector(
    source = "cert-pl.shield",
    raw_type = "file",
    content_type = "text/csv",
    raw_format_version_tag = "202505",
    state_file = "n6datasources.collectors.cert_pl.CertPlShieldCollector.cbor",
    download
)]
#[config_spec("heartbeat_interval = 60 :: int")]
pub struct CertPlShieldCollector {
    config: CertPlShieldCollectorConfig,
    /// n6's rows state.
    #[state]
    state: RowsState,
}

/// cert.pl's row rules (n6's `should_row_be_used`, `pick_raw_row_time`, `clean_row_time`).
pub struct ShieldRowTime;

impl RowTime for ShieldRowTime {
    fn should_row_be_used(&self, row: &[u8]) -> bool {
        !is_blank(row) && csv_field(row, 0, b'\t').is_some_and(|id| is_python_int(&id))
    }

    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
        // n6 strips the field; a borrowed field stays borrowed.
        Some(match csv_field(row, 2, b'\t')? {
            Cow::Borrowed(field) => Cow::Borrowed(field.trim_ascii()),
            Cow::Owned(field) => Cow::Owned(field.trim_ascii().to_vec()),
        })
    }

    fn clean_row_time<'r>(&self, raw: Cow<'r, [u8]>) -> Option<TimeText<'r>> {
        iso_utc_time(raw)
    }
}

/// Python's `int(text)` succeeds: optional whitespace, sign, ASCII digits with single
/// underscores between them.
fn is_python_int(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let t = text.trim();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    !t.is_empty()
        && !t.starts_with('_')
        && !t.ends_with('_')
        && !t.contains("__")
        && t.chars().all(|c| c == '_' || c.is_numeric())
}

impl Collect for CertPlShieldCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let options = RowsOptions {
            mismatch_is_fatal: false,
            count_check: CountCheck::DuplicatesOnly,
        };
        let url = fetch::effective_url(URL);
        download_fresh_rows_into(
            settings,
            &url,
            &mut self.state,
            &ShieldRowTime,
            options,
            out,
        )
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_python_int_reads_them() {
        for ok in ["1", " 12 ", "-3", "+4", "1_000"] {
            assert!(is_python_int(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "id", "1.0", "_1", "1__0", "0x10"] {
            assert!(!is_python_int(bad.as_bytes()), "{bad}");
        }
    }
}
