//! `helpers::pyre` against Python's `re` run by `python3` on the same patterns and texts
//! (`pyre_cases.py`): group counts, the first match's span and groups, `findall`; and
//! n6's config checks and `find_content` on an e-mail.

use std::path::Path;
use std::process::Command;

use n6_collectors::helpers::email::Email;
use n6_collectors::helpers::pyre::{PyRegex, ReFlags};

#[test]
fn matches_as_python_re() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/formats/pyre_cases.py");
    let output = Command::new("python3")
        .arg(script)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut count = 0;
    for line in String::from_utf8(output.stdout).expect("ascii").lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("case");
        let pattern = case["pattern"].as_str().expect("pattern");
        let text = case["text"].as_str().expect("text");
        let flags = match case["flags"].as_str() {
            Some("MS") => ReFlags::N6_DEFAULT,
            _ => ReFlags::NONE,
        };
        let re = PyRegex::compile(pattern, flags).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            re.groups() as u64,
            case["groups"].as_u64().expect("groups"),
            "{pattern}"
        );
        let ours = re.search(text).map(|m| {
            let (start, end) = m.span();
            let chars = |b: usize| text[..b].chars().count();
            serde_json::json!([
                [chars(start), chars(end)],
                (0..=re.groups()).map(|g| m.group(g)).collect::<Vec<_>>()
            ])
        });
        assert_eq!(
            ours.unwrap_or(serde_json::Value::Null),
            case["search"],
            "{pattern} on {text:?}"
        );
        assert_eq!(
            serde_json::json!(re.findall(text)),
            case["findall"],
            "{pattern} on {text:?}"
        );
        count += 1;
    }
    assert!(count >= 28);
}

#[test]
fn config_options_are_checked_as_n6s_shadowserver_collector_does() {
    let error = PyRegex::config_option("subject_pattern", "no groups ż", 1).expect_err("no group");
    assert_eq!(
        error.to_string(),
        "configuration error:\n  wrong `subject_pattern` regex ('no groups \\u017c'): it does not contain any capture group"
    );
    let error = PyRegex::config_option("item_url_pattern", "(unclosed", 1).expect_err("bad");
    assert!(error.to_string().starts_with(
        "configuration error:\n  malformed `item_url_pattern` regex ('(unclosed') (could not compile it: "
    ), "{error}");
    assert_eq!(error.exit_code(), 78);
}

const REPORT: &str = "Subject: [SHADOW] Sinkhole HTTP Report: 2024-01-02\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"B\"\r\n\
\r\n\
--B\r\n\
Content-Type: text/plain\r\n\
\r\n\
Hello, no link here.\r\n\
--B\r\n\
Content-Type: text/plain\r\n\
\r\n\
Download: https://dl.example.org/report.csv\r\n\
--B\r\n\
Content-Type: text/html\r\n\
\r\n\
<a href=\"https://dl.example.org/report.csv\">x</a>\r\n\
--B--\r\n";

#[test]
fn find_content_picks_the_part_the_regex_matches() {
    let email = Email::parse(REPORT.as_bytes().to_vec()).expect("parse");
    let url = PyRegex::config_option("item_url_pattern", r"(https://\S+\.csv)", 1).expect("re");
    let part = email
        .find_content("text/plain", Some(&url), false)
        .expect("one")
        .expect("found");
    let text = std::str::from_utf8(&part.data).expect("utf-8");
    assert_eq!(
        url.search(text).and_then(|m| m.group(1)),
        Some("https://dl.example.org/report.csv")
    );
    // text/* matches the plain and the html part: an error unless extra matches are ignored
    let error = email
        .find_content("text/*", Some(&url), false)
        .expect_err("two");
    assert_eq!(
        error.to_string(),
        "bad data from the source: multiple components of the message match the following criteria: content_type='text/*', content_regex='(https://\\\\S+\\\\.csv)'"
    );
    let first = email
        .find_content("TEXT/*", Some(&url), true)
        .expect("first")
        .expect("found");
    assert_eq!(first.content_type, "text/plain");
    assert!(email.find_content("*", None, true).expect("any").is_some());
    assert!(
        email
            .find_content("application/json", None, false)
            .expect("none")
            .is_none()
    );
    let subject =
        PyRegex::config_option("subject_pattern", r"^\[SHADOW\] (.*?) Report", 1).expect("re");
    let pure = email
        .subject()
        .and_then(|s| subject.search(s))
        .and_then(|m| m.group(1));
    assert_eq!(pure, Some("Sinkhole HTTP"));
}
