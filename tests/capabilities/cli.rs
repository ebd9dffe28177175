//! The collector-defined command line: a collector's own `clap::Args` (in its `#[args]`
//! field, read in `collect`), a main config section named by the first positional
//! argument (n6's MISP and AMQP collectors), and the framework's flags and `state ...`
//! subcommands beside them.

use n6_collectors::cli::{CollectorArgs, SectionArg};
use n6_collectors::prelude::*;

use crate::support::site::Site;

/// n6's `MispCollector` command line: `n6collector_misp SECTION`, plus a flag of its own.
#[derive(Debug, Clone, clap::Args)]
pub struct SectionAndLimit {
    #[command(flatten)]
    section: SectionArg,
    /// Publish at most N messages.
    #[arg(long, default_value_t = 2)]
    limit: u32,
}

impl CollectorArgs for SectionAndLimit {
    fn config_section(&self) -> Option<&str> {
        self.section.config_section()
    }
}

/// Publishes `limit` messages from `<source_provider>.misp`; counts them in its state.
#[derive(StatefulCollector)]
#[collector(source = "default.misp", raw_type = "stream")]
#[config_spec("source_provider :: str\nstate_dir = ~/.n6state :: path")]
pub struct SectionCollector {
    config: SectionCollectorConfig,
    #[state]
    state: u32,
    #[args]
    args: SectionAndLimit,
}

impl Collect for SectionCollector {
    fn collect(&mut self, out: &mut Output<'_, u32>) -> Result<()> {
        let source = format!("{}.misp", self.config.source_provider);
        for i in 0..self.args.limit {
            let body = format!("{} {i}", self.args.section.n6config_section_name);
            out.message(body).source(source.as_str()).publish()?;
            self.state += 1;
        }
        Ok(())
    }
}

/// Only a flag of its own; the main section keeps the struct's name.
#[derive(Debug, Clone, clap::Args)]
pub struct Flags {
    /// The manual collector's `--source_channel`.
    #[arg(long = "source_channel", value_parser = ["unrestricted", "pl"])]
    source_channel: String,
    /// n6's `--skip_fqdn_to_ip`.
    #[arg(long = "skip_fqdn_to_ip")]
    skip_fqdn_to_ip: bool,
}

impl CollectorArgs for Flags {}

#[derive(StatefulCollector)]
#[collector(
    source = "manual.unrestricted",
    raw_type = "file",
    content_type = "text/plain"
)]
#[config_spec("")]
pub struct FlagsCollector {
    config: FlagsCollectorConfig,
    #[args]
    args: Flags,
}

impl Collect for FlagsCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        out.message("rows")
            .source(format!("manual.{}", self.args.source_channel))
            .header("_do_not_resolve_fqdn_to_ip", self.args.skip_fqdn_to_ip)
            .publish()
    }
}

const CONFIG: &str =
    "[misp_a]\nsource_provider = provider-a\n\n[misp_b]\nsource_provider = provider-b\n";

/// Runs `SectionCollector` with `extra`, writing JSON lines to the site's file `out`.
fn run_section(site: &Site, out: &str, extra: &[&str]) -> u8 {
    site.run_in_process_writing::<SectionCollector>(out, extra)
}

/// Runs `SectionCollector` with `extra` and no output flag (dry runs, checks, `state`).
fn run_section_without_output(site: &Site, extra: &[&str]) -> u8 {
    site.run_in_process::<SectionCollector>(extra)
}

#[test]
fn the_first_positional_argument_names_the_main_config_section() {
    let site = Site::in_process(CONFIG);
    assert_eq!(run_section(&site, "b.jsonl", &["misp_b"]), 0);
    let lines = site.json_lines("b.jsonl");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["routing_key"], "provider-b.misp");
    assert_eq!(lines[0]["body"], "misp_b 0");
    // The collector's own flag, anywhere among the framework's.
    assert_eq!(
        run_section(&site, "a.jsonl", &["--limit", "3", "misp_a"]),
        0
    );
    let lines = site.json_lines("a.jsonl");
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["routing_key"], "provider-a.misp");
    assert_eq!(lines[2]["body"], "misp_a 2");
}

#[test]
fn a_missing_or_unknown_section_is_an_error() {
    let site = Site::in_process(CONFIG);
    assert_eq!(
        run_section(&site, "out.jsonl", &[]),
        64,
        "usage: no section named"
    );
    assert_eq!(
        run_section(&site, "out.jsonl", &["misp_c"]),
        78,
        "no such section"
    );
    assert_eq!(
        run_section(&site, "out.jsonl", &["misp_a", "--limit", "x"]),
        64
    );
    assert!(site.json_lines("out.jsonl").is_empty());
}

#[test]
fn framework_flags_and_state_subcommands_keep_working() {
    let site = Site::in_process(CONFIG);
    assert_eq!(
        run_section_without_output(&site, &["misp_a", "--dry-run"]),
        0
    );
    assert_eq!(site.state_file_bytes("SectionCollector.cbor"), None);
    assert_eq!(run_section(&site, "run.jsonl", &["misp_a"]), 0);
    assert!(site.state_file_bytes("SectionCollector.cbor").is_some());
    assert_eq!(
        run_section_without_output(&site, &["misp_a", "--check-config"]),
        0
    );
    // `state` after the section name, which its state_dir comes from.
    assert_eq!(
        run_section_without_output(&site, &["misp_a", "state", "export"]),
        0
    );
    let before = site.state_file_bytes("SectionCollector.cbor");
    assert_eq!(
        run_section_without_output(&site, &["misp_a", "state", "reset", "--yes"]),
        0
    );
    assert_ne!(site.state_file_bytes("SectionCollector.cbor"), before);
    assert_eq!(
        run_section(&site, "again.jsonl", &["misp_a", "--limit", "1"]),
        0
    );
    assert_eq!(site.json_lines("again.jsonl").len(), 1);
}

#[test]
fn a_collectors_own_flags_reach_collect() {
    let site = Site::in_process("[FlagsCollector]\n");
    let run = |out: &str, extra: &[&str]| site.run_in_process_writing::<FlagsCollector>(out, extra);
    assert_eq!(
        run("pl.jsonl", &["--source_channel", "pl", "--skip_fqdn_to_ip"]),
        0
    );
    let lines = site.json_lines("pl.jsonl");
    assert_eq!(lines[0]["routing_key"], "manual.pl");
    assert_eq!(
        lines[0]["properties"]["headers"]["_do_not_resolve_fqdn_to_ip"],
        true
    );
    assert_eq!(run("bad.jsonl", &["--source_channel", "other"]), 64);
    assert_eq!(run("bad.jsonl", &[]), 64, "--source_channel is required");
    assert!(site.json_lines("bad.jsonl").is_empty());
}
