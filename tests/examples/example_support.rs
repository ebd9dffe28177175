//! Shared by the `tests/examples/` tests: run an example collector in-process with
//! `--output <file>` and read back exactly what it published.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// One published message, from the JSON-lines output.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    pub exchange: String,
    pub routing_key: String,
    pub properties: Value,
    pub body: Vec<u8>,
}

impl Published {
    /// The body as text (panics if it is not UTF-8).
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("UTF-8 body")
    }

    /// Checks the n6 properties: `type`, `content_type` (or none), `delivery_mode`,
    /// `message_id` recomputed from `source`, the timestamp and the body, and `headers`.
    pub fn assert_n6_properties(
        &self,
        source: &str,
        raw_type: &str,
        content_type: Option<&str>,
        headers: Option<Value>,
    ) {
        let p = self.properties.as_object().expect("properties object");
        assert_eq!(p.get("type"), Some(&Value::from(raw_type)));
        assert_eq!(p.get("content_type").and_then(Value::as_str), content_type);
        assert_eq!(p.get("delivery_mode"), Some(&Value::from(2)));
        let timestamp = p
            .get("timestamp")
            .and_then(Value::as_u64)
            .expect("timestamp");
        assert_eq!(
            p.get("message_id").and_then(Value::as_str),
            Some(n6_collectors::message::message_id(source, timestamp, &self.body).as_str())
        );
        assert_eq!(p.get("headers").cloned(), headers);
        let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = vec!["delivery_mode", "message_id", "timestamp", "type"];
        if content_type.is_some() {
            expected.push("content_type");
        }
        if self.properties.get("headers").is_some() {
            expected.push("headers");
        }
        expected.sort_unstable();
        assert_eq!(keys, expected);
    }
}

/// A scratch directory with a state dir and an output file, for repeated runs.
pub struct Runs {
    pub dir: tempfile::TempDir,
    seen: usize,
    config_dir: PathBuf,
}

impl Runs {
    /// Runs with the example configs (`examples/config`).
    pub fn new() -> Runs {
        Runs {
            dir: tempfile::tempdir().expect("temp dir"),
            seen: 0,
            config_dir: repo_path("examples/config"),
        }
    }

    /// Runs with one config file, `60_test.conf`, holding `config`.
    pub fn with_config(config: &str) -> Runs {
        let dir = tempfile::tempdir().expect("temp dir");
        let config_dir = dir.path().join("config");
        std::fs::create_dir(&config_dir).expect("config dir");
        std::fs::write(config_dir.join("60_test.conf"), config).expect("config file");
        Runs {
            dir,
            seen: 0,
            config_dir,
        }
    }

    /// Writes a file into the scratch directory; returns its path.
    pub fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, data).expect("write scratch file");
        path
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn output(&self) -> PathBuf {
        self.dir.path().join("out.jsonl")
    }

    /// The arguments every run gets: the example configs, the scratch state dir and the
    /// output file, then `extra`.
    pub fn args(&self, extra: &[String]) -> Vec<String> {
        let mut args = vec![
            "example".to_owned(),
            "--config-dir".to_owned(),
            self.config_dir.display().to_string(),
            "--state-dir".to_owned(),
            self.state_dir().display().to_string(),
            "--output".to_owned(),
            self.output().display().to_string(),
            "-q".to_owned(),
        ];
        args.extend(extra.iter().cloned());
        args
    }

    /// Runs `run` (an `n6_collectors::run_from::<C, _, _>`) with [`Runs::args`]; returns
    /// the exit status and the messages published by this run.
    pub fn run(&mut self, run: fn(Vec<String>) -> u8, extra: &[String]) -> (u8, Vec<Published>) {
        let code = run(self.args(extra));
        let all = read_output(&self.output());
        let new = all[self.seen..].to_vec();
        self.seen = all.len();
        (code, new)
    }

    /// The saved state of collector `C`, or `None` when there is no state file.
    pub fn load_state<C: n6_collectors::StatefulCollector>(&self) -> Option<C::State> {
        let meta = &C::META;
        let store = n6_collectors::state::StateStore::new(
            &self.state_dir(),
            &meta.state_file_name(),
            &meta.collector_id(),
            "example test",
        );
        store
            .load::<C::State>(meta.state_version, None)
            .expect("the state file loads")
            .map(|loaded| loaded.state)
    }

    /// Saves `state` as collector `C`'s state file (as a previous run would have).
    pub fn save_state<C: n6_collectors::StatefulCollector>(&self, state: &C::State) {
        let meta = &C::META;
        std::fs::create_dir_all(self.state_dir()).expect("state dir");
        n6_collectors::state::StateStore::new(
            &self.state_dir(),
            &meta.state_file_name(),
            &meta.collector_id(),
            "example test",
        )
        .save(state, meta.state_version)
        .expect("save state");
    }

    /// The files in the state dir.
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

fn read_output(path: &Path) -> Vec<Published> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).expect("JSON line");
            let body = match (v.get("body"), v.get("body_base64")) {
                (Some(Value::String(s)), None) => s.as_bytes().to_vec(),
                (None, Some(Value::String(b))) => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(b)
                        .expect("base64 body")
                }
                _ => panic!("no body in {line}"),
            };
            Published {
                exchange: v["exchange"].as_str().expect("exchange").to_owned(),
                routing_key: v["routing_key"].as_str().expect("routing_key").to_owned(),
                properties: v["properties"].clone(),
                body,
            }
        })
        .collect()
}

/// Serves `body` with `Last-Modified: last_modified` to one HTTP request on 127.0.0.1;
/// returns the URL.
pub fn serve_once(body: Vec<u8>, last_modified: &str) -> String {
    serve_once_recording(body, last_modified).0
}

/// [`serve_once`], also giving the request line the server received (once it did).
pub fn serve_once_recording(
    body: Vec<u8>,
    last_modified: &str,
) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/list.txt", listener.local_addr().expect("addr"));
    let last_modified = last_modified.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut request_line = String::new();
        let _ = reader.read_line(&mut request_line);
        let _ = tx.send(request_line.trim_end().to_owned());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
            line.clear();
        }
        let mut stream = stream;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nLast-Modified: {last_modified}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body);
    });
    (url, rx)
}
