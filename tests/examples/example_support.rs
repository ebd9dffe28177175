//! Shared by the `tests/examples/` tests: repeated in-process runs of an example on one
//! scratch site (the public harness, `n6_collectors::testing`), fixtures and one-shot
//! feeds served by the scripted test server (`tests/support/http/`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub use n6_collectors::testing::Published;
use n6_collectors::testing::Site;

use crate::support::http::{Answer, Server};

/// Repeated runs of one example on one scratch site ([`n6_collectors::testing::Site`]).
pub struct Runs {
    site: Site,
}

impl Runs {
    /// Runs with the example configs (`examples/config`).
    pub fn new() -> Runs {
        Runs {
            site: Site::with_config_dir(repo_path("examples/config")).expect("test site"),
        }
    }

    /// Runs with one config file, `60_test.conf`, holding `config`.
    pub fn with_config(config: &str) -> Runs {
        Runs {
            site: Site::with_config(config).expect("test site"),
        }
    }

    /// Writes a file into the scratch directory; returns its path.
    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        self.site.write(name, data).expect("write scratch file")
    }

    /// The scratch state directory.
    pub fn state_dir(&self) -> PathBuf {
        self.site.state_dir()
    }

    /// Runs `run` (an `n6_collectors::run_from::<C, _, _>`) on the site with `extra`
    /// arguments; returns the exit status and the messages published by this run.
    pub fn run(&mut self, run: fn(Vec<String>) -> u8, extra: &[String]) -> (u8, Vec<Published>) {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let done = self.site.run_with(run, &[], &extra).expect("test run");
        (done.exit_code, done.published)
    }

    /// The saved state of collector `C`, or `None` when there is no state file.
    pub fn load_state<C: n6_collectors::StatefulCollector>(&self) -> Option<C::State> {
        self.site.saved_state::<C>().expect("the state file loads")
    }

    /// Saves `state` as collector `C`'s state file (as a previous run would have).
    pub fn save_state<C: n6_collectors::StatefulCollector>(&self, state: &C::State) {
        self.site.save_state::<C>(state).expect("save state");
    }

    /// The files in the state dir.
    pub fn state_files(&self) -> Vec<String> {
        self.site.state_files()
    }
}

/// A path in the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `SECTION.OPTION=VALUE` arguments for `--n6config-override`.
pub fn overrides(items: &[String]) -> Vec<String> {
    let mut args = vec!["--n6config-override".to_owned()];
    args.extend(items.iter().cloned());
    args
}

/// `file://` URL of a fixture in `examples/data/`.
pub fn fixture_url(name: &str) -> String {
    format!("file://{}", repo_path("examples/data").join(name).display())
}

/// The scripted test server answering one request for `/list.txt` (or any path) with
/// `body` and `Last-Modified: last_modified`, then `410 Gone`.
pub fn serve_once(body: Vec<u8>, last_modified: &str) -> Server {
    Server::http(vec![
        Answer::ok(body).header("Last-Modified", last_modified),
    ])
}
