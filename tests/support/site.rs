//! The one scratch site of the integration tests: a temporary directory holding a config
//! directory (`conf/`), a state directory, an input feed and output files, and the
//! command line of a collector run against them, as a process or in-process.
//!
//! Build one with [`Site::new`] (the collector: a test binary, [`LINES`],
//! [`RELIABILITY`], [`AMQP_INPUT`], or one defined in the test target, [`in_process`]),
//! or with [`Site::in_process`] for a collector of the test target whose config is given
//! whole; then the by-value modifiers:
//!
//! | modifier | what every run of the site gets |
//! |---|---|
//! | [`Site::with_config`] | the config file, written as given (also [`Site::write_config`]) |
//! | [`Site::with_input`] | the input feed `input.txt` (also [`Site::set_input`]) |
//! | [`Site::state_dir_at`], [`Site::private_state_dir`] | another or an existing state directory |
//! | [`Site::suffix`] | `--n6output-suffix _{tag}{pid}` |
//! | [`Site::publishing_to_file`] | `--output out.jsonl` (per run: [`Site::args_writing`]) |
//! | [`Site::publishing_to_broker`] | `--output amqp` |
//! | [`Site::tracking_metrics`] | `--metrics-file metrics.prom` |
//! | [`Site::quiet`] | `-qq` |
//!
//! The config texts the tests share ([`lines_config`], [`rabbitmq_section`]) are in
//! `site/config.rs`, the command lines ([`Site::command`], [`Site::args`],
//! [`Site::run_in_process`]) in `site/command.rs`. A topic adds what only it needs in an
//! `impl Site` block of its own (e.g. the reliability gate).

mod collectors;
mod command;
mod config;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

// Every test target includes this module and uses some of these.
#[allow(unused_imports)]
pub use collectors::{AMQP_INPUT, CASE, LINES, RELIABILITY, TestCollector, in_process};
#[allow(unused_imports)]
pub use config::{lines_config, lines_section, rabbitmq_section, rabbitmq_section_with};

/// The test-only hook of the state store: sleep between fsync and rename (removed from
/// every command unless a test sets it again).
pub const DELAY_ENV: &str = "N6_TEST_DELAY_BEFORE_RENAME_MS";

/// Where the collection runs of a site publish, unless a run says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publishing {
    /// No `--output`: the broker when the config has `[rabbitmq]`, else stdout.
    AsConfigured,
    /// `--output out.jsonl` in the site.
    ToFile,
    /// `--output amqp`.
    ToBroker,
}

/// A scratch deployment of one test collector, removed at the end of the test.
pub struct Site {
    dir: tempfile::TempDir,
    collector: TestCollector,
    state_dir: PathBuf,
    suffix: Option<String>,
    publishing: Publishing,
    metrics: bool,
    quiet: bool,
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
            publishing: Publishing::AsConfigured,
            metrics: false,
            quiet: false,
            rows: 0,
        }
    }

    /// A quiet site of [`CASE`], a collector of the test target run in-process
    /// ([`Site::run_in_process`]), whose config file (`60_case.conf`) is `config`.
    pub fn in_process(config: &str) -> Site {
        Site::new(CASE).quiet().with_config(config)
    }

    /// Writes the config file as `config` (see [`Site::write_config`]).
    pub fn with_config(self, config: &str) -> Site {
        self.write_config(config);
        self
    }

    /// Writes the input feed as `lines` (see [`Site::set_input`]).
    pub fn with_input(self, lines: &[&str]) -> Site {
        self.set_input(lines);
        self
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
        self.publishing = Publishing::ToFile;
        self
    }

    /// Every collection run publishes to the broker of the config's `[rabbitmq]`
    /// (`--output amqp`).
    pub fn publishing_to_broker(mut self) -> Site {
        self.publishing = Publishing::ToBroker;
        self
    }

    /// Every collection run writes its textfile metrics to `metrics.prom` in the site
    /// (`--metrics-file`, [`Site::metrics_path`]).
    pub fn tracking_metrics(mut self) -> Site {
        self.metrics = true;
        self
    }

    /// Every run logs nothing but errors (`-qq`).
    pub fn quiet(mut self) -> Site {
        self.quiet = true;
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

    /// The bytes of the state file `name` in the state directory (for a collector of the
    /// test target, `name` is its `META.state_file_name()`), `None` when there is none.
    pub fn state_file_bytes(&self, name: &str) -> Option<Vec<u8>> {
        fs::read(self.state_dir.join(name)).ok()
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

    /// Replaces the collector's config file (in `conf/`) with `text`, as given.
    pub fn write_config(&self, text: &str) {
        self.write_config_file(self.collector.config_file, text);
    }

    /// Writes another config file `name` in `conf/` (e.g. a site-wide
    /// `50_metrics.conf` beside the collector's).
    pub fn write_config_file(&self, name: &str, text: &str) {
        fs::write(self.conf_dir().join(name), text).expect("config");
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

    /// The textfile metrics of [`Site::tracking_metrics`] (`metrics.prom`).
    pub fn metrics_path(&self) -> PathBuf {
        self.path("metrics.prom")
    }

    /// The text bodies in the JSON-lines output so far (all runs).
    pub fn published(&self) -> Vec<String> {
        super::published::text_bodies(&self.output_path())
    }

    /// The JSON lines in the file `name` of the site (none when it does not exist).
    pub fn json_lines(&self, name: &str) -> Vec<serde_json::Value> {
        match fs::read_to_string(self.path(name)) {
            Ok(text) => text
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

/// A site of the lines test collector whose input is `lines` and whose config names it
/// (with the usual `api_password`).
pub fn lines_site(lines: &[&str]) -> Site {
    let site = Site::new(LINES).with_input(lines);
    site.write_config(&lines_config(&site, "correct-horse-battery", ""));
    site
}
