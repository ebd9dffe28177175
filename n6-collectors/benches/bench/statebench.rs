//! Benchmark 3: save (with fsync) and load of a large time-ordered-rows state — the
//! runtime's `RowsState` holding 1M 40-character ids — with the [`StateStore`] vs Python pickle (`python/py_state.py`).
//!
//! Both sides run the same program shape as separate processes: load the state file
//! (default state if missing), add N ids, save atomically with fsync; each prints
//! `load S save S entries N bytes B`. One set-up run with N = 1M creates the file, then
//! every measured run adds nothing, i.e. loads and saves the full 1M-id state.
//! The disk's own speed is measured too: writing as many bytes as our state file plus
//! one fsync.

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use n6_collectors::helpers::rows::{Row, RowsState};
use n6_collectors::message::message_id;
use n6_collectors::state::StateStore;

use crate::Config;
use crate::report::{Line, Report, mib, secs};
use crate::util::{BenchResult, make_dir, median, remove_all, require_field, run_child};

const FILE_NAME: &str = "bench.LargeState.cbor";
const COLLECTOR_ID: &str = "bench.LargeState";

/// A 40-character lowercase hex id, unique per `i` (32 hex digits of md5, 8 of `i`).
pub fn id40(i: u64) -> String {
    let mut id = message_id("bench", i, b"");
    id.push_str(&format!("{:08x}", i & 0xffff_ffff));
    id
}

/// `bench child-state DIR N`: the Rust twin of `py_state.py`.
pub fn child(dir: &Path, n: u64) -> BenchResult<()> {
    let store = StateStore::new(dir, FILE_NAME, COLLECTOR_ID, "n6-collectors bench");
    let t0 = Instant::now();
    let mut state = match store.load::<RowsState>(1, None) {
        Ok(Some(loaded)) => loaded.state,
        Ok(None) => RowsState::default(),
        Err(e) => return Err(e.to_string()),
    };
    let t1 = Instant::now();
    let base = state.rows_count.unwrap_or(0);
    for i in 0..n {
        state.newest_rows.insert(Row::from(id40(base + i)));
    }
    state.rows_count = Some(base + n);
    state.newest_row_time = "2026-11-24T00:00:00".to_owned();
    let t2 = Instant::now();
    store.save(&state, 1).map_err(|e| e.to_string())?;
    let t3 = Instant::now();
    let bytes = std::fs::metadata(store.path())
        .map_err(|e| e.to_string())?
        .len();
    println!(
        "load {:.4}s  save {:.4}s  entries {}  bytes {bytes}",
        (t1 - t0).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        state.newest_rows.len()
    );
    Ok(())
}

struct Sample {
    load: f64,
    save: f64,
    bytes: f64,
}

fn parse(out: &str, entries: u64) -> BenchResult<Sample> {
    let found = require_field(out, "entries")?;
    if found != entries as f64 {
        return Err(format!(
            "expected {entries} entries, the program says: {out}"
        ));
    }
    Ok(Sample {
        load: require_field(out, "load")?,
        save: require_field(out, "save")?,
        bytes: require_field(out, "bytes")?,
    })
}

/// Writes `bytes` bytes in 256 KiB chunks and fsyncs: the disk's durable write time.
fn disk_write(path: &Path, bytes: usize) -> BenchResult<f64> {
    let chunk = vec![0x5a_u8; 256 * 1024];
    let started = Instant::now();
    let mut file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).map_err(|e| e.to_string())?;
        left -= n;
    }
    file.sync_all().map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_secs_f64();
    drop(file);
    remove_all(path)?;
    Ok(elapsed)
}

/// The I/O of an atomic save without the encoding: `write_atomically` of `bytes` ready
/// bytes over an existing file of the same size (temp file, write, fsync, rename, fsync
/// of the directory).
fn atomic_replace(dir: &Path, bytes: usize) -> BenchResult<f64> {
    let target = dir.join("replace-target.bin");
    let chunk = vec![0xa5_u8; 256 * 1024];
    let write = |w: &mut std::io::BufWriter<File>| -> std::io::Result<()> {
        let mut left = bytes;
        while left > 0 {
            let n = left.min(chunk.len());
            w.write_all(&chunk[..n])?;
            left -= n;
        }
        Ok(())
    };
    n6_collectors::state::write_atomically(&target, write).map_err(|e| e.to_string())?;
    let started = Instant::now();
    n6_collectors::state::write_atomically(&target, write).map_err(|e| e.to_string())?;
    let elapsed = started.elapsed().as_secs_f64();
    remove_all(&target)?;
    Ok(elapsed)
}

/// Runs benchmark 3 with `entries` ids and `reps` measured runs per side.
pub fn run(config: &Config, entries: u64, reps: usize, report: &mut Report) -> BenchResult<()> {
    let root = config.work.join("state");
    let (rs_dir, py_dir) = (root.join("rust"), root.join("python"));
    for dir in [&rs_dir, &py_dir] {
        remove_all(dir)?;
        make_dir(dir)?;
    }
    let rust = |n: u64| -> BenchResult<String> {
        Ok(run_child(
            Command::new(&config.self_exe)
                .arg("child-state")
                .arg(&rs_dir)
                .arg(n.to_string()),
        )?
        .stdout)
    };
    let python = |n: u64| -> BenchResult<String> {
        Ok(run_child(
            Command::new(&config.python)
                .arg(config.scripts.join("py_state.py"))
                .arg(&py_dir)
                .arg(n.to_string()),
        )?
        .stdout)
    };
    eprintln!("3 state: creating the {entries}-id states");
    parse(&rust(entries)?, entries)?;
    parse(&python(entries)?, entries)?;
    let (mut rs, mut py, mut disk, mut replace) = (vec![], vec![], vec![], vec![]);
    for rep in 0..reps {
        eprintln!("3 state: repetition {}/{reps}", rep + 1);
        rs.push(parse(&rust(0)?, entries)?);
        py.push(parse(&python(0)?, entries)?);
        let bytes = rs.last().map_or(0.0, |s| s.bytes) as usize;
        disk.push(disk_write(&root.join("disk-speed.tmp"), bytes)?);
        replace.push(atomic_replace(&root, bytes)?);
    }
    report_state(report, entries, reps, [&rs, &py], &disk, &replace);
    Ok(())
}

/// The table lines and notes of benchmark 3: our and pickle's samples, the disk's plain
/// write and the atomic replace without encoding, of the same bytes.
fn report_state(
    report: &mut Report,
    entries: u64,
    reps: usize,
    samples: [&[Sample]; 2],
    disk: &[f64],
    replace: &[f64],
) {
    let [rs, py] = samples;
    let m = |v: &[Sample], f: fn(&Sample) -> f64| median(&v.iter().map(f).collect::<Vec<_>>());
    let (rs_load, rs_save, rs_bytes) = (m(rs, |s| s.load), m(rs, |s| s.save), m(rs, |s| s.bytes));
    let (py_load, py_save, py_bytes) = (m(py, |s| s.load), m(py, |s| s.save), m(py, |s| s.bytes));
    let disk_m = median(disk);
    let bench = "3 large state";
    let what = format!("{entries} ids of 40 chars, {reps} runs");
    report.push(Line {
        bench: bench.into(),
        measure: format!("load ({what})"),
        ours: secs(rs_load),
        baseline: format!("pickle {}", secs(py_load)),
        ratio: format!("{:.2}× faster", py_load / rs_load),
        target: "≥ 1× (not slower)".into(),
        met: Some(rs_load <= py_load),
    });
    report.push(Line {
        bench: bench.into(),
        measure: format!("save, atomic + fsync ({entries} ids)"),
        ours: secs(rs_save),
        baseline: format!("pickle {}", secs(py_save)),
        ratio: format!("{:.2}× faster", py_save / rs_save),
        target: "≥ 1× (not slower)".into(),
        met: Some(rs_save <= py_save),
    });
    report.push(Line {
        bench: bench.into(),
        measure: format!(
            "save vs the disk: write {} + fsync ({entries} ids)",
            mib(rs_bytes)
        ),
        ours: secs(rs_save),
        baseline: format!(
            "disk {} ({:.0} MiB/s)",
            secs(disk_m),
            rs_bytes / disk_m / (1024.0 * 1024.0)
        ),
        ratio: format!("{:.2}× the disk time", rs_save / disk_m),
        target: "≤ 2×".into(),
        met: Some(rs_save <= 2.0 * disk_m),
    });
    report.note(format!(
        "3 state: the same bytes saved as an atomic replace without encoding (temp file, \
         fsync, rename over the old file, fsync of the directory) take {}; our save's \
         encoding is the rest",
        secs(median(replace))
    ));
    report.note(format!(
        "3 state: file sizes: CBOR {} , pickle {}",
        mib(rs_bytes),
        mib(py_bytes)
    ));
}
