//! The recorded results of the methods n6's test collectors override (`inputs.jsonl`):
//! what the port's own method returns in a replay.

use std::path::Path;

use serde_json::Value;

/// The `bytes` (or `None`) the `n`-th recorded call of `method` returned: a
/// `result_file` of `.bin` is the bytes; one of `.json` (or an inline `result`) is the
/// Python value, here `None`.
pub fn bytes_result(fixture: &Path, method: &str, n: usize) -> Result<Option<Vec<u8>>, String> {
    let path = fixture.join("inputs.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let call = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str::<Value>(line).map_err(|e| format!("{}: {e}", path.display()))
        })
        .filter(|call| call.as_ref().map_or(true, |c| c["method"] == method))
        .nth(n)
        .ok_or_else(|| format!("{}: no call {n} of {method}", path.display()))??;
    let value = match call["result_file"].as_str() {
        Some(file) if file.ends_with(".bin") => {
            let path = fixture.join(file);
            return std::fs::read(&path)
                .map(Some)
                .map_err(|e| format!("{}: {e}", path.display()));
        }
        Some(file) => {
            let path = fixture.join(file);
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => call["result"].clone(),
    };
    match value {
        Value::Null => Ok(None),
        other => Err(format!(
            "{}: {method} returned {other}, not bytes or None",
            path.display()
        )),
    }
}
