//! `n6-replay`: the conformance harness for the Rust ports of n6's collectors.
//!
//! ```text
//! n6-replay replay FIXTURE_DIR OUT_DIR     # one case (what tests/n6-conformance/replay runs)
//! n6-replay suite FIXTURES_ROOT DEVIATIONS # every case, compared; prints N passed, N failed
//! n6-replay run CLASS ARGS...              # run a port as n6collector would (tests)
//! ```
//!
//! A replay reads only the fixture's inputs (`60_case.conf`, `cmdline.json`, stdin,
//! `state_before.pickle`, `inputs.jsonl` + `inputs/`), never `expected*`.

mod amqp_input;
mod compare;
mod manual_input;
mod misp_answers;
mod ports;
mod stub;
mod tagged;
mod test_ports;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use n6_collectors::state::StateStore;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let arg = |i: usize| args.get(i).map(PathBuf::from);
    match (args.first().and_then(|a| a.to_str()), arg(1), arg(2)) {
        (Some("replay"), Some(fixture), Some(out)) if args.len() == 3 => {
            ExitCode::from(replay(&fixture, &out))
        }
        (Some("suite"), Some(root), Some(deviations)) if args.len() == 3 => {
            match suite(&root, &deviations) {
                Ok(report) => {
                    print!("{}", report.text);
                    ExitCode::from(u8::from(!report.failures.is_empty()))
                }
                Err(e) => {
                    eprintln!("n6-replay: {e}");
                    ExitCode::from(70)
                }
            }
        }
        (Some("run"), Some(class), _) => {
            let Some(entry) = ports::find(&class.to_string_lossy()) else {
                eprintln!("n6-replay: no Rust port of {}", class.display());
                return ExitCode::from(64);
            };
            if let Some(form) = entry.python_form {
                n6_collectors::pickle::set_python_form(form);
            }
            let mut argv: Vec<OsString> = vec![entry.script().into()];
            argv.extend(args.iter().skip(2).cloned());
            ExitCode::from((entry.run)(argv))
        }
        _ => {
            eprintln!(
                "usage: n6-replay replay FIXTURE_DIR OUT_DIR | n6-replay suite FIXTURES_ROOT DEVIATIONS"
            );
            ExitCode::from(64)
        }
    }
}

/// The n6 class a fixture belongs to: the name of its parent directory.
fn class_of(fixture: &Path) -> String {
    fixture
        .canonicalize()
        .unwrap_or_else(|_| fixture.to_owned())
        .parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn replay(fixture: &Path, out: &Path) -> u8 {
    match try_replay(fixture, out) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("n6-replay: {e}");
            70
        }
    }
}

fn try_replay(fixture: &Path, out: &Path) -> Result<u8, String> {
    let class = class_of(fixture);
    let Some(entry) = ports::find(&class) else {
        eprintln!("n6-replay: no Rust port of {class} yet");
        return Ok(69);
    };
    let io = |what: &str, e: std::io::Error| format!("{what}: {e}");
    std::fs::create_dir_all(out).map_err(|e| io("create OUT_DIR", e))?;
    let work = out.join("work");
    let _ = std::fs::remove_dir_all(&work);
    let (conf, state_dir) = (work.join("conf"), work.join("state"));
    std::fs::create_dir_all(&conf).map_err(|e| io("create the config dir", e))?;
    std::fs::create_dir_all(&state_dir).map_err(|e| io("create the state dir", e))?;
    std::fs::copy(fixture.join("60_case.conf"), conf.join("60_case.conf"))
        .map_err(|e| io("copy 60_case.conf", e))?;
    let before = fixture.join("state_before.pickle");
    let pickle = state_dir.join(entry.pickle_file_name());
    if before.is_file() {
        std::fs::copy(&before, &pickle).map_err(|e| io("copy state_before.pickle", e))?;
    }
    let published = out.join("published.jsonl");
    let state_json = out.join("state.json");
    let _ = std::fs::remove_file(&published);
    let _ = std::fs::remove_file(&state_json);

    let answers = if class == "MispCollector" {
        misp_answers::answers(fixture)?
    } else {
        stub::answers(fixture)?
    };
    let (base, log) = stub::start(answers).map_err(|e| io("start the stub", e))?;
    n6_datasources::fetch::redirect_downloads_to(&base);
    test_ports::replaying(fixture);
    if let Some(form) = entry.python_form {
        n6_collectors::pickle::set_python_form(form);
    }
    let mut argv: Vec<OsString> = vec![entry.script().into()];
    // The "now" n6's test fixed (MISP): the run's clock.
    if let Ok(text) = std::fs::read_to_string(fixture.join("clock.json")) {
        let clock: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| format!("clock.json: {e}"))?;
        if let Some(now) = clock["now_utc"].as_str() {
            argv.push("--fake-now".into());
            argv.push(now.into());
        }
    }
    for a in [
        "--config-dir",
        &conf.display().to_string(),
        "--state-dir",
        &state_dir.display().to_string(),
        "--output",
        &published.display().to_string(),
    ] {
        argv.push(a.into());
    }
    let mut extra: Vec<String> = match std::fs::read_to_string(fixture.join("cmdline.json")) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("cmdline.json: {e}"))?,
        Err(_) => Vec::new(),
    };
    let mut overrides = Vec::new();
    match class.as_str() {
        "ManualCollector" => manual_input::prepare(fixture, &work, &mut extra)?,
        "AMQPCollector" => match amqp_input::feed(fixture, &extra, &published) {
            Ok(o) => overrides = o,
            Err(e) => {
                eprintln!("n6-replay: {e}");
                return Ok(69);
            }
        },
        _ => {}
    }
    argv.extend(extra.into_iter().map(OsString::from));
    if !overrides.is_empty() {
        argv.push("--n6config-override".into());
        argv.extend(overrides.into_iter().map(OsString::from));
    }
    let code = (entry.run)(argv);

    if !published.exists() {
        std::fs::write(&published, b"").map_err(|e| io("write published.jsonl", e))?;
    }
    if let Some(state) = saved_state(&state_dir, entry.python_form)? {
        let text = serde_json::to_string_pretty(&state).map_err(|e| e.to_string())?;
        std::fs::write(&state_json, text + "\n").map_err(|e| io("write state.json", e))?;
    }
    if let Ok(log) = log.lock() {
        let mut text = log.requests.join("\n");
        if before.is_file() && std::fs::read(&before).ok() != std::fs::read(&pickle).ok() {
            text += "\nMISMATCH the run changed n6's pickle (it must only read it)";
        }
        for m in &log.mismatches {
            text += &format!("\nMISMATCH {m}");
        }
        let _ = std::fs::write(out.join("requests.log"), text + "\n");
    }
    Ok(code)
}

/// The collector's saved state (its `*.cbor` in `state_dir`) as tagged JSON.
fn saved_state(
    state_dir: &Path,
    form: Option<n6_collectors::pickle::PythonForm>,
) -> Result<Option<serde_json::Value>, String> {
    let Ok(entries) = std::fs::read_dir(state_dir) else {
        return Ok(None);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("cbor") {
            continue;
        }
        let Some((_, payload)) =
            StateStore::read_envelope_untyped(&path).map_err(|e| e.to_string())?
        else {
            continue;
        };
        let value = match form {
            Some(form) => form(&payload)?,
            None => n6_collectors::pickle::write_form::generic_python_form(&payload)?,
        };
        return Ok(Some(tagged::to_tagged(&value)));
    }
    Ok(None)
}

struct Report {
    text: String,
    failures: Vec<String>,
}

fn suite(root: &Path, deviations_file: &Path) -> Result<Report, String> {
    let deviations: Vec<(String, String)> = std::fs::read_to_string(deviations_file)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((prefix, reason)) => (prefix.to_owned(), reason.trim().to_owned()),
            None => (l.to_owned(), String::new()),
        })
        .collect();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let scratch = std::env::temp_dir().join(format!("n6-conformance-{}", std::process::id()));
    let mut cases = Vec::new();
    for class in sorted_dirs(root)? {
        for case in sorted_dirs(&class)? {
            cases.push(case);
        }
    }
    let (mut passed, mut failed, mut deviating) = (0usize, Vec::new(), Vec::new());
    let mut not_ported = std::collections::BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let class = class_of(case);
        let name = format!(
            "{class}/{}",
            case.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let problems = if ports::find(&class).is_none() {
            *not_ported.entry(class.clone()).or_default() += 1;
            vec!["no Rust port yet".to_owned()]
        } else {
            let out = scratch.join(format!("{n:03}"));
            run_case(&exe, case, &out)?
        };
        if problems.is_empty() {
            passed += 1;
        } else if let Some((_, reason)) = deviations.iter().find(|(p, _)| matches_prefix(&name, p))
        {
            deviating.push(format!("{name}: {reason}"));
        } else {
            failures.push(name.clone());
            failed.push(format!("{name}:\n  {}", problems.join("\n  ")));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let mut text = String::new();
    for f in failed.iter().filter(|f| !f.ends_with("no Rust port yet")) {
        text += &format!("FAILED {f}\n");
    }
    for d in &deviating {
        text += &format!("DEVIATION {d}\n");
    }
    if !not_ported.is_empty() {
        text += "not ported (their cases fail):";
        for (class, count) in &not_ported {
            text += &format!(" {class} ({count})");
        }
        text.push('\n');
    }
    text += &format!(
        "{passed} passed, {} failed, {} listed deviations (of {} cases)\n",
        failed.len(),
        deviating.len(),
        cases.len()
    );
    Ok(Report { text, failures })
}

/// Whether case `name` starts with the deviation `pattern`, in which each `*` stands for
/// any text (e.g. `MispCollector/*_Undeclared_sample_exchange`).
fn matches_prefix(name: &str, pattern: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return true;
    };
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    Ok(dirs)
}

/// Replays one case in a child process and compares; returns the differences.
fn run_case(exe: &Path, case: &Path, out: &Path) -> Result<Vec<String>, String> {
    let stdin = match std::fs::File::open(case.join("stdin.bin")) {
        Ok(f) => Stdio::from(f),
        Err(_) => Stdio::null(),
    };
    let output = Command::new(exe)
        .arg("replay")
        .arg(case)
        .arg(out)
        .stdin(stdin)
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let code = output.status.code().unwrap_or(-1);
    let mut problems = Vec::new();
    let n6_failed = case.join("expected_error.json").is_file();
    if n6_failed && code == 0 {
        problems.push("the run succeeded, n6's failed".to_owned());
    }
    if !n6_failed && code != 0 {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        problems.push(format!("exit {code}, n6's run succeeded ({last})"));
    }
    problems.extend(compare::messages(
        &case.join("expected.jsonl"),
        &out.join("published.jsonl"),
    )?);
    if let Some(p) = compare::state(case, out)? {
        problems.push(p);
    }
    if let Ok(log) = std::fs::read_to_string(out.join("requests.log")) {
        problems.extend(
            log.lines()
                .filter(|l| l.starts_with("MISMATCH"))
                .map(str::to_owned),
        );
    }
    Ok(problems)
}
