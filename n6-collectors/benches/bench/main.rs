//! The n6-collectors benchmark suite: ours vs the Python stack n6 uses, measured side by
//! side in the same run, each result a median over repeated runs with its ratio to the
//! baseline.
//!
//! 1. run overhead — a whole no-op collector process vs Python (`pika`, `requests`, pickle);
//! 2. publish throughput with confirms vs pika (with and without confirms) and vs a bare
//!    lapin loop (the ceiling);
//! 3. large state (1M 40-char ids) save/load vs pickle, and save vs the disk's speed;
//! 4. the product path: the real collector binary `urlhaus_urls` on a 1M-row CSV feed
//!    vs an n6-style Python collector, first and second run, JSON lines and RabbitMQ
//!    (with the rows helper alone as a breakdown, and the family binary's start-up
//!    under 1);
//! 5. scale: 50 collectors started at once against the local broker.
//!
//! Usually started by `n6-collectors/benches/run.sh` (builds, starts a private broker,
//! runs this, writes the table). Directly:
//!
//! ```text
//! cargo bench -p n6-collectors --bench bench -- [--quick] [--only 1,2,3,4,5] [--reps N]
//!     [--noop-bin PATH] [--urlhaus-bin PATH] [--family-bin PATH] [--single-bin PATH]
//!     [--python PYTHON] [--work DIR] [--markdown FILE]
//! ```
//!
//! The broker for benchmark 2 comes from `N6_TEST_AMQP_HOST`/`_PORT`, `N6_TEST_USER`,
//! `N6_TEST_PASSWORD` (benchmark 2 is skipped without them). Child modes used internally:
//! `child-noop CONFIG_DIR`, `child-state DIR N`, `child-rows CSV STATE_DIR`, `child-read CSV`,
//! `child-launch REPORT PROGRAM ARGS...` (runs a program and reports its `wait4` usage),
//! `child-md5 FILE`.

mod overhead;
mod product;
mod publish;
mod report;
mod rowsbench;
mod scale;
mod statebench;
mod util;

use std::path::PathBuf;
use std::process::ExitCode;

use report::Report;
use util::BenchResult;

/// Paths and programs the benchmarks use.
#[derive(Debug, Clone)]
pub struct Config {
    /// This bench binary (re-run in child modes).
    pub self_exe: PathBuf,
    /// The Python interpreter for the baselines.
    pub python: PathBuf,
    /// The directory of the Python baselines (`benches/python`).
    pub scripts: PathBuf,
    /// Scratch directory (state files, feed, config).
    pub work: PathBuf,
    /// The no-op collector binary for benchmark 1; `None` uses the stand-in child mode.
    pub noop_bin: Option<PathBuf>,
    /// The `urlhaus_urls` collector binary (benchmarks 4 and 5).
    pub urlhaus_bin: Option<PathBuf>,
    /// The family binary `n6collector` (start-up, benchmark 1).
    pub family_bin: Option<PathBuf>,
    /// A binary of one family collector (`single_collector`, start-up baseline).
    pub single_bin: Option<PathBuf>,
}

/// Repetitions and sizes.
#[derive(Debug, Clone, Copy)]
struct Plan {
    overhead_runs: usize,
    publish: publish::Sizes,
    state_entries: u64,
    state_reps: usize,
    /// The large state of benchmark 3 (10M entries) and its repetitions.
    large_state_entries: u64,
    large_state_reps: usize,
    rows: u64,
    rows_reps: usize,
    /// Rows of each feed of benchmark 5.
    scale_rows: u64,
}

const FULL: Plan = Plan {
    overhead_runs: 30,
    publish: publish::Sizes {
        reps: 5,
        size: 200,
        n_fast: 100_000,
        n_pika_confirm: 10_000,
        n_pika_noconfirm: 50_000,
    },
    state_entries: 1_000_000,
    state_reps: 5,
    large_state_entries: 10_000_000,
    large_state_reps: 2,
    rows: 1_000_000,
    rows_reps: 5,
    scale_rows: 10_000,
};

const QUICK: Plan = Plan {
    overhead_runs: 5,
    publish: publish::Sizes {
        reps: 1,
        size: 200,
        n_fast: 5_000,
        n_pika_confirm: 1_000,
        n_pika_noconfirm: 2_000,
    },
    state_entries: 50_000,
    state_reps: 2,
    large_state_entries: 200_000,
    large_state_reps: 1,
    rows: 50_000,
    rows_reps: 2,
    scale_rows: 1_000,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> BenchResult<ExitCode> {
    let path = |i: usize| -> BenchResult<PathBuf> {
        args.get(i)
            .map(PathBuf::from)
            .ok_or_else(|| format!("{}: missing argument {i}", args[0]))
    };
    match args.first().map(String::as_str) {
        Some("child-noop") => overhead::child(&path(1)?).map(|()| ExitCode::SUCCESS),
        Some("child-state") => {
            let n = args
                .get(2)
                .and_then(|n| n.parse().ok())
                .ok_or("child-state DIR N: N must be a number")?;
            statebench::child(&path(1)?, n).map(|()| ExitCode::SUCCESS)
        }
        Some("child-read") => rowsbench::child_read(&path(1)?).map(|()| ExitCode::SUCCESS),
        Some("child-rows") => rowsbench::child(&path(1)?, &path(2)?).map(|()| ExitCode::SUCCESS),
        Some("child-md5") => product::child_md5(&path(1)?).map(|()| ExitCode::SUCCESS),
        Some("child-launch") => util::launch(
            &path(1)?,
            path(2)?.as_os_str(),
            args.get(3..).unwrap_or_default(),
        )
        .map(|()| ExitCode::SUCCESS),
        _ => suite(args),
    }
}

fn suite(args: &[String]) -> BenchResult<ExitCode> {
    let Options {
        config,
        plan,
        only,
        markdown,
    } = parse_options(args)?;
    let report = run_benchmarks(&config, plan, &only)?;
    let table = report.to_markdown();
    println!("{table}");
    if let Some(path) = markdown {
        util::write_file(&path, &table)?;
    }
    Ok(if report.all_met() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// What the command line of a suite run asks for.
struct Options {
    config: Config,
    plan: Plan,
    /// The benchmarks to run (1–5).
    only: Vec<u32>,
    /// Where to write the table as Markdown too.
    markdown: Option<PathBuf>,
}

/// Reads the suite's command line (see the doc comment at the top).
fn parse_options(args: &[String]) -> BenchResult<Options> {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut config = Config {
        self_exe: std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?,
        python: PathBuf::from("python3"),
        scripts: manifest_dir.join("benches/python"),
        work: manifest_dir.join("../target/n6-bench"),
        noop_bin: None,
        urlhaus_bin: None,
        family_bin: None,
        single_bin: None,
    };
    let mut plan = FULL;
    let mut only: Vec<u32> = vec![1, 2, 3, 4, 5];
    let mut markdown = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--quick" => plan = QUICK,
            "--only" => {
                only = value()?
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .parse()
                            .map_err(|_| format!("--only {n:?}: not a number"))
                    })
                    .collect::<BenchResult<_>>()?
            }
            "--reps" => {
                let reps: usize = value()?
                    .parse()
                    .map_err(|_| "--reps needs a number".to_owned())?;
                plan.publish.reps = reps;
                plan.state_reps = reps;
                plan.rows_reps = reps;
                plan.large_state_reps = plan.large_state_reps.min(reps);
                plan.overhead_runs = plan.overhead_runs.min(reps * 6);
            }
            "--noop-bin" => config.noop_bin = Some(PathBuf::from(value()?)),
            "--urlhaus-bin" => config.urlhaus_bin = Some(PathBuf::from(value()?)),
            "--family-bin" => config.family_bin = Some(PathBuf::from(value()?)),
            "--single-bin" => config.single_bin = Some(PathBuf::from(value()?)),
            "--python" => config.python = PathBuf::from(value()?),
            "--work" => config.work = PathBuf::from(value()?),
            "--markdown" => markdown = Some(PathBuf::from(value()?)),
            other => {
                return Err(format!(
                    "unknown argument {other:?} (see the doc comment of benches/bench/main.rs)"
                ));
            }
        }
    }
    Ok(Options {
        config,
        plan,
        only,
        markdown,
    })
}

/// Runs the benchmarks of `only` with `plan`; their table lines and notes.
fn run_benchmarks(config: &Config, plan: Plan, only: &[u32]) -> BenchResult<Report> {
    util::make_dir(&config.work)?;
    let _ = util::LAUNCHER.set(config.self_exe.clone());
    let mut report = Report::default();
    if only.contains(&1) {
        overhead::run(config, plan.overhead_runs, &mut report)?;
        product::startup(config, plan.overhead_runs, &mut report)?;
    }
    if only.contains(&2) {
        publish::run(config, plan.publish, &mut report)?;
    }
    if only.contains(&3) {
        statebench::run(config, plan.state_entries, plan.state_reps, &mut report)?;
        statebench::run(
            config,
            plan.large_state_entries,
            plan.large_state_reps,
            &mut report,
        )?;
    }
    if only.contains(&4) {
        let feed = rowsbench::feed(config, plan.rows)?;
        product::run(config, &feed, plan.rows, plan.rows_reps, &mut report)?;
        rowsbench::run(config, plan.rows, plan.rows_reps, &mut report)?;
    }
    if only.contains(&5) {
        let feed = rowsbench::feed(config, plan.scale_rows)?;
        scale::run(config, &feed, plan.scale_rows, &mut report)?;
    }
    Ok(report)
}
