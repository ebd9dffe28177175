//! Which parametrization of n6's test a fixture recorded, for what the recording does not
//! hold: the class attributes the test gave its collector (`raw_type`, `content_type`)
//! and the test's own input piles (`obtain_input_pile` returning a `sentinel`).
//!
//! n6's `n6datasources.tests.collectors.test_base` defines one collector class per
//! parametrized run (`TestBaseTwoPhaseCollector.test`, `TestBaseSimpleCollector.test`,
//! `TestBaseSimpleEmailCollector.test`), with `unittest_expander`'s `@foreach`. A
//! fixture directory is named `NNN__test_base__{TestClass}_{name}_{hash}`: `NNN` is the
//! run's position (from 1) among the test's runs in the order unittest runs them (sorted
//! by method name), `{name}` the start of the method name `unittest_expander` made,
//! with every run of other characters than `[A-Za-z0-9_.-]` as one `_`.
//!
//! So the parameters are rebuilt here as n6's test yields them, named as
//! `unittest_expander` names them (`test__<{label}>`, a repeated name gets `__2`,
//! `__3`...), sorted; `NNN` picks one, and the readable part of the directory name must
//! agree with that run's name (otherwise the fixture is not one this table knows: an
//! error, never a guess).

use std::path::Path;

use n6_collectors::config::pyliteral::py_bytes_repr;

/// `raw_type_and_content_type` of n6's tests (`example_valid_raw_type_and_content_type_cases`
/// and the loops of `TestBaseTwoPhaseCollector` / `TestBaseSimpleEmailCollector`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawTypeParam {
    /// `('stream', None)`.
    Stream,
    /// `('file', 'application/jwt')`.
    File,
    /// `('blacklist', 'text/csv')`.
    Blacklist,
}

impl RawTypeParam {
    /// In the order n6's tests list them.
    const ALL: [RawTypeParam; 3] = [
        RawTypeParam::Stream,
        RawTypeParam::File,
        RawTypeParam::Blacklist,
    ];

    /// Python's `repr` of the tuple.
    fn repr(self) -> &'static str {
        match self {
            RawTypeParam::Stream => "('stream', None)",
            RawTypeParam::File => "('file', 'application/jwt')",
            RawTypeParam::Blacklist => "('blacklist', 'text/csv')",
        }
    }
}

/// The input pile `TestBaseTwoPhaseCollector`'s `ExampleCollector.obtain_input_pile`
/// returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPile {
    /// `sentinel.input_pile_carrying_one`: one input-data dict.
    CarryingOne,
    /// `sentinel.input_pile_carrying_many`: three input-data dicts.
    CarryingMany,
    /// `sentinel.input_pile_carrying_nothing`: no input-data dicts.
    CarryingNothing,
    /// `None`: nothing to publish.
    None,
}

/// One run of `TestBaseTwoPhaseCollector.test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoPhaseCase {
    /// The collector's `raw_type` and `content_type`.
    pub raw: RawTypeParam,
    /// What `obtain_input_pile` returns.
    pub pile: InputPile,
}

/// The run of `TestBaseTwoPhaseCollector.test` that `fixture` recorded.
pub fn two_phase(fixture: &Path) -> Result<TwoPhaseCase, String> {
    let calls_head = "[call.obtain_input_pile(), call.generate_input_data_dicts(...)]";
    let mut runs = Vec::new();
    for raw in RawTypeParam::ALL {
        for (pile, repr) in [
            (InputPile::CarryingOne, "sentinel.input_pile_carrying_one"),
            (InputPile::CarryingMany, "sentinel.input_pile_carrying_many"),
            (InputPile::None, "None"),
            (
                InputPile::CarryingNothing,
                "sentinel.input_pile_carrying_nothing",
            ),
        ] {
            let mut kwargs = vec![
                ("raw_type_and_content_type", raw.repr().to_owned()),
                ("input_pile", repr.to_owned()),
                (
                    "expected_recorded_method_calls",
                    if pile == InputPile::None {
                        "[call.obtain_input_pile()]".to_owned()
                    } else {
                        calls_head.to_owned()
                    },
                ),
            ];
            if pile == InputPile::CarryingNothing {
                kwargs.push(("expected_logger_warning_count", "1".to_owned()));
            }
            runs.push((kwargs_label(&kwargs), TwoPhaseCase { raw, pile }));
        }
    }
    pick(fixture, "TestBaseTwoPhaseCollector", runs)
}

/// The `raw_type_and_content_type` of the run of `TestBaseSimpleCollector.test` that
/// `fixture` recorded (`@foreach(raw types)` over `@foreach(data_body_cases)`).
pub fn simple(fixture: &Path) -> Result<RawTypeParam, String> {
    let data_body_cases = [
        vec![
            ("data_body", "None".to_owned()),
            ("expected_recorded_method_calls", "[]".to_owned()),
        ],
        vec![
            ("data_body", py_bytes_repr(br#"{"foo": "bar"}"#)),
            (
                "expected_recorded_method_calls",
                "[call.publish_output(...), call.after_completed_publishing()]".to_owned(),
            ),
        ],
    ];
    let mut runs = Vec::new();
    for raw in RawTypeParam::ALL {
        for inner in &data_body_cases {
            // Stacked `@foreach`: the lower decorator's label comes first.
            let label = format!(
                "{}, {}",
                kwargs_label(inner),
                kwargs_label(&[("raw_type_and_content_type", raw.repr().to_owned())])
            );
            runs.push((label, raw));
        }
    }
    pick(fixture, "TestBaseSimpleCollector", runs)
}

/// The `raw_type_and_content_type` of the run of `TestBaseSimpleEmailCollector.test`
/// that `fixture` recorded.
pub fn simple_email(fixture: &Path) -> Result<RawTypeParam, String> {
    const REST: &[u8] = b"From: \"Sophisticated Source\" <our.source@example.org>\r\n\
        To: \"CSIRT for Solar System\" <solar.system.csirt@example.net>\r\n\
        Content-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    let no_events: Vec<u8> = [
        &b"Date: Sun, 28 May 2023 07:08:09 +0200 (CEST)\r\nSubject: New  events! \r\n"[..],
        REST,
        b"Przepraszamy, brak iwent=C3=B3w, bo nie dowie=C5=BAli...\r\n",
    ]
    .concat();
    let subject: &[u8] = b"Subject: New  events! \r\n";
    let date: &[u8] = b"Date: Mon, 29 May 2023 10:11:12 +0200 (CEST)\r\n";
    let publishes = "[call.publish_output(...), call.after_completed_publishing()]";
    let mut runs = Vec::new();
    for raw in RawTypeParam::ALL {
        let raw_repr = ("raw_type_and_content_type", raw.repr().to_owned());
        runs.push((
            kwargs_label(&[
                raw_repr.clone(),
                ("raw_email_msg", py_bytes_repr(&no_events)),
                ("expected_recorded_method_calls", "[]".to_owned()),
            ]),
            raw,
        ));
        for raw_subject in [None, Some(subject)] {
            for raw_date in [None, Some(date)] {
                // Only the message's start shows in the label; the body does not matter.
                let msg = [raw_date.unwrap_or(b""), raw_subject.unwrap_or(b""), REST].concat();
                runs.push((
                    kwargs_label(&[
                        raw_repr.clone(),
                        ("raw_email_msg", py_bytes_repr(&msg)),
                        ("expected_recorded_method_calls", publishes.to_owned()),
                    ]),
                    raw,
                ));
            }
        }
    }
    pick(fixture, "TestBaseSimpleEmailCollector", runs)
}

/// `unittest_expander`'s `param._short_repr`: a `repr` longer than 16 characters becomes
/// `<` + its first 11 characters (after any leading `<`) + `...>`.
fn short_repr(repr: &str) -> String {
    if repr.chars().count() > 16 {
        let head: String = repr.trim_start_matches('<').chars().take(11).collect();
        format!("<{head}...>")
    } else {
        repr.to_owned()
    }
}

/// `unittest_expander`'s label of keyword parameters: `key=short_repr(value)`, sorted by
/// key, joined by `,`.
fn kwargs_label(kwargs: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = kwargs.iter().collect();
    sorted.sort_by_key(|(key, _)| *key);
    sorted
        .iter()
        .map(|(key, repr)| format!("{key}={}", short_repr(repr)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The method names `unittest_expander` gives runs labelled `labels` (in the order the
/// test yields them), sorted as unittest runs them.
fn test_order<T>(runs: Vec<(String, T)>) -> Vec<(String, T)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut named: Vec<(String, T)> = runs
        .into_iter()
        .map(|(label, value)| {
            let stem = format!("test__<{label}>");
            let mut name = stem.clone();
            let mut tag = 2;
            while seen.contains(&name) {
                name = format!("{stem}__{tag}");
                tag += 1;
            }
            seen.insert(name.clone());
            (name, value)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    named
}

/// Every run of other characters than `[A-Za-z0-9_.-]` as one `_`.
fn sanitize(name: &str) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out
}

/// The run `fixture`'s directory name points at, checked against the run's name.
fn pick<T>(fixture: &Path, test_class: &str, runs: Vec<(String, T)>) -> Result<T, String> {
    let dir = fixture
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unknown =
        |why: &str| format!("{dir}: not a recorded run of n6's {test_class}.test ({why})");
    let (number, rest) = dir
        .split_once("__")
        .ok_or_else(|| unknown("no NNN__ prefix"))?;
    let number: usize = number.parse().map_err(|_| unknown("no NNN__ prefix"))?;
    let readable = rest
        .strip_prefix(&format!("test_base__{test_class}_"))
        .and_then(|r| r.get(..r.len().checked_sub(11)?))
        .ok_or_else(|| unknown("another test"))?;
    let mut runs = test_order(runs);
    if number == 0 || number > runs.len() {
        return Err(unknown(&format!("the test has {} runs", runs.len())));
    }
    let (name, value) = runs.swap_remove(number - 1);
    if !sanitize(&name).starts_with(readable) {
        return Err(unknown(&format!("run {number} is {name}")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures(class: &str) -> Vec<std::path::PathBuf> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(class);
        let mut cases: Vec<_> = std::fs::read_dir(dir)
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .collect();
        cases.sort();
        cases
    }

    #[test]
    fn short_repr_and_labels_are_unittest_expanders() {
        assert_eq!(short_repr("('stream', None)"), "('stream', None)");
        assert_eq!(short_repr("('blacklist', 'text/csv')"), "<('blacklist...>");
        assert_eq!(short_repr("<class 'ValueError'>"), "<class 'Valu...>");
        assert_eq!(
            kwargs_label(&[("b", "1".to_owned()), ("a", "None".to_owned())]),
            "a=None,b=1"
        );
        assert_eq!(sanitize("test__<a=<b'{\"x...>,c"), "test___a_b_x..._c");
    }

    #[test]
    fn repeated_names_get_unittest_expanders_tags_before_sorting() {
        let runs = vec![
            ("b".to_owned(), 1),
            ("a".to_owned(), 2),
            ("b".to_owned(), 3),
        ];
        let names: Vec<(String, i32)> = test_order(runs);
        assert_eq!(
            names,
            vec![
                ("test__<a>".to_owned(), 2),
                ("test__<b>".to_owned(), 1),
                ("test__<b>__2".to_owned(), 3),
            ]
        );
    }

    #[test]
    fn every_recorded_run_is_identified() {
        let two_phase: Vec<TwoPhaseCase> = fixtures("ExampleCollector")
            .iter()
            .map(|f| two_phase(f).expect("two-phase run"))
            .collect();
        assert_eq!(
            two_phase[0],
            TwoPhaseCase {
                raw: RawTypeParam::Stream,
                pile: InputPile::CarryingNothing
            }
        );
        for f in fixtures("ExampleSimpleCollector") {
            simple(&f).expect("simple run");
        }
        for f in fixtures("ExampleSimpleEmailCollector") {
            simple_email(&f).expect("e-mail run");
        }
    }

    #[test]
    fn another_tests_fixture_is_refused() {
        let simple_case = &fixtures("ExampleSimpleCollector")[0];
        assert!(two_phase(simple_case).is_err());
        let email = &fixtures("ExampleSimpleEmailCollector")[0];
        assert!(simple(email).is_err());
        let renumbered = simple_case.with_file_name(
            simple_case
                .file_name()
                .expect("name")
                .to_string_lossy()
                .replacen("001", "006", 1),
        );
        assert!(simple(&renumbered).is_err());
    }
}
