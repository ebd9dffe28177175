//! n6's `ExampleSimpleEmailCollector` (`TestBaseSimpleEmailCollector.test` in
//! test_base.py): a `BaseSimpleEmailCollector` that publishes the `text/plain` part of
//! the e-mail on stdin when that part has a line `Oto nasze świeżutkie iwenty:`, source
//! `example-provider.example-channel`, once per `raw_type_and_content_type`.

use std::ffi::OsString;

use n6_collectors::helpers::email::Email;
use n6_collectors::helpers::prelude::*;
use n6_collectors::helpers::pyre::{PyRegex, ReFlags};
use n6_collectors::prelude::*;

use super::n6_case::{self, RawTypeParam};

/// The collector `#[collector(...)]` with the given `raw_type` (and `content_type`).
macro_rules! port {
    ($($raw:tt)*) => {
        /// n6's `ExampleSimpleEmailCollector` with these class attributes.
        #[derive(StatefulCollector)]
        #[collector(source = "example-provider.example-channel", $($raw)*)]
        pub struct ExampleSimpleEmailCollector {
            config: ExampleSimpleEmailCollectorConfig,
            email: Option<Email>,
        }

        impl SimpleCollector for ExampleSimpleEmailCollector {
            fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>> {
                let email = Email::from_stdin()?;
                let body = super::data_body(&email)?;
                self.email = Some(email);
                Ok(body)
            }

            fn output_meta(&self) -> HeaderTable {
                self.email.as_ref().map(Email::meta).unwrap_or_default()
            }
        }

        impl Collect for ExampleSimpleEmailCollector {
            fn collect(&mut self, out: &mut Output<'_>) -> Result<()> {
                collect_simple(self, out)
            }
        }
    };
}

mod stream {
    use super::*;
    port!(raw_type = "stream");
}

mod file {
    use super::*;
    port!(raw_type = "file", content_type = "application/jwt");
}

mod blacklist {
    use super::*;
    port!(raw_type = "blacklist", content_type = "text/csv");
}

/// n6's `obtain_data_body`: `self.email_msg.find_content(content_type='text/plain',
/// content_regex='^Oto nasze świeżutkie iwenty:$')`, UTF-8 encoded, or `None`.
fn data_body(email: &Email) -> Result<Option<Vec<u8>>> {
    let events = PyRegex::compile("^Oto nasze świeżutkie iwenty:$", ReFlags::N6_DEFAULT)?;
    Ok(email
        .find_content("text/plain", Some(&events), false)?
        .map(|part| part.data.clone()))
}

/// Runs the port with the replayed run's class attributes.
pub fn run(argv: Vec<OsString>) -> u8 {
    super::run_case(argv, n6_case::simple_email, |raw, argv| match raw {
        RawTypeParam::Stream => {
            n6_collectors::run_from::<stream::ExampleSimpleEmailCollector, _, _>(argv)
        }
        RawTypeParam::File => {
            n6_collectors::run_from::<file::ExampleSimpleEmailCollector, _, _>(argv)
        }
        RawTypeParam::Blacklist => {
            n6_collectors::run_from::<blacklist::ExampleSimpleEmailCollector, _, _>(argv)
        }
    })
}
