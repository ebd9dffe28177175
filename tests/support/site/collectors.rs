//! The collectors a [`Site`](super::Site) runs: the test binaries of this package and
//! the collectors a test target defines and runs in-process.

/// A test collector of this package and the files a site of it has.
#[derive(Debug, Clone, Copy)]
pub struct TestCollector {
    /// The binary (`env!("CARGO_BIN_EXE_...")`).
    pub bin: &'static str,
    /// Its main config section, also the prefix of its log lines (and the program name
    /// of an in-process run).
    pub section: &'static str,
    /// The config file the site writes in `conf/`.
    pub config_file: &'static str,
    /// Its state file's name in the state directory.
    pub state_file: &'static str,
}

/// `tests/bin/lines_collector.rs`: one `stream` message per new line of `input.txt`.
pub const LINES: TestCollector = TestCollector {
    bin: env!("CARGO_BIN_EXE_lines-test-collector"),
    section: "LinesTestCollector",
    config_file: "60_lines.conf",
    state_file: "LinesTestCollector.cbor",
};

/// `tests/bin/reliability_collector.rs`: the lines collector with a gate and a delay hook.
pub const RELIABILITY: TestCollector = TestCollector {
    bin: env!("CARGO_BIN_EXE_reliability-test-collector"),
    section: "ReliabilityTestCollector",
    config_file: "70_reliability.conf",
    state_file: "ReliabilityTestCollector.cbor",
};

/// `tests/capabilities/bin/amqp_input_collector.rs`: consumes an AMQP queue as n6's
/// `AMQPCollector` does; its main section is named by the first argument of a run. It
/// keeps no state.
pub const AMQP_INPUT: TestCollector = TestCollector {
    bin: env!("CARGO_BIN_EXE_amqp-input-test-collector"),
    section: "AmqpInputTestCollector",
    config_file: "60_case.conf",
    state_file: "",
};

/// Any collector defined in a test target and run in-process, whose test gives the
/// config whole ([`Site::in_process`](super::Site::in_process)): the config file is
/// `60_case.conf`; the state file is the collector's `META.state_file_name()`
/// ([`Site::state_file_bytes`](super::Site::state_file_bytes)).
pub const CASE: TestCollector = in_process("collector", "60_case.conf");

/// A test collector defined inside a test target, run in-process: only its section
/// (the program name of its runs) and config file matter; there is no binary, and its
/// state file, its `META.state_file_name()`, is not known here (`state_file` is empty).
pub const fn in_process(section: &'static str, config_file: &'static str) -> TestCollector {
    TestCollector {
        bin: "/nonexistent/in-process-collector",
        section,
        config_file,
        state_file: "",
    }
}
