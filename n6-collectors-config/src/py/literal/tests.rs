//! `literal_eval` against CPython 3.11's `ast.literal_eval` (expected values captured
//! from it), including n6's `py` converter cases.

use super::*;

fn ok(src: &str) -> String {
    match literal_eval(src) {
        Ok(v) => v.to_string(),
        Err(e) => panic!("{src:?}: {e}"),
    }
}

fn err(src: &str) -> String {
    literal_eval(src).unwrap_err().to_string()
}

#[test]
fn py_table_2_8() {
    // (through the converter, which strips first)
    let py = |s: &str| crate::convert::to_py(s);
    assert_eq!(
        py("[('a',), {42: None}]").unwrap().to_string(),
        "[('a',), {42: None}]"
    );
    assert_eq!(py(" 42 "), Ok(PyValue::Int(42)));
    assert_eq!(py("None"), Ok(PyValue::None));
    assert_eq!(py("b'x'"), Ok(PyValue::Bytes(b"x".to_vec())));
    assert_eq!(
        py("{1,2}"),
        Ok(PyValue::Set(vec![PyValue::Int(1), PyValue::Int(2)]))
    );
    assert_eq!(py("1+2j"), Ok(PyValue::Complex(1.0, 2.0)));
    assert_eq!(
        py("abc").unwrap_err().to_string(),
        "ValueError: malformed node or string on line 1: <ast.Name object>"
    );
    assert_eq!(
        py("").unwrap_err().to_string(),
        "SyntaxError: invalid syntax (<unknown>, line 0)"
    );
    assert_eq!(py("-5"), Ok(PyValue::Int(-5)));
    assert_eq!(py("True"), Ok(PyValue::Bool(true)));
}

#[test]
fn accepted_literals() {
    let cases: &[(&str, &str)] = &[
        ("1 # c", "1"),
        ("[1,\n2]", "[1, 2]"),
        ("1\\\n+2j", "(1+2j)"),
        ("\"a\" \"b\"", "'ab'"),
        ("0x_1f", "31"),
        ("01.5", "1.5"),
        ("01j", "1j"),
        ("1e5j", "100000j"),
        ("-9223372036854775808", "-9223372036854775808"),
        ("{1: 'a', True: 'b', 1.0: 'c'}", "{1: 'c'}"),
        ("{1, True, 1.0, (1,2), (1.0, 2)}", "{1, (1, 2)}"),
        ("-(1)", "-1"),
        ("+1.5", "1.5"),
        ("1-2j", "(1-2j)"),
        ("-1-2j", "(-1-2j)"),
        ("r'\\n'", "'\\\\n'"),
        ("rb'\\x00'", "b'\\\\x00'"),
        ("u'x'", "'x'"),
        ("Rb'x'", "b'x'"),
        ("0.5+1e999j", "(0.5+infj)"),
        ("1e999", "inf"),
        ("-0j", "(-0-0j)"),
        ("0j", "0j"),
        ("-0.0", "-0.0"),
        ("{}", "{}"),
        ("()", "()"),
        ("(1)", "1"),
        ("(1,)", "(1,)"),
        ("((),)", "((),)"),
        ("[]", "[]"),
        ("'\\x41\\101\\n'", "'AA\\n'"),
        ("b'\\101\\777'", "b'A\\xff'"),
        ("1_000_000", "1000000"),
        ("0xFF", "255"),
        ("0o17", "15"),
        ("0B101", "5"),
        (".5j", "0.5j"),
        ("1.5J", "1.5j"),
        ("[1,]", "[1]"),
        ("{1:2,}", "{1: 2}"),
        ("1,", "(1,)"),
        ("1,2", "(1, 2)"),
        ("\"\\\n\"", "''"),
        ("\"\"\"\"\"\"", "''"),
        ("'''a'b'''", "\"a'b\""),
        ("set()", "set()"),
        ("'\\u015b\\U0001F600\\q'", "'ś\u{1F600}\\\\q'"),
        ("\"it's\"", "\"it's\""),
        ("00", "0"),
        ("0_0", "0"),
        ("1.e5", "100000.0"),
        ("5.", "5.0"),
        ("'''a\nb'''", "'a\\nb'"),
        ("[1, [2, (3, {'x': {4}})]]", "[1, [2, (3, {'x': {4}})]]"),
        ("(12.1, 25)", "(12.1, 25)"),
    ];
    for (src, expected) in cases {
        assert_eq!(ok(src), *expected, "{src:?}");
    }
}

#[test]
fn malformed_nodes() {
    let cases: &[(&str, &str)] = &[
        ("abc", "Name"),
        ("[1, abc]", "Name"),
        ("-x", "Name"),
        ("~1", "UnaryOp"),
        ("1+2", "BinOp"),
        ("f'x'", "JoinedStr"),
        ("'a' f'b'", "JoinedStr"),
        ("x.y", "Attribute"),
        ("x[1]", "Subscript"),
        ("x[1:2]", "Subscript"),
        ("x(1)", "Call"),
        ("set((1,))", "Call"),
        ("set([])", "Call"),
        ("not 1", "UnaryOp"),
        ("1 if 2 else 3", "IfExp"),
        ("lambda: 1", "Lambda"),
        ("[x for x in y]", "ListComp"),
        ("{x for x in y}", "SetComp"),
        ("{x: 1 for x in y}", "DictComp"),
        ("(x for x in y)", "GeneratorExp"),
        ("1+-2j", "UnaryOp"),
        ("(1+2j)+3", "BinOp"),
        ("--1", "UnaryOp"),
        ("-True", "Constant"),
        ("True + 1j", "Constant"),
        ("2**3", "BinOp"),
        ("[*a]", "Starred"),
        ("1 < 2", "Compare"),
        ("1 not in 2", "Compare"),
        ("a or b", "BoolOp"),
        ("-'a'", "Constant"),
    ];
    for (src, class) in cases {
        assert_eq!(
            err(src),
            format!("ValueError: malformed node or string on line 1: <ast.{class} object>"),
            "{src:?}"
        );
    }
    assert_eq!(
        err("(1,\n abc)"),
        "ValueError: malformed node or string on line 2: <ast.Name object>"
    );
    assert_eq!(
        err("\n\n[1,\nabc]"),
        "ValueError: malformed node or string on line 4: <ast.Name object>"
    );
    assert_eq!(err("{**a}"), "ValueError: malformed node or string: None");
    assert_eq!(
        err("x[1:2, ::3]"),
        "ValueError: malformed node or string on line 1: <ast.Subscript object>"
    );
    assert_eq!(
        err("1\n 2"),
        "IndentationError: unexpected indent (<unknown>, line 2)"
    );
    assert_eq!(
        err("# c\n 2"),
        "IndentationError: unexpected indent (<unknown>, line 2)"
    );
    assert_eq!(ok("[1,\n  2]"), "[1, 2]");
    assert_eq!(ok("1 \\\n  + 2j"), "(1+2j)");
}

#[test]
fn syntax_errors() {
    let cases: &[(&str, &str)] = &[
        ("", "invalid syntax (<unknown>, line 0)"),
        ("[1,", "'[' was never closed (<unknown>, line 1)"),
        ("[1 2", "'[' was never closed (<unknown>, line 1)"),
        ("1 2", "invalid syntax (<unknown>, line 1)"),
        ("(", "'(' was never closed (<unknown>, line 1)"),
        (
            "'abc",
            "unterminated string literal (detected at line 1) (<unknown>, line 1)",
        ),
        (
            "'a\nb'",
            "unterminated string literal (detected at line 1) (<unknown>, line 1)",
        ),
        (
            "\"\"\"x\ny",
            "unterminated triple-quoted string literal (detected at line 2) (<unknown>, line 1)",
        ),
        (
            "01",
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for \
             octal integers (<unknown>, line 1)",
        ),
        ("1_", "invalid decimal literal (<unknown>, line 1)"),
        ("1__0", "invalid decimal literal (<unknown>, line 1)"),
        ("1e", "invalid decimal literal (<unknown>, line 1)"),
        ("1abc", "invalid decimal literal (<unknown>, line 1)"),
        ("0x", "invalid hexadecimal literal (<unknown>, line 1)"),
        ("0o", "invalid octal literal (<unknown>, line 1)"),
        (
            "0o8",
            "invalid digit '8' in octal literal (<unknown>, line 1)",
        ),
        (
            "0b12",
            "invalid digit '2' in binary literal (<unknown>, line 1)",
        ),
        ("{1:2", "'{' was never closed (<unknown>, line 1)"),
        (")", "unmatched ')' (<unknown>, line 1)"),
        (
            "(1]",
            "closing parenthesis ']' does not match opening parenthesis '(' (<unknown>, line 1)",
        ),
        ("1 +", "invalid syntax (<unknown>, line 1)"),
        ("a b", "invalid syntax (<unknown>, line 1)"),
        ("1\n2", "invalid syntax (<unknown>, line 2)"),
        ("€", "invalid character '€' (U+20AC) (<unknown>, line 1)"),
        ("$", "invalid syntax (<unknown>, line 1)"),
        ("*a", "invalid syntax (<unknown>, line 1)"),
        ("1;2", "invalid syntax (<unknown>, line 1)"),
        ("bu'x'", "invalid syntax (<unknown>, line 1)"),
        ("[,]", "invalid syntax (<unknown>, line 1)"),
        ("(,)", "invalid syntax (<unknown>, line 1)"),
        ("{,}", "invalid syntax (<unknown>, line 1)"),
        (
            "'a' b'x'",
            "cannot mix bytes and nonbytes literals (<unknown>, line 1)",
        ),
        (
            "b\"\u{e9}\"",
            "bytes can only contain ASCII literal characters (<unknown>, line 1)",
        ),
        (
            "\\N{DASH}",
            "unexpected character after line continuation character (<unknown>, line 1)",
        ),
        (
            "\"\\x4\"",
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-2: \
             truncated \\xXX escape (<unknown>, line 1)",
        ),
        (
            "\"\\u12\"",
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-3: \
             truncated \\uXXXX escape (<unknown>, line 1)",
        ),
        (
            "\"\\U00110000\"",
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: \
             illegal Unicode character (<unknown>, line 1)",
        ),
        (
            "b'\\x4'",
            "(value error) invalid \\x escape at position 0 (<unknown>, line 1)",
        ),
        (
            "[1 2 3]",
            "invalid syntax. Perhaps you forgot a comma? (<unknown>, line 1)",
        ),
        (
            "{'a': 1 'b': 2}",
            "invalid syntax. Perhaps you forgot a comma? (<unknown>, line 1)",
        ),
        ("1 {", "'{' was never closed (<unknown>, line 1)"),
        (",er(n~n.", "invalid syntax (<unknown>, line 1)"),
        ("{.", "invalid syntax (<unknown>, line 1)"),
        ("*[", "invalid syntax (<unknown>, line 1)"),
        ("1, *a", "invalid syntax (<unknown>, line 1)"),
        ("None.True", "invalid syntax (<unknown>, line 1)"),
        ("x[]", "invalid syntax (<unknown>, line 1)"),
        ("1j1", "invalid imaginary literal (<unknown>, line 1)"),
        (
            "07n",
            "leading zeros in decimal integer literals are not permitted; use an 0o prefix for \
             octal integers (<unknown>, line 1)",
        ),
        (
            "{1:}",
            "expression expected after dictionary key and ':' (<unknown>, line 1)",
        ),
        ("*\\", "invalid syntax (<unknown>, line 1)"),
        (
            "'\\N'",
            "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: \
             malformed \\N character escape (<unknown>, line 1)",
        ),
        ("#", "invalid syntax (<unknown>, line 1)"),
    ];
    for (src, expected) in cases {
        assert_eq!(err(src), format!("SyntaxError: {expected}"), "{src:?}");
    }
}

#[test]
fn type_errors_and_limits() {
    assert_eq!(err("{(1,[2])}"), "TypeError: unhashable type: 'list'");
    assert_eq!(err("{1:[2], [3]:4}"), "TypeError: unhashable type: 'list'");
    assert_eq!(err("{{}: 1}"), "TypeError: unhashable type: 'dict'");
    assert_eq!(ok("9223372036854775807"), "9223372036854775807");
    assert_eq!(
        err("9223372036854775808"),
        "ValueError: the integer 9223372036854775808 is out of range for a 64-bit integer \
         (-9223372036854775808..9223372036854775807)"
    );
    assert!(err("99999999999999999999999999999999999999999999").contains("out of range"));
    assert_eq!(
        ok("99999999999999999999999999999999999999999999+1j"),
        "(1e+44+1j)"
    );
    assert_eq!(
        err("..."),
        "ValueError: Ellipsis (`...`) is not a supported value"
    );
    assert!(err("'\\N{BULLET}'").starts_with("SyntaxError: "));
    assert!(err("'\\ud800'").starts_with("SyntaxError: "));
}

/// Regression (found by the `config_spec` fuzz target): a `lambda` whose parameters run
/// into a tokenizer error (here the unmatched `}`) looped forever instead of reporting it.
#[test]
fn lambda_running_into_a_tokenizer_error_is_a_syntax_error() {
    for src in ["lambda =CSSSSs =5%0}}", "lambda x }", "lambda x, y )"] {
        let close = src.chars().last().unwrap_or(' ');
        assert_eq!(
            err(src),
            format!("SyntaxError: unmatched '{close}' (<unknown>, line 1)"),
            "{src:?}"
        );
    }
}

/// A huge dict (a `base_request_headers` value with many keys) is built with a bounded
/// number of key comparisons per key, not one per earlier key; repeated and equal keys
/// (`1`, `1.0`, `True`) still collapse as in Python.
#[test]
fn building_a_big_dict_or_set_takes_linear_work() {
    let n = 20_000;
    for (open, close, entry) in [("{", "}", ": 'v'"), ("{", "}", "")] {
        let items: Vec<String> = (0..n).map(|i| format!("'k{i}'{entry}")).collect();
        let text = format!("{open}{}{close}", items.join(", "));
        eval::COMPARISONS.with(|c| c.set(0));
        let value = literal_eval(&text).unwrap();
        let comparisons = eval::COMPARISONS.with(|c| c.get());
        let len = match value {
            PyValue::Dict(d) => d.len(),
            PyValue::Set(s) => s.len(),
            other => panic!("{other:?}"),
        };
        assert_eq!(len, n);
        assert!(
            comparisons <= 2 * n as u64,
            "{comparisons} comparisons for {n} keys"
        );
    }
    assert_eq!(
        ok("{1: 'a', 1.0: 'b', True: 'c', 2: 'd'}"),
        "{1: 'c', 2: 'd'}"
    );
    assert_eq!(
        ok("{(1, 'a'), (1.0, 'a'), 0.0, -0.0, False}"),
        "{(1, 'a'), 0.0}"
    );
}
