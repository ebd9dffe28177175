//! `ExampleMailReportCollector`: a report that arrives by e-mail (piped in by procmail
//! or a mail filter, one raw RFC 5322 message on stdin). The CSV attachment is published
//! as one `file` (`text/csv`) message, with the mail's `Date` and `Subject` as
//! `headers.meta.mail_time` / `headers.meta.mail_subject` — n6's e-mail collector family.
//! A message without exactly one `text/csv` part fails the run (exit 65).
//!
//! ```text
//! cargo run --example email_report -- --config-dir examples/config --state-dir /tmp/n6-quickstart --output - < examples/data/email_report_1.eml
//! ```
//!
//! Config: `examples/config/60_email_report.conf`, section `[ExampleMailReportCollector]`.
//! Install as n6 would name it: `cargo build --release --example email_report && install
//! target/release/examples/email_report /usr/local/bin/n6collector_examplemailreport`,
//! then e.g. in `~/.procmailrc`: `:0` / `| /usr/local/bin/n6collector_examplemailreport`.

use n6_collectors::StatefulCollector;
use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

/// The CSV attachment of a mailed report.
#[derive(StatefulCollector)]
#[collector(
    source = "example-org.mail-report",
    raw_type = "file",
    content_type = "text/csv"
)]
pub struct ExampleMailReportCollector {
    config: ExampleMailReportCollectorConfig,
    /// `mail_time` and `mail_subject` of the message being published.
    meta: HeaderTable,
}

impl SimpleCollector for ExampleMailReportCollector {
    fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>> {
        let email = Email::from_stdin()?;
        self.meta = email.meta();
        Ok(Some(email.text("text/csv")?.as_bytes().to_vec()))
    }

    fn output_meta(&self) -> HeaderTable {
        self.meta.clone()
    }
}

impl Collect for ExampleMailReportCollector {
    fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
        collect_simple(self, out)
    }
}

#[allow(dead_code)] // also compiled into tests/examples/email_report.rs
fn main() -> std::process::ExitCode {
    n6_collectors::run::<ExampleMailReportCollector>()
}
