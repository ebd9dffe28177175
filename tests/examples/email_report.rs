//! `examples/email_report.rs` fed two different e-mails on stdin (the test points fd 0
//! at each fixture), then one without a CSV attachment; a collector without state leaves
//! only its run lock in the state directory.

#[allow(dead_code)]
#[path = "../../examples/email_report.rs"]
mod example;

use std::os::fd::AsRawFd;

use crate::example_support::{Runs, repo_path};
use example::ExampleMailReportCollector;
use serde_json::json;

const SOURCE: &str = "example-org.mail-report";

/// Makes `fixture` this process's standard input.
fn stdin_from(fixture: &str) {
    let file = std::fs::File::open(repo_path("examples/data").join(fixture)).expect("fixture");
    // SAFETY: dup2 on two valid descriptors; fd 0 is replaced atomically.
    let rc = unsafe { libc::dup2(file.as_raw_fd(), 0) };
    assert_eq!(rc, 0, "dup2");
}

fn run_with(runs: &mut Runs, fixture: &str) -> (u8, Vec<crate::example_support::Published>) {
    stdin_from(fixture);
    runs.run(
        n6_collectors::run_from::<ExampleMailReportCollector, Vec<String>, String>,
        &[],
    )
}

// One test function: the runs share the process's stdin.
#[test]
fn publishes_each_mailed_csv_with_mail_meta() {
    let mut runs = Runs::new();

    let (code, published) = run_with(&mut runs, "email_report_1.eml");
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].routing_key, SOURCE);
    assert_eq!(
        published[0].text().expect("UTF-8 body"),
        "ip,time,name\n192.0.2.44,2024-01-02T07:12:00Z,mirai\n198.51.100.23,2024-01-02T07:40:00Z,mozi\n"
    );
    published[0].assert_n6_properties(
        SOURCE,
        "file",
        Some("text/csv"),
        Some(json!({"meta": {
            "mail_time": "2024-01-02 08:00:00",
            "mail_subject": "Daily report \u{2013} bots 2024-01-02",
        }})),
    );

    let (code, published) = run_with(&mut runs, "email_report_2.eml");
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    // The attachment's CRLF line endings come out as `\n`, as n6's e-mail policy gives
    // text parts.
    assert_eq!(
        published[0].text().expect("UTF-8 body"),
        "ip,time,name\n203.0.113.9,2024-01-03T06:00:00Z,gafgyt"
    );
    published[0].assert_n6_properties(
        SOURCE,
        "file",
        Some("text/csv"),
        Some(json!({"meta": {
            "mail_time": "2024-01-03 09:00:00",
            "mail_subject": "Daily report - bots 2024-01-03",
        }})),
    );

    let (code, published) = run_with(&mut runs, "email_report_no_csv.eml");
    assert_eq!(code, 65);
    assert_eq!(published, vec![]);

    // No `#[state]` field: no state file was read or written; the run lock is named
    // after the collector.
    assert_eq!(runs.state_files(), ["ExampleMailReportCollector.lock"]);
}
