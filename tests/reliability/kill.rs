//! The kill -9 campaign (issue 6, point 1): the reliability test collector runs over a
//! growing feed against the real broker, again and again, and is killed with SIGKILL at
//! random moments: anywhere in the run, (with the store's test-only delay between fsync
//! and rename) inside the state-save window, and right after a save completed while the
//! run's latest traffic is still on a link that loses it (a save made before the
//! confirms would lose rows there). After every run the state file must
//! load (`--check-config`) and hold either the old or a new, complete state; at the end
//! every feed row must have reached the queue (0 lost), and a row may come more than once
//! only if a killed run published it after that run's last saved state (duplicates only
//! from the last unconfirmed batch).
//!
//! Knobs: `N6_RELIABILITY_RUNS` (default 280), `N6_RELIABILITY_SEED` (default: the
//! clock; printed, so a failing campaign can be replayed).

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::reliability_support::{
    Admin, DELAY_ENV, LossyProxy, Target, broker, code, copies, decode_lines, sigkill, stderr,
};

/// How long the store's test hook stalls a save in [`kill_inside_the_save_window`]: far
/// longer than the test needs to notice the save and kill the run.
const LONG_SAVE_DELAY_MS: u64 = 20_000;

/// Runs in a campaign unless `N6_RELIABILITY_RUNS` says otherwise.
const DEFAULT_RUNS: u64 = 280;

/// How late the lossy link passes the collector's traffic on (see [`LossyProxy`]).
const LOSSY_LINK_DELAY: Duration = Duration::from_millis(15);

/// splitmix64: small, seedable, good enough to pick kill moments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// How a run was ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    /// Ran to the end (exit 0).
    Completed,
    /// SIGKILL at a random moment.
    Killed,
    /// SIGKILL while a state save stood between fsync and rename (its temporary file was
    /// left behind).
    KilledInSave,
    /// SIGKILL as soon as a save completed, on the lossy link.
    KilledAfterSave,
}

/// What one run did to the state.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// `lines` in the state file after the run.
    after: u64,
    /// Rows in the feed during the run.
    feed: u64,
    /// `checkpoint_every` of the run (0: save only at the end).
    checkpoint_every: u64,
    ending: Ending,
}

impl Run {
    /// The rows this run may have published without its state covering them: after the
    /// saved state, up to the next checkpoint (or the end of the feed).
    fn unconfirmed_batch(&self) -> std::ops::Range<u64> {
        if self.ending == Ending::Completed {
            return self.after..self.after;
        }
        let end = match self.checkpoint_every {
            0 => self.feed,
            every => ((self.after / every) + 1) * every,
        };
        self.after..end.min(self.feed)
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
    })
}

#[test]
fn kill_9_campaign_loses_no_row_and_never_tears_the_state_file() {
    let Some(broker) = broker() else { return };
    let runs = env_u64("N6_RELIABILITY_RUNS").unwrap_or(DEFAULT_RUNS);
    let seed = env_u64("N6_RELIABILITY_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    eprintln!("kill campaign: {runs} runs, seed {seed} (replay: N6_RELIABILITY_SEED={seed})");
    let mut rng = Rng(seed);
    let mut site = crate::reliability_support::site("relkill");
    let target = Target::of(&broker);
    let lossy = LossyProxy::start(broker.amqp_port, LOSSY_LINK_DELAY);
    let lossy_target = target.on_port(lossy.port);
    let admin = Admin::connect(&broker);
    let queue = format!("reliability-kill-{}", std::process::id());
    admin.bind(&site.exchange(), &queue, None);
    let started = Instant::now();

    // A clean first run, also to learn how long a run takes here.
    site.grow(10);
    site.configure(&target, "");
    let clock = Instant::now();
    let first = site.run(&["-q"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let typical = clock.elapsed().max(Duration::from_millis(10));
    let mut history = vec![Run {
        after: site.state_lines().expect("state after the first run"),
        feed: 10,
        checkpoint_every: 0,
        ending: Ending::Completed,
    }];
    assert_eq!(history[0].after, 10);

    for n in 1..=runs {
        let feed = site.grow(1 + rng.below(20));
        let style = rng.below(100);
        let checkpoint_every = rng.pick(&[0, 0, 1, 2, 5]);
        let line_delay_us = rng.pick(&[0, 0, 300]);
        let knobs =
            format!("checkpoint_every = {checkpoint_every}\nline_delay_us = {line_delay_us}");
        let lossy_run = (40..60).contains(&style);
        site.configure(if lossy_run { &lossy_target } else { &target }, &knobs);
        let before_bytes = site.state_bytes();
        let before = before_bytes.as_deref().map_or(0, decode_lines);
        let temps_before = site.temp_files();
        let stamp_before = site.state_stamp();

        let save_delay_ms = 20 + rng.below(40);
        let mut command = site.command(&["-q"]);
        if style < 40 {
            command.env(DELAY_ENV, save_delay_ms.to_string());
        }
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn collector");
        if style < 40 {
            // Kill inside the save window: once a save has begun (its temporary file
            // exists, or the state file itself changes), the store sleeps
            // `save_delay_ms` before the rename.
            while !site.new_temp_file(&temps_before)
                && site.state_stamp() == stamp_before
                && child.try_wait().expect("try_wait").is_none()
            {
                sleep(Duration::from_micros(200));
            }
            sleep(Duration::from_millis(rng.below(save_delay_ms)));
            sigkill(&child);
        } else if lossy_run {
            // Kill as soon as a save completed, through a link that loses what the
            // broker has not received yet: had the state been saved before the
            // confirms, rows would be lost here.
            while site.state_stamp() == stamp_before
                && child.try_wait().expect("try_wait").is_none()
            {
                sleep(Duration::from_micros(200));
            }
            sigkill(&child);
        } else if style < 95 {
            let window = typical.as_micros() as u64 * 3 / 2;
            sleep(Duration::from_micros(rng.below(window)));
            sigkill(&child);
        }
        let out = child.wait_with_output().expect("wait for collector");
        let left_temp = site.new_temp_file(&temps_before);
        let ending = match out.status.signal() {
            Some(9) if left_temp => Ending::KilledInSave,
            Some(9) if lossy_run => Ending::KilledAfterSave,
            Some(9) => Ending::Killed,
            _ => {
                assert_eq!(code(&out), 0, "run {n} failed: {}", stderr(&out));
                Ending::Completed
            }
        };

        // The state file is the old one or a complete new one, never torn.
        let check = site.check_state();
        assert_eq!(
            code(&check),
            0,
            "run {n} ({ending:?}, seed {seed}): the state file does not load: {}",
            stderr(&check)
        );
        let after_bytes = site.state_bytes();
        let after = after_bytes.as_deref().map_or(0, decode_lines);
        assert!(
            before <= after && after <= feed,
            "run {n}: state went from {before} to {after} lines (feed {feed})"
        );
        if after == before {
            assert_eq!(after_bytes, before_bytes, "run {n}: state rewritten");
        } else {
            assert!(
                after == feed || (checkpoint_every > 0 && after.is_multiple_of(checkpoint_every)),
                "run {n}: {after} lines saved, neither a checkpoint nor the end"
            );
        }
        if ending == Ending::Completed {
            assert_eq!(after, feed, "run {n} completed without saving everything");
        }
        history.push(Run {
            after,
            feed,
            checkpoint_every,
            ending,
        });
    }

    // A final clean run brings the state to the end of the feed.
    let feed = site.rows();
    site.configure(&target, "");
    let last = site.run(&["-q"]);
    assert_eq!(code(&last), 0, "{}", stderr(&last));
    assert_eq!(site.state_lines(), Some(feed));
    assert_eq!(site.check_state().status.code(), Some(0));

    // Every row reached the queue; duplicates only from killed runs' unconfirmed batches.
    let bodies = admin.drain(&queue);
    admin.delete(&queue);
    let counts = copies(&bodies, feed);
    let lost: Vec<u64> = counts
        .iter()
        .filter(|&(_, &n)| n == 0)
        .map(|(&i, _)| i)
        .collect();
    for (&i, &n) in &counts {
        let may_repeat = history
            .iter()
            .filter(|run| run.unconfirmed_batch().contains(&i))
            .count() as u64;
        assert!(
            n <= 1 + may_repeat,
            "row {i} arrived {n} times, but only {may_repeat} killed run(s) could have \
             re-sent it (seed {seed})"
        );
    }
    let duplicates = bodies.len() as u64 - (feed - lost.len() as u64);
    let count = |e: Ending| history.iter().filter(|r| r.ending == e).count();
    let killed = history.len() - count(Ending::Completed);
    let summary = format!(
        "kill campaign: seed {seed}; {} runs + 1 final; {killed} killed ({} inside the \
         state-save window, {} right after a save on a lossy link), {} completed; {feed} rows, \
         {} messages consumed; lost {}; duplicates {duplicates}; leftover temporary files {}; \
         {:.1} s",
        history.len(),
        count(Ending::KilledInSave),
        count(Ending::KilledAfterSave),
        count(Ending::Completed),
        bodies.len(),
        lost.len(),
        site.temp_files().len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!("{summary}");
    let figures = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("reliability-kill.txt");
    let _ = std::fs::write(&figures, format!("{summary}\n"));
    assert!(lost.is_empty(), "rows lost: {lost:?} (seed {seed})");
    assert!(killed > 0, "no run was killed: the campaign tested nothing");
}

/// Deterministic companion of the campaign: a run is killed exactly while its state save
/// stands between writing and the rename (the store's test hook stalls it); the state
/// file must still be the old one, complete, and the next run must finish the job.
/// Needs no broker (JSON-lines output).
#[test]
fn kill_inside_the_save_window_leaves_the_old_state() {
    let mut site = crate::reliability_support::site("relsave");
    let out_file = site.path("out.jsonl").display().to_string();
    let args = ["--output", out_file.as_str()];
    site.grow(3);
    site.configure_local("");
    let first = site.run(&args);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    for checkpoint_every in [0, 1, 2] {
        let feed = site.grow(4);
        site.configure_local(&format!("checkpoint_every = {checkpoint_every}"));
        let before = site.state_bytes().expect("state file");
        let stamp = site.state_stamp();
        let temps = site.temp_files();
        let mut child = site
            .command(&args)
            .env(DELAY_ENV, LONG_SAVE_DELAY_MS.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let clock = Instant::now();
        while !site.new_temp_file(&temps) && site.state_stamp() == stamp {
            if let Some(status) = child.try_wait().expect("try_wait") {
                panic!("the run ended ({status}) without saving");
            }
            assert!(clock.elapsed() < Duration::from_secs(60), "no save began");
            sleep(Duration::from_millis(1));
        }
        sigkill(&child);
        let killed = child.wait().expect("wait");
        assert_eq!(killed.signal(), Some(9));
        let check = site.check_state();
        assert_eq!(
            code(&check),
            0,
            "checkpoint_every = {checkpoint_every}: the state file does not load after a \
             kill during the save: {}",
            stderr(&check)
        );
        assert_eq!(
            site.state_bytes().as_deref(),
            Some(&before[..]),
            "checkpoint_every = {checkpoint_every}: the state changed although the save \
             never reached its rename"
        );
        site.configure_local("");
        let next = site.run(&args);
        assert_eq!(code(&next), 0, "{}", stderr(&next));
        assert_eq!(site.state_lines(), Some(feed));
    }
    let counts = copies(&site.jsonl_bodies(), site.rows());
    assert!(counts.values().all(|&n| n >= 1), "rows lost: {counts:?}");
}

/// SIGTERM in the middle of a run (after a checkpoint, with unconfirmed rows after it):
/// exit 143, the state stays at the checkpoint (byte-identical), and a second SIGTERM
/// during a stalled save exits at once with the old state intact. The next run delivers
/// every row. Needs no broker (JSON-lines output).
#[test]
fn sigterm_mid_run_keeps_the_last_checkpoint() {
    let mut site = crate::reliability_support::site("relterm");
    let out_file = site.path("out.jsonl").display().to_string();
    let args = ["--output", out_file.as_str()];
    let feed = site.grow(6);
    // Rows 0 and 1 are checkpointed, row 2 is published, then the run waits at the gate.
    site.configure_local("checkpoint_every = 2\ngate_after = 3");
    let mut child = site.spawn(&args);
    site.wait_at_gate(&mut child);
    let checkpoint = site.state_bytes().expect("checkpoint saved");
    assert_eq!(decode_lines(&checkpoint), 2);
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    site.open_gate();
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    let line = crate::reliability_support::error_line(&out);
    assert!(line.contains("stopped by SIGTERM"), "{line}");
    assert_eq!(site.state_bytes().as_deref(), Some(&checkpoint[..]));

    // Two SIGTERMs while a save is stalled before its rename: out at once, old state.
    site.reset_gate();
    site.configure_local("");
    let temps = site.temp_files();
    let mut child = site
        .command(&args)
        .env(DELAY_ENV, LONG_SAVE_DELAY_MS.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let clock = Instant::now();
    while !site.new_temp_file(&temps) {
        assert!(child.try_wait().expect("try_wait").is_none(), "no save");
        assert!(clock.elapsed() < Duration::from_secs(60), "no save began");
        sleep(Duration::from_millis(1));
    }
    for _ in 0..2 {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(143), "{}", stderr(&out));
    assert!(
        clock.elapsed() < Duration::from_millis(LONG_SAVE_DELAY_MS),
        "the second SIGTERM did not end the stalled save"
    );
    assert_eq!(site.state_bytes().as_deref(), Some(&checkpoint[..]));
    assert_eq!(code(&site.check_state()), 0);

    let last = site.run(&args);
    assert_eq!(code(&last), 0, "{}", stderr(&last));
    assert_eq!(site.state_lines(), Some(feed));
    let counts = copies(&site.jsonl_bodies(), feed);
    assert!(counts.values().all(|&n| n >= 1), "rows lost: {counts:?}");
}
