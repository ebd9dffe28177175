//! The validation algorithm against n6's behaviour.

use std::path::PathBuf;

use super::*;
use crate::raw::{Origin, RawConfig};
use crate::spec::Spec;

fn spec(text: &str) -> Spec {
    Spec::parse(text, "Main").unwrap_or_else(|e| panic!("bad test spec: {e:?}"))
}

fn file(path: &str, line: usize) -> Origin {
    Origin::File {
        path: PathBuf::from(path),
        line,
    }
}

/// A raw config from `(section, option, value)`, each from `/etc/n6/test.conf` at
/// its index + 1.
fn raw(items: &[(&str, &str, &str)]) -> RawConfig {
    let mut raw = RawConfig::default();
    for (idx, (section, option, value)) in items.iter().enumerate() {
        raw.set(section, option, value, file("/etc/n6/test.conf", idx + 1));
    }
    raw
}

fn ok(
    spec: &Spec,
    raw: &RawConfig,
    custom: &[CustomConverter],
) -> (TypedConfig, Vec<ConfigWarning>) {
    validate(spec, raw, custom).unwrap_or_else(|e| panic!("unexpected errors: {e}"))
}

fn err(spec: &Spec, raw: &RawConfig, custom: &[CustomConverter]) -> ConfigErrors {
    match validate(spec, raw, custom) {
        Ok((config, _)) => panic!("expected errors, got {config:?}"),
        Err(e) => e,
    }
}

/// `{section: [option=Debug(value)]}` as one string, in result order.
fn render(config: &TypedConfig) -> String {
    config
        .sections()
        .map(|(name, section)| {
            let opts: Vec<String> = section
                .values()
                .map(|(o, v)| format!("{o}={v:?}"))
                .collect();
            format!("{name}: {{{}}}", opts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

const VERIFIED_SPEC: &str = "
        [a]
        req :: int
        flag = yes :: bool
        when = 2020-01-01 :: date
        ... :: int
        [b]
        x = 1
        [c]
        y :: str
        [d]
        z = 1
        ...
    ";

#[test]
fn verified_example_of_2_5() {
    let raw = raw(&[
        ("a", "req", "x"),
        ("a", "flag", "maybe"),
        ("a", "free1", "q"),
        ("b", "unknown", "1"),
        ("b", "x", "2"),
        ("d", "free", "v"),
    ]);
    let e = err(&spec(VERIFIED_SPEC), &raw, &[]);
    assert_eq!(
        e.to_string(),
        "[configuration-related error] missing required config sections: c; illegal config \
             options: b.unknown; error when applying config value converter <converter int> to \
             option a.req='x' (ValueError: invalid literal for int() with base 10: 'x'); error \
             when applying config value converter <converter bool> to option a.flag='maybe' \
             (ValueError: \"maybe\" is not a valid YES/NO flag (expected one of: \"0\", \"f\", \
             \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \"t\", \"true\", \"y\", \"yes\"; \
             or a variant of any of them with some letters upper-cased)); error when applying \
             config value converter <converter int> to a.free1='q' (ValueError: invalid literal \
             for int() with base 10: 'q')"
    );
    assert_eq!(
        e.warnings,
        vec![ConfigWarning::TypoVulnerableSections(vec![
            "a".to_owned(),
            "d".to_owned()
        ])]
    );
    assert_eq!(
        e.lines(),
        vec![
            "[c]: missing required config section (required options: y)".to_owned(),
            "/etc/n6/test.conf:4: [b] unknown: illegal config option (declared options: x)"
                .to_owned(),
            "/etc/n6/test.conf:1: [a] req = 'x': invalid literal for int() with base 10: 'x' \
                 (converter int)"
                .to_owned(),
            "/etc/n6/test.conf:2: [a] flag = 'maybe': \"maybe\" is not a valid YES/NO flag \
                 (expected one of: \"0\", \"f\", \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \
                 \"t\", \"true\", \"y\", \"yes\"; or a variant of any of them with some letters \
                 upper-cased) (converter bool)"
                .to_owned(),
            "/etc/n6/test.conf:3: [a] free1 = 'q': invalid literal for int() with base 10: 'q' \
                 (converter int)"
                .to_owned(),
        ]
    );
    let kinds: Vec<(&str, Option<&str>)> = e
        .problems
        .iter()
        .map(|p| (p.section.as_str(), p.option.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("c", None),
            ("b", Some("unknown")),
            ("a", Some("req")),
            ("a", Some("flag")),
            ("a", Some("free1"))
        ]
    );
}

#[test]
fn missing_sections_in_spec_order() {
    let e = err(
        &spec(VERIFIED_SPEC.replace("z = 1", "z").as_str()),
        &RawConfig::default(),
        &[],
    );
    assert_eq!(
        e.to_string(),
        "[configuration-related error] missing required config sections: a, c, d"
    );
    // `b` is absent too, but not required: its defaults are used (n6 logs an ERROR).
    assert_eq!(
        e.warnings,
        vec![ConfigWarning::AbsentNonRequiredSections(vec![
            "b".to_owned()
        ])]
    );
}

#[test]
fn unknown_converter_for_an_option() {
    let e = err(
        &spec("[a]\nx = 1 :: nosuchconv"),
        &raw(&[("a", "y", "1")]),
        &[],
    );
    assert_eq!(
        e.to_string(),
        "[configuration-related error] illegal config options: a.y; unknown config value \
             converter `nosuchconv` (for option a.x)"
    );
    assert_eq!(
        e.lines()[1],
        "[a] x: unknown config value converter `nosuchconv`"
    );
}

#[test]
fn defaults_go_through_converters() {
    let (config, warnings) = ok(
        &spec("[s]\nn = 5 :: int\nl = a, b, :: list_of_str\ne = :: str"),
        &raw(&[("s", "e", "x")]),
        &[],
    );
    assert_eq!(
        render(&config),
        "s: {n=Int(5), l=List([Str(\"a\"), Str(\"b\")]), e=Str(\"x\")}"
    );
    assert!(warnings.is_empty());
    let e = err(
        &spec("[s]\nn = five :: int"),
        &raw(&[("s", "other", "1")]),
        &[],
    );
    assert_eq!(
        e.to_string(),
        "[configuration-related error] illegal config options: s.other; error when applying \
             config value converter <converter int> to option s.n='five' (ValueError: invalid \
             literal for int() with base 10: 'five')"
    );
    assert_eq!(
        e.lines()[1],
        "[s] n = 'five' (the spec's default): invalid literal for int() with base 10: 'five' \
             (converter int)"
    );
}

#[test]
fn free_options_sorted_after_declared_ones() {
    let raw = raw(&[
        ("s", "zeta", "1"),
        ("s", "b", "2"),
        ("s", "declared", "3"),
        ("s", "B", "4"),
        ("s", "a", "5"),
    ]);
    let (mut config, warnings) = ok(&spec("[s]\ndeclared :: int\n... :: int"), &raw, &[]);
    assert_eq!(
        render(&config),
        "s: {declared=Int(3), B=Int(4), a=Int(5), b=Int(2), zeta=Int(1)}"
    );
    assert!(warnings.is_empty());
    let section = config.section_mut("s").expect("section s");
    let free: Vec<&str> = section.free_options().map(|(n, _)| n).collect();
    assert_eq!(free, vec!["B", "a", "b", "zeta"]);
    assert!(section.is_free("a"));
    assert!(!section.is_free("declared"));
    assert!(matches!(section.take("declared"), Some(Value::Int(3))));
    assert!(section.take("declared").is_none());
    let taken: Vec<String> = section.take_free().into_iter().map(|(n, _)| n).collect();
    assert_eq!(taken, vec!["B", "a", "b", "zeta"]);
    assert!(section.is_empty());
}

#[test]
fn default_section_options_are_undeclared_options() {
    // The INI layer copies `[DEFAULT]` options into every section; the spec decides.
    let raw = raw(&[
        ("strict", "x", "1"),
        ("strict", "shared", "d"),
        ("loose", "shared", "d"),
        ("other", "q", "1"),
    ]);
    let e = err(&spec("[strict]\nx :: int\n[loose]\n..."), &raw, &[]);
    assert_eq!(
        e.to_string(),
        "[configuration-related error] illegal config options: strict.shared"
    );
    let (config, _) = ok(&spec("[strict]\nx :: int\n...\n[loose]\n..."), &raw, &[]);
    assert_eq!(
        render(&config),
        "strict: {x=Int(1), shared=Str(\"d\")}; loose: {shared=Str(\"d\")}"
    );
}

#[test]
fn sections_not_in_the_spec_are_dropped() {
    let (mut config, warnings) = ok(
        &spec("[b]\nx = 1\n[a]"),
        &raw(&[("zzz", "q", "1"), ("DEFAULT", "d", "1")]),
        &[],
    );
    assert_eq!(render(&config), "b: {x=Str(\"1\")}; a: {}");
    assert_eq!(
        warnings,
        vec![ConfigWarning::AbsentNonRequiredSections(vec![
            "b".to_owned(),
            "a".to_owned()
        ])]
    );
    assert_eq!(config.len(), 2);
    assert!(config.take_section("b").is_some());
    assert!(config.take_section("b").is_none());
    let names: Vec<String> = config
        .into_sections()
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    assert_eq!(names, vec!["a"]);
}

#[test]
fn custom_converters() {
    fn upper(raw: &str) -> Result<Value, String> {
        Ok(Value::Str(raw.to_uppercase()))
    }
    fn boom(_: &str) -> Result<Value, String> {
        Err("division by zero".to_owned())
    }
    let custom = [
        CustomConverter {
            name: "int",
            convert: upper,
        },
        CustomConverter {
            name: "boom",
            convert: boom,
        },
    ];
    // A custom converter shadows a standard one of the same name.
    let (config, _) = ok(&spec("[s]\nx :: int"), &raw(&[("s", "x", "abc")]), &custom);
    assert_eq!(render(&config), "s: {x=Str(\"ABC\")}");
    let e = err(
        &spec("[s]\nx :: boom\n... :: boom"),
        &raw(&[("s", "x", "1"), ("s", "y", "2")]),
        &custom,
    );
    assert_eq!(
        e.to_string(),
        "[configuration-related error] error when applying config value converter <custom \
             converter boom> to option s.x='1' (division by zero); error when applying config \
             value converter <custom converter boom> to s.y='2' (division by zero)"
    );
    assert_eq!(
        e.lines(),
        vec![
            "/etc/n6/test.conf:1: [s] x = '1': division by zero (custom converter boom)".to_owned(),
            "/etc/n6/test.conf:2: [s] y = '2': division by zero (custom converter boom)".to_owned(),
        ]
    );
}

#[test]
fn operator_line_names_file_section_and_option() {
    let mut raw = RawConfig::default();
    raw.set(
        "MyCollector",
        "retries",
        "abc",
        file("/etc/n6/60_x.conf", 3),
    );
    raw.set("MyCollector", "url", "ftp", Origin::Override);
    let spec = Spec::parse("retries = 3 :: int\nurl = x :: bool", "MyCollector")
        .unwrap_or_else(|e| panic!("{e:?}"));
    let e = err(&spec, &raw, &[]);
    assert_eq!(
        e.lines(),
        vec![
            "/etc/n6/60_x.conf:3: [MyCollector] retries = 'abc': invalid literal for int() with \
                 base 10: 'abc' (converter int)"
                .to_owned(),
            "--n6config-override: [MyCollector] url = 'ftp': \"ftp\" is not a valid YES/NO flag \
                 (expected one of: \"0\", \"f\", \"false\", \"n\", \"no\", \"off\", \"1\", \"on\", \
                 \"t\", \"true\", \"y\", \"yes\"; or a variant of any of them with some letters \
                 upper-cased) (converter bool)"
                .to_owned(),
        ]
    );
    assert_eq!(e.problems[0].origin, Some(file("/etc/n6/60_x.conf", 3)));
    assert_eq!(e.problems[1].origin, Some(Origin::Override));
}

#[test]
fn non_value_errors_keep_their_kind() {
    // A zone `+HH` without minutes makes n6's datetime parser raise TypeError.
    let e = err(
        &spec("[s]\nt :: datetime"),
        &raw(&[("s", "t", "2020-01-01T00:00+01")]),
        &[],
    );
    let ProblemKind::ConversionFailed { error_kind, .. } = &e.problems[0].kind else {
        panic!("unexpected {e:?}");
    };
    assert_eq!(error_kind.as_deref(), Some("TypeError"));
    assert!(e.lines()[0].contains(": TypeError: "), "{}", e.lines()[0]);
    assert!(e.to_string().contains(" (TypeError: "), "{e}");
}

#[test]
fn typo_vulnerability() {
    let s = spec("[s]\ntimeout = 5 :: int\n...");
    let (_, warnings) = ok(&s, &raw(&[("s", "timeot", "7")]), &[]);
    assert_eq!(
        warnings,
        vec![ConfigWarning::TypoVulnerableSections(vec!["s".to_owned()])]
    );
    assert_eq!(
        warnings[0].to_string(),
        "For the following config sections: s some free (undeclared but allowed) options are \
             present and, at the same time, some declared (though non-required) options are \
             absent.  Make sure that the names of those free options are not misspelt names of \
             the declared ones."
    );
    assert!(!warnings[0].is_n6_error_level());
    let (_, warnings) = ok(&s, &raw(&[("s", "timeout", "7"), ("s", "other", "1")]), &[]);
    assert!(warnings.is_empty());
}

// --- n6's `n6lib.tests.test_config` example (`DEFAULT_CONFIG_SPEC`) -------------------

use crate::spec::tests::SPEC_8_5;

/// What the INI layer delivers for the three files of n6's `test_config` example.
fn raw_8_5() -> RawConfig {
    raw(&[
        ("first", "a", "xyz"),
        ("first", "bcd", "4 , 5 , 6"),
        ("first", "efg", "42"),
        ("first", "b", "1"),
        ("first", "hij", "43\n44 ś\n45"),
        ("first", "klm.rst", "\nyes,\noff,\nFalse,\ntrue,\n0,"),
        ("THIRD", "xx", "Zażółć Gęślą Jaźń"),
        ("THIRD", "zz", "{1: 2}"),
        ("THIRD", "qq", ""),
        (
            "third",
            "xx",
            "note that section names are always case-sensitive",
        ),
        ("secondś", "a", "3.2"),
        ("secondś", "b", "44.2"),
        ("secondś", "c", "45.2"),
        ("secondś", "d", "46.2"),
        ("irrelevant", "a", "123"),
        ("irrelevant", "bb", "cc"),
    ])
}

#[test]
fn configuration_of_8_5() {
    let (config, warnings) = ok(&spec(SPEC_8_5), &raw_8_5(), &[]);
    let names: Vec<&str> = config.sections().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        vec!["first", "secondś", "THIRD", "fourth", "fifth", "sixth"]
    );
    let first = config.section("first").expect("first");
    let opts: Vec<&str> = first.values().map(|(n, _)| n).collect();
    assert_eq!(opts, vec!["a", "b", "bcd", "efg", "hij", "klm.rst", "n"]);
    assert!(matches!(first.get("a"), Some(Value::Str(s)) if s == "xyz"));
    assert!(matches!(first.get("b"), Some(Value::Int(1))));
    assert!(matches!(first.get("bcd"), Some(Value::Str(s)) if s == "4 , 5 , 6"));
    assert!(matches!(first.get("efg"), Some(Value::Float(f)) if *f == 42.0));
    assert!(matches!(first.get("hij"), Some(Value::Str(s)) if s == "43\n44 ś\n45"));
    assert_eq!(
        format!("{:?}", first.get("klm.rst")),
        "Some(List([Bool(true), Bool(false), Bool(false), Bool(true), Bool(false)]))"
    );
    let Some(Value::List(n)) = first.get("n") else {
        panic!("first.n: {:?}", first.get("n"));
    };
    let n: Vec<String> = n
        .iter()
        .map(|v| match v {
            Value::DateTime(dt) => format!("{} {}", dt.date(), dt.time()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(n, vec!["2016-02-25 23:24:25.1234", "1410-07-15 10:01:00.0"]);
    assert_eq!(
        render_one(&config, "secondś"),
        "a=Float(3.2), b=Float(44.2), c=Float(45.2), d=Float(46.2)"
    );
    let third = config.section("THIRD").expect("THIRD");
    assert!(
        matches!(third.get("xx"), Some(Value::Bytes(b)) if b == "Zażółć Gęślą Jaźń".as_bytes())
    );
    assert_eq!(
        format!("{:?}", third.get("yy")),
        "Some(Json(Object {\"a\": Number(42)}))"
    );
    assert_eq!(
        format!("{:?}", third.get("zz")),
        "Some(Py(Dict([(Int(1), Int(2))])))"
    );
    assert!(matches!(third.get("qq"), Some(Value::Str(s)) if s.is_empty()));
    assert!(third.is_free("qq"));
    assert_eq!(render_one(&config, "fourth"), "zzz=Str(\"ZZZ\")");
    assert_eq!(render_one(&config, "fifth"), "f=Int(42)");
    assert_eq!(render_one(&config, "sixth"), "");
    assert_eq!(
        warnings,
        vec![
            ConfigWarning::AbsentNonRequiredSections(vec![
                "fourth".to_owned(),
                "fifth".to_owned(),
                "sixth".to_owned()
            ]),
            ConfigWarning::TypoVulnerableSections(vec!["THIRD".to_owned()]),
        ]
    );
    assert_eq!(
        warnings[0].to_string(),
        "Absent *non-required* config sections: fourth, fifth, sixth.  Default config values \
             have been used.  If it is your actual intention, then, for each of these section \
             names, create an empty section inside your configuration, to make the situation clear."
    );
    assert!(warnings[0].is_n6_error_level());
}

fn render_one(config: &TypedConfig, section: &str) -> String {
    let section = config.section(section).expect("section");
    let opts: Vec<String> = section
        .values()
        .map(|(o, v)| format!("{o}={v:?}"))
        .collect();
    opts.join(", ")
}

#[test]
fn overrides_of_8_5() {
    let mut raw = raw_8_5();
    raw.set("first", "a", "abc", Origin::Override);
    raw.set("THIRD", "yy", "{\"a\": 321}", Origin::Override);
    let (config, _) = ok(&spec(SPEC_8_5), &raw, &[]);
    assert!(
        matches!(config.section("first").and_then(|s| s.get("a")), Some(Value::Str(s)) if s == "abc")
    );
    assert_eq!(
        format!("{:?}", config.section("THIRD").and_then(|s| s.get("yy"))),
        "Some(Json(Object {\"a\": Number(321)}))"
    );
}

#[test]
fn missing_sections_of_8_5() {
    let raw = raw(&[("third", "xx", "ham"), ("third", "zz", "[\"spam\"]")]);
    let e = err(&spec(SPEC_8_5), &raw, &[]);
    assert_eq!(
        e.to_string(),
        "[configuration-related error] missing required config sections: first, THIRD"
    );
}

#[test]
fn missing_options_of_8_5() {
    let raw = raw(&[("first", "klm.rst", "true"), ("THIRD", "zz", "42")]);
    let e = err(&spec(SPEC_8_5), &raw, &[]);
    assert_eq!(
        e.to_string(),
        "[configuration-related error] missing required config options: first.a, first.b, \
             first.hij, THIRD.xx"
    );
    assert_eq!(
        e.lines()[0],
        "[first] a: missing required config option (the spec gives no default); the section is \
             in /etc/n6/test.conf"
    );
}

#[test]
fn illegal_options_of_8_5() {
    let mut raw = raw_8_5();
    raw.set("first", "unknown", "1", file("/etc/n6/x.conf", 1));
    raw.set("THIRD", "unknown", "3", file("/etc/n6/x.conf", 2));
    raw.set("fifth", "unknown", "5", file("/etc/n6/x.conf", 3));
    let e = err(&spec(SPEC_8_5), &raw, &[]);
    assert_eq!(
        e.to_string(),
        "[configuration-related error] illegal config options: first.unknown, fifth.unknown"
    );
    assert_eq!(
        e.lines()[1],
        "/etc/n6/x.conf:3: [fifth] unknown: illegal config option (declared options: f)"
    );
}

#[test]
fn unknown_converters_of_8_5() {
    let e = err(&spec(&SPEC_8_5.replace("float", "weird")), &raw_8_5(), &[]);
    assert_eq!(
        e.to_string(),
        "[configuration-related error] unknown config value converter `weird` (for option \
             first.efg); unknown config value converter `weird` (for free options in section \
             secondś)"
    );
    assert_eq!(
        e.lines()[1],
        "[secondś] (free options): unknown config value converter `weird`"
    );
}

#[test]
fn empty_spec_gives_an_empty_config() {
    let (config, warnings) = ok(&Spec::default(), &raw_8_5(), &[]);
    assert!(config.is_empty());
    assert!(warnings.is_empty());
}
