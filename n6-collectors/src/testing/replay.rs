//! Replaying a recorded run (`--record DIR`) in a test: [`Site::replay`].
//!
//! A recording is what a collector's author commits as a regression test: record one
//! live run (`my-collector --record tests/recordings/first-run ...`), then in a test
//!
//! ```no_run
//! # use n6_collectors::prelude::*;
//! # #[derive(StatefulCollector)]
//! # #[collector(source = "example-org.feed", raw_type = "stream", download)]
//! # #[config_spec("url :: str")]
//! # pub struct FeedCollector { config: FeedCollectorConfig }
//! # impl Collect for FeedCollector {
//! #     fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> { Ok(()) }
//! # }
//! use n6_collectors::testing::Site;
//!
//! #[test]
//! fn publishes_what_the_recorded_run_published() {
//!     let mut site = Site::with_config("[FeedCollector]\nurl = https://example.org/feed\n").unwrap();
//!     let replayed = site.replay::<FeedCollector>("tests/recordings/first-run", &[]).unwrap();
//!     assert_eq!(replayed.run.exit_code, 0);
//!     replayed.assert_same_as_recorded();
//! }
//! ```
//!
//! The replay starts from the state the recorded run found (or none), answers every
//! download from the recording, reads the recorded clock and stdin, and publishes into
//! the site's output; [`Replayed`] holds what it published beside what the recorded
//! run published, and [`Replayed::differences`] names every difference.

use std::path::Path;

use super::published::{Published, Run, read_output};
use super::{Feed, Site, TestingError};
use crate::Collect;
use crate::record::RecordingIndex;

/// A replayed run and the recorded run it replays.
#[derive(Debug, Clone, PartialEq)]
pub struct Replayed {
    /// The replay: its exit code and what it published.
    pub run: Run,
    /// What the recorded run published (the recording's `published.jsonl`).
    pub recorded: Vec<Published>,
}

impl Replayed {
    /// Every difference between what the replay published and what the recorded run
    /// published (count, then per message: exchange, routing key, properties, body);
    /// empty when they are the same.
    pub fn differences(&self) -> Vec<String> {
        let mut differences = Vec::new();
        let (replayed, recorded) = (&self.run.published, &self.recorded);
        if replayed.len() != recorded.len() {
            differences.push(format!(
                "the replay published {} message(s), the recorded run {}",
                replayed.len(),
                recorded.len()
            ));
        }
        for (n, (new, old)) in replayed.iter().zip(recorded).enumerate() {
            let n = n + 1;
            if new.exchange != old.exchange {
                differences.push(format!(
                    "message {n}: exchange {:?}, recorded {:?}",
                    new.exchange, old.exchange
                ));
            }
            if new.routing_key != old.routing_key {
                differences.push(format!(
                    "message {n}: routing key {:?}, recorded {:?}",
                    new.routing_key, old.routing_key
                ));
            }
            if new.properties != old.properties {
                differences.push(format!(
                    "message {n}: properties {}, recorded {}",
                    new.properties, old.properties
                ));
            }
            if new.body != old.body {
                differences.push(format!(
                    "message {n}: body {}, recorded {}",
                    shown(&new.body),
                    shown(&old.body)
                ));
            }
        }
        differences
    }

    /// Panics, naming every difference, unless the replay published exactly what the
    /// recorded run published.
    pub fn assert_same_as_recorded(&self) {
        let differences = self.differences();
        assert!(
            differences.is_empty(),
            "the replay differs from the recorded run:\n  {}",
            differences.join("\n  ")
        );
    }
}

/// A body for a message: its text (cut at 200 characters), or its length.
fn shown(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) if text.chars().count() > 200 => {
            format!(
                "{:?}… ({} bytes)",
                text.chars().take(200).collect::<String>(),
                body.len()
            )
        }
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("<{} bytes, not UTF-8>", body.len()),
    }
}

impl Site {
    /// Replays the recording in `dir` (made with `--record`) with collector `C`, from the
    /// state the recorded run found (the site's state file is replaced, or removed when
    /// the recorded run had none), with `args` added as in [`Site::run`]. The
    /// collector's own failures are the run's exit code (66 for a request the
    /// recording does not hold); a recording that cannot be read is an error.
    pub fn replay<C: Collect>(
        &mut self,
        dir: impl AsRef<Path>,
        args: &[&str],
    ) -> Result<Replayed, TestingError> {
        let dir = dir.as_ref();
        let index = RecordingIndex::read(dir)?;
        let state_dir = self.state_dir();
        std::fs::create_dir_all(&state_dir).map_err(|source| TestingError::Io {
            path: state_dir.clone(),
            source,
        })?;
        let state_file = state_dir.join(C::META.state_file_name());
        match &index.state_before {
            Some(name) => {
                let recorded = RecordingIndex::file(dir, name);
                std::fs::copy(&recorded, &state_file).map_err(|source| TestingError::Io {
                    path: recorded,
                    source,
                })?;
            }
            None => match std::fs::remove_file(&state_file) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(TestingError::Io {
                        path: state_file,
                        source: e,
                    });
                }
                _ => {}
            },
        }
        let recorded = read_output(&RecordingIndex::file(dir, &index.published))?;
        let replay = dir.display().to_string();
        let mut all: Vec<&str> = vec!["--replay", &replay];
        all.extend_from_slice(args);
        let no_feeds: [&dyn Feed; 0] = [];
        let run = self.run::<C>(&no_feeds, &all)?;
        Ok(Replayed { run, recorded })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(body: &str) -> Published {
        Published {
            exchange: "raw".to_owned(),
            routing_key: "a.b".to_owned(),
            properties: json!({"timestamp": 1}),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn every_difference_is_named() {
        let same = Replayed {
            run: Run {
                exit_code: 0,
                published: vec![message("x")],
            },
            recorded: vec![message("x")],
        };
        assert!(same.differences().is_empty());
        same.assert_same_as_recorded();
        let mut other = message("y");
        other.properties = json!({"timestamp": 2});
        let differ = Replayed {
            run: Run {
                exit_code: 0,
                published: vec![other],
            },
            recorded: vec![message("x"), message("z")],
        };
        let differences = differ.differences();
        assert_eq!(differences.len(), 3, "{differences:?}");
        assert!(differences[0].contains("published 1 message(s), the recorded run 2"));
        assert!(differences[1].contains("message 1: properties"));
        assert_eq!(differences[2], r#"message 1: body "y", recorded "x""#);
    }
}
