// A file collector using the downloading and time-ordered-rows helpers (their options are
// added to the config), with a version tag, a custom state file name, other fields with
// `Default` or `#[init(...)]`, and a state schema at version 2 with a migration.

use n6_collectors::config::raw::RawConfig;
use n6_collectors::config::validate;
use n6_collectors::StatefulCollector;
use serde::{Deserialize, Serialize};

#[derive(StatefulCollector)]
#[collector(
    source = "abuse-ch.urlhaus-urls",
    raw_type = "file",
    content_type = "text/csv",
    raw_format_version_tag = "202001",
    state_file = "urlhaus.cbor",
    download,
    time_ordered_rows,
)]
#[config_spec(r#"
    url = https://urlhaus.abuse.ch/downloads/csv_recent/
    download_retries = 5 :: int
"#)]
pub struct UrlhausCollector {
    config: UrlhausCollectorConfig,
    #[state(default = Rows::empty(), version = 2, migrate = upgrade)]
    state: Rows,
    #[init(Vec::with_capacity(16))]
    buffer: Vec<u8>,
    published: u64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub struct Rows {
    newest_row_time: String,
    newest_rows: Vec<String>,
}

impl Rows {
    fn empty() -> Rows {
        Rows { newest_row_time: String::new(), newest_rows: Vec::new() }
    }
}

/// Version 1 stored only the newest time, as a bare string.
fn upgrade(from_version: u32, payload: ciborium::Value) -> Result<Rows, String> {
    match (from_version, payload) {
        (1, ciborium::Value::Text(time)) => Ok(Rows { newest_row_time: time, newest_rows: Vec::new() }),
        (v, _) => Err(format!("cannot migrate state version {v}")),
    }
}

fn main() {
    let meta = UrlhausCollector::META;
    assert_eq!(meta.identity.raw_type.as_str(), "file");
    assert_eq!(meta.identity.content_type, Some("text/csv"));
    assert_eq!(meta.identity.raw_format_version_tag, Some("202001"));
    assert_eq!(meta.state_file_name(), "urlhaus.cbor");
    assert_eq!(meta.state_version, 2);

    let (typed, _) = validate::validate(&UrlhausCollector::config_spec(), &RawConfig::default(), &[])
        .expect("every option has a default");
    let c = UrlhausCollector::build_config(typed).expect("built");
    assert_eq!(c.url, "https://urlhaus.abuse.ch/downloads/csv_recent/");
    assert_eq!(c.download_retries, 5);
    assert_eq!(c.download_timeout, (12.1, 25.0));
    assert!(c.base_request_headers.is_empty());
    assert!(!c.row_count_mismatch_is_fatal);
    assert!(c.state_dir.ends_with(".n6state"));

    let migrated = UrlhausCollector::migrate_state(1, ciborium::Value::Text("2024-01-01 10:00:00".into()));
    assert_eq!(
        migrated,
        Ok(Rows { newest_row_time: "2024-01-01 10:00:00".into(), newest_rows: Vec::new() })
    );
    assert!(UrlhausCollector::migrate_state(0, ciborium::Value::Null).is_err());

    let collector = UrlhausCollector::from_parts(
        c,
        UrlhausCollector::make_default_state(),
        n6_collectors::cli::NoArgs {},
    );
    assert_eq!(collector.state(), &Rows::empty());
    assert_eq!(collector.buffer.capacity(), 16);
    assert_eq!(collector.published, 0);
}
