//! Benchmark 4: the product path — the real collector binary `urlhaus_urls` (the example
//! `ExampleUrlhausUrlsCollector`: config files, run lock, state load, download of a
//! `file://` feed, n6's time-ordered-rows selection, the body, the `message_id`, the
//! output, the state save) against the same run of an n6-style Python collector
//! (`python/py_urlhaus.py`: `import pika, requests`, configparser, flock, pickle, n6's
//! `get_fresh_rows_only`, md5, then a JSON line or a pika publish), whole processes
//! timed from spawn to exit, peak memory from `wait4`.
//!
//! Each side runs a first run (no state: every row fresh, one message of the whole feed)
//! and a second run (the state of the first: nothing fresh, nothing published), for both
//! outputs: JSON lines to a file (written and fsynced) and RabbitMQ (the local broker of
//! `run.sh`; a queue bound to the routing key so the message is routed, purged after
//! every run).
//!
//! Also here: the family binary's start-up (`n6collector` with every family collector
//! linked in) against a binary of one family collector (`single_collector`), each
//! running `--check-config` of the same collector.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lapin::options::{
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions, QueuePurgeOptions,
};
use lapin::types::FieldTable;
use lapin::{Channel, Connection, ConnectionProperties, ExchangeKind};
use n6_collectors::message::message_id;

use crate::Config;
use crate::publish::{Broker, lapin_err, runtime};
use crate::report::{Line, Report, mib, secs};
use crate::util::{BenchResult, Usage, field, make_dir, median, remove_all, run_usage, write_file};

/// The collector's config section (its struct name) and source.
const SECTION: &str = "ExampleUrlhausUrlsCollector";
const SOURCE: &str = "abuse-ch.urlhaus-urls";

/// One side's config directory, state directory and output.
struct Site {
    config: PathBuf,
    state: PathBuf,
    output: PathBuf,
}

fn site(root: &Path, name: &str, feed: &Path, broker: Option<&Broker>) -> BenchResult<Site> {
    let dir = root.join(name);
    remove_all(&dir)?;
    let site = Site {
        config: dir.join("config"),
        state: dir.join("state"),
        output: dir.join("out.jsonl"),
    };
    make_dir(&site.config)?;
    write_file(
        &site.config.join("60_urlhaus_urls.conf"),
        &format!(
            "[{SECTION}]\nurl = file://{}\nstate_dir = {}\n",
            feed.display(),
            site.state.display()
        ),
    )?;
    if let Some(b) = broker {
        write_file(
            &site.config.join("00_rabbitmq.conf"),
            &format!(
                "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
                 password_auth = true\nusername = {}\npassword = {}\n",
                b.host, b.port, b.user, b.password
            ),
        )?;
    }
    Ok(site)
}

/// Which output a run writes to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Out {
    Jsonl,
    Amqp,
}

/// A queue bound to the collector's routing key on `raw`, held by the driver while the
/// runs publish (a `mandatory` message needs a queue), purged after each run.
pub struct Queue {
    runtime: tokio::runtime::Runtime,
    _connection: Connection,
    channel: Channel,
    name: String,
}

impl Queue {
    fn bind(broker: &Broker, routing_key: &str) -> BenchResult<Queue> {
        let runtime = runtime()?;
        let (connection, channel, name) = runtime.block_on(async {
            let connection = Connection::connect(&broker.url(), ConnectionProperties::default())
                .await
                .map_err(lapin_err("connect"))?;
            let channel = connection
                .create_channel()
                .await
                .map_err(lapin_err("channel.open"))?;
            channel
                .exchange_declare(
                    "raw".into(),
                    ExchangeKind::Topic,
                    ExchangeDeclareOptions {
                        durable: true,
                        ..ExchangeDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(lapin_err("exchange.declare"))?;
            let queue = channel
                .queue_declare(
                    "".into(),
                    QueueDeclareOptions {
                        exclusive: true,
                        ..QueueDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await
                .map_err(lapin_err("queue.declare"))?;
            channel
                .queue_bind(
                    queue.name().clone(),
                    "raw".into(),
                    routing_key.into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await
                .map_err(lapin_err("queue.bind"))?;
            BenchResult::Ok((connection, channel, queue.name().to_string()))
        })?;
        Ok(Queue {
            runtime,
            _connection: connection,
            channel,
            name,
        })
    }

    /// Empties the queue; returns how many messages it held.
    pub fn purge(&self) -> BenchResult<u32> {
        self.runtime.block_on(async {
            self.channel
                .queue_purge(self.name.as_str().into(), QueuePurgeOptions::default())
                .await
                .map_err(lapin_err("queue.purge"))
        })
    }
}

/// A queue bound to the collector's routing key (benchmarks 4 and 5).
pub fn bind_queue(broker: &Broker) -> BenchResult<Queue> {
    Queue::bind(broker, SOURCE)
}

#[derive(Debug, Clone)]
struct Sample {
    wall: f64,
    peak_kib: f64,
}

fn sample(usage: &Usage) -> Sample {
    Sample {
        wall: usage.wall.as_secs_f64(),
        peak_kib: usage.peak_kib as f64,
    }
}

/// Runs benchmark 4 on `feed` (`rows` rows), `reps` times per side and output.
pub fn run(
    config: &Config,
    feed: &Path,
    rows: u64,
    reps: usize,
    report: &mut Report,
) -> BenchResult<()> {
    let Some(bin) = &config.urlhaus_bin else {
        report
            .note("4 product path: skipped, no collector binary (--urlhaus-bin; run.sh builds it)");
        return Ok(());
    };
    let feed_bytes = std::fs::metadata(feed)
        .map_err(|e| format!("{}: {e}", feed.display()))?
        .len() as f64;
    let root = config.work.join("product");
    let scratch = root.join("scratch");
    let broker = Broker::from_env()?;
    let mut outputs = vec![Out::Jsonl];
    if broker.is_some() {
        outputs.push(Out::Amqp);
    } else {
        report.note("4 product path: RabbitMQ skipped, no broker (N6_TEST_AMQP_PORT unset)");
    }
    let queue = broker.as_ref().map(bind_queue).transpose()?;
    for out in outputs {
        let name = match out {
            Out::Jsonl => "jsonl",
            Out::Amqp => "amqp",
        };
        let b = if out == Out::Amqp {
            broker.as_ref()
        } else {
            None
        };
        let rs = site(&root, &format!("rust-{name}"), feed, b)?;
        let py = site(&root, &format!("python-{name}"), feed, b)?;
        let (mut rust, mut python) = commands(config, bin, out, &rs, &py);
        let fresh_run = |cmd: &mut Command, site: &Site, expect_output: bool| {
            fresh_run(cmd, site, expect_output, out, &scratch, queue.as_ref())
        };
        // One untimed pass per side warms the page cache and the broker.
        remove_all(&rs.state)?;
        fresh_run(&mut rust, &rs, true)?;
        let (mut r1, mut r2, mut p1, mut p2) = (vec![], vec![], vec![], vec![]);
        for rep in 0..reps {
            eprintln!("4 product path ({name}): repetition {}/{reps}", rep + 1);
            remove_all(&rs.state)?;
            r1.push(sample(&fresh_run(&mut rust, &rs, true)?));
            r2.push(sample(&fresh_run(&mut rust, &rs, false)?));
            remove_all(&py.state)?;
            let first = fresh_run(&mut python, &py, true)?;
            if field(&first.stdout, "fresh") != Some(rows as f64) {
                return Err(format!(
                    "py_urlhaus.py: expected {rows} fresh rows: {}",
                    first.stdout
                ));
            }
            p1.push(sample(&first));
            p2.push(sample(&fresh_run(&mut python, &py, false)?));
        }
        push_lines(report, name, rows, feed_bytes, reps, [&r1, &r2, &p1, &p2]);
    }
    md5_floor(config, feed, feed_bytes, report)?;
    Ok(())
}

fn push_lines(
    report: &mut Report,
    name: &str,
    rows: u64,
    feed_bytes: f64,
    reps: usize,
    [r1, r2, p1, p2]: [&Vec<Sample>; 4],
) {
    let wall = |v: &[Sample]| median(&v.iter().map(|s| s.wall).collect::<Vec<_>>());
    let peak = |v: &[Sample]| v.iter().map(|s| s.peak_kib * 1024.0).fold(0.0, f64::max);
    let bench = format!(
        "4 product path, {}",
        if name == "amqp" {
            "RabbitMQ"
        } else {
            "JSON lines"
        }
    );
    for (label, rs, py) in [
        ("first run (all fresh)", r1, p1),
        ("second run (none fresh)", r2, p2),
    ] {
        let (r, p) = (wall(rs), wall(py));
        report.push(Line {
            bench: bench.clone(),
            measure: format!(
                "`urlhaus_urls`, {rows}-row feed ({}), {label}; {reps} runs",
                mib(feed_bytes)
            ),
            ours: secs(r),
            baseline: format!("Python {}", secs(p)),
            ratio: format!("{:.1}× faster", p / r),
            target: "≥ 20×".into(),
            met: Some(p >= 20.0 * r),
        });
    }
    let (first, second) = (peak(r1), peak(r2));
    report.push(Line {
        bench: bench.clone(),
        measure: "peak memory, first run".into(),
        ours: mib(first),
        baseline: format!("Python {}", mib(peak(p1))),
        ratio: format!("{:.2}× the feed", first / feed_bytes),
        target: "≤ 1.3× the feed".into(),
        met: Some(first <= 1.3 * feed_bytes),
    });
    report.push(Line {
        bench,
        measure: "peak memory, second run".into(),
        ours: mib(second),
        baseline: format!("Python {}", mib(peak(p2))),
        ratio: format!("{:.2}× the feed", second / feed_bytes),
        target: "≤ 64 MiB".into(),
        met: Some(second <= 64.0 * 1024.0 * 1024.0),
    });
    let all = |v: &[Sample]| {
        v.iter()
            .map(|s| secs(s.wall))
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.note(format!(
        "4 product path ({name}), every run: ours first {}; ours second {}; Python first {}; Python second {}",
        all(r1),
        all(r2),
        all(p1),
        all(p2)
    ));
}

/// The floor of any first run: n6's `message_id` is the md5 of the whole body, one
/// serial pass that no streaming removes. Measured by a child process (`child-md5`, so
/// that this driver never holds a feed) on a body of the feed's size.
fn md5_floor(
    config: &Config,
    feed: &Path,
    feed_bytes: f64,
    report: &mut Report,
) -> BenchResult<()> {
    let mut child = Command::new(&config.self_exe);
    child.arg("child-md5").arg(feed);
    let out = crate::util::run_child(&mut child)?.stdout;
    let seconds = crate::util::require_field(&out, "md5_secs")?;
    report.note(format!(
        "4 product path: n6's message_id (md5) of a body of the feed's size ({}) takes {} ({:.0} MiB/s, median of 3 in one process): no first run can be faster",
        mib(feed_bytes),
        secs(seconds),
        feed_bytes / seconds / 1048576.0
    ));
    Ok(())
}

/// `bench child-md5 FILE`: the median time of 3 `message_id`s of FILE's bytes.
pub fn child_md5(feed: &Path) -> BenchResult<()> {
    let body = std::fs::read(feed).map_err(|e| format!("{}: {e}", feed.display()))?;
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        std::hint::black_box(message_id(SOURCE, 1, std::hint::black_box(&body)));
        times.push(t.elapsed().as_secs_f64());
    }
    println!("md5_secs {:.6}", median(&times));
    Ok(())
}

/// The family binary's start-up against a binary of one collector: `--check-config` of
/// `AbuseChFeodoTrackerCollector` through each, `runs` runs alternating, after warm-up.
pub fn startup(config: &Config, runs: usize, report: &mut Report) -> BenchResult<()> {
    let (Some(family), Some(single)) = (&config.family_bin, &config.single_bin) else {
        report.note("1 start-up: skipped (--family-bin and --single-bin; run.sh builds them)");
        return Ok(());
    };
    let root = config.work.join("startup");
    remove_all(&root)?;
    let conf = root.join("config");
    make_dir(&conf)?;
    write_file(
        &conf.join("60_abuse_ch.conf"),
        &format!(
            "[AbuseChFeodoTrackerCollector]\nurl = file:///nonexistent/feed.csv\nstate_dir = {}\n",
            root.join("state").display()
        ),
    )?;
    let scratch = root.join("scratch");
    let mut fam = Command::new(family);
    fam.arg("abusechfeodotracker")
        .arg("--config-dir")
        .arg(&conf)
        .arg("--check-config");
    let mut one = Command::new(single);
    one.arg("--config-dir").arg(&conf).arg("--check-config");
    for _ in 0..3 {
        run_usage(&mut fam, &scratch)?;
        run_usage(&mut one, &scratch)?;
    }
    let (mut f, mut s, mut f_cpu, mut s_cpu) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let family_run = run_usage(&mut fam, &scratch)?;
        let single_run = run_usage(&mut one, &scratch)?;
        f.push(family_run.wall.as_secs_f64());
        s.push(single_run.wall.as_secs_f64());
        f_cpu.push(family_run.cpu.as_secs_f64());
        s_cpu.push(single_run.cpu.as_secs_f64());
    }
    let (fm, sm) = (median(&f), median(&s));
    let (fc, sc) = (median(&f_cpu), median(&s_cpu));
    let size = |p: &Path| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64);
    report.push(Line {
        bench: "1 start-up".into(),
        measure: format!(
            "`n6collector abusechfeodotracker --check-config` ({} collectors linked, {}) vs one collector's binary ({}); {runs} runs",
            family_count(family),
            mib(size(family)),
            mib(size(single))
        ),
        ours: secs(fm),
        baseline: format!("single-collector binary {}", secs(sm)),
        ratio: format!("{:+.1} %", 100.0 * (fm / sm - 1.0)),
        target: "within 10 %".into(),
        met: Some(fm <= 1.1 * sm),
    });
    report.push(Line {
        bench: "1 start-up".into(),
        measure: "the same runs: CPU time (user + system; steadier than wall time on a busy host)"
            .into(),
        ours: secs(fc),
        baseline: format!("single-collector binary {}", secs(sc)),
        ratio: format!("{:+.1} %", 100.0 * (fc / sc - 1.0)),
        target: "within 10 %".into(),
        met: Some(fc <= 1.1 * sc),
    });
    Ok(())
}

/// How many collectors the family binary lists (`n6collector --list`), for the label.
fn family_count(family: &Path) -> usize {
    Command::new(family)
        .arg("--list")
        .output()
        .map_or(0, |o| String::from_utf8_lossy(&o.stdout).lines().count())
}

/// Our collector's and Python's command of one output, on their sites.
fn commands(config: &Config, bin: &Path, out: Out, rs: &Site, py: &Site) -> (Command, Command) {
    let mut rust = Command::new(bin);
    rust.arg("--config-dir").arg(&rs.config);
    match out {
        Out::Jsonl => rust.arg("--output").arg(&rs.output),
        Out::Amqp => rust.args(["--output", "amqp"]),
    };
    let mut python = Command::new(&config.python);
    python
        .arg(config.scripts.join("py_urlhaus.py"))
        .arg(&py.config);
    match out {
        Out::Jsonl => python.arg(&py.output),
        Out::Amqp => python.arg("amqp"),
    };
    (rust, python)
}

/// One timed run of `cmd` on `site`: checks that a JSON-lines run wrote output exactly
/// when `expect_output`, then removes the output and purges the queue for the next run.
fn fresh_run(
    cmd: &mut Command,
    site: &Site,
    expect_output: bool,
    out: Out,
    scratch: &Path,
    queue: Option<&Queue>,
) -> BenchResult<Usage> {
    let usage = run_usage(cmd, scratch)?;
    let wrote = site.output.exists();
    if out == Out::Jsonl && wrote != expect_output {
        return Err(format!(
            "{cmd:?}: expected {} JSON line output:\n{}{}",
            if expect_output { "a" } else { "no" },
            usage.stdout,
            usage.stderr
        ));
    }
    remove_all(&site.output)?;
    if out == Out::Amqp
        && let Some(q) = queue
    {
        q.purge()?;
    }
    Ok(usage)
}
