//! Benchmark 1: what one cron run costs when there is nothing to publish.
//!
//! A whole process that reads the config files, takes the run lock, loads a small state,
//! changes it and saves it (atomic, fsync) — ours: a real collector binary (the
//! `bench_noop` example, built on `n6_collectors::run`); the baseline: a Python process
//! doing the same with `import pika, requests`, configparser, flock and pickle
//! (`python/py_run_overhead.py`). Both read the same config directory (a `[rabbitmq]`
//! section as on an n6 host, plus the collector's section) and keep their state in
//! their own directory. Timed from spawn to exit; runs alternate between the two.
//!
//! `bench child-noop CONFIG_DIR` is a stand-in that does the same steps with the runtime's
//! pieces directly; it is used only when no collector binary is given (`--noop-bin`).

use std::path::{Path, PathBuf};
use std::process::Command;

use n6_collectors::state::StateStore;
use n6_collectors_config::files;
use serde::{Deserialize, Serialize};

use crate::Config;
use crate::report::{Line, Report, secs};
use crate::util::{BenchResult, make_dir, median, remove_all, run_child, write_file};

/// The main config section of the benchmark collector (its struct name).
pub const SECTION: &str = "BenchNoopCollector";

/// Writes the shared config directory: `[rabbitmq]` as on an n6 host and the collector's
/// section pointing `state_dir` at `state_dir`.
fn write_config(dir: &Path, state_dir: &Path) -> BenchResult<()> {
    make_dir(dir)?;
    write_file(
        &dir.join("00_global.conf"),
        "[rabbitmq]\nhost = 127.0.0.1\nport = 5672\nheartbeat_interval = 30\nssl = false\n",
    )?;
    write_file(
        &dir.join("60_bench_noop.conf"),
        &format!("[{SECTION}]\nstate_dir = {}\n", state_dir.display()),
    )
}

/// The stand-in's state.
#[derive(Debug, Default, Serialize, Deserialize)]
struct NoopState {
    runs: u64,
    newest: String,
}

/// `bench child-noop CONFIG_DIR`: config → lock → load → save, with the runtime's parts.
pub fn child(config_dir: &Path) -> BenchResult<()> {
    let (raw, _warnings) = files::load(&[config_dir.to_owned()], &[]).map_err(|e| e.to_string())?;
    let state_dir = raw
        .sections
        .get(SECTION)
        .and_then(|s| s.options.get("state_dir"))
        .map(|o| PathBuf::from(&o.value))
        .ok_or_else(|| format!("no {SECTION}.state_dir in {}", config_dir.display()))?;
    let store = StateStore::new(
        &state_dir,
        "bench.BenchNoopCollector.cbor",
        "bench.BenchNoopCollector",
        "bench child-noop",
    );
    let _lock = store.lock().map_err(|e| e.to_string())?;
    let mut state = match store.load::<NoopState>(1, None) {
        Ok(Some(loaded)) => loaded.state,
        Ok(None) => NoopState::default(),
        Err(e) => return Err(e.to_string()),
    };
    state.runs += 1;
    store.save(&state, 1).map_err(|e| e.to_string())?;
    println!("runs {}", state.runs);
    Ok(())
}

/// Runs benchmark 1: `runs` timed runs of each side after two warm-up runs each.
pub fn run(config: &Config, runs: usize, report: &mut Report) -> BenchResult<()> {
    let root = config.work.join("overhead");
    remove_all(&root)?;
    let (rs_conf, py_conf) = (root.join("rust-config"), root.join("python-config"));
    write_config(&rs_conf, &root.join("rust-state"))?;
    write_config(&py_conf, &root.join("python-state"))?;
    let (mut rust_cmd, ours_name) = match &config.noop_bin {
        Some(bin) => {
            let mut c = Command::new(bin);
            // Nothing is published, but a run without a terminal must say where it would.
            c.arg("--config-dir").arg(&rs_conf).args(["--output", "-"]);
            (c, "collector binary `bench_noop` (n6_collectors::run)")
        }
        None => {
            let mut c = Command::new(&config.self_exe);
            c.arg("child-noop").arg(&rs_conf);
            (c, "stand-in `bench child-noop` (runtime parts, no run())")
        }
    };
    let mut py_cmd = Command::new(&config.python);
    py_cmd
        .arg(config.scripts.join("py_run_overhead.py"))
        .arg(&py_conf);
    for _ in 0..2 {
        run_child(&mut rust_cmd)?;
        run_child(&mut py_cmd)?;
    }
    let (mut rs, mut py) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    eprintln!("1 run overhead: {runs} runs of each");
    for _ in 0..runs {
        rs.push(run_child(&mut rust_cmd)?.wall.as_secs_f64());
        py.push(run_child(&mut py_cmd)?.wall.as_secs_f64());
    }
    // Context for the note: a bare interpreter start, and the same plus the two imports.
    let mut bare = Command::new(&config.python);
    bare.args(["-c", "pass"]);
    let mut imports = Command::new(&config.python);
    imports.args(["-c", "import pika, requests"]);
    let (mut bare_v, mut imports_v) = (Vec::new(), Vec::new());
    for _ in 0..runs.min(10) {
        bare_v.push(run_child(&mut bare)?.wall.as_secs_f64());
        imports_v.push(run_child(&mut imports)?.wall.as_secs_f64());
    }
    let (rs_m, py_m) = (median(&rs), median(&py));
    report.push(Line {
        bench: "1 run overhead".into(),
        measure: format!(
            "whole process: config + lock + load + save (fsync), nothing published; {runs} runs"
        ),
        ours: secs(rs_m),
        baseline: format!("Python (pika, requests, pickle) {}", secs(py_m)),
        ratio: format!("{:.1}× faster", py_m / rs_m),
        target: "≥ 20×".into(),
        met: Some(py_m >= 20.0 * rs_m),
    });
    report.note(format!(
        "1 run overhead: of Python's {}, `python3 -c pass` takes {} and `python3 -c 'import pika, requests'` {}",
        secs(py_m),
        secs(median(&bare_v)),
        secs(median(&imports_v)),
    ));
    report.note(format!(
        "1 run overhead: ours is the {ours_name}; min/max ours {} / {}, Python {} / {}",
        secs(rs.iter().copied().fold(f64::INFINITY, f64::min)),
        secs(rs.iter().copied().fold(0.0, f64::max)),
        secs(py.iter().copied().fold(f64::INFINITY, f64::min)),
        secs(py.iter().copied().fold(0.0, f64::max)),
    ));
    Ok(())
}
