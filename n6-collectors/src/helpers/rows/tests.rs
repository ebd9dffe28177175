//! The 23 cases of n6's `TestBaseTimeOrderedRowsCollector` (n6datasources/tests/collectors/
//! test_base.py, as a case table in `tests/data/tor_cases.json`), plus bytes-safety and
//! message texts.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use super::*;

/// A state in the case table.
#[derive(serde::Deserialize)]
struct St {
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

/// One case of n6's `TestBaseTimeOrderedRowsCollector`.
#[derive(serde::Deserialize)]
struct Case {
    id: String,
    fatal: bool,
    initial: Option<St>,
    input: Vec<String>,
    published: Option<Vec<String>>,
    saved: Option<St>,
    warnings: usize,
    error: bool,
}

/// The 23 cases of n6's `TestBaseTimeOrderedRowsCollector`
/// (`n6datasources.tests.collectors.test_base`), verbatim, as data:
/// `n6-collectors/tests/data/tor_cases.json`.
fn cases() -> &'static [Case] {
    static CASES: std::sync::OnceLock<Vec<Case>> = std::sync::OnceLock::new();
    CASES.get_or_init(|| {
        let text = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/tor_cases.json"
        ));
        serde_json::from_str(text).expect("tests/data/tor_cases.json is a case table")
    })
}

/// n6's test collector: row time = the 2nd CSV column verbatim.
const TEST_COLLECTOR: CsvColumn = CsvColumn {
    column: 1,
    delimiter: b',',
};

/// Counts the WARNING events logged (n6's tests count the base logger's WARNING calls).
struct WarnCounter(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for WarnCounter {
    fn on_event(
        &self,
        event: &tracing::Event<'_>,
        _ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        if *event.metadata().level() == tracing::Level::WARN {
            self.0.fetch_add(1, AtomicOrdering::SeqCst);
        }
    }
}

/// Runs `f`, returning its result and how many WARNINGs it logged.
fn warnings_logged<R>(f: impl FnOnce() -> R) -> (R, usize) {
    use tracing_subscriber::layer::SubscriberExt;
    let counter = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry().with(WarnCounter(Arc::clone(&counter)));
    let result = tracing::subscriber::with_default(subscriber, f);
    (result, counter.load(AtomicOrdering::SeqCst))
}

fn run_case(id: &str) {
    let case = cases()
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no case {id}"));
    let state = case.initial.as_ref().map(St::to_state).unwrap_or_default();
    let data = case.input.join("\n");
    let options = RowsOptions {
        mismatch_is_fatal: case.fatal,
        count_check: CountCheck::Full,
    };
    // `fresh_rows` is what collectors call: it logs n6's warnings.
    let (result, warnings) =
        warnings_logged(|| fresh_rows(data.as_bytes(), &state, &TEST_COLLECTOR, options));
    assert_eq!(warnings, case.warnings, "{id}: WARNINGs logged");
    if case.error {
        let err = result.expect_err(id);
        assert_eq!(err.exit_code(), crate::exit::DATA, "{id}");
        assert!(
            err.to_string()
                .contains("The currently stated count of all rows"),
            "{id}: {err}"
        );
        assert!(case.published.is_none() && case.saved.is_none(), "{id}");
        return;
    }
    let selection = result.unwrap_or_else(|e| panic!("{id}: unexpected error {e}"));
    match &case.published {
        Some(rows) => assert_eq!(
            String::from_utf8(selection.body()).expect("utf-8"),
            rows.join("\n"),
            "{id}: body"
        ),
        None => assert!(
            selection.is_empty(),
            "{id}: published {:?}",
            selection.body()
        ),
    }
    let expected_state = case.saved.as_ref().map(St::to_state);
    assert_eq!(selection.new_state(), expected_state, "{id}: saved state");
    assert_eq!(
        usize::from(selection.warning.is_some()),
        case.warnings,
        "{id}: {:?}",
        selection.warning
    );
    assert_eq!(selection.inconsistency, None, "{id}");
    run_case_streamed(id, case, &data, &state, options);
}

/// The same case through the streamed selection (read in 2-byte pieces).
fn run_case_streamed(id: &str, case: &Case, data: &str, state: &RowsState, options: RowsOptions) {
    struct Pieces<'a>(&'a [u8]);
    impl std::io::Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(2).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let (result, warnings) = warnings_logged(|| {
        super::fresh_rows_from_reader(
            Pieces(data.as_bytes()),
            None,
            state,
            &TEST_COLLECTOR,
            options,
        )
    });
    assert_eq!(warnings, case.warnings, "{id} (streamed): WARNINGs logged");
    if case.error {
        let err = result.expect_err(id);
        assert_eq!(err.exit_code(), crate::exit::DATA, "{id} (streamed)");
        return;
    }
    let selection = result.unwrap_or_else(|e| panic!("{id} (streamed): unexpected error {e}"));
    match &case.published {
        Some(rows) => assert_eq!(
            selection.body(),
            rows.join("\n").as_bytes(),
            "{id} (streamed)"
        ),
        None => assert!(selection.is_empty(), "{id} (streamed)"),
    }
    let expected_state = case.saved.as_ref().map(St::to_state);
    assert_eq!(
        selection.new_state(),
        expected_state,
        "{id} (streamed): saved state"
    );
}

macro_rules! tor_cases {
    ($($name:ident => $id:literal,)*) => {
        $(#[test] fn $name() { run_case($id); })*
        #[test]
        fn every_case_has_a_test() {
            let ids: BTreeSet<&str> = [$($id),*].into_iter().collect();
            let all: BTreeSet<&str> = cases().iter().map(|c| c.id.as_str()).collect();
            assert_eq!(ids, all);
            assert_eq!(all.len(), 23);
        }
    };
}

tor_cases! {
    tor_01 => "TOR-01", tor_02 => "TOR-02", tor_03 => "TOR-03", tor_04 => "TOR-04",
    tor_05 => "TOR-05", tor_06 => "TOR-06", tor_07 => "TOR-07", tor_08 => "TOR-08",
    tor_09 => "TOR-09", tor_10 => "TOR-10", tor_11 => "TOR-11", tor_12 => "TOR-12",
    tor_13 => "TOR-13", tor_14 => "TOR-14", tor_15 => "TOR-15", tor_16 => "TOR-16",
    tor_17 => "TOR-17", tor_18 => "TOR-18", tor_19 => "TOR-19", tor_20 => "TOR-20",
    tor_21 => "TOR-21", tor_22 => "TOR-22", tor_23 => "TOR-23",
}

const MISMATCH_2_5_2: &str = "The currently stated count of all rows (5) is not equal to the sum of the count stated by the previous run of the collector (2) and the count of the currently collected fresh rows (2). It means that we are faced with at least one of the following cases:\n* the data provided by the external source has changed in such a way that the expected count of the rows which should have already been collected (according to the current data from the external source) is different than the actual count of the already collected rows (by the previous runs of the collector), or\n* some of the fresh rows duplicate some of the rows collected earlier.";

fn case_data(id: &str) -> (String, RowsState) {
    let case = cases().iter().find(|c| c.id == id).expect("case");
    (
        case.input.join("\n"),
        case.initial.as_ref().map(St::to_state).unwrap_or_default(),
    )
}

#[test]
fn count_mismatch_message_is_n6s() {
    let (data, state) = case_data("TOR-17");
    let selection = select_fresh_rows(
        data.as_bytes(),
        &state,
        &TEST_COLLECTOR,
        RowsOptions::default(),
    )
    .expect("selection");
    assert_eq!(selection.warning.as_deref(), Some(MISMATCH_2_5_2));
    let fatal = RowsOptions {
        mismatch_is_fatal: true,
        ..RowsOptions::default()
    };
    let err =
        select_fresh_rows(data.as_bytes(), &state, &TEST_COLLECTOR, fatal).expect_err("fatal");
    assert_eq!(err.0, MISMATCH_2_5_2);
}

#[test]
fn duplicates_and_mismatch_are_one_message() {
    let (data, state) = case_data("TOR-21");
    let selection = select_fresh_rows(
        data.as_bytes(),
        &state,
        &TEST_COLLECTOR,
        RowsOptions::default(),
    )
    .expect("selection");
    let expected = format!(
        "Found duplicates among the fresh rows.\n\nThe following problem also occurred:\n\n{}",
        MISMATCH_2_5_2
            .replace("rows (5)", "rows (7)")
            .replace("fresh rows (2)", "fresh rows (4)")
    );
    assert_eq!(selection.warning.as_deref(), Some(expected.as_str()));
    let (data, state) = case_data("TOR-20");
    let selection = select_fresh_rows(
        data.as_bytes(),
        &state,
        &TEST_COLLECTOR,
        RowsOptions::default(),
    )
    .expect("selection");
    assert_eq!(
        selection.warning.as_deref(),
        Some("Found duplicates among the fresh rows.")
    );
}

#[test]
fn duplicates_only_check_skips_the_total_count() {
    let (data, state) = case_data("TOR-17");
    let options = RowsOptions {
        mismatch_is_fatal: true,
        count_check: CountCheck::DuplicatesOnly,
    };
    let selection =
        select_fresh_rows(data.as_bytes(), &state, &TEST_COLLECTOR, options).expect("no problem");
    assert_eq!(selection.len(), 2);
}

#[test]
fn vanished_newest_rows_are_a_warning_not_a_crash() {
    // n6 keeps its state when the previously newest rows vanished and nothing is new.
    let state = RowsState {
        newest_row_time: "2019-07-02".into(),
        newest_rows: ["\"egg\",\"2019-07-02\"", "\"sss\",\"2019-07-02\""]
            .into_iter()
            .map(Row::from)
            .collect(),
        rows_count: Some(4),
    };
    let data = "\"sss\",\"2019-07-02\"\n\"bar\",\"2019-07-01\"";
    let selection = select_fresh_rows(
        data.as_bytes(),
        &state,
        &TEST_COLLECTOR,
        RowsOptions::default(),
    )
    .expect("selection");
    assert!(selection.is_empty());
    assert_eq!(selection.new_state(), None);
    assert!(selection.warning.is_some(), "count mismatch 2 != 4 + 0");
    assert!(
        selection
            .inconsistency
            .as_deref()
            .is_some_and(|m| m.contains("n6 would abort here")),
        "{:?}",
        selection.inconsistency
    );
    // Logged: n6's count-mismatch WARNING, then the one replacing its AssertionError.
    let (result, warnings) = warnings_logged(|| {
        fresh_rows(
            data.as_bytes(),
            &state,
            &TEST_COLLECTOR,
            RowsOptions::default(),
        )
        .map(|s| s.len())
    });
    assert_eq!((result.expect("no error"), warnings), (0, 2));
}

#[test]
fn invalid_utf8_rows_survive_selection_body_and_state() {
    let data: &[u8] = b"\"\xff\xfeham\",\"2019-07-13\"\r\n\"sp\xc3am\",\"2019-07-11\"\n";
    let selection = select_fresh_rows(
        data,
        &RowsState::default(),
        &TEST_COLLECTOR,
        RowsOptions::default(),
    )
    .expect("selection");
    assert_eq!(
        selection.body(),
        b"\"sp\xc3am\",\"2019-07-11\"\n\"\xff\xfeham\",\"2019-07-13\"\r".to_vec()
    );
    let state = selection.new_state().expect("state");
    assert_eq!(state.newest_row_time, "2019-07-13");
    let rows: Vec<&[u8]> = state.newest_rows.iter().map(Row::as_bytes).collect();
    assert_eq!(rows, vec![&b"\"\xff\xfeham\",\"2019-07-13\"\r"[..]]);

    // Through CBOR and JSON and back: the next run sees nothing new.
    let mut cbor = Vec::new();
    ciborium::into_writer(&state, &mut cbor).expect("cbor");
    let from_cbor: RowsState = ciborium::from_reader(&cbor[..]).expect("cbor back");
    let from_json: RowsState =
        serde_json::from_str(&serde_json::to_string(&state).expect("json")).expect("json back");
    for restored in [from_cbor, from_json] {
        assert_eq!(restored, state);
        let again = select_fresh_rows(data, &restored, &TEST_COLLECTOR, RowsOptions::default())
            .expect("selection");
        assert!(again.is_empty());
    }
}

#[test]
fn split_rows_like_n6() {
    let rows = |d: &[u8]| split_rows(d).map(<[u8]>::to_vec).collect::<Vec<_>>();
    assert_eq!(rows(b""), vec![b"".to_vec()]);
    assert_eq!(
        rows(b"a\r\nb\n"),
        vec![b"a\r".to_vec(), b"b".to_vec(), b"".to_vec()]
    );
    assert_eq!(rows(b"\n"), vec![b"".to_vec(), b"".to_vec()]);
}

#[test]
fn abuse_ch_feodo_cases() {
    // n6's test_abuse_ch.py, the Feodo tracker cases (column 0, ISO times).
    let rows = [
        "# row which should be ignored by collector",
        "2019-08-20 03:00:00,5.5.5.5,447,online,2019-08-20,ExampleName5",
        "2019-08-20 03:00:00,4.4.4.4,447,online,2019-08-20,ExampleName4",
        "2019-08-20 02:00:00,3.3.3.3,447,online,2019-08-20,ExampleName3",
        "2019-08-20 01:00:00,2.2.2.2,447,online,2019-08-20,ExampleName2",
        "2019-08-20 01:00:00,1.1.1.1,447,online,2019-08-20,ExampleName1",
        "2019-08-20 00:00:00,0.0.0.0,447,online,2019-08-20,ExampleName0",
    ];
    let data = rows.join("\n");
    let feodo = CsvIsoUtcColumn { column: 0 };
    let st = |time: &str, rows: &[&str], count: u64| RowsState {
        newest_row_time: time.into(),
        newest_rows: rows.iter().map(|r| Row::from(*r)).collect(),
        rows_count: Some(count),
    };
    let cases: [(RowsState, Vec<&str>, RowsState); 3] = [
        (
            st("2019-08-20 01:00:00", &[rows[5], rows[4]], 3),
            vec![rows[3], rows[2], rows[1]],
            st("2019-08-20 03:00:00", &[rows[2], rows[1]], 6),
        ),
        (
            st("2019-08-20 03:00:00", &[rows[1]], 6),
            vec![rows[2]],
            st("2019-08-20 03:00:00", &[rows[2], rows[1]], 6),
        ),
        (
            RowsState::default(),
            vec![rows[6], rows[5], rows[4], rows[3], rows[2], rows[1]],
            st("2019-08-20 03:00:00", &[rows[2], rows[1]], 6),
        ),
    ];
    for (i, (initial, body, saved)) in cases.into_iter().enumerate() {
        let selection =
            select_fresh_rows(data.as_bytes(), &initial, &feodo, RowsOptions::default())
                .expect("selection");
        assert_eq!(
            selection.body(),
            body.join("\n").into_bytes(),
            "FEODO-0{}",
            i + 1
        );
        assert_eq!(selection.new_state(), Some(saved), "FEODO-0{}", i + 1);
    }
}

/// cert.pl: tab-separated, used iff column 0 is an integer, time = UTC of column 2.
struct CertPl;

impl RowTime for CertPl {
    fn should_row_be_used(&self, row: &[u8]) -> bool {
        let first = row.split(|b| *b == b'\t').next().unwrap_or_default();
        is_used_by_default(row)
            && std::str::from_utf8(first).is_ok_and(|f| f.trim().parse::<i64>().is_ok())
    }

    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<std::borrow::Cow<'r, [u8]>> {
        row.split(|b| *b == b'\t')
            .nth(2)
            .map(std::borrow::Cow::Borrowed)
    }

    fn clean_row_time<'r>(&self, raw: std::borrow::Cow<'r, [u8]>) -> Option<super::TimeText<'r>> {
        iso_utc_time(raw)
    }
}

#[test]
fn cert_pl_cases() {
    // n6's test_cert_pl.py: a legacy state with a vanished newest row, then a plain run.
    let rows = [
        "invalid\trow\twhich\tshould\tbe\tskipped",
        "6\texample_6.com\t2020-06-03T14:00:00+00:00",
        "5\texample_5.com\t2020-06-03T13:00:00+00:00",
        "4\texample_4.com\t2020-06-03T12:00:00+00:00",
        "3\texample_3.com\t2020-06-02T13:00:00+00:00",
        "2\texample_2.com\t2020-06-01T14:00:00+00:00",
        "1\texample_1.com\t2020-06-01T13:00:00+00:00",
    ];
    let data = rows.join("\n");
    let options = RowsOptions {
        mismatch_is_fatal: false,
        count_check: CountCheck::DuplicatesOnly,
    };
    let saved = RowsState {
        newest_row_time: "2020-06-03 14:00:00".into(),
        newest_rows: [Row::from(rows[1])].into_iter().collect(),
        rows_count: Some(6),
    };
    let legacy = RowsState {
        newest_row_time: "2020-06-03 12:00:00".into(),
        newest_rows: [Row::from("3\texample_3.com\t2020-06-03T12:00:00")]
            .into_iter()
            .collect(),
        rows_count: None,
    };
    let s1 = select_fresh_rows(data.as_bytes(), &legacy, &CertPl, options).expect("01");
    assert_eq!(
        s1.body(),
        [rows[3], rows[2], rows[1]].join("\n").into_bytes()
    );
    assert_eq!(s1.new_state(), Some(saved.clone()));
    assert_eq!(s1.warning, None);
    let s2 =
        select_fresh_rows(data.as_bytes(), &RowsState::default(), &CertPl, options).expect("02");
    assert_eq!(
        s2.body(),
        [rows[6], rows[5], rows[4], rows[3], rows[2], rows[1]]
            .join("\n")
            .into_bytes()
    );
    assert_eq!(s2.new_state(), Some(saved));
}

#[test]
fn abuse_ch_urlhaus_urls_01_selection() {
    // n6's test_abuse_ch.py, the URLhaus URLs case: the rows part (column 1); the API calls
    // and the JSON message built from the fresh rows are that collector's own.
    let r1 = r#""111111","2020-01-01 01:00:00","http://example_1.com","XXX1","YYY1","ZZZ1","https://urlhaus.abuse.ch/url/111111/","Example_Nick_1""#;
    let r0 = r#""000000","2020-01-01 00:00:00","http://example_0.com","XXX0","YYY0","ZZZ0","https://urlhaus.abuse.ch/url/000000/","Example_Nick_0""#;
    let data = ["# row which should be ignored by collector", r1, r0, ""].join("\n");
    let selection = select_fresh_rows(
        data.as_bytes(),
        &RowsState::default(),
        &CsvIsoUtcColumn { column: 1 },
        RowsOptions::new(false),
    )
    .expect("selection");
    let fresh: Vec<&[u8]> = selection.fresh_rows().collect();
    assert_eq!(fresh, vec![r0.as_bytes(), r1.as_bytes()]);
    let first_fields: Vec<String> = selection
        .fresh_rows()
        .map(|row| {
            String::from_utf8(csv_field(row, 0, b',').expect("url_id").into_owned()).expect("utf-8")
        })
        .collect();
    assert_eq!(first_fields, vec!["000000", "111111"]);
    assert_eq!(
        selection.new_state(),
        Some(RowsState {
            newest_row_time: "2020-01-01 01:00:00".into(),
            newest_rows: [Row::from(r1)].into_iter().collect(),
            rows_count: Some(2),
        })
    );
}

#[test]
fn time_order_is_byte_order() {
    // Row times longer than 16 bytes, equal prefixes, prefixes of each other, zero bytes.
    let times: [&[u8]; 9] = [
        b"",
        b"2024-01-02 10:04",
        b"2024-01-02 10:04\0",
        b"2024-01-02 10:04:07",
        b"2024-01-02 10:04:07.5",
        b"2024-01-02 10:04:08",
        b"2024-01-02 10:04:08 and some more than 32 bytes",
        b"2024-01-02 10:04:08 and some more than 32 bytes!",
        b"\xff",
    ];
    let data: Vec<u8> = times
        .iter()
        .rev()
        .flat_map(|t| [b"x,\"".as_slice(), t, b"\"\n"].concat())
        .collect();
    let selection = select_fresh_rows(
        &data,
        &RowsState::default(),
        &TEST_COLLECTOR,
        RowsOptions::default(),
    )
    .expect("selection");
    let got: Vec<&str> = selection.fresh_rows_with_times().map(|(_, t)| t).collect();
    let expected: Vec<&str> = times
        .iter()
        .filter_map(|t| std::str::from_utf8(t).ok())
        .collect();
    assert_eq!(got, expected);
}
