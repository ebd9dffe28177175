//! A scratch deployment for in-process runs: a config directory, a state directory and a
//! JSON-lines output file, removed at the end.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value as Json;

/// One test's directories.
pub struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    /// A fresh site whose config directory holds `config` as `60_case.conf`.
    pub fn new(config: &str) -> Site {
        let site = Site {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        std::fs::create_dir(site.path("conf")).expect("conf dir");
        site.write_config(config);
        site
    }

    /// A path inside the site.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Replaces the config file.
    pub fn write_config(&self, config: &str) {
        std::fs::write(self.path("conf/60_case.conf"), config).expect("config");
    }

    /// The framework flags of a run writing JSON lines to `out` (inside the site),
    /// followed by `extra`.
    pub fn args(&self, out: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "collector".to_owned(),
            "--config-dir".to_owned(),
            self.path("conf").display().to_string(),
            "--state-dir".to_owned(),
            self.path("state").display().to_string(),
            "-qq".to_owned(),
        ];
        if !out.is_empty() {
            args.push("--output".to_owned());
            args.push(self.path(out).display().to_string());
        }
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }

    /// The JSON lines written to `out` (none when the file does not exist).
    pub fn lines(&self, out: &str) -> Vec<Json> {
        read_lines(&self.path(out))
    }

    /// The bytes of the state file `name` in the state directory, if any.
    pub fn state(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path("state").join(name)).ok()
    }
}

/// Parses a JSON-lines file.
pub fn read_lines(path: &Path) -> Vec<Json> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// n6's `message_id`: md5 of source NUL timestamp NUL body, computed independently.
pub fn n6_message_id(source: &str, timestamp: u64, body: &[u8]) -> String {
    use md5::{Digest, Md5};
    let mut data = Vec::new();
    data.extend_from_slice(source.as_bytes());
    data.push(0);
    data.extend_from_slice(timestamp.to_string().as_bytes());
    data.push(0);
    data.extend_from_slice(body);
    Md5::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
