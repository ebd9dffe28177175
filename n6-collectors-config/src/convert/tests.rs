//! n6's converters (`n6lib.config.Config.BASIC_CONVERTERS`) on inputs measured against n6,
//! row by row, through [`Converter::convert`].

use super::*;
use crate::py::PyValue;

fn conv(name: &str, raw: &str) -> Result<Value, ConvertError> {
    Converter::from_name(name).unwrap().convert(raw)
}

fn err(name: &str, raw: &str) -> String {
    conv(name, raw).unwrap_err().to_string()
}

fn bool_err(shown: &str) -> String {
    format!(
        "ValueError: \"{shown}\" is not a valid YES/NO flag (expected one of: \"0\", \"f\", \
         \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \"t\", \"true\", \"y\", \"yes\"; or a \
         variant of any of them with some letters upper-cased)"
    )
}

fn strs(v: Value) -> Vec<String> {
    match v {
        Value::List(items) => items
            .into_iter()
            .map(|i| match i {
                Value::Str(s) => s,
                other => panic!("not a str: {other:?}"),
            })
            .collect(),
        other => panic!("not a list: {other:?}"),
    }
}

#[test]
fn the_table_is_sorted_and_names_round_trip() {
    let names: Vec<&str> = Converter::all().map(|c| c.name()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted, "sorted by name, no name twice");
    for name in names {
        assert_eq!(Converter::from_name(name).unwrap().name(), name);
    }
    assert_eq!(
        Converter::from_name("list_of_datetime")
            .unwrap()
            .to_string(),
        "list_of_datetime"
    );
}

#[test]
fn n6s_standard_converters_and_the_frameworks_are_all_there() {
    let by = |provider| -> Vec<&str> {
        Converter::all()
            .filter(|c| c.def().provider == provider)
            .map(|c| c.name())
            .collect()
    };
    // n6's `Config.BASIC_CONVERTERS`, without the Python-only `importable_dotted_name`.
    assert_eq!(
        by(Provider::N6),
        [
            "bool",
            "bytes",
            "date",
            "datetime",
            "float",
            "int",
            "json",
            "list_of_bool",
            "list_of_bytes",
            "list_of_date",
            "list_of_datetime",
            "list_of_float",
            "list_of_int",
            "list_of_path",
            "list_of_str",
            "path",
            "py",
            "py_namespaces_dict",
            "str",
        ]
    );
    assert_eq!(by(Provider::Framework), ["download_timeout"]);
}

#[test]
fn home_relative_path_defaults_are_left_to_run_time() {
    let conv = |name| Converter::from_name(name).unwrap();
    assert_eq!(conv("path").check_default("~/.n6state"), Ok(()));
    assert_eq!(conv("list_of_path").check_default("/a, ~/b"), Ok(()));
    assert!(conv("path").check_default("relative").is_err());
    assert!(conv("int").check_default("abc").is_err());
    assert_eq!(conv("int").check_default("12"), Ok(()));
}

#[test]
fn unknown_converters() {
    let e = Converter::from_name("integer").unwrap_err();
    assert_eq!(e.to_string(), "unknown config value converter `integer`");
    assert!(!e.is_python_only());
    let e = Converter::from_name("importable_dotted_name").unwrap_err();
    assert!(e.is_python_only());
    assert_eq!(
        e.to_string(),
        "the config value converter `importable_dotted_name` imports a Python object and is \
         not supported (define a custom converter function instead)"
    );
    assert!(Converter::from_name("List_of_int").is_err());
}

#[test]
fn str_table() {
    assert!(matches!(conv("str", "abc ś"), Ok(Value::Str(s)) if s == "abc ś"));
    assert!(matches!(conv("str", ""), Ok(Value::Str(s)) if s.is_empty()));
}

#[test]
fn bytes_table() {
    assert!(matches!(conv("bytes", "abc ś"), Ok(Value::Bytes(b)) if b == b"abc \xc5\x9b"));
    assert!(matches!(conv("bytes", ""), Ok(Value::Bytes(b)) if b.is_empty()));
    assert_eq!(to_bytes("ś"), b"\xc5\x9b");
}

#[test]
fn bool_table() {
    for t in ["true", "T", "YES", "y", "On", "1"] {
        assert!(matches!(conv("bool", t), Ok(Value::Bool(true))), "{t}");
    }
    for f in ["false", "F", "no", "N", "OFF", "0"] {
        assert!(matches!(conv("bool", f), Ok(Value::Bool(false))), "{f}");
    }
    for bad in ["", "2", " yes", "enabled"] {
        assert_eq!(err("bool", bad), bool_err(bad));
        assert_eq!(conv("bool", bad).unwrap_err().kind, "ValueError");
    }
}

#[test]
fn int_and_float_through_converter() {
    assert!(matches!(conv("int", " 42 "), Ok(Value::Int(42))));
    assert!(matches!(conv("int", "٣"), Ok(Value::Int(3))));
    assert_eq!(
        err("int", "0x10"),
        "ValueError: invalid literal for int() with base 10: '0x10'"
    );
    assert!(matches!(conv("float", "1_0.5"), Ok(Value::Float(x)) if x == 10.5));
    assert_eq!(
        err("float", "abc"),
        "ValueError: could not convert string to float: 'abc'"
    );
}

#[test]
fn list_of_str_table() {
    let cases: &[(&str, &[&str])] = &[
        ("a, b, c, d, e,", &["a", "b", "c", "d", "e"]),
        (" a, b,c,d , e, ", &["a", "b", "c", "d", "e"]),
        ("", &[]),
        (",", &[]),
        (",,", &["", ""]),
        ("a,,b", &["a", "", "b"]),
        ("a\n,b", &["a", "b"]),
        ("a,b,,", &["a", "b", ""]),
    ];
    for (raw, expected) in cases {
        assert_eq!(
            strs(conv("list_of_str", raw).unwrap()),
            *expected,
            "{raw:?}"
        );
        assert_eq!(split_list(raw), *expected, "{raw:?}");
    }
}

#[test]
fn list_of_bytes_table() {
    let v = conv("list_of_bytes", " a, b,c,d , e, ").unwrap();
    let Value::List(items) = v else {
        panic!("{v:?}")
    };
    let bytes: Vec<Vec<u8>> = items
        .into_iter()
        .map(|i| match i {
            Value::Bytes(b) => b,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(bytes, [b"a", b"b", b"c", b"d", b"e"]);
}

#[test]
fn list_of_bool_table() {
    let v = conv("list_of_bool", "yes,No , True ,OFF").unwrap();
    assert_eq!(
        format!("{v:?}"),
        "List([Bool(true), Bool(false), Bool(true), Bool(false)])"
    );
    assert_eq!(err("list_of_bool", "yes,,no"), bool_err(""));
}

#[test]
fn list_of_int_table_and_extra_cases() {
    let ints = |raw: &str| to_list(raw, to_int).unwrap();
    assert_eq!(ints("42,43,44,"), [42, 43, 44]);
    assert_eq!(ints(" \t , \t "), Vec::<i64>::new());
    assert_eq!(
        ints(" 42,  43  ,44\n, \t45,46,47 "),
        [42, 43, 44, 45, 46, 47]
    );
    let v = conv("list_of_int", "42,43,44,").unwrap();
    assert_eq!(format!("{v:?}"), "List([Int(42), Int(43), Int(44)])");
    assert_eq!(
        err("list_of_int", "1,x"),
        "ValueError: invalid literal for int() with base 10: 'x'"
    );
}

#[test]
fn list_of_float_table() {
    let v = conv("list_of_float", " 0.2 , 0.4 ").unwrap();
    assert_eq!(format!("{v:?}"), "List([Float(0.2), Float(0.4)])");
}

#[test]
fn list_of_path_table_and_extra_cases() {
    use super::path::to_path_with;
    use crate::py::home::tests::FakeHomes;
    let paths = |raw: &str| {
        to_list(raw, |s| to_path_with(s, &FakeHomes)).map(|v| {
            v.into_iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        paths("/spam, /pram/,/spam/pram,~/foo/bar").unwrap(),
        ["/spam", "/pram", "/spam/pram", "/home/u/foo/bar"]
    );
    assert_eq!(paths("").unwrap(), Vec::<String>::new());
    assert_eq!(paths(",").unwrap(), Vec::<String>::new());
    const EMPTY: &str = "ValueError: path is not allowed to be empty or whitespace-only";
    const RELATIVE: &str = "ValueError: path is required to be absolute (not relative)";
    for raw in [",,", ",/a", "/a,,/b", "\t,/a"] {
        assert_eq!(paths(raw).unwrap_err().to_string(), EMPTY, "{raw:?}");
    }
    for raw in ["a,/b", "a,/b,/c"] {
        assert_eq!(paths(raw).unwrap_err().to_string(), RELATIVE, "{raw:?}");
    }
    assert!(matches!(conv("list_of_path", "/a//b/"), Ok(Value::List(v))
        if matches!(&v[..], [Value::Path(p)] if p.as_os_str() == "/a/b")));
}

#[test]
fn py_value_helper_is_displayable() {
    assert_eq!(PyValue::None.to_string(), "None");
}

fn py_dict(v: Value) -> String {
    match v {
        Value::PyNamespacesDict(entries) => {
            let dict = PyValue::Dict(
                entries
                    .into_iter()
                    .map(|(k, v)| (PyValue::Str(k), v))
                    .collect(),
            );
            dict.to_string()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn py_table_through_converter() {
    let py = |raw: &str| match conv("py", raw) {
        Ok(Value::Py(v)) => v.to_string(),
        other => panic!("{raw:?}: {other:?}"),
    };
    assert_eq!(py("[('a',), {42: None}]"), "[('a',), {42: None}]");
    assert_eq!(py(" 42 "), "42");
    assert_eq!(py("None"), "None");
    assert_eq!(py("b'x'"), "b'x'");
    assert_eq!(py("{1,2}"), "{1, 2}");
    assert_eq!(py("1+2j"), "(1+2j)");
    assert_eq!(py("-5"), "-5");
    assert_eq!(py("True"), "True");
    assert_eq!(
        err("py", "abc"),
        "ValueError: malformed node or string on line 1: <ast.Name object>"
    );
    assert_eq!(
        err("py", ""),
        "SyntaxError: invalid syntax (<unknown>, line 0)"
    );
    assert_eq!(
        err("py", " \n "),
        "SyntaxError: invalid syntax (<unknown>, line 0)"
    );
}

#[test]
fn py_namespaces_dict_table() {
    let ok = |raw: &str| py_dict(conv("py_namespaces_dict", raw).unwrap());
    assert_eq!(
        ok("{'spam': [42, 43, 44], 'ham': {'a': 45.6789}}"),
        "{'spam': [42, 43, 44], 'ham': {'a': 45.6789}}"
    );
    assert_eq!(ok("{}"), "{}");
    assert_eq!(err("py_namespaces_dict", "[1]"), "TypeError: not a dict");
    assert_eq!(
        err("py_namespaces_dict", "{1: 2}"),
        "_NonStrKey: this dict should contain only string keys (but contains some non-string \
         ones: 1)"
    );
    assert_eq!(
        err("py_namespaces_dict", "{'a': {'b': {3: 4}}}"),
        "_NonStrKey: for key 'a' -> for key 'b' -> this subdict should contain only string \
         keys (but contains some non-string ones: 3)"
    );
    assert_eq!(ok("{'a': [{1: 2}]}"), "{'a': [{1: 2}]}");
    assert_eq!(
        err("py_namespaces_dict", "{'x': 1, b'y': 2, (1,): 3}"),
        "_NonStrKey: this dict should contain only string keys (but contains some non-string \
         ones: b'y', (1,))"
    );
    assert_eq!(err("py_namespaces_dict", "abc"), err("py", "abc"));
    assert!(conv("py_namespaces_dict", "{'a': 1}").is_ok());
}

#[test]
fn json_table() {
    let json = |raw: &str| match conv("json", raw) {
        Ok(Value::Json(v)) => v.to_string(),
        other => panic!("{raw:?}: {other:?}"),
    };
    assert_eq!(json("[[\"a\"], {\"b\": null}]"), "[[\"a\"],{\"b\":null}]");
    assert_eq!(json("42"), "42");
    assert_eq!(json("\"x\""), "\"x\"");
    assert_eq!(json("  [1] "), "[1]");
    // Deviation: n6 gives `nan`; a serde_json::Value cannot hold it.
    assert_eq!(
        err("json", "NaN"),
        "JSONDecodeError: NaN and Infinity are not supported (a JSON value cannot hold them): \
         line 1 column 1 (char 0)"
    );
    let e = conv("json", "").unwrap_err();
    assert_eq!(e.kind, "JSONDecodeError");
    assert_eq!(e.message, "Expecting value: line 1 column 1 (char 0)");
    let e = conv("json", "{'a':1}").unwrap_err();
    assert_eq!(
        e.to_string(),
        "JSONDecodeError: Expecting property name enclosed in double quotes: line 1 column 2 \
         (char 1)"
    );
    assert!(to_json("[NaN]").is_err());
}

#[test]
fn download_timeout_table() {
    let dt = |raw: &str| match conv("download_timeout", raw) {
        Ok(Value::DownloadTimeout(c, r)) => (c, r),
        other => panic!("{raw:?}: {other:?}"),
    };
    assert_eq!(dt("(12.1, 25)"), (12.1, 25.0));
    assert_eq!(dt("10"), (10.0, 10.0));
    assert_eq!(dt("2.5"), (2.5, 2.5));
    assert_eq!(dt("[3, 4]"), (3.0, 4.0));
    assert_eq!(dt("True"), (1.0, 1.0));
    assert_eq!(dt("(True, 2)"), (1.0, 2.0));
    let e = |raw: &str| err("download_timeout", raw);
    assert_eq!(
        e("(1, 2, 3)"),
        "ValueError: value should have exactly 2 items"
    );
    assert_eq!(e("[1]"), "ValueError: value should have exactly 2 items");
    assert_eq!(e("0"), "ValueError: value should be > 0");
    assert_eq!(e("-1"), "ValueError: value should be > 0");
    assert_eq!(e("False"), "ValueError: value should be > 0");
    assert_eq!(e("(0, 5)"), "ValueError: each value should be > 0");
    assert_eq!(e("(5, -0.5)"), "ValueError: each value should be > 0");
    const TYPES: &str =
        "TypeError: value should be one of the following types: int, float, 2-tuple of ints/floats";
    assert_eq!(e("'x'"), TYPES);
    assert_eq!(e("None"), TYPES);
    assert_eq!(e("{1: 2}"), TYPES);
    assert_eq!(e("1j"), TYPES);
    assert_eq!(e("(1, \"a\")"), "TypeError: wrong type(s): a");
    assert_eq!(e("('a', 'b')"), "TypeError: wrong type(s): a, b");
    assert_eq!(
        e("(1, None)"),
        "TypeError: sequence item 0: expected str instance, NoneType found"
    );
    assert_eq!(
        e("('a', [1])"),
        "TypeError: sequence item 1: expected str instance, list found"
    );
    assert_eq!(
        e("abc"),
        "ValueError: malformed node or string on line 1: <ast.Name object>"
    );
    assert_eq!(download_timeout("(12.1, 25)"), Ok((12.1, 25.0)));
}

#[test]
fn list_of_date_table() {
    use time::macros::date;
    let v = conv("list_of_date", "2010-07-19, 2011-08-20").unwrap();
    let Value::List(items) = v else {
        panic!("{v:?}")
    };
    assert!(matches!(&items[..], [Value::Date(a), Value::Date(b)]
        if *a == date!(2010 - 07 - 19) && *b == date!(2011 - 08 - 20)));
    assert_eq!(
        err("list_of_date", "2010-07-19,2010-7-19"),
        "ValueError: could not parse '2010-7-19' as ISO date"
    );
}

#[test]
fn list_of_datetime_table() {
    use time::macros::utc_datetime;
    let v = conv(
        "list_of_datetime",
        "2010-07-19 12:39:45+02:00,2011-08-20T23:23,",
    )
    .unwrap();
    let Value::List(items) = v else {
        panic!("{v:?}")
    };
    assert!(
        matches!(&items[..], [Value::DateTime(a), Value::DateTime(b)]
        if *a == utc_datetime!(2010-07-19 10:39:45) && *b == utc_datetime!(2011-08-20 23:23))
    );
    assert_eq!(
        conv("list_of_datetime", "2010-07-19 12:39+02")
            .unwrap_err()
            .kind,
        "TypeError"
    );
}

#[test]
fn date_and_datetime_through_converter() {
    use time::macros::{date, utc_datetime};
    assert!(
        matches!(conv("date", " 2013-W24-3 "), Ok(Value::Date(d)) if d == date!(2013 - 06 - 12))
    );
    assert!(matches!(conv("datetime", "2010-07-19T24:00"),
        Ok(Value::DateTime(d)) if d == utc_datetime!(2010-07-20 0:00)));
    assert_eq!(
        err("date", "2010-02-30"),
        "ValueError: day is out of range for month"
    );
}
