//! The command line every collector binary accepts.
//!
//! n6-compatible: `--n6config-override SECTION.OPTION=VALUE ...` (only the last occurrence
//! counts, as in n6), `--n6output-suffix SUFFIX`, unambiguous abbreviations of long options
//! (`--n6config` works). `--n6recovery` is rejected, as n6's collectors reject it.
//!
//! # A collector's own arguments
//!
//! A collector adds arguments of its own with a `clap::Args` struct in a field marked
//! `#[args]` (the framework's flags and `state ...` subcommands keep working beside
//! them), and reads them in `collect` as `self.args`. When [`CollectorArgs::config_section`]
//! names a section, it replaces the struct name as the main config section, as n6's
//! `MispCollector` and `AMQPCollector` take theirs from the first positional argument
//! (`n6collector_misp my_misp_section`; [`SectionArg`] is that argument, ready-made). The
//! state file keeps its name (n6's is per class, not per section).
//!
//! ```
//! use n6_collectors::prelude::*;
//! use n6_collectors::cli::CollectorArgs;
//!
//! #[derive(Debug, Clone, clap::Args)]
//! pub struct MispArgs {
//!     /// The configuration section name to be used by the MISP collector.
//!     n6config_section_name: String,
//!     /// Publish at most N samples.
//!     #[arg(long, default_value_t = 100)]
//!     max_samples: u32,
//! }
//!
//! impl CollectorArgs for MispArgs {
//!     fn config_section(&self) -> Option<&str> {
//!         Some(&self.n6config_section_name)
//!     }
//! }
//!
//! #[derive(StatefulCollector)]
//! #[collector(source = "circl.misp", raw_type = "stream")]
//! #[config_spec("source_provider :: str")]
//! pub struct MispCollector {
//!     config: MispCollectorConfig,
//!     #[args]
//!     args: MispArgs,
//! }
//!
//! impl Collect for MispCollector {
//!     fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
//!         let source = format!("{}.misp", self.config.source_provider);
//!         out.message(format!("max {}", self.args.max_samples)).source(source).publish()
//!     }
//! }
//! # let site = std::env::temp_dir().join(format!("n6-collectors-cli-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(site.join("conf")).unwrap();
//! # std::fs::write(site.join("conf/60_misp.conf"), "[misp_circl]\nsource_provider = circl\n").unwrap();
//! # let dir = |name: &str| site.join(name).display().to_string();
//! // n6collector_misp misp_circl --max-samples 5 --config-dir ... --output out.jsonl
//! let args = ["n6collector_misp", "misp_circl", "--max-samples", "5", "--config-dir", &dir("conf"),
//!             "--state-dir", &dir("state"), "--output", &dir("out.jsonl"), "-qq"];
//! assert_eq!(n6_collectors::run_from::<MispCollector, _, _>(args), 0);
//! # let out = std::fs::read_to_string(site.join("out.jsonl")).unwrap();
//! # assert!(out.contains(r#""routing_key":"circl.misp""#) && out.contains(r#""body":"max 5""#), "{out}");
//! # std::fs::remove_dir_all(&site).unwrap();
//! ```

use std::path::PathBuf;

use clap::{ArgAction, Parser};

use crate::sink::SinkTarget;

/// A collector's own command-line arguments: a `clap::Args` struct in the field marked
/// `#[args]`, parsed together with the framework's flags. See the module docs.
pub trait CollectorArgs:
    clap::Args + clap::FromArgMatches + Clone + std::fmt::Debug + Send + 'static
{
    /// The main config section's name taken from the command line, replacing the
    /// collector's struct name (n6's `MispCollector` and `AMQPCollector`); `None` keeps
    /// the struct name.
    fn config_section(&self) -> Option<&str> {
        None
    }
}

/// No arguments of the collector's own (collectors without an `#[args]` field).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct NoArgs {}

impl CollectorArgs for NoArgs {}

/// The one positional argument of n6's MISP and AMQP collectors: the name of the config
/// section to use as the main section (`n6collector_misp my_misp_section`). Use it as the
/// `#[args]` field's type, or flatten it into a struct of your own.
#[derive(Debug, Clone, clap::Args)]
pub struct SectionArg {
    /// The configuration section name to be used by the collector.
    #[arg(value_name = "N6CONFIG_SECTION_NAME")]
    pub n6config_section_name: String,
}

impl CollectorArgs for SectionArg {
    fn config_section(&self) -> Option<&str> {
        Some(&self.n6config_section_name)
    }
}

/// Parses the framework's flags and `A` (the collector's own arguments) from one
/// command line.
pub fn parse_with<A, I, T>(args: I) -> Result<(Cli, A), clap::Error>
where
    A: CollectorArgs,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::CommandFactory;
    parse_with_command(Cli::command(), args)
}

/// [`parse_with`] on `command` (the framework's [`Cli::command`] with the run's name,
/// about and version).
pub(crate) fn parse_with_command<A, I, T>(
    command: clap::Command,
    args: I,
) -> Result<(Cli, A), clap::Error>
where
    A: CollectorArgs,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::FromArgMatches;
    // A derived `Args` with a doc comment sets the command's about: keep the run's.
    let (about, long_about) = (
        command.get_about().cloned(),
        command.get_long_about().cloned(),
    );
    let mut command = A::augment_args(command).long_about(None::<&str>);
    if let Some(about) = about {
        command = command.about(about);
    }
    if let Some(long_about) = long_about {
        command = command.long_about(long_about);
    }
    let mut matches = command.clone().try_get_matches_from(args)?;
    let cli =
        Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command.clone()))?;
    let own = A::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command.clone()))?;
    Ok((cli, own))
}

/// Options common to every collector binary.
#[derive(Debug, Clone, Parser)]
#[command(
    infer_long_args = true,
    args_override_self = true,
    about = "An n6 collector: fetches one source, publishes what is new, remembers where it stopped.",
    after_help = "Exit codes: 0 ok, 64 usage, 65 bad state file or source data, 66 not in the --replay recording, \
                  69 source or broker unavailable, \
                  70 internal error, 74 state not saved, 75 already running, 78 configuration error."
)]
pub struct Cli {
    /// Read n6 config files (`NN_*.conf`, recursively) from DIR instead of /etc/n6 and ~/.n6; repeatable.
    #[arg(long = "config-dir", value_name = "DIR", action = ArgAction::Append, global = true)]
    pub config_dirs: Vec<PathBuf>,

    /// Override config values: SECTION.OPTION=VALUE (verbatim; only for sections present in the files).
    #[arg(long = "n6config-override", value_name = "SECTION.OPTION=VALUE", num_args = 0.., action = ArgAction::Set, global = true)]
    pub n6config_override: Vec<String>,

    /// Append SUFFIX to the output exchange name (`raw` → `raw<SUFFIX>`), as n6.
    #[arg(long = "n6output-suffix", value_name = "SUFFIX")]
    pub n6output_suffix: Option<String>,

    /// Keep state in DIR instead of the configured `state_dir`.
    #[arg(long = "state-dir", value_name = "DIR", global = true)]
    pub state_dir: Option<PathBuf>,

    /// Where to publish: `-` (JSON lines on stdout), a file path (JSON lines), or `amqp`.
    /// Default: `amqp` when the configuration has a `[rabbitmq]` section, else stdout if it
    /// is a terminal (otherwise the run refuses to guess: exit 78).
    #[arg(long, value_name = "TARGET")]
    pub output: Option<SinkTarget>,

    /// Collect and print the messages as JSON lines on stdout, but neither connect to the
    /// broker nor save state.
    #[arg(long, conflicts_with = "output")]
    pub dry_run: bool,

    /// Validate the configuration and the state file, then exit (0 when both are fine).
    #[arg(long, conflicts_with_all = ["print_config", "dry_run"])]
    pub check_config: bool,

    /// Print the effective configuration as JSON (secrets as "***") and exit.
    #[arg(long, conflicts_with = "dry_run")]
    pub print_config: bool,

    /// After the run (success or not), write Prometheus textfile metrics to PATH
    /// atomically (for node_exporter's textfile collector); overrides
    /// `[n6_collectors_metrics] textfile_dir`.
    #[arg(long = "metrics-file", value_name = "PATH", global = true)]
    pub metrics_file: Option<PathBuf>,

    /// More log output (-v: info, -vv: debug, -vvv: trace).
    #[arg(short, long, action = ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Less log output (-q: errors only, -qq: nothing but the summary).
    #[arg(short, long, action = ArgAction::Count)]
    pub quiet: u8,

    /// Test-only: fix the run's clock at this ISO date-time (UTC unless it has a zone),
    /// for tests and replays of recorded cases; see `n6_collectors::clock`.
    #[arg(
        long = "fake-now",
        value_name = "ISO-DATE-TIME",
        hide = true,
        global = true
    )]
    pub fake_now: Option<String>,

    /// Record the run into DIR (absent or empty): every download (request, response
    /// status, headers, body), the clock (frozen at the start) and stdin, for `--replay`
    /// and `n6_collectors::testing`.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["replay", "check_config", "print_config", "dry_run"])]
    pub record: Option<PathBuf>,

    /// Run offline from a recording made with `--record`: downloads, clock and stdin come
    /// from DIR (exit 66 for a request it does not hold); JSON lines on stdout unless
    /// `--output` says otherwise.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["fake_now", "check_config", "print_config"])]
    pub replay: Option<PathBuf>,

    /// `state show|export|import|reset|import-pickle`: look at or change the state instead of running.
    #[command(subcommand)]
    pub command: Option<crate::tooling::Command>,
}

impl Cli {
    /// The run's clock: fixed by `--fake-now`, else the system clock.
    pub fn clock(&self) -> Result<crate::clock::Clock, crate::Error> {
        match &self.fake_now {
            Some(text) => crate::clock::Clock::parse_fixed(text)
                .map_err(|e| crate::Error::Usage(format!("--fake-now: {e}"))),
            None => Ok(crate::clock::Clock::system()),
        }
    }

    /// The sink this run publishes to, given whether the configuration has `[rabbitmq]`.
    pub(crate) fn sink_target(&self, has_rabbitmq: bool) -> SinkTarget {
        // A replay never guesses the broker: JSON lines on stdout unless `--output` says.
        let stdout_by_default = self.dry_run || (self.replay.is_some() && self.output.is_none());
        SinkTarget::choose(stdout_by_default, self.output.as_ref(), has_rabbitmq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("collector").chain(args.iter().copied()))
    }

    fn parse_section(args: &[&str]) -> Result<(Cli, SectionArg), clap::Error> {
        parse_with::<SectionArg, _, _>(std::iter::once("collector").chain(args.iter().copied()))
    }

    #[test]
    fn a_positional_section_goes_with_flags_and_state_subcommands() {
        let (cli, section) =
            parse_section(&["misp_circl", "--config-dir", "/a", "-v"]).expect("parse");
        assert_eq!(section.config_section(), Some("misp_circl"));
        assert_eq!(cli.config_dirs, vec![PathBuf::from("/a")]);
        assert_eq!(cli.verbose, 1);
        let (cli, section) =
            parse_section(&["--config-dir", "/a", "misp_circl", "state", "show"]).expect("parse");
        assert_eq!(section.n6config_section_name, "misp_circl");
        assert!(matches!(
            cli.command,
            Some(crate::tooling::Command::State(_))
        ));
        let missing = parse_section(&["--config-dir", "/a"]).expect_err("the section is required");
        assert_eq!(
            missing.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
        assert!(
            missing.to_string().contains("N6CONFIG_SECTION_NAME"),
            "{missing}"
        );
    }

    #[test]
    fn no_args_parse_as_the_framework_alone() {
        let (cli, NoArgs {}) =
            parse_with::<NoArgs, _, _>(["collector", "--dry-run"]).expect("parse");
        assert!(cli.dry_run);
        assert!(parse_with::<NoArgs, _, _>(["collector", "extra"]).is_err());
    }

    #[test]
    fn override_takes_many_values_and_last_flag_wins() {
        let cli = parse(&[
            "--n6config-override",
            "a.b=1",
            "c.d=2",
            "--n6config-override",
            "e.f=3",
        ])
        .expect("parse");
        assert_eq!(cli.n6config_override, vec!["e.f=3"]);
        let cli = parse(&[
            "--n6config-override",
            "first.a=abc",
            "THIRD.yy={\"a\": 321}",
        ])
        .expect("parse");
        assert_eq!(
            cli.n6config_override,
            vec!["first.a=abc", "THIRD.yy={\"a\": 321}"]
        );
    }

    #[test]
    fn abbreviations_are_accepted() {
        let cli = parse(&["--n6config", "a.b=1", "--n6out", "_test"]).expect("parse");
        assert_eq!(cli.n6config_override, vec!["a.b=1"]);
        assert_eq!(cli.n6output_suffix.as_deref(), Some("_test"));
    }

    #[test]
    fn n6recovery_is_rejected() {
        assert!(parse(&["--n6recovery"]).is_err());
    }

    #[test]
    fn output_targets() {
        assert_eq!(
            parse(&["--output", "-"]).expect("parse").output,
            Some(SinkTarget::Stdout)
        );
        assert_eq!(
            parse(&["--output", "amqp"]).expect("parse").output,
            Some(SinkTarget::Amqp)
        );
        assert_eq!(
            parse(&["--output", "/tmp/x.jsonl"]).expect("parse").output,
            Some(SinkTarget::File("/tmp/x.jsonl".into()))
        );
        assert!(parse(&["--dry-run", "--output", "-"]).is_err());
    }

    #[test]
    fn record_and_replay_exclude_each_other_and_a_fake_clock() {
        assert!(parse(&["--record", "a", "--replay", "b"]).is_err());
        assert!(parse(&["--replay", "b", "--fake-now", "2020-01-01T00:00:00"]).is_err());
        assert!(parse(&["--record", "a", "--dry-run"]).is_err());
        let cli = parse(&["--replay", "b", "--dry-run"]).expect("parse");
        assert_eq!(cli.replay, Some(PathBuf::from("b")));
        assert_eq!(cli.sink_target(true), SinkTarget::Stdout);
        let cli = parse(&["--replay", "b", "--output", "amqp"]).expect("parse");
        assert_eq!(cli.sink_target(false), SinkTarget::Amqp);
        let cli = parse(&["--replay", "b"]).expect("parse");
        assert_eq!(
            cli.sink_target(true),
            SinkTarget::Stdout,
            "never the broker by default"
        );
    }

    #[test]
    fn config_dirs_repeat() {
        let cli = parse(&["--config-dir", "/a", "--config-dir", "/b"]).expect("parse");
        assert_eq!(
            cli.config_dirs,
            vec![PathBuf::from("/a"), PathBuf::from("/b")]
        );
    }
}
