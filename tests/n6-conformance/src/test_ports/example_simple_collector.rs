//! n6's `ExampleSimpleCollector` (`TestBaseSimpleCollector.test` in test_base.py): a
//! `BaseSimpleCollector` whose `obtain_data_body` returns the test's `data_body` (here:
//! the recorded result), source `example-provider.example-channel`, once per
//! `raw_type_and_content_type`.

use std::ffi::OsString;

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

use super::n6_case::{self, RawTypeParam};

/// The collector `#[collector(...)]` with the given `raw_type` (and `content_type`).
macro_rules! port {
    ($($raw:tt)*) => {
        /// n6's `ExampleSimpleCollector` with these class attributes.
        #[derive(StatefulCollector)]
        #[collector(source = "example-provider.example-channel", $($raw)*)]
        pub struct ExampleSimpleCollector {
            config: ExampleSimpleCollectorConfig,
        }

        impl SimpleCollector for ExampleSimpleCollector {
            fn obtain_data_body(&mut self) -> Result<Option<Vec<u8>>> {
                super::data_body()
            }
        }

        impl Collect for ExampleSimpleCollector {
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

/// The test's `data_body`: what n6's `obtain_data_body` returned in the recorded run.
fn data_body() -> Result<Option<Vec<u8>>> {
    super::fixture()
        .and_then(|fixture| super::recorded::bytes_result(fixture, "obtain_data_body", 0))
        .map_err(Error::source_unavailable)
}

/// Runs the port with the replayed run's class attributes.
pub fn run(argv: Vec<OsString>) -> u8 {
    super::run_case(argv, n6_case::simple, |raw, argv| match raw {
        RawTypeParam::Stream => {
            n6_collectors::run_from::<stream::ExampleSimpleCollector, _, _>(argv)
        }
        RawTypeParam::File => n6_collectors::run_from::<file::ExampleSimpleCollector, _, _>(argv),
        RawTypeParam::Blacklist => {
            n6_collectors::run_from::<blacklist::ExampleSimpleCollector, _, _>(argv)
        }
    })
}
