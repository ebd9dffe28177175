//! Benchmark 5: scale on one host — 50 collectors started at the same moment (as cron
//! starts every collector due at the same minute), each a separate process with its own
//! config, state and run lock, all publishing to the local broker; then the same 50
//! again with nothing new (the usual cron run: pure per-run overhead).
//!
//! Ours: 50 `urlhaus_urls` collector processes, each on its own feed of `rows` rows;
//! Python: 50 `py_urlhaus.py` processes (pika, no confirms, as n6). Reported: the wall
//! time from the first spawn to the last exit, the CPU time of all of them (user + system,
//! `wait4`), the largest peak memory of one process and the sum of the peaks (an upper
//! bound of what was resident at once).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::Config;
use crate::publish::Broker;
use crate::report::{Line, Report, mib, secs};
use crate::util::{BenchResult, Usage, make_dir, remove_all, start, write_file};

/// How many collectors start at once.
pub const COLLECTORS: usize = 50;

/// One round's totals.
#[derive(Debug, Clone, Copy)]
struct Round {
    wall: f64,
    cpu: f64,
    max_peak: f64,
    sum_peak: f64,
}

fn round(commands: &mut [Command], scratch: &Path) -> BenchResult<Round> {
    let started = Instant::now();
    let running = commands
        .iter_mut()
        .map(|c| start(c, scratch))
        .collect::<BenchResult<Vec<_>>>()?;
    let usages = running
        .into_iter()
        .map(|r| r.wait(scratch))
        .collect::<BenchResult<Vec<Usage>>>()?;
    let wall = started.elapsed().as_secs_f64();
    Ok(Round {
        wall,
        cpu: usages.iter().map(|u| u.cpu.as_secs_f64()).sum(),
        max_peak: usages
            .iter()
            .map(|u| u.peak_kib as f64 * 1024.0)
            .fold(0.0, f64::max),
        sum_peak: usages.iter().map(|u| u.peak_kib as f64 * 1024.0).sum(),
    })
}

/// Runs benchmark 5 with feeds of `rows` rows.
pub fn run(config: &Config, feed: &Path, rows: u64, report: &mut Report) -> BenchResult<()> {
    let (Some(bin), Some(broker)) = (&config.urlhaus_bin, Broker::from_env()?) else {
        report.note("5 scale: skipped (needs --urlhaus-bin and a broker; run.sh gives both)");
        return Ok(());
    };
    let root = config.work.join("scale");
    remove_all(&root)?;
    let scratch = root.join("scratch");
    let queue = crate::product::bind_queue(&broker)?;
    let rabbitmq = format!(
        "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
         password_auth = true\nusername = {}\npassword = {}\n",
        broker.host, broker.port, broker.user, broker.password
    );
    let (mut ours, mut python) = commands(config, bin, feed, &root, &rabbitmq)?;
    eprintln!("5 scale: {COLLECTORS} collectors at once, first and second runs");
    let r1 = round(&mut ours, &scratch)?;
    queue.purge()?;
    let r2 = round(&mut ours, &scratch)?;
    let p1 = round(&mut python, &scratch)?;
    queue.purge()?;
    let p2 = round(&mut python, &scratch)?;
    report_rounds(report, rows, [r1, r2], [p1, p2]);
    Ok(())
}

/// The commands of the `COLLECTORS` collectors of each side, each with a directory of
/// its own under `root`: config (`[rabbitmq]` and the collector's section), a copy of
/// `feed`, a state directory.
fn commands(
    config: &Config,
    bin: &Path,
    feed: &Path,
    root: &Path,
    rabbitmq: &str,
) -> BenchResult<(Vec<Command>, Vec<Command>)> {
    let (mut ours, mut python) = (Vec::new(), Vec::new());
    for i in 0..COLLECTORS {
        for (side, commands) in [("rust", &mut ours), ("python", &mut python)] {
            let dir = root.join(format!("{side}-{i:02}"));
            let conf = dir.join("config");
            make_dir(&conf)?;
            // Each collector has a feed of its own (a copy: separate files, as separate
            // sources are).
            let own_feed = dir.join("feed.csv");
            std::fs::copy(feed, &own_feed).map_err(|e| format!("{}: {e}", own_feed.display()))?;
            write_file(&conf.join("00_rabbitmq.conf"), rabbitmq)?;
            write_file(
                &conf.join("60_urlhaus_urls.conf"),
                &format!(
                    "[ExampleUrlhausUrlsCollector]\nurl = file://{}\nstate_dir = {}\n",
                    own_feed.display(),
                    dir.join("state").display()
                ),
            )?;
            let mut command = if side == "rust" {
                let mut c = Command::new(bin);
                c.arg("--config-dir").arg(&conf).args(["--output", "amqp"]);
                c
            } else {
                let mut c = Command::new(&config.python);
                c.arg(config.scripts.join("py_urlhaus.py"))
                    .arg(&conf)
                    .arg("amqp");
                c
            };
            command.current_dir(&dir);
            commands.push(command);
        }
    }
    Ok((ours, python))
}

/// The table lines and the note of benchmark 5 from our rounds (first, second) and
/// Python's.
fn report_rounds(report: &mut Report, rows: u64, ours: [Round; 2], python: [Round; 2]) {
    let [r1, r2] = ours;
    let [p1, p2] = python;
    let bench = format!("5 scale, {COLLECTORS} at once");
    for (label, r, p) in [
        (
            format!("first runs ({rows} fresh rows each), RabbitMQ: total wall"),
            r1,
            p1,
        ),
        ("second runs (nothing new): total wall".to_owned(), r2, p2),
    ] {
        report.push(Line {
            bench: bench.clone(),
            measure: label,
            ours: secs(r.wall),
            baseline: format!("Python {}", secs(p.wall)),
            ratio: format!("{:.1}× faster", p.wall / r.wall),
            target: "–".into(),
            met: None,
        });
    }
    report.push(Line {
        bench: bench.clone(),
        measure: "second runs: CPU per run (the per-run overhead)".into(),
        ours: secs(r2.cpu / COLLECTORS as f64),
        baseline: format!("Python {}", secs(p2.cpu / COLLECTORS as f64)),
        ratio: format!("{:.1}× less", p2.cpu / r2.cpu),
        target: "–".into(),
        met: None,
    });
    report.push(Line {
        bench,
        measure: "first runs: sum of the processes' peak memory".into(),
        ours: mib(r1.sum_peak),
        baseline: format!("Python {}", mib(p1.sum_peak)),
        ratio: format!("{:.1}× less", p1.sum_peak / r1.sum_peak),
        target: "–".into(),
        met: None,
    });
    report.note(format!(
        "5 scale: CPU of all {COLLECTORS} (user + system), first/second runs: ours {} / {}, Python {} / {}; largest peak of one process: ours {} / {}, Python {} / {}",
        secs(r1.cpu),
        secs(r2.cpu),
        secs(p1.cpu),
        secs(p2.cpu),
        mib(r1.max_peak),
        mib(r2.max_peak),
        mib(p1.max_peak),
        mib(p2.max_peak)
    ));
}
