//! n6's test_abuse_ch.py and test_cert_pl.py (n6datasources/tests/collectors/) as whole collector runs: collectors
//! built on the rows and download helpers, n6's config lines, the initial state saved as
//! a previous run would have, the feed served from a file (n6's tests mock the download;
//! the payload-URLs feed is given unzipped, its ZIP handling is not part of the helpers).
//! Checked: routing key (with version tag), properties, body, saved state, exit codes.

use std::borrow::Cow;
use std::sync::OnceLock;

use crate::example_support::{Runs, overrides};
use n6_collectors::helpers::prelude::*;
use n6_collectors::helpers::rows::{Row, is_used_by_default, iso_utc_time};
use n6_collectors::{StatefulCollector, prelude::*};

/// A state in the case tables.
#[derive(serde::Deserialize)]
pub struct St {
    time: String,
    rows: Vec<String>,
    count: Option<u64>,
}

impl St {
    fn to_state(&self) -> RowsState {
        RowsState {
            newest_row_time: self.time.clone(),
            newest_rows: self.rows.iter().map(|r| Row::from(r.as_str())).collect(),
            rows_count: self.count,
        }
    }
}

/// One abuse.ch case: the time-ordered-rows part of a case of n6's
/// `n6datasources.tests.collectors.test_abuse_ch`.
#[derive(serde::Deserialize)]
pub struct AbuseCase {
    id: String,
    #[allow(dead_code)]
    column: usize,
    routing_key: String,
    initial: Option<St>,
    input: Vec<String>,
    published: Vec<String>,
    saved: Option<St>,
}

/// The abuse.ch cases, verbatim, as data: `tests/data/abuse_ch/abuse_cases.json`.
fn abuse_cases() -> &'static [AbuseCase] {
    static CASES: OnceLock<Vec<AbuseCase>> = OnceLock::new();
    CASES.get_or_init(|| {
        let path = crate::example_support::repo_path("tests/data/abuse_ch/abuse_cases.json");
        let text = std::fs::read_to_string(&path).expect("the abuse.ch case table");
        serde_json::from_str(&text).expect("tests/data/abuse_ch/abuse_cases.json is a case table")
    })
}

macro_rules! abuse_ch_collector {
    ($name:ident, $config:ident, $source:literal, $($tag:literal)?) => {
        #[derive(StatefulCollector)]
        #[collector(
            source = $source,
            raw_type = "file",
            content_type = "text/csv",
            $(raw_format_version_tag = $tag,)?
            download,
            time_ordered_rows
        )]
        #[config_spec("url :: str")]
        pub struct $name {
            config: $config,
            #[state]
            state: RowsState,
        }

        impl Collect for $name {
            fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
                let url = self.config.url.clone();
                download_fresh_rows(self, &url, &CsvIsoUtcColumn { column: 0 }, out)
            }
        }
    };
}

abuse_ch_collector!(
    AbuseChFeodoTrackerCollector,
    AbuseChFeodoTrackerCollectorConfig,
    "abuse-ch.feodotracker",
    "202110"
);
abuse_ch_collector!(
    AbuseChSslBlacklistCollector,
    AbuseChSslBlacklistCollectorConfig,
    "abuse-ch.ssl-blacklist",
    "201902"
);
abuse_ch_collector!(
    AbuseChUrlhausPayloadsUrlsCollector,
    AbuseChUrlhausPayloadsUrlsCollectorConfig,
    "abuse-ch.urlhaus-payloads-urls",
);

fn run_case<C: Collect<State = RowsState>>(config: &str, section: &str, case: &AbuseCase) {
    let mut runs = Runs::with_config(config);
    if let Some(initial) = &case.initial {
        runs.save_state::<C>(&initial.to_state());
    }
    let feed = runs.write("feed.csv", case.input.join("\n").as_bytes());
    let url = format!("{section}.url=file://{}", feed.display());
    let (code, published) = runs.run(
        n6_collectors::run_from::<C, Vec<String>, String>,
        &overrides(&[url]),
    );
    let id = &case.id;
    assert_eq!(code, 0, "{id}");
    assert_eq!(published.len(), 1, "{id}");
    let message = &published[0];
    assert_eq!(message.routing_key, case.routing_key, "{id}");
    let source = C::META.identity.source;
    message.assert_n6_properties(source, "file", Some("text/csv"), None);
    assert_eq!(
        message.text().expect("UTF-8 body"),
        case.published.join("\n"),
        "{id}"
    );
    assert_eq!(
        runs.load_state::<C>(),
        case.saved.as_ref().map(St::to_state),
        "{id}"
    );
}

fn abuse_case(id: &str) -> &'static AbuseCase {
    abuse_cases().iter().find(|c| c.id == id).expect("case")
}

const FEODO_CONFIG: &str = "[AbuseChFeodoTrackerCollector]\nrow_count_mismatch_is_fatal = no\nurl = https://www.example.com\ndownload_retries = 5\n";
const SSLBL_CONFIG: &str = "[AbuseChSslBlacklistCollector]\nrow_count_mismatch_is_fatal = False\nurl=https://www.example.com\ndownload_retries=5\n";
const PAYLOADURLS_CONFIG: &str =
    "[AbuseChUrlhausPayloadsUrlsCollector]\nurl=https://www.example.com\ndownload_retries=5\n";

#[test]
fn abuse_ch_feodotracker_01_02_03() {
    for id in ["ABUSE-FEODO-01", "ABUSE-FEODO-02", "ABUSE-FEODO-03"] {
        run_case::<AbuseChFeodoTrackerCollector>(
            FEODO_CONFIG,
            "AbuseChFeodoTrackerCollector",
            abuse_case(id),
        );
    }
}

#[test]
fn abuse_ch_ssl_blacklist_01_02() {
    for id in ["ABUSE-SSLBL-01", "ABUSE-SSLBL-02"] {
        run_case::<AbuseChSslBlacklistCollector>(
            SSLBL_CONFIG,
            "AbuseChSslBlacklistCollector",
            abuse_case(id),
        );
    }
}

#[test]
fn abuse_ch_urlhaus_payloads_urls_01_02() {
    for id in ["ABUSE-PAYLOADURLS-01", "ABUSE-PAYLOADURLS-02"] {
        run_case::<AbuseChUrlhausPayloadsUrlsCollector>(
            PAYLOADURLS_CONFIG,
            "AbuseChUrlhausPayloadsUrlsCollector",
            abuse_case(id),
        );
    }
}

#[test]
fn every_abuse_ch_case_is_run() {
    let ids: Vec<&str> = abuse_cases().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), 7);
}

// --- cert.pl shield (n6's test_cert_pl.py) ---

/// The feed of all four cert.pl cases.
const CERT_PL_ROWS: [&str; 7] = [
    "invalid\trow\twhich\tshould\tbe\tskipped",
    "6\texample_6.com\t2020-06-03T14:00:00+00:00",
    "5\texample_5.com\t2020-06-03T13:00:00+00:00",
    "4\texample_4.com\t2020-06-03T12:00:00+00:00",
    "3\texample_3.com\t2020-06-02T13:00:00+00:00",
    "2\texample_2.com\t2020-06-01T14:00:00+00:00",
    "1\texample_1.com\t2020-06-01T13:00:00+00:00",
];

/// Where the test collector downloads from (n6 fixes the URL in code; so does this
/// collector, and the tests point it at a file, in a directory that lives as long as the
/// test process).
static CERT_PL_FEED: OnceLock<(tempfile::TempDir, String)> = OnceLock::new();

fn cert_pl_url() -> String {
    let (_, url) = CERT_PL_FEED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("shield.csv");
        std::fs::write(&path, CERT_PL_ROWS.join("\n")).expect("feed");
        let url = format!("file://{}", path.display());
        (dir, url)
    });
    url.clone()
}

/// cert.pl's shield list: no `url` and no `row_count_mismatch_is_fatal` option (n6 fixes
/// both), tab-separated rows, only the duplicate check.
#[derive(StatefulCollector)]
#[collector(
    source = "cert-pl.shield",
    raw_type = "file",
    content_type = "text/csv",
    raw_format_version_tag = "202505",
    download
)]
pub struct CertPlShieldCollector {
    config: CertPlShieldCollectorConfig,
    #[state]
    state: RowsState,
    #[init(cert_pl_url())]
    url: String,
}

/// Used iff column 0 is an integer; time = column 2 as UTC.
struct CertPlTime;

impl RowTime for CertPlTime {
    fn should_row_be_used(&self, row: &[u8]) -> bool {
        let first = row.split(|b| *b == b'\t').next().unwrap_or_default();
        is_used_by_default(row)
            && std::str::from_utf8(first).is_ok_and(|f| f.trim().parse::<i64>().is_ok())
    }

    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
        row.split(|b| *b == b'\t').nth(2).map(Cow::Borrowed)
    }

    fn clean_row_time<'r>(&self, raw: Cow<'r, [u8]>) -> Option<TimeText<'r>> {
        iso_utc_time(raw)
    }
}

impl Collect for CertPlShieldCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let options = RowsOptions {
            mismatch_is_fatal: false,
            count_check: CountCheck::DuplicatesOnly,
        };
        let data = self.download(&self.url)?;
        let meta = HeaderTable::default(); // http_last_modified is added by `out`
        publish_fresh_rows(&data, &mut self.state, &CertPlTime, options, out, meta)?;
        Ok(())
    }
}

fn cert_pl_runs(config: &str) -> Runs {
    Runs::with_config(config)
}

fn cert_pl_saved() -> RowsState {
    RowsState {
        newest_row_time: "2020-06-03 14:00:00".into(),
        newest_rows: [Row::from(CERT_PL_ROWS[1])].into_iter().collect(),
        rows_count: Some(6),
    }
}

fn run_cert_pl(runs: &mut Runs) -> (u8, Vec<crate::example_support::Published>) {
    runs.run(
        n6_collectors::run_from::<CertPlShieldCollector, Vec<String>, String>,
        &[],
    )
}

#[test]
fn cert_pl_01_legacy_state_and_02_first_run() {
    // CERTPL-01: legacy state without rows_count, its newest row gone from the feed.
    let mut runs = cert_pl_runs("[CertPlShieldCollector]\ndownload_retries=3\n");
    runs.save_state::<CertPlShieldCollector>(&RowsState {
        newest_row_time: "2020-06-03 12:00:00".into(),
        newest_rows: [Row::from("3\texample_3.com\t2020-06-03T12:00:00")]
            .into_iter()
            .collect(),
        rows_count: None,
    });
    let (code, published) = run_cert_pl(&mut runs);
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].routing_key, "cert-pl.shield.202505");
    published[0].assert_n6_properties("cert-pl.shield", "file", Some("text/csv"), None);
    assert_eq!(
        published[0].text().expect("UTF-8 body"),
        [CERT_PL_ROWS[3], CERT_PL_ROWS[2], CERT_PL_ROWS[1]].join("\n")
    );
    assert_eq!(
        runs.load_state::<CertPlShieldCollector>(),
        Some(cert_pl_saved())
    );

    // CERTPL-02: no state.
    let mut runs = cert_pl_runs("[CertPlShieldCollector]\ndownload_retries=3\n");
    let (code, published) = run_cert_pl(&mut runs);
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    let mut oldest_first = CERT_PL_ROWS[1..].to_vec();
    oldest_first.reverse();
    assert_eq!(
        published[0].text().expect("UTF-8 body"),
        oldest_first.join("\n")
    );
    assert_eq!(
        runs.load_state::<CertPlShieldCollector>(),
        Some(cert_pl_saved())
    );
}

#[test]
fn cert_pl_03_04_url_and_fatal_flag_are_illegal_options() {
    for config in [
        "[CertPlShieldCollector]\nurl='https://example.org'\ndownload_retries=3\n",
        "[CertPlShieldCollector]\nrow_count_mismatch_is_fatal = True\ndownload_retries=3\n",
    ] {
        let mut runs = cert_pl_runs(config);
        let (code, published) = run_cert_pl(&mut runs);
        assert_eq!(code, 78, "{config}");
        assert!(published.is_empty());
        assert_eq!(runs.load_state::<CertPlShieldCollector>(), None);
    }
}
