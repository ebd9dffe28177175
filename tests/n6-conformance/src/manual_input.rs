//! Replaying n6's `ManualCollector` cases: n6's test mocked `open()`, so the recorded
//! input is the file's content as `obtain_data_body` returned it; the replay writes it
//! to a file of its own and gives that path as the command line's FILE.

use std::path::Path;

use serde_json::Value;

/// n6's manual options that take no value; every other option takes one.
const FLAGS: &[&str] = &[
    "-i",
    "--interactive",
    "-f",
    "--final_run",
    "--skip_fqdn_to_ip",
];

/// The index of the positional FILE argument in `cmdline`.
fn file_argument(cmdline: &[String]) -> Option<usize> {
    let mut i = 0;
    let mut file = None;
    while i < cmdline.len() {
        let arg = &cmdline[i];
        if arg == "--" {
            return (i + 1 < cmdline.len()).then_some(i + 1);
        }
        if arg.starts_with('-') && arg.len() > 1 {
            if !FLAGS.contains(&arg.as_str()) && !arg.contains('=') {
                i += 1; // its value
            }
        } else {
            file = Some(i);
        }
        i += 1;
    }
    file
}

/// Writes the recorded file content into `work` and points FILE in `cmdline` at it.
pub fn prepare(fixture: &Path, work: &Path, cmdline: &mut [String]) -> Result<(), String> {
    let path = fixture.join("inputs.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let call = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str::<Value>)
        .find_map(|call| call.ok().filter(|c| c["method"] == "obtain_data_body"))
        .ok_or_else(|| format!("{}: no recorded obtain_data_body", path.display()))?;
    let content = match call["result_file"].as_str() {
        Some(file) => std::fs::read(fixture.join(file)).map_err(|e| format!("{file}: {e}"))?,
        None => return Err(format!("{}: obtain_data_body raised", path.display())),
    };
    let submitted = work.join("submitted-file");
    std::fs::write(&submitted, content).map_err(|e| format!("{}: {e}", submitted.display()))?;
    let index = file_argument(cmdline).ok_or("no FILE on the command line")?;
    cmdline[index] = submitted.display().to_string();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn the_file_is_the_positional_argument() {
        assert_eq!(
            file_argument(&args("--source_channel pl -f --column_spec a,b ./a.txt")),
            Some(5)
        );
        assert_eq!(
            file_argument(&args("./a.txt --name=x --skip_fqdn_to_ip")),
            Some(0)
        );
        assert_eq!(file_argument(&args("--time 2024-01-01 -- -x")), Some(3));
        assert_eq!(file_argument(&args("--name x")), None);
    }
}
