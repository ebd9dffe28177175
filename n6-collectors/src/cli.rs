//! The command line every collector binary accepts.
//!
//! n6-compatible: `--n6config-override SECTION.OPTION=VALUE ...` (only the last occurrence
//! counts, as in n6), `--n6output-suffix SUFFIX`, unambiguous abbreviations of long options
//! (`--n6config` works). `--n6recovery` is rejected, as n6's collectors reject it.

use std::path::PathBuf;

use clap::{ArgAction, Parser};

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    /// JSON lines on standard output (`--output -`).
    Stdout,
    /// JSON lines appended to a file (`--output PATH`).
    File(PathBuf),
    /// RabbitMQ as configured in `[rabbitmq]` (`--output amqp`).
    Amqp,
}

impl std::str::FromStr for OutputTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" => Err("empty output target (use -, amqp or a file path)".into()),
            "-" => Ok(OutputTarget::Stdout),
            "amqp" => Ok(OutputTarget::Amqp),
            path => Ok(OutputTarget::File(PathBuf::from(path))),
        }
    }
}

/// Options common to every collector binary.
#[derive(Debug, Clone, Parser)]
#[command(
    infer_long_args = true,
    args_override_self = true,
    about = "An n6 collector: fetches one source, publishes what is new, remembers where it stopped.",
    after_help = "Exit codes: 0 ok, 64 usage, 65 bad state file or source data, 69 source or broker unavailable, \
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
    /// Default: `amqp` when the configuration has a [rabbitmq] section, else stdout.
    #[arg(long, value_name = "TARGET")]
    pub output: Option<OutputTarget>,

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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("collector").chain(args.iter().copied()))
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
            Some(OutputTarget::Stdout)
        );
        assert_eq!(
            parse(&["--output", "amqp"]).expect("parse").output,
            Some(OutputTarget::Amqp)
        );
        assert_eq!(
            parse(&["--output", "/tmp/x.jsonl"]).expect("parse").output,
            Some(OutputTarget::File("/tmp/x.jsonl".into()))
        );
        assert!(parse(&["--dry-run", "--output", "-"]).is_err());
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
