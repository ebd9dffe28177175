//! The one scratch site of the integration tests: a temporary directory holding a config
//! directory (`conf/`), a state directory, an input feed and an output file, and the
//! command line of a test collector run against them.
//!
//! Build one with [`Site::new`] (the collector, see [`LINES`] and [`RELIABILITY`]) and
//! the by-value modifiers ([`Site::state_dir_at`], [`Site::private_state_dir`],
//! [`Site::suffix`], [`Site::publishing_to_file`]); a topic adds what only it needs in an
//! `impl Site` block of its own (e.g. the reliability gate).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// A test collector binary of this package and the files a site of it has.
#[derive(Debug, Clone, Copy)]
pub struct TestCollector {
    /// The binary (`env!("CARGO_BIN_EXE_...")`).
    pub bin: &'static str,
    /// Its main config section, also the prefix of its log lines.
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

/// The test-only hook of the state store: sleep between fsync and rename (removed from
/// every command unless a test sets it again).
pub const DELAY_ENV: &str = "N6_TEST_DELAY_BEFORE_RENAME_MS";

/// A scratch deployment of one test collector, removed at the end of the test.
pub struct Site {
    dir: tempfile::TempDir,
    collector: TestCollector,
    state_dir: PathBuf,
    suffix: Option<String>,
    output_file: bool,
    /// Rows appended to the input by [`Site::grow`].
    pub(crate) rows: u64,
}

impl Site {
    /// An empty site of `collector`: `conf/` exists, the state directory (`state/`) and
    /// the input do not.
    pub fn new(collector: TestCollector) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir(dir.path().join("conf")).expect("conf dir");
        Site {
            state_dir: dir.path().join("state"),
            dir,
            collector,
            suffix: None,
            output_file: false,
            rows: 0,
        }
    }

    /// The state directory at `relative` instead of `state/` (e.g. `var/state`, one
    /// level below a directory that does not exist yet, so that a save creates both).
    pub fn state_dir_at(mut self, relative: &str) -> Site {
        self.state_dir = self.path(relative);
        self
    }

    /// Creates the state directory now, private (0700), so that a run has nothing to
    /// say about it.
    pub fn private_state_dir(self) -> Site {
        self.make_state_dir();
        self
    }

    /// Every run publishes to exchange `raw_{tag}{pid}` (`--n6output-suffix`).
    pub fn suffix(mut self, tag: &str) -> Site {
        self.suffix = Some(format!("_{tag}{}", std::process::id()));
        self
    }

    /// Every collection run (not the `state` subcommands) publishes JSON lines to
    /// `out.jsonl` in the site (`--output`).
    pub fn publishing_to_file(mut self) -> Site {
        self.output_file = true;
        self
    }

    /// The collector this site runs.
    pub fn collector(&self) -> TestCollector {
        self.collector
    }

    /// A path inside the site.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The site's directory.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The config directory (`conf/`).
    pub fn conf_dir(&self) -> PathBuf {
        self.path("conf")
    }

    /// The state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.state_dir.clone()
    }

    /// Creates the state directory (and its parents), private (0700).
    pub fn make_state_dir(&self) {
        fs::create_dir_all(&self.state_dir).expect("state dir");
        fs::set_permissions(&self.state_dir, fs::Permissions::from_mode(0o700))
            .expect("chmod state dir");
    }

    /// The collector's state file.
    pub fn state_path(&self) -> PathBuf {
        self.state_dir.join(self.collector.state_file)
    }

    /// The collector's lock file.
    pub fn lock_path(&self) -> PathBuf {
        self.state_dir
            .join(format!("{}.lock", self.collector.state_file))
    }

    /// The state file's bytes, `None` when there is none.
    pub fn state_bytes(&self) -> Option<Vec<u8>> {
        fs::read(self.state_path()).ok()
    }

    /// Replaces the state file's bytes.
    pub fn write_state(&self, bytes: &[u8]) {
        fs::write(self.state_path(), bytes).expect("write the state file");
    }

    /// The input feed (`input.txt`).
    pub fn input_path(&self) -> PathBuf {
        self.path("input.txt")
    }

    /// Replaces the input with `lines`, each ended by a newline.
    pub fn set_input(&self, lines: &[&str]) {
        let mut text = lines.join("\n");
        text.push('\n');
        fs::write(self.input_path(), text).expect("input");
    }

    /// Replaces the config file with `text`.
    pub fn write_config(&self, text: &str) {
        fs::write(self.path("conf").join(self.collector.config_file), text).expect("config");
    }

    /// The exchange the collector publishes to.
    pub fn exchange(&self) -> String {
        format!("raw{}", self.suffix.as_deref().unwrap_or(""))
    }

    /// `--n6output-suffix`, when the site has one.
    pub fn output_suffix(&self) -> Option<&str> {
        self.suffix.as_deref()
    }

    /// The JSON-lines output file (`out.jsonl`).
    pub fn output_path(&self) -> PathBuf {
        self.path("out.jsonl")
    }

    /// The text bodies in the JSON-lines output so far (all runs).
    pub fn published(&self) -> Vec<String> {
        super::published::text_bodies(&self.output_path())
    }

    /// The collector with `args` first (a subcommand, flags), then `--config-dir`,
    /// `--state-dir`, the suffix and the output file of the site; no `RUST_LOG`, no
    /// delay hook, stdin from `/dev/null`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(self.collector.bin);
        cmd.args(args)
            .arg("--config-dir")
            .arg(self.conf_dir())
            .arg("--state-dir")
            .arg(&self.state_dir);
        // `state ...` subcommands take neither output flag.
        let state_command = args.first() == Some(&"state");
        if let Some(suffix) = self.suffix.as_ref().filter(|_| !state_command) {
            cmd.arg("--n6output-suffix").arg(suffix);
        }
        if self.output_file && !state_command {
            cmd.arg("--output").arg(self.output_path());
        }
        cmd.env_remove("RUST_LOG")
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
    /// site: a program name, `--config-dir`, `--state-dir`, the suffix and the output
    /// file, then `extra`.
    pub fn args(&self, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            self.collector.section.to_owned(),
            "--config-dir".to_owned(),
            self.conf_dir().display().to_string(),
            "--state-dir".to_owned(),
            self.state_dir.display().to_string(),
        ];
        // `state ...` subcommands take neither output flag.
        let state_command = extra.first() == Some(&"state");
        if let Some(suffix) = self.suffix.as_ref().filter(|_| !state_command) {
            args.extend(["--n6output-suffix".to_owned(), suffix.clone()]);
        }
        if self.output_file && !state_command {
            args.extend([
                "--output".to_owned(),
                self.output_path().display().to_string(),
            ]);
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }
}

/// The lines test collector's config: `[LinesTestCollector]` with the site's input,
/// `api_password` and `extra` option lines.
pub fn lines_config(site: &Site, api_password: &str, extra: &str) -> String {
    format!(
        "[LinesTestCollector]\ninput = {}\napi_password = {api_password}\n{extra}",
        site.input_path().display()
    )
}

/// A site of the lines test collector whose input is `lines` and whose config names it
/// (with the usual `api_password`).
pub fn lines_site(lines: &[&str]) -> Site {
    let site = Site::new(LINES);
    site.write_config(&lines_config(&site, "correct-horse-battery", ""));
    site.set_input(lines);
    site
}

/// A test collector defined inside a test target, run in-process: only its section
/// matters (no binary); `state_file` is its `META.state_file_name()`.
pub fn in_process(section: &'static str, config_file: &'static str) -> TestCollector {
    TestCollector {
        bin: "/nonexistent/in-process-collector",
        section,
        config_file,
        state_file: "",
    }
}
