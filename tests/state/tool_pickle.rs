//! n6 state pickles made by CPython 3 in the test (`python3 -c ...`), read by
//! `n6_collectors::pickle` under every protocol n6 may have written (2–5).

use n6_collectors::pickle::{self, Py2Strings, PyValue};

/// Defines a stand-in for `n6lib.common_helpers.OPSet` that pickles as n6's does
/// (`NEWOBJ` with no arguments, then `BUILD` with `{'_d': {element: None, ...}}`).
const PRELUDE: &str = "\
import types
m = types.ModuleType('n6lib.common_helpers')
class OPSet:
    def __init__(self, it): self._d = dict.fromkeys(it)
OPSet.__module__ = 'n6lib.common_helpers'
m.OPSet = OPSet
sys.modules['n6lib'] = types.ModuleType('n6lib')
sys.modules['n6lib.common_helpers'] = m
";

/// `pickle.dumps(expr, protocol)` as made by the machine's python3.
fn python_pickle(expr: &str, protocol: u8) -> Vec<u8> {
    crate::support::pickle::python_pickle(PRELUDE, expr, protocol)
}

fn s(text: &str) -> PyValue {
    PyValue::Str(text.to_owned())
}

fn dt(
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    microsecond: u32,
) -> PyValue {
    PyValue::DateTime {
        year,
        month,
        day,
        hour,
        minute,
        second,
        microsecond,
    }
}

fn cases() -> Vec<(&'static str, PyValue)> {
    vec![
        (
            "{'newest_row_time': '', 'newest_rows': set(), 'rows_count': 0}",
            PyValue::Dict(vec![
                (s("newest_row_time"), s("")),
                (s("newest_rows"), PyValue::Set(vec![])),
                (s("rows_count"), PyValue::Int(0)),
            ]),
        ),
        (
            // A row that n6 decoded with errors='surrogateescape' from non-UTF-8 input.
            "{'newest_row_time': '2019-07-13 10:00:00', 'newest_rows': {'\"1\",\"ja\\udcdd\"'}, 'rows_count': 70000}",
            PyValue::Dict(vec![
                (s("newest_row_time"), s("2019-07-13 10:00:00")),
                (
                    s("newest_rows"),
                    PyValue::Set(vec![PyValue::str_from_escaped(
                        b"\"1\",\"ja\xdd\"".to_vec(),
                    )]),
                ),
                (s("rows_count"), PyValue::Int(70000)),
            ]),
        ),
        (
            "{datetime.date(2024, 1, 2): {'ab' * 32}}",
            PyValue::Dict(vec![(
                PyValue::Date {
                    year: 2024,
                    month: 1,
                    day: 2,
                },
                PyValue::Set(vec![s(&"ab".repeat(32))]),
            )]),
        ),
        (
            "{'events_last_proc_datetime': datetime.datetime(2024, 1, 2, 3, 4, 5), \
              'samples_last_proc_datetime': datetime.datetime(2024, 1, 2, 3, 4, 5, 6), \
              'already_processed_sample_ids': {2**40}}",
            PyValue::Dict(vec![
                (s("events_last_proc_datetime"), dt(2024, 1, 2, 3, 4, 5, 0)),
                (s("samples_last_proc_datetime"), dt(2024, 1, 2, 3, 4, 5, 6)),
                (
                    s("already_processed_sample_ids"),
                    PyValue::Set(vec![PyValue::Int(1 << 40)]),
                ),
            ]),
        ),
        ("None", PyValue::None),
        (
            "{'newest_event_stored_time': '2025-08-02T08:41:29'}",
            PyValue::Dict(vec![(
                s("newest_event_stored_time"),
                s("2025-08-02T08:41:29"),
            )]),
        ),
        ("datetime.datetime(1970, 1, 1)", dt(1970, 1, 1, 0, 0, 0, 0)),
        (
            "OPSet([('title', 'descr', 'Mon, 01 Jan 2024 00:00:00 +0000'), (None, None, None)])",
            PyValue::OpSet(vec![
                PyValue::Tuple(vec![
                    s("title"),
                    s("descr"),
                    s("Mon, 01 Jan 2024 00:00:00 +0000"),
                ]),
                PyValue::Tuple(vec![PyValue::None, PyValue::None, PyValue::None]),
            ]),
        ),
        (
            "[b'\\xc5\\xbc\\xc3', bytearray(b'\\x00'), frozenset({1}), (1.5, True, False), -2**63, 2**64 - 1]",
            PyValue::List(vec![
                PyValue::Bytes(b"\xc5\xbc\xc3".to_vec()),
                PyValue::Bytes(vec![0]),
                PyValue::FrozenSet(vec![PyValue::Int(1)]),
                PyValue::Tuple(vec![
                    PyValue::Float(1.5),
                    PyValue::Bool(true),
                    PyValue::Bool(false),
                ]),
                PyValue::Int(-(1 << 63)),
                PyValue::Int((1 << 64) - 1),
            ]),
        ),
    ]
}

#[test]
fn every_n6_state_shape_under_protocols_2_to_5() {
    for protocol in 2..=5 {
        for (expr, expected) in cases() {
            let data = python_pickle(expr, protocol);
            let decoded = pickle::decode(&data, Py2Strings::default())
                .unwrap_or_else(|e| panic!("protocol {protocol}, {expr}: {e}"));
            assert_eq!(decoded.protocol, protocol);
            assert_eq!(decoded.value, expected, "protocol {protocol}: {expr}");
        }
    }
}

#[test]
fn shared_references_are_seen_complete() {
    // The same set object twice: the second occurrence is a memo reference to it.
    let data = python_pickle("(lambda x: [x, x])({'a'})", 4);
    let value = pickle::decode(&data, Py2Strings::default())
        .expect("decodes")
        .value;
    let set = PyValue::Set(vec![s("a")]);
    assert_eq!(value, PyValue::List(vec![set.clone(), set]));
}

#[test]
fn large_sets_keep_every_element() {
    let data = python_pickle("{'row %d' % i for i in range(5000)}", 5);
    let PyValue::Set(items) = pickle::decode(&data, Py2Strings::default())
        .expect("decodes")
        .value
    else {
        panic!("not a set");
    };
    let mut rows: Vec<String> = items
        .into_iter()
        .map(|v| match v {
            PyValue::Str(text) => text,
            other => panic!("not a str: {other:?}"),
        })
        .collect();
    rows.sort();
    let mut expected: Vec<String> = (0..5000).map(|i| format!("row {i}")).collect();
    expected.sort();
    assert_eq!(rows, expected);
}

#[test]
fn unsupported_content_is_refused_by_name() {
    let cases = [
        (
            "__import__('collections').OrderedDict(a=1)",
            "collections.OrderedDict",
        ),
        ("datetime.timedelta(1)", "datetime.timedelta"),
        (
            "datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)",
            "datetime.timezone",
        ),
        ("__import__('decimal').Decimal('1.5')", "decimal.Decimal"),
    ];
    for (expr, name) in cases {
        let data = python_pickle(expr, 4);
        let e = pickle::decode(&data, Py2Strings::default()).expect_err(expr);
        assert_eq!(
            e.kind,
            pickle::PickleErrorKind::UnsupportedGlobal(name.to_owned()),
            "{expr}"
        );
    }
    let data = python_pickle("(lambda l: (l.append(l), l)[1])([])", 4);
    let e = pickle::decode(&data, Py2Strings::default()).expect_err("recursive");
    assert!(e.to_string().contains("recursive structure"), "{e}");
}
