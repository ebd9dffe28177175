//! The command lines of a [`Site`]'s runs: the collector's binary as a process, or the
//! collector in-process (`n6_collectors::run_from`), with the site's flags.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use n6_collectors::Collect;

use super::{DELAY_ENV, Publishing, Site};

impl Site {
    /// The collector with `args` first (a subcommand, flags), then the site's flags
    /// (`--config-dir`, `--state-dir`, and what the modifiers add); no `RUST_LOG`, no
    /// delay hook, stdin from `/dev/null`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.collector.bin);
        cmd.args(args)
            .args(self.flags(args, self.default_output()))
            .env_remove("RUST_LOG")
            .env_remove(DELAY_ENV)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs the collector to the end.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run collector")
    }

    /// Starts the collector with stdout and stderr captured.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn collector")
    }

    /// The argument list of an in-process run (`n6_collectors::run_from`) against the
    /// site: a program name (the collector's section), the site's flags, then `extra`.
    pub fn args(&self, extra: &[&str]) -> Vec<String> {
        self.in_process_args(self.default_output(), extra)
    }

    /// [`Site::args`], the run publishing JSON lines to the file `out` of the site
    /// (read them with [`Site::json_lines`]) whatever the site's own output.
    pub fn args_writing(&self, out: &str, extra: &[&str]) -> Vec<String> {
        self.in_process_args(Some(self.path(out).display().to_string()), extra)
    }

    /// Runs `C` in-process with [`Site::args`]; its exit code.
    pub fn run_in_process<C: Collect>(&self, extra: &[&str]) -> u8 {
        n6_collectors::run_from::<C, _, _>(self.args(extra))
    }

    /// Runs `C` in-process with [`Site::args_writing`]; its exit code.
    pub fn run_in_process_writing<C: Collect>(&self, out: &str, extra: &[&str]) -> u8 {
        n6_collectors::run_from::<C, _, _>(self.args_writing(out, extra))
    }

    fn in_process_args(&self, output: Option<String>, extra: &[&str]) -> Vec<String> {
        let mut args = vec![self.collector.section.to_owned()];
        args.extend(self.flags(extra, output));
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }

    /// `--output` of a collection run unless the run says otherwise.
    fn default_output(&self) -> Option<String> {
        match self.publishing {
            Publishing::AsConfigured => None,
            Publishing::ToFile => Some(self.output_path().display().to_string()),
            Publishing::ToBroker => Some("amqp".to_owned()),
        }
    }

    /// The site's flags for a run whose own arguments are `args` (`state ...`
    /// subcommands take no output, suffix or metrics flag).
    fn flags(&self, args: &[&str], output: Option<String>) -> Vec<String> {
        let mut flags = vec![
            "--config-dir".to_owned(),
            path(self.conf_dir()),
            "--state-dir".to_owned(),
            path(self.state_dir()),
        ];
        if self.quiet {
            flags.push("-qq".to_owned());
        }
        if args.first() == Some(&"state") {
            return flags;
        }
        if let Some(suffix) = &self.suffix {
            flags.extend(["--n6output-suffix".to_owned(), suffix.clone()]);
        }
        if let Some(output) = output {
            flags.extend(["--output".to_owned(), output]);
        }
        if self.metrics {
            flags.extend(["--metrics-file".to_owned(), path(self.metrics_path())]);
        }
        flags
    }
}

fn path(path: PathBuf) -> String {
    path.display().to_string()
}
