//! Benchmark 4's breakdown: the rows helper alone — n6's time-ordered-rows selection on a
//! 1M-row CSV feed (made by
//! `python/gen_rows.py`, URLhaus-like, newest first): a first run (no state: every row is
//! fresh) and a second run (the state of the first: no row is fresh).
//!
//! Both sides are whole processes doing the same steps as `python/py_rows.py`: load the
//! state (default if missing), read the feed, select the fresh rows, build the output
//! (fresh rows oldest first, joined by `\n`), save the state atomically with fsync. Each
//! prints `rows N fresh N out_bytes N secs S peak_kb N`. Timed from spawn to exit; peak
//! memory is the process's own high-water mark.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use std::borrow::Cow;

use n6_collectors::helpers::rows::{RowTime, RowsOptions, RowsState, fresh_rows_from_reader};
use n6_collectors::state::StateStore;

use crate::Config;
use crate::report::{Line, Report, mib, secs};
use crate::util::{
    BenchResult, make_dir, median, peak_rss_kib, remove_all, require_field, run_child,
};

const FILE_NAME: &str = "bench.RowsCollector.cbor";
const COLLECTOR_ID: &str = "bench.RowsCollector";

/// The row time exactly as `py_rows.py` takes it — `row.split(',', 2)[1].strip('"')` —
/// the part a collector's author writes ([`RowTime::pick_raw_row_time`]); which rows are
/// used (not blank, not `#`) and the rest of the selection are the runtime's.
struct PySplitTime;

impl RowTime for PySplitTime {
    fn pick_raw_row_time<'r>(&self, row: &'r [u8]) -> Option<Cow<'r, [u8]>> {
        let first = memchr::memchr(b',', row)?;
        let rest = &row[first + 1..];
        let field = &rest[..memchr::memchr(b',', rest).unwrap_or(rest.len())];
        let start = field.iter().position(|&b| b != b'"').unwrap_or(field.len());
        let end = field
            .iter()
            .rposition(|&b| b != b'"')
            .map_or(start, |e| e + 1);
        Some(Cow::Borrowed(&field[start..end]))
    }
}

/// `bench child-rows CSV STATE_DIR`: the Rust twin of `py_rows.py`, on the runtime's
/// time-ordered-rows helper (`n6_collectors::helpers::rows`) and state store.
pub fn child(csv: &Path, state_dir: &Path) -> BenchResult<()> {
    let started = Instant::now();
    let store = StateStore::new(state_dir, FILE_NAME, COLLECTOR_ID, "n6-collectors bench");
    let previous = match store.load::<RowsState>(1, None) {
        Ok(Some(loaded)) => loaded.state,
        Ok(None) => RowsState::default(),
        Err(e) => return Err(e.to_string()),
    };
    let loaded = Instant::now();
    // The feed is streamed: reading and selecting are one phase (`select`).
    let file = std::fs::File::open(csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let hint = file.metadata().ok().map(|m| m.len());
    let read = Instant::now();
    let selection =
        fresh_rows_from_reader(file, hint, &previous, &PySplitTime, RowsOptions::default())
            .map_err(|e| e.to_string())?;
    let selected = Instant::now();
    let rows_count = selection.rows_count;
    let fresh = selection.len();
    let new_state = selection.new_state();
    let body = selection
        .into_parts()
        .map(|(body, _, _)| body)
        .unwrap_or_default();
    let joined = Instant::now();
    if let Some(state) = new_state {
        store.save(&state, 1).map_err(|e| e.to_string())?;
    }
    let saved = Instant::now();
    println!(
        "rows {} fresh {} out_bytes {} secs {:.3} peak_kb {} \
         load_ms {:.1} read_ms {:.1} select_ms {:.1} body_ms {:.1} save_ms {:.1}",
        rows_count,
        fresh,
        body.len(),
        started.elapsed().as_secs_f64(),
        peak_rss_kib().unwrap_or(0),
        ms(loaded - started),
        ms(read - loaded),
        ms(selected - read),
        ms(joined - selected),
        ms(saved - joined),
    );
    Ok(())
}

/// `bench child-read CSV`: only reads the feed once, in chunks as the streaming selection
/// reads it, and counts its lines: the floor of any selection (reading the bytes once).
pub fn child_read(csv: &Path) -> BenchResult<()> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(csv).map_err(|e| format!("{}: {e}", csv.display()))?;
    let mut buf = vec![0u8; n6_collectors::helpers::rows::CHUNK_SIZE];
    let (mut bytes, mut lines) = (0usize, 0usize);
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", csv.display()))?;
        if n == 0 {
            break;
        }
        bytes += n;
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
    }
    println!(
        "bytes {bytes} lines {lines} peak_kb {}",
        peak_rss_kib().unwrap_or(0)
    );
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: f64,
    peak_kib: f64,
    fresh: f64,
    /// Our child's phases (ms): load state, read feed, select, build body, save state.
    phases: [f64; 5],
}

/// The phase fields our child prints (Python's script prints none: zeros).
const PHASES: [&str; 5] = ["load_ms", "read_ms", "select_ms", "body_ms", "save_ms"];

fn sample(command: &mut Command, rows: u64, expect_fresh: Option<u64>) -> BenchResult<Sample> {
    let run = run_child(command)?;
    let out = &run.stdout;
    let found_rows = require_field(out, "rows")?;
    let fresh = require_field(out, "fresh")?;
    if found_rows != rows as f64 || expect_fresh.is_some_and(|f| f as f64 != fresh) {
        return Err(format!(
            "expected {rows} rows and {expect_fresh:?} fresh ones, the program says: {out}"
        ));
    }
    Ok(Sample {
        wall: run.wall.as_secs_f64(),
        peak_kib: require_field(out, "peak_kb")?,
        fresh,
        phases: PHASES.map(|key| crate::util::field(out, key).unwrap_or(0.0)),
    })
}

/// Makes (or reuses) the feed of `rows` rows.
pub fn feed(config: &Config, rows: u64) -> BenchResult<std::path::PathBuf> {
    let dir = config.work.join("rows");
    make_dir(&dir)?;
    let path = dir.join(format!("feed-{rows}.csv"));
    if !path.exists() {
        eprintln!("4 rows: generating {}", path.display());
        let tmp = dir.join(format!("feed-{rows}.csv.tmp"));
        run_child(
            Command::new(&config.python)
                .arg(config.scripts.join("gen_rows.py"))
                .arg(rows.to_string())
                .arg(&tmp),
        )?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(path)
}

/// Runs benchmark 4 on a feed of `rows` rows, `reps` times per side.
pub fn run(config: &Config, rows: u64, reps: usize, report: &mut Report) -> BenchResult<()> {
    let csv = feed(config, rows)?;
    let feed_bytes = std::fs::metadata(&csv)
        .map_err(|e| format!("{}: {e}", csv.display()))?
        .len() as f64;
    let dir = config.work.join("rows");
    let (rs_state, py_state) = (dir.join("rust-state"), dir.join("python-state.pickle"));
    let mut rust = Command::new(&config.self_exe);
    rust.arg("child-rows").arg(&csv).arg(&rs_state);
    let mut python = Command::new(&config.python);
    python
        .arg(config.scripts.join("py_rows.py"))
        .arg(&csv)
        .arg(&py_state);
    // Warm the page cache with one untimed pass.
    remove_all(&rs_state)?;
    sample(&mut rust, rows, Some(rows))?;
    let mut read_only = Command::new(&config.self_exe);
    read_only.arg("child-read").arg(&csv);
    let (mut rs1, mut rs2, mut py1, mut py2) = (vec![], vec![], vec![], vec![]);
    let mut reads = vec![];
    for rep in 0..reps {
        eprintln!("4 rows: repetition {}/{reps}", rep + 1);
        remove_all(&rs_state)?;
        rs1.push(sample(&mut rust, rows, Some(rows))?);
        rs2.push(sample(&mut rust, rows, Some(0))?);
        remove_all(&py_state)?;
        py1.push(sample(&mut python, rows, Some(rows))?);
        py2.push(sample(&mut python, rows, Some(0))?);
        reads.push(run_child(&mut read_only)?.wall.as_secs_f64());
    }
    report_samples(
        report,
        rows,
        reps,
        feed_bytes,
        [&rs1, &rs2, &py1, &py2],
        &reads,
    );
    Ok(())
}

/// The table lines and notes of the breakdown: our and Python's first and second runs
/// (`[ours first, ours second, Python first, Python second]`), the read-only floor.
fn report_samples(
    report: &mut Report,
    rows: u64,
    reps: usize,
    feed_bytes: f64,
    samples: [&Vec<Sample>; 4],
    reads: &[f64],
) {
    let [rs1, rs2, py1, py2] = samples;
    let wall = |v: &[Sample]| median(&v.iter().map(|s| s.wall).collect::<Vec<_>>());
    let peak = |v: &[Sample]| v.iter().map(|s| s.peak_kib * 1024.0).fold(0.0, f64::max);
    let bench = "4 breakdown: rows helper";
    for (label, rs, py) in [
        ("first run (all fresh)", rs1, py1),
        ("second run (none fresh)", rs2, py2),
    ] {
        let (r, p) = (wall(rs), wall(py));
        report.push(Line {
            bench: bench.into(),
            measure: format!(
                "{rows}-row feed ({}), {label}; {reps} runs",
                mib(feed_bytes)
            ),
            ours: secs(r),
            baseline: format!("Python {}", secs(p)),
            ratio: format!("{:.1}× faster", p / r),
            target: "– (breakdown)".into(),
            met: None,
        });
    }
    let (rs_peak, py_peak) = (peak(rs1).max(peak(rs2)), peak(py1).max(peak(py2)));
    report.push(Line {
        bench: bench.into(),
        measure: "peak memory (max over runs)".into(),
        ours: mib(rs_peak),
        baseline: format!("Python {}", mib(py_peak)),
        ratio: format!("{:.2}× the feed size", rs_peak / feed_bytes),
        target: "– (breakdown)".into(),
        met: None,
    });
    let phases = |v: &[Sample]| {
        PHASES
            .iter()
            .enumerate()
            .map(|(i, key)| {
                let m = median(&v.iter().map(|s| s.phases[i]).collect::<Vec<_>>());
                format!("{} {m:.1} ms", key.trim_end_matches("_ms"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.note(format!(
        "4 rows: our phases (medians; `select` includes reading the feed) — first run: {}; second run: {}",
        phases(rs1),
        phases(rs2)
    ));
    report.note(format!(
        "4 rows: a process that only reads the feed once (1 MiB reads, as the streaming selection \
         reads it) and counts its lines takes {} (median): the floor (reading the bytes once)",
        secs(median(reads))
    ));
    let fresh = rs1.first().map_or(0.0, |s| s.fresh);
    report.note(format!(
        "4 rows: feed {} bytes, {fresh} fresh rows on the first run; peak first/second run: ours {} / {}, Python {} / {}",
        feed_bytes,
        mib(peak(rs1)),
        mib(peak(rs2)),
        mib(peak(py1)),
        mib(peak(py2)),
    ));
}
