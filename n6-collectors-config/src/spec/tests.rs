use super::*;

const MAIN: &str = "Main";

fn parse(text: &str) -> Spec {
    match Spec::parse(text, MAIN) {
        Ok(spec) => spec,
        Err(errors) => panic!("unexpected errors for {text:?}: {errors:?}"),
    }
}

fn errors(text: &str) -> Vec<(usize, String)> {
    match Spec::parse(text, MAIN) {
        Ok(spec) => panic!("expected errors for {text:?}, got {spec:?}"),
        Err(errors) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
    }
}

/// `(section, [(option, default, converter)])` of every section.
type Summary = Vec<(String, Vec<(String, Option<String>, String)>)>;

fn summary(spec: &Spec) -> Summary {
    spec.sections
        .iter()
        .map(|s| {
            let opts = s
                .options
                .iter()
                .map(|o| (o.name.clone(), o.default.clone(), o.converter.clone()))
                .collect();
            (s.name.clone(), opts)
        })
        .collect()
}

fn one_option(text: &str) -> (String, Option<String>, String) {
    let spec = parse(text);
    assert_eq!(spec.sections.len(), 1, "{text:?}");
    let opts = &spec.sections[0].options;
    assert_eq!(opts.len(), 1, "{text:?}");
    (
        opts[0].name.clone(),
        opts[0].default.clone(),
        opts[0].converter.clone(),
    )
}

fn opt(name: &str, default: Option<&str>, conv: &str) -> (String, Option<String>, String) {
    (name.to_owned(), default.map(str::to_owned), conv.to_owned())
}

fn invalid(line: &str) -> String {
    format!(
        "config line '{line}' is not valid (note that section/option names that are empty or \
         contain certain restricted characters, in particular whitespace, are not supported)"
    )
}

// --- §2.3 "Verified parse results" ------------------------------------------------

#[test]
fn header_with_trailing_text() {
    let spec = parse("[foo]xyz\na = 1");
    assert_eq!(
        summary(&spec),
        vec![("foo".to_owned(), vec![opt("a", Some("1"), "str")])]
    );
    assert_eq!(spec.sections[0].line, 1);
    assert_eq!(spec.sections[0].options[0].line, 2);
}

#[test]
fn header_with_spaces_and_comment() {
    let spec = parse("[ foo ] ; c\na = 1");
    assert_eq!(
        summary(&spec),
        vec![("foo".to_owned(), vec![opt("a", Some("1"), "str")])]
    );
}

#[test]
fn required_options() {
    assert_eq!(one_option("name ; comment"), opt("name", None, "str"));
    assert_eq!(
        one_option("name :: int ; comment"),
        opt("name", None, "int")
    );
    assert_eq!(one_option("name"), opt("name", None, "str"));
    assert_eq!(one_option("name::int"), opt("name", None, "int"));
    assert!(parse("name :: int").sections[0].options[0].is_required());
    assert!(parse("name :: int").sections[0].is_required());
}

#[test]
fn empty_defaults_are_optional() {
    assert_eq!(one_option("name=::int"), opt("name", Some(""), "int"));
    assert_eq!(
        one_option("name = \"\" :: int"),
        opt("name", Some(""), "int")
    );
    assert_eq!(one_option("name ="), opt("name", Some(""), "str"));
    assert_eq!(one_option("name = \"\""), opt("name", Some(""), "str"));
    assert_eq!(one_option("name: \"\"  ; c"), opt("name", Some(""), "str"));
    assert_eq!(one_option("name = ; c"), opt("name", Some(""), "str"));
    let spec = parse("name=::int");
    assert!(!spec.sections[0].options[0].is_required());
    assert!(!spec.sections[0].is_required());
}

#[test]
fn many_ways_to_write_an_empty_default() {
    for line in [
        "e:\"\"",
        "e: \"\"",
        "e:\"\" ;c",
        "e: \"\" ; c",
        "e :  \"\"  ; c",
        "e:",
        "e :",
        "e  :",
        "e : ;c",
        "e  :  ; c",
        "e=\"\"",
        "e =\"\" ;c",
        "e =  \"\"  ; c",
        "e=",
        "e =",
        "e= ;c",
        "e =  ; c",
    ] {
        assert_eq!(one_option(line), opt("e", Some(""), "str"), "{line:?}");
    }
    for line in [
        "e:\"\"::int",
        "e: \"\" ::int",
        "e:\"\":: int",
        "e: \"\"  ::  int",
        "e:\"\"::int ;c",
        "e: \"\" ::  int  ; c",
        "e :\"\"::int",
        "e  :  \"\"  ::  int",
        "e : \"\" :: int ;c",
    ] {
        assert_eq!(one_option(line), opt("e", Some(""), "int"), "{line:?}");
    }
}

#[test]
fn semicolon_without_whitespace_is_part_of_the_name() {
    assert_eq!(one_option("name;c"), opt("name;c", None, "str"));
    assert_eq!(one_option("name =;c"), opt("name", Some(";c"), "str"));
}

#[test]
fn last_double_colon_separates_the_converter() {
    assert_eq!(
        one_option("name = x :: y :: z"),
        opt("name", Some("x :: y"), "z")
    );
    assert_eq!(
        one_option("Y=ZZ::XX::conv2\t;c"),
        opt("y", Some("ZZ::XX"), "conv2")
    );
    assert_eq!(
        one_option("Y=ZZ::XX::conv2\t\t\t;inline-comment\t\t\t;yeah"),
        opt("y", Some("ZZ::XX"), "conv2")
    );
    assert_eq!(one_option("x:y::conv1 ;c"), opt("x", Some("y"), "conv1"));
}

#[test]
fn continuation_lines() {
    assert_eq!(
        one_option("\nname = a\n  b :: int"),
        opt("name", Some("a\nb"), "int")
    );
    // Blank lines and column-0 comments inside the value are skipped.
    assert_eq!(
        one_option("\nname = a\n\n# c\n  b  \n;x\n\t c"),
        opt("name", Some("a\nb\nc"), "str")
    );
    // No inline comments on continuation lines.
    assert_eq!(
        one_option("\nname = a ; c\n  b ; d"),
        opt("name", Some("a\nb ; d"), "str")
    );
    // Continuation lines after an option without a value are ignored.
    assert_eq!(
        one_option("\nname :: int\n  whatever"),
        opt("name", None, "int")
    );
    assert_eq!(
        one_option("\nbAR = http:://\t\n  example.com/ :: url"),
        opt("bar", Some("http:://\nexample.com/"), "url")
    );
}

#[test]
fn colon_and_semicolon_in_values() {
    assert_eq!(one_option("name:value"), opt("name", Some("value"), "str"));
    assert_eq!(
        one_option("name = val;ue"),
        opt("name", Some("val;ue"), "str")
    );
    assert_eq!(
        one_option("name = val\t;ue"),
        opt("name", Some("val"), "str")
    );
    assert_eq!(
        one_option("name = a=b:c"),
        opt("name", Some("a=b:c"), "str")
    );
}

#[test]
fn options_before_any_header_go_to_the_main_section() {
    let spec = parse("top = 1\n[foo]\nb=2");
    assert_eq!(
        summary(&spec),
        vec![
            ("Main".to_owned(), vec![opt("top", Some("1"), "str")]),
            ("foo".to_owned(), vec![opt("b", Some("2"), "str")]),
        ]
    );
    assert_eq!(spec.sections[0].line, 0);
    // Without options before the first header there is no main section.
    let spec = parse("# comment\n\n[foo]\nb=2");
    assert_eq!(spec.sections.len(), 1);
    // An explicit header of the main section is fine when nothing came before it...
    assert_eq!(parse("[Main]\na = 1").sections[0].line, 1);
    // ...and a duplicate otherwise.
    assert_eq!(
        errors("a = 1\n[Main]\nb = 2"),
        vec![(2, "duplicate section name 'Main'".to_owned())]
    );
}

#[test]
fn free_options_marker() {
    let spec = parse("[s]\n... :: int");
    let section = &spec.sections[0];
    assert!(section.options.is_empty());
    assert_eq!(
        section.free_options,
        Some(FreeOptionsSpec {
            converter: "int".to_owned(),
            line: 2
        })
    );
    assert!(section.allows_free_options());
    let spec = parse("[s]\na = 1\n...  ; any");
    assert_eq!(
        spec.sections[0]
            .free_options
            .as_ref()
            .map(|f| f.converter.as_str()),
        Some("str")
    );
    assert!(!parse("[s]\na = 1").sections[0].allows_free_options());
    // `...` alone makes the implicit main section exist.
    assert_eq!(parse("...").sections[0].name, "Main");
}

#[test]
fn duplicate_option_after_lower_casing() {
    assert_eq!(
        errors("Name = 1\nNAME = 2"),
        vec![(
            2,
            "duplicate option name 'name' in section 'Main'".to_owned()
        )]
    );
    assert_eq!(
        errors("[first]\na\nA = 1\n...\n... :: int"),
        vec![
            (3, "duplicate option name 'a' in section 'first'".to_owned()),
            (
                5,
                "duplicate option name '...' in section 'first'".to_owned()
            ),
        ]
    );
}

#[test]
fn invalid_lines() {
    assert_eq!(errors("[foo.bar]"), vec![(1, invalid("[foo.bar]"))]);
    assert_eq!(errors("a b = 1"), vec![(1, invalid("a b = 1"))]);
    assert_eq!(
        errors("[spam]\na b c = foo"),
        vec![(2, invalid("a b c = foo"))]
    );
    for line in [
        "[]", "[ ]", "[a b]", "[foo", "]x = 1", "=x", ":x", "a :: b c", "a ::", "a b",
    ] {
        assert_eq!(errors(line), vec![(1, invalid(line))], "{line:?}");
    }
}

#[test]
fn invalid_converter_specs() {
    assert_eq!(
        errors("a = 1 ::"),
        vec![(
            1,
            "the `a` option's converter spec '' is not valid".to_owned()
        )]
    );
    assert_eq!(
        errors("\nname = a :: int\n  b"),
        vec![(
            2,
            "the `name` option's converter spec 'int\\nb' is not valid".to_owned()
        )]
    );
    assert_eq!(
        errors("name = a :: in t"),
        vec![(
            1,
            "the `name` option's converter spec 'in t' is not valid".to_owned()
        )]
    );
}

// --- §2.2 consequences -------------------------------------------------------------

#[test]
fn indented_comment_is_a_continuation_line() {
    assert_eq!(
        one_option("\na = 1\n  # indented"),
        opt("a", Some("1\n# indented"), "str")
    );
}

#[test]
fn continuation_line_first() {
    assert_eq!(
        errors("\n# c\n  xyz\nabc = 1"),
        vec![(
            3,
            "first non-blank config line '  xyz' looks like a continuation line (that is, \
             starts with whitespace characters)"
                .to_owned()
        )]
    );
}

#[test]
fn continuation_after_header_is_ignored() {
    let spec = parse("[s]\n  ignored\na = 1");
    assert_eq!(
        summary(&spec),
        vec![("s".to_owned(), vec![opt("a", Some("1"), "str")])]
    );
}

// --- §2.1 pre-processing -----------------------------------------------------------

#[test]
fn indentation_is_reduced() {
    let text =
        "\n        [first]\n        a = 1\n          b\n        c :: int\n\n        [second]\n";
    let spec = parse(text);
    assert_eq!(
        summary(&spec),
        vec![
            (
                "first".to_owned(),
                vec![opt("a", Some("1\nb"), "str"), opt("c", None, "int")]
            ),
            ("second".to_owned(), vec![]),
        ]
    );
    assert_eq!(spec.sections[0].line, 2);
    assert_eq!(spec.sections[0].options[1].line, 5);
    assert_eq!(spec.sections[1].line, 7);
    // The first line's own indentation does not count.
    let spec = parse("   [first]\n      a = 1\n      b = 2");
    assert_eq!(summary(&spec)[0].1.len(), 2);
    // Tabs are 8 columns.
    let spec = parse("x\n\t[s]\n        a = 1\n\t\tb");
    assert_eq!(
        summary(&spec)[1],
        ("s".to_owned(), vec![opt("a", Some("1\nb"), "str")])
    );
}

#[test]
fn first_line_does_not_count_for_the_common_indentation() {
    // As n6's `reduce_indent`: a lone indented second line loses its indentation, so
    // it is not a continuation of the first line.
    let spec = parse("name = a :: int\n  b");
    assert_eq!(
        summary(&spec)[0].1,
        vec![opt("name", Some("a"), "int"), opt("b", None, "str")]
    );
}

#[test]
fn line_endings() {
    let spec = parse("[s]\r\na = 1\r  b\rc = 2\n");
    assert_eq!(
        summary(&spec),
        vec![(
            "s".to_owned(),
            vec![opt("a", Some("1\nb"), "str"), opt("c", Some("2"), "str")]
        )]
    );
    assert_eq!(spec.sections[0].options[1].line, 4);
}

#[test]
fn reserved_characters() {
    assert_eq!(
        errors("[s]\na = \x01x\nb = \0"),
        vec![(
            2,
            "found config spec's character(s) reserved for internal purposes: '\\x00', '\\x01'"
                .to_owned()
        )]
    );
}

#[test]
fn empty_spec() {
    assert_eq!(parse(""), Spec::default());
    assert_eq!(parse("\n  \n# only comments\n"), Spec::default());
}

// --- error collection --------------------------------------------------------------

#[test]
fn all_errors_are_collected_with_original_line_numbers() {
    let text = "
        [first]
        a = 1
        a = 2
        b c
        d = 1 ::
        [first]
        x = 1
        x = 2
        [ok]
        e :: int
        [bad.name]
        f = x :: int
          more";
    assert_eq!(
        errors(text),
        vec![
            (4, "duplicate option name 'a' in section 'first'".to_owned()),
            (5, invalid("b c")),
            (
                6,
                "the `d` option's converter spec '' is not valid".to_owned()
            ),
            (7, "duplicate section name 'first'".to_owned()),
            (9, "duplicate option name 'x' in section 'first'".to_owned()),
            (12, invalid("[bad.name]")),
            (
                13,
                "the `f` option's converter spec 'int\\nmore' is not valid".to_owned()
            ),
        ]
    );
}

#[test]
fn non_ascii_names_are_quoted_like_python_ascii() {
    assert_eq!(
        errors("[secondś]\na\na"),
        vec![(
            3,
            "duplicate option name 'a' in section 'second\\u015b'".to_owned()
        )]
    );
}

// --- §8.5 -------------------------------------------------------------------------

/// The spec of n6-contract §8.5 (also used by the validation tests).
pub(crate) const SPEC_8_5: &str = "
    [first]
    a
    b :: int
    bcd = 0 , 0 , 0 ; comment
    efg = 0 :: float
    hij :: str
    klm.rst :: list_of_bool
    N = 2016-02-25 23:24:25.1234 , 1410-07-15T12:01+02:00::list_of_datetime

    [secondś]
    ... :: float

    [THIRD]
    XX :: bytes
    YY = {\"a\": 42} :: json  ; another comment
    zz :: py
    ...

    [fourth]
    Zzz = ZZZ
    ... :: int

    [fifth]
    f = 42 :: int

    [sixth]
";

#[test]
fn spec_of_8_5() {
    let spec = parse(SPEC_8_5);
    assert_eq!(
        summary(&spec),
        vec![
            (
                "first".to_owned(),
                vec![
                    opt("a", None, "str"),
                    opt("b", None, "int"),
                    opt("bcd", Some("0 , 0 , 0"), "str"),
                    opt("efg", Some("0"), "float"),
                    opt("hij", None, "str"),
                    opt("klm.rst", None, "list_of_bool"),
                    opt(
                        "n",
                        Some("2016-02-25 23:24:25.1234 , 1410-07-15T12:01+02:00"),
                        "list_of_datetime"
                    ),
                ]
            ),
            ("secondś".to_owned(), vec![]),
            (
                "THIRD".to_owned(),
                vec![
                    opt("xx", None, "bytes"),
                    opt("yy", Some("{\"a\": 42}"), "json"),
                    opt("zz", None, "py"),
                ]
            ),
            ("fourth".to_owned(), vec![opt("zzz", Some("ZZZ"), "str")]),
            ("fifth".to_owned(), vec![opt("f", Some("42"), "int")]),
            ("sixth".to_owned(), vec![]),
        ]
    );
    let free: Vec<Option<&str>> = spec
        .sections
        .iter()
        .map(|s| s.free_options.as_ref().map(|f| f.converter.as_str()))
        .collect();
    assert_eq!(
        free,
        vec![None, Some("float"), Some("str"), Some("int"), None, None]
    );
    let required: Vec<bool> = spec.sections.iter().map(SectionSpec::is_required).collect();
    assert_eq!(required, vec![true, false, true, false, false, false]);
    assert_eq!(spec.section("THIRD").map(|s| s.line), Some(14));
    assert_eq!(spec.section("third"), None);
    assert_eq!(
        spec.section("first")
            .and_then(|s| s.option("n"))
            .map(|o| o.line),
        Some(9)
    );
}

// --- combine (§2.6) ----------------------------------------------------------------

#[test]
fn combine_replaces_defaults_in_place_and_appends() {
    let background = parse("state_dir = ~/.n6state :: path\nretries = 3 :: int\n[extra]\nx = 1");
    let foreground = parse("url\nretries = 5 :: int\n[own]\ny :: int\n");
    let spec = combine(&background, &foreground).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        summary(&spec),
        vec![
            (
                "Main".to_owned(),
                vec![
                    opt("state_dir", Some("~/.n6state"), "path"),
                    opt("retries", Some("5"), "int"),
                    opt("url", None, "str"),
                ]
            ),
            ("extra".to_owned(), vec![opt("x", Some("1"), "str")]),
            ("own".to_owned(), vec![opt("y", None, "int")]),
        ]
    );
    let main = &spec.sections[0];
    assert_eq!(
        main.options.iter().map(|o| o.line).collect::<Vec<_>>(),
        vec![1, 2, 1]
    );
    assert_eq!(spec.sections[2].line, 3);
}

#[test]
fn combine_can_change_required_ness() {
    let background = parse("token :: str\nlimit = 10 :: int");
    let foreground = parse("token = abc\nlimit :: int");
    let spec = combine(&background, &foreground).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        summary(&spec)[0].1,
        vec![opt("token", Some("abc"), "str"), opt("limit", None, "int")]
    );
}

#[test]
fn combine_rejects_differing_converters() {
    let background = parse("state_dir = ~/.n6state :: path\nname = x\n...");
    let foreground = parse("\nstate_dir = /x :: str\nname = y :: str\n... :: int");
    let errs = combine(&background, &foreground).expect_err("must fail");
    assert_eq!(
        errs,
        vec![
            SpecError {
                line: 2,
                message: "differing *converter specs* of the option `state_dir` in section `Main` \
                          (inherited: `path`, here: `str`; a redeclared option may change its \
                          default, not its converter)"
                    .to_owned()
            },
            SpecError {
                line: 4,
                message: "differing *converter specs* of the option `...` in section `Main` \
                          (inherited: `str`, here: `int`; a redeclared option may change its \
                          default, not its converter)"
                    .to_owned()
            },
        ]
    );
}

#[test]
fn combine_free_options() {
    let with = parse("...  :: int");
    let without = parse("a = 1");
    for (b, f) in [(&with, &without), (&without, &with), (&with, &with)] {
        let spec = combine(b, f).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            spec.sections[0]
                .free_options
                .as_ref()
                .map(|x| x.converter.as_str()),
            Some("int")
        );
    }
    let spec = combine(&without, &without).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(spec.sections[0].free_options, None);
}

#[test]
fn combine_with_empty_sides() {
    let spec = parse("[a]\nx = 1\n[b]\ny :: int");
    assert_eq!(combine(&spec, &Spec::default()), Ok(spec.clone()));
    assert_eq!(combine(&Spec::default(), &spec), Ok(spec.clone()));
}

#[test]
fn framework_fragments_parse() {
    for fragment in [
        crate::fragments::STATEFUL,
        crate::fragments::DOWNLOAD,
        crate::fragments::TIME_ORDERED_ROWS,
    ] {
        let spec = parse(fragment);
        assert_eq!(spec.sections.len(), 1);
        assert!(!spec.sections[0].is_required());
    }
    assert_eq!(
        summary(&parse(crate::fragments::DOWNLOAD))[0].1,
        vec![
            opt("download_retries", Some("3"), "int"),
            opt("download_timeout", Some("(12.1, 25)"), "download_timeout"),
            opt("download_deadline", Some("3600"), "float"),
            opt("download_min_interval", Some("0"), "float"),
            opt("download_only_if_changed", Some("no"), "bool"),
            opt("download_only_if_body_changed", Some("no"), "bool"),
            opt("base_request_headers", Some("{}"), "py_namespaces_dict"),
        ]
    );
}

#[test]
fn display_of_errors() {
    let e = SpecError {
        line: 3,
        message: "m".to_owned(),
    };
    assert_eq!(e.to_string(), "line 3: m");
    let e = SpecError {
        line: 0,
        message: "m".to_owned(),
    };
    assert_eq!(e.to_string(), "m");
}
