//! Reading a JSON-lines output file (`--output PATH`) back.

use std::path::Path;

/// The text bodies of every message in the JSON-lines file at `path` (none when the file
/// does not exist); panics on a line that is not JSON or a body that is not text.
pub fn text_bodies(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
            v["body"].as_str().expect("text body").to_owned()
        })
        .collect()
}
