//! The scratch site of a test run and running a collector in it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::Feed;
use super::published::{Run, read_output};
use crate::state::{StateError, StateStore};
use crate::{Collect, StatefulCollector};

/// What can go wrong while setting up a test run or reading its results (the collector's
/// own failures are its exit code, [`Run::exit_code`]).
#[derive(Debug, thiserror::Error)]
pub enum TestingError {
    /// A file or directory of the site could not be written or read.
    #[error("test site {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The state file could not be loaded or saved.
    #[error("test site state: {0}")]
    State(#[from] StateError),
    /// A recording to replay cannot be read ([`Site::replay`]).
    #[error("test site: {0}")]
    Recording(#[from] crate::record::RecordError),
    /// A line of the JSON-lines output is not a published message.
    #[error("test site output line {line:?}: {why}")]
    Output {
        /// The line.
        line: String,
        /// What is wrong with it.
        why: String,
    },
}

/// A scratch deployment for in-process runs: a directory (removed on drop) holding the
/// state directory (`state/`), the JSON-lines output (`out.jsonl`) and the inputs, plus
/// a config directory (`conf/` inside, or an existing one).
#[derive(Debug)]
pub struct Site {
    root: PathBuf,
    config_dir: PathBuf,
    seen: usize,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> TestingError + '_ {
    move |source| TestingError::Io {
        path: path.to_owned(),
        source,
    }
}

impl Site {
    /// A site with an empty config directory `conf/`.
    pub fn new() -> Result<Site, TestingError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root =
            std::env::temp_dir().join(format!("n6-collectors-testing-{}-{n}", std::process::id()));
        let config_dir = root.join("conf");
        if root.exists() {
            std::fs::remove_dir_all(&root).map_err(io_error(&root))?;
        }
        std::fs::create_dir_all(&config_dir).map_err(io_error(&config_dir))?;
        Ok(Site {
            root,
            config_dir,
            seen: 0,
        })
    }

    /// A site whose config directory holds one file, `60_test.conf`, with `config`.
    pub fn with_config(config: &str) -> Result<Site, TestingError> {
        let site = Site::new()?;
        site.write_config(config)?;
        Ok(site)
    }

    /// A site reading the existing config directory `dir` (e.g. `examples/config`).
    pub fn with_config_dir(dir: impl Into<PathBuf>) -> Result<Site, TestingError> {
        let mut site = Site::new()?;
        site.config_dir = dir.into();
        Ok(site)
    }

    /// Replaces `60_test.conf` in the site's own config directory.
    pub fn write_config(&self, config: &str) -> Result<(), TestingError> {
        let path = self.root.join("conf/60_test.conf");
        std::fs::write(&path, config).map_err(io_error(&path))
    }

    /// A path inside the site.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Writes `bytes` as file `name` of the site; returns its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, TestingError> {
        let path = self.path(name);
        std::fs::write(&path, bytes).map_err(io_error(&path))?;
        Ok(path)
    }

    /// The config directory the runs read.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// The state directory (`--state-dir`).
    pub fn state_dir(&self) -> PathBuf {
        self.path("state")
    }

    /// The JSON-lines output of every run (`--output`).
    pub fn output_path(&self) -> PathBuf {
        self.path("out.jsonl")
    }

    /// The command line of a run: the site's `--config-dir`, `--state-dir`, `--output`
    /// and `-q`, then `args`, with the feeds' override items added to `args`' own
    /// `--n6config-override` (one flag holds them all: the last flag wins).
    pub fn args(&self, feeds: &[String], args: &[&str]) -> Vec<String> {
        let mut line = vec![
            "collector".to_owned(),
            "--config-dir".to_owned(),
            self.config_dir.display().to_string(),
            "--state-dir".to_owned(),
            self.state_dir().display().to_string(),
            "--output".to_owned(),
            self.output_path().display().to_string(),
            "-q".to_owned(),
        ];
        let mut overrides: Vec<String> = feeds.to_vec();
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            if *arg == "--n6config-override" {
                let items: Vec<&&str> = rest.clone().take_while(|a| !a.starts_with('-')).collect();
                rest.nth(items.len().saturating_sub(1));
                if items.is_empty() {
                    continue;
                }
                overrides.extend(items.into_iter().map(|s| (*s).to_owned()));
            } else {
                line.push((*arg).to_owned());
            }
        }
        if !overrides.is_empty() {
            line.push("--n6config-override".to_owned());
            line.extend(overrides);
        }
        line
    }

    /// Runs collector `C` in-process with `feeds` installed and `args` added (see
    /// [`Site::args`]); returns its exit code and what this run published.
    pub fn run<C: Collect>(
        &mut self,
        feeds: &[&dyn Feed],
        args: &[&str],
    ) -> Result<Run, TestingError> {
        self.run_with(crate::run_from::<C, Vec<String>, String>, feeds, args)
    }

    /// [`Site::run`] through `runner`, which gets the whole command line and returns the
    /// exit code: `n6_collectors::run_from::<C, _, _>` itself, or a wrapper around it
    /// (a recorded-input server started first, a replay of recorded cases).
    pub fn run_with(
        &mut self,
        runner: impl FnOnce(Vec<String>) -> u8,
        feeds: &[&dyn Feed],
        args: &[&str],
    ) -> Result<Run, TestingError> {
        let mut items = Vec::new();
        for feed in feeds {
            items.extend(feed.install(self)?);
        }
        let exit_code = runner(self.args(&items, args));
        let all = read_output(&self.output_path())?;
        let published = all.get(self.seen..).unwrap_or_default().to_vec();
        self.seen = all.len();
        Ok(Run {
            exit_code,
            published,
        })
    }

    fn store<C: StatefulCollector>(&self) -> StateStore {
        let meta = &C::META;
        StateStore::new(
            &self.state_dir(),
            &meta.state_file_name(),
            &meta.collector_id(),
            "n6_collectors::testing",
        )
    }

    /// The state collector `C` saved, `None` when there is no state file.
    pub fn saved_state<C: StatefulCollector>(&self) -> Result<Option<C::State>, TestingError> {
        Ok(self
            .store::<C>()
            .load::<C::State>(C::META.state_version, None)?
            .map(|loaded| loaded.state))
    }

    /// Saves `state` as collector `C`'s state file, as a previous run would have.
    pub fn save_state<C: StatefulCollector>(&self, state: &C::State) -> Result<(), TestingError> {
        let dir = self.state_dir();
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        self.store::<C>().save(state, C::META.state_version)?;
        Ok(())
    }

    /// The names of the files in the state directory, sorted (none when it does not
    /// exist).
    pub fn state_files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.state_dir())
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_items_and_the_callers_overrides_share_one_flag() {
        let site = Site::new().expect("site");
        let line = site.args(
            &["S.url=file:///feed".to_owned()],
            &["--n6config-override", "S.a=1", "S.b=-1", "--dry-run"],
        );
        let tail: Vec<&str> = line[8..].iter().map(String::as_str).collect();
        assert_eq!(
            tail,
            [
                "--dry-run",
                "--n6config-override",
                "S.url=file:///feed",
                "S.a=1",
                "S.b=-1"
            ]
        );
        let plain = site.args(&[], &["-v"]);
        assert_eq!(plain.last().map(String::as_str), Some("-v"));
        assert!(!plain.iter().any(|a| a == "--n6config-override"));
    }

    #[test]
    fn the_site_is_removed_on_drop() {
        let site = Site::with_config("[X]\n").expect("site");
        let root = site.path("");
        assert!(root.join("conf/60_test.conf").is_file());
        drop(site);
        assert!(!root.exists());
    }
}
