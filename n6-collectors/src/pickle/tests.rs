//! Pickles of every protocol Python writes and the state pickles of n6's collectors, as captured from
//! CPython 3.11 (the cases of n6's
//! `n6datasources.tests.collectors.test_base.TestStatefulCollectorMixin`).

use super::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn ok(h: &str, py2: Py2Strings) -> PyValue {
    decode(&hex(h), py2).expect("decodes").value
}

fn err(h: &str) -> PickleError {
    decode(&hex(h), Py2Strings::default()).expect_err("refused")
}

fn s(text: &str) -> PyValue {
    PyValue::Str(text.to_owned())
}

fn int(i: i128) -> PyValue {
    PyValue::Int(i)
}

fn now_dict(key: PyValue) -> PyValue {
    PyValue::Dict(vec![(
        key,
        PyValue::DateTime {
            year: 2022,
            month: 8,
            day: 25,
            hour: 15,
            minute: 8,
            second: 47,
            microsecond: 787_810,
        },
    )])
}

const P01: &str = "80059533000000000000007d948c036e6f77948c086461746574696d65948c086461746574696d65949394430a07e608190f082f0c05629485945294732e";
const P02: &str = "80049533000000000000007d948c036e6f77948c086461746574696d65948c086461746574696d65949394430a07e608190f082f0c05629485945294732e";
const P03: &str = "8004950b000000000000005d94284b014b2a4b10652e";
const P04: &str = "80049514000000000000005d94284b2a8c0a6a61c5bac58420edb39d94652e";
const P05: &str = "80049512000000000000005d94284b2a43086a61c5bac58420dd94652e";
const P06: &str = "80037d710058030000006e6f777101636461746574696d650a6461746574696d650a7102430a07e608190f082f0c05627103857104527105732e";
const P07: &str = "80027d710058030000006e6f777101636461746574696d650a6461746574696d650a7102635f636f646563730a656e636f64650a7103580b00000007c3a608190f082f0c0562710458060000006c6174696e317105867106527107857108527109732e";
const P08: &str = "80027d710155036e6f777102636461746574696d650a6461746574696d650a7103550a07e608190f082f0c056285527104732e";
const P12: &str = "80025d7101284b014b2a4b10652e";
const P14: &str = "80025d7101284b2a580a0000006a61c5bac58420edb39d7102652e";
const P15: &str = "80025d7101284b2a55086a61c5bac58420dd7102652e";

#[test]
fn p01_p02_p06_p07_python3_datetimes() {
    for (label, h) in [("P01", P01), ("P02", P02), ("P06", P06), ("P07", P07)] {
        assert_eq!(ok(h, Py2Strings::default()), now_dict(s("now")), "{label}");
    }
    assert_eq!(
        decode(&hex(P06), Py2Strings::default())
            .expect("P06")
            .protocol,
        3
    );
}

#[test]
fn p03_p12_plain_lists() {
    let expected = PyValue::List(vec![int(1), int(42), int(16)]);
    assert_eq!(ok(P03, Py2Strings::default()), expected);
    assert_eq!(ok(P12, Py2Strings::Ascii), expected);
}

#[test]
fn p04_p14_surrogate_escaped_text_maps_back_to_the_raw_byte() {
    let expected = PyValue::List(vec![
        int(42),
        PyValue::str_from_escaped(b"ja\xc5\xba\xc5\x84 \xdd".to_vec()),
    ]);
    assert_eq!(ok(P04, Py2Strings::default()), expected);
    assert_eq!(ok(P14, Py2Strings::Ascii), expected);
    assert_eq!(expected.to_string(), "[42, 'jaźń \\udcdd']");
}

#[test]
fn p05_bytes() {
    assert_eq!(
        ok(P05, Py2Strings::default()),
        PyValue::List(vec![
            int(42),
            PyValue::Bytes(b"ja\xc5\xba\xc5\x84 \xdd".to_vec())
        ])
    );
}

#[test]
fn p08_to_p11_python2_datetime_under_each_policy() {
    // n6 refuses P08 with its default ascii decoding, because the datetime payload is an
    // 8-bit str; this reader takes datetime payloads as raw bytes under every policy.
    for policy in [
        Py2Strings::Ascii,
        Py2Strings::Latin1,
        Py2Strings::Utf8SurrogateEscape,
    ] {
        assert_eq!(ok(P08, policy), now_dict(s("now")), "{policy}");
    }
    assert_eq!(
        ok(P08, Py2Strings::Bytes),
        now_dict(PyValue::Bytes(b"now".to_vec()))
    );
}

#[test]
fn p15_to_p18_python2_8bit_strings() {
    let raw = b"ja\xc5\xba\xc5\x84 \xdd".to_vec();
    // P17: utf-8 + surrogateescape, the default.
    assert_eq!(
        ok(P15, Py2Strings::Utf8SurrogateEscape),
        PyValue::List(vec![int(42), PyValue::str_from_escaped(raw.clone())])
    );
    // P18: encoding="bytes".
    assert_eq!(
        ok(P15, Py2Strings::Bytes),
        PyValue::List(vec![int(42), PyValue::Bytes(raw)])
    );
    // Latin-1: each byte one character.
    assert_eq!(
        ok(P15, Py2Strings::Latin1),
        PyValue::List(vec![int(42), s("jaÅºÅ\u{84} Ý")])
    );
    // P15: n6's default (ascii, strict) fails.
    let e = decode(&hex(P15), Py2Strings::Ascii).expect_err("ascii");
    assert_eq!(
        e.kind,
        PickleErrorKind::BadString(
            "a Python 2 string: 'ascii' codec can't decode byte 0xc5 in position 2 (choose another Python-2 string encoding)".into()
        )
    );
    assert_eq!(e.offset, 8);
}

#[test]
fn p19_to_p31_garbage_and_truncation() {
    use PickleErrorKind as K;
    let cases: [(&str, &str, u64, K); 13] = [
        ("P19", "", 0, K::Empty),
        ("P20", "78", 0, K::NotProtocol2OrNewer),
        ("P21", "7879", 0, K::NotProtocol2OrNewer),
        (
            "P22",
            "78797a31323334353637383930",
            0,
            K::NotProtocol2OrNewer,
        ),
        (
            "P23",
            "7d710058030000006e6f777101636461746574696d650a",
            0,
            K::NotProtocol2OrNewer,
        ),
        (
            "P24",
            "7d710155036e6f777102636461746574696d650a",
            0,
            K::NotProtocol2OrNewer,
        ),
        (
            "P25",
            "286470300a566e6f770a70310a",
            0,
            K::NotProtocol2OrNewer,
        ),
        (
            "P26",
            "286470310a53276e6f77270a70320a",
            0,
            K::NotProtocol2OrNewer,
        ),
        ("P27", "80", 1, K::Truncated),
        ("P28", "8003", 2, K::Truncated),
        ("P29", "800478797a", 2, K::InvalidOpcode(0x78)),
        ("P30", "8002", 2, K::Truncated),
        ("P31", "800278797a", 2, K::InvalidOpcode(0x78)),
    ];
    for (label, h, offset, kind) in cases {
        assert_eq!(err(h), PickleError { offset, kind }, "{label}");
    }
    // Protocol-0/1 bytes as n6's `TestStatefulCollectorMixin` feeds them, not only their prefixes.
    assert_eq!(err("0130").kind, K::NotProtocol2OrNewer);
}

#[test]
fn n6_collector_state_shapes() {
    let rows_default = "80059539000000000000007d94288c0f6e65776573745f726f775f74696d65948c00948c0b6e65776573745f726f7773948f948c0a726f77735f636f756e74944b00752e";
    assert_eq!(
        ok(rows_default, Py2Strings::default()),
        PyValue::Dict(vec![
            (s("newest_row_time"), s("")),
            (s("newest_rows"), PyValue::Set(vec![])),
            (s("rows_count"), int(0)),
        ])
    );
    let rows = "8005955a000000000000007d94288c0f6e65776573745f726f775f74696d65948c0a323031392d30372d3133948c0b6e65776573745f726f7773948f94288c122268616d222c22323031392d30372d31332294908c0a726f77735f636f756e74944b07752e";
    assert_eq!(
        ok(rows, Py2Strings::default()),
        PyValue::Dict(vec![
            (s("newest_row_time"), s("2019-07-13")),
            (
                s("newest_rows"),
                PyValue::Set(vec![s("\"ham\",\"2019-07-13\"")])
            ),
            (s("rows_count"), int(7)),
        ])
    );
    let urlhaus = "8005956a000000000000007d948c086461746574696d65948c0464617465949394430407e8010294859452948f94288c40616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261626162616261629490732e";
    assert_eq!(
        ok(urlhaus, Py2Strings::default()),
        PyValue::Dict(vec![(
            PyValue::Date {
                year: 2024,
                month: 1,
                day: 2
            },
            PyValue::Set(vec![s(&"ab".repeat(32))])
        )])
    );
    let misp = "8005959f000000000000007d94288c196576656e74735f6c6173745f70726f635f6461746574696d65948c086461746574696d65948c086461746574696d65949394430a07e8010203040500000094859452948c1a73616d706c65735f6c6173745f70726f635f6461746574696d65946804430a07e8010203040500000094859452948c1c616c72656164795f70726f6365737365645f73616d706c655f696473948f94284b7b90752e";
    let dt = PyValue::DateTime {
        year: 2024,
        month: 1,
        day: 2,
        hour: 3,
        minute: 4,
        second: 5,
        microsecond: 0,
    };
    assert_eq!(
        ok(misp, Py2Strings::default()),
        PyValue::Dict(vec![
            (s("events_last_proc_datetime"), dt.clone()),
            (s("samples_last_proc_datetime"), dt),
            (
                s("already_processed_sample_ids"),
                PyValue::Set(vec![int(123)])
            ),
        ])
    );
    let tu = "80059535000000000000007d948c186e65776573745f6576656e745f73746f7265645f74696d65948c13323032352d30382d30325430383a34313a323994732e";
    assert_eq!(
        ok(tu, Py2Strings::default()),
        PyValue::Dict(vec![(
            s("newest_event_stored_time"),
            s("2025-08-02T08:41:29")
        )])
    );
    let withaname = "8005952a000000000000008c086461746574696d65948c086461746574696d65949394430a07b2010100000000000094859452942e";
    assert_eq!(
        ok(withaname, Py2Strings::default()),
        PyValue::DateTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            microsecond: 0
        }
    );
    let zoneh = "8005956d000000000000008c146e366c69622e636f6d6d6f6e5f68656c70657273948c054f505365749493942981947d948c025f64947d94288c057469746c65948c056465736372948c1f4d6f6e2c203031204a616e20323032342030303a30303a3030202b303030309487944e4e4e4e87944e7573622e";
    assert_eq!(
        ok(zoneh, Py2Strings::default()),
        PyValue::OpSet(vec![
            PyValue::Tuple(vec![
                s("title"),
                s("descr"),
                s("Mon, 01 Jan 2024 00:00:00 +0000")
            ]),
            PyValue::Tuple(vec![PyValue::None, PyValue::None, PyValue::None]),
        ])
    );
}

#[test]
fn protocol3_set_via_builtins_set() {
    // pickle.dumps({1, 2}, protocol=3)
    let h = "8003636275696c74696e730a7365740a71005d7101284b014b02658571025271032e";
    assert_eq!(
        ok(h, Py2Strings::default()),
        PyValue::Set(vec![int(1), int(2)])
    );
}

#[test]
fn big_integers() {
    // pickle.dumps(2**70, protocol=4): outside CBOR's range.
    let e = err("8004950c000000000000008a090000000000000000402e");
    assert!(
        matches!(e.kind, PickleErrorKind::Unsupported(ref m) if m == "the integer 1180591620717411303424 is outside the CBOR integer range"),
        "{e}"
    );
    // pickle.dumps([2**63, -2**64], protocol=4)
    let v = ok(
        "8004951b000000000000005d94288a090000000000000080008a090000000000000000ff652e",
        Py2Strings::default(),
    );
    assert_eq!(v, PyValue::List(vec![int(1 << 63), int(-(1 << 64))]));
}

#[test]
fn unsupported_content_is_named() {
    // pickle.dumps(collections.OrderedDict(), protocol=4)
    let e = err(
        "80049522000000000000008c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952942e",
    );
    assert_eq!(
        e.kind,
        PickleErrorKind::UnsupportedGlobal("collections.OrderedDict".into())
    );
    assert_eq!(e.offset, 39);
    // pickle.dumps(datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc), protocol=4)
    let e = err(
        "80049557000000000000008c086461746574696d65948c086461746574696d65949394430a07e801020000000000009468008c0874696d657a6f6e6594939468008c0974696d6564656c74619493944b004b004b008794529485945294869452942e",
    );
    assert_eq!(
        e.kind,
        PickleErrorKind::UnsupportedGlobal("datetime.timezone".into())
    );
    assert_eq!(e.offset, 61);
    // l = []; l.append(l); pickle.dumps(l, protocol=4)
    let e = err("80049506000000000000005d946800612e");
    assert_eq!(e.offset, 11);
    assert!(
        matches!(e.kind, PickleErrorKind::Unsupported(ref m) if m.contains("recursive")),
        "{e}"
    );
}

#[test]
fn shared_reference_bombs_are_refused() {
    // x = ['a' * 100]; for _ in range(40): x = [x, x]; pickle.dumps(x, protocol=4):
    // 358 bytes that would expand to 2**40 strings.
    let h = "8004955b010000000000005d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d94285d948c64616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161619461682865682765682665682565682465682365682265682165682065681f65681e65681d65681c65681b65681a65681965681865681765681665681565681465681365681265681165681065680f65680e65680d65680c65680b65680a656809656808656807656806656805656804656803656802656801652e";
    let e = err(h);
    assert!(
        matches!(e.kind, PickleErrorKind::Unsupported(ref m) if m == "shared references that expand to far more data than the file holds"),
        "{e}"
    );
    // Sharing within the budget is fine: the same 100-byte string twice.
    let v = ok(
        "8004956e000000000000005d94288c6461616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161946801652e",
        Py2Strings::default(),
    );
    let a = s(&"a".repeat(100));
    assert_eq!(v, PyValue::List(vec![a.clone(), a]));
}
