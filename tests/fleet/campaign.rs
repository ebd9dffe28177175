//! The kill -9 campaign on the etcd backend: the reliability test collector runs again
//! and again over a growing feed, on two "hosts" picked at random, and is killed with
//! SIGKILL at random moments (anywhere in the run, or inside a stalled fenced save).
//! After every run the state key must hold a valid envelope that never went back and
//! covers at most the feed; at the end every feed row must have been written (0 lost).
//!
//! A killed run's lease outlives it by up to the TTL. Mostly the test then revokes that
//! lease (what the server does at expiry: the lock key goes); every 25th kill it waits
//! for the real expiry instead.
//!
//! Knobs: `N6_FLEET_RUNS` (default 200), `N6_FLEET_SEED` (default: the clock; printed).

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cluster::cluster;
use crate::hosts::{Fleet, TTL, code, copies, lost, signal, state_lines, stderr};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn kill_9_campaign_on_etcd_loses_no_row_and_never_goes_back() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let runs = env_u64("N6_FLEET_RUNS").unwrap_or(200);
    let seed = env_u64("N6_FLEET_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1
    });
    eprintln!("fleet kill campaign: {runs} runs, seed {seed} (replay: N6_FLEET_SEED={seed})");
    let mut rng = Rng(seed);
    let mut fleet = Fleet::new(cluster, "kill-campaign");
    let hosts = [fleet.host("a", "", ""), fleet.host("b", "", "")];
    let key = fleet.state_key();
    let started = Instant::now();

    fleet.grow(10);
    let clock = Instant::now();
    let first = hosts[0].run(&["-q"]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let typical = clock.elapsed().max(Duration::from_millis(10));
    let (mut killed, mut killed_in_save, mut completed, mut expiries) = (0, 0, 1, 0);
    let (mut advanced, mut refused_late) = (0, 0);
    let mut previous_killed = false;
    let mut longest_wait = Duration::ZERO;

    for n in 1..=runs {
        let feed = fleet.grow(1 + rng.below(20));
        let host = &hosts[rng.below(2) as usize];
        let checkpoint_every = rng.pick(&[0, 0, 1, 2, 5]);
        let line_delay_us = rng.pick(&[0, 0, 300]);
        fleet.configure(
            host,
            &format!("checkpoint_every = {checkpoint_every}\nline_delay_us = {line_delay_us}"),
            "",
        );
        let before = state_lines(cluster, &key).unwrap_or(0);
        let style = rng.below(100);
        let save_delay_ms = 20 + rng.below(60);
        let mut command = host.command(&["-q"]);
        if style < 30 {
            command.env("N6_TEST_DELAY_BEFORE_SAVE_MS", save_delay_ms.to_string());
        }
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let window =
            typical.as_micros() as u64 * 3 / 2 + if style < 30 { save_delay_ms * 1000 } else { 0 };
        if style < 90 {
            sleep(Duration::from_micros(rng.below(window)));
            signal(&child, libc::SIGKILL);
        }
        let out = child.wait_with_output().expect("wait");
        let was_killed = out.status.signal() == Some(9);
        if was_killed {
            killed += 1;
            if style < 30 {
                killed_in_save += 1;
            }
            // Free the dead run's lock: revoke its lease, or wait for it to expire. (A
            // transaction the run sent just before it died may still land: give it a
            // moment.)
            sleep(Duration::from_millis(30));
            let lease = cluster.lease_of(&fleet.lock_key());
            if lease != 0 {
                if killed % 25 == 0 {
                    expiries += 1;
                    let waited = Instant::now();
                    while cluster.get(&fleet.lock_key()).is_some() {
                        assert!(
                            waited.elapsed() < Duration::from_secs(TTL + 10),
                            "run {n}: the lease did not expire"
                        );
                        sleep(Duration::from_millis(50));
                    }
                    longest_wait = longest_wait.max(waited.elapsed());
                } else {
                    cluster.revoke(lease);
                }
            }
        } else if code(&out) == 75 && previous_killed {
            // The killed run's lock transaction landed after the test freed its lock:
            // this run was refused, as it must be; free that lock too.
            refused_late += 1;
            cluster.revoke(cluster.lease_of(&fleet.lock_key()));
        } else {
            assert_eq!(
                code(&out),
                0,
                "run {n} (seed {seed}) failed: {}",
                stderr(&out)
            );
            completed += 1;
        }
        previous_killed = was_killed;
        let after = state_lines(cluster, &key).expect("a state after the first run");
        assert!(
            before <= after && after <= feed,
            "run {n} (seed {seed}): state went from {before} to {after} lines (feed {feed})"
        );
        if after != before {
            advanced += 1;
            assert!(
                after == feed || (checkpoint_every > 0 && after.is_multiple_of(checkpoint_every)),
                "run {n} (seed {seed}): {after} lines saved, neither a checkpoint nor the end"
            );
        }
        if !was_killed {
            assert_eq!(after, feed, "run {n}: completed without saving everything");
        }
    }

    // A final clean run brings the state to the end of the feed.
    let feed = fleet.rows();
    fleet.configure(&hosts[0], "", "");
    let last = hosts[0].run(&["-q"]);
    assert_eq!(code(&last), 0, "{}", stderr(&last));
    assert_eq!(state_lines(cluster, &key), Some(feed));

    let bodies = Fleet::bodies(&[&hosts[0], &hosts[1]]);
    let lost_rows = lost(&bodies, feed);
    let counts = copies(&bodies, feed);
    let duplicates: u64 = counts.values().map(|&n| n.saturating_sub(1)).sum();
    let summary = format!(
        "fleet kill campaign (etcd backend): seed {seed}; {runs} runs + 1 final on 2 hosts; \
         {killed} killed ({killed_in_save} of them with the fenced save stalled 20-80 ms), \
         {completed} completed, {refused_late} refused (75) by a dead run's late lock; \
         {advanced} runs advanced the state; {expiries} lease expiries waited for (longest {:.1} s, TTL {TTL} s); {feed} rows, \
         {} messages written; lost {}; duplicates {duplicates}; {:.1} s",
        longest_wait.as_secs_f64(),
        bodies.len(),
        lost_rows.len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!("{summary}");
    let figures = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fleet-kill.txt");
    let _ = std::fs::write(&figures, format!("{summary}\n"));
    assert!(
        lost_rows.is_empty(),
        "rows lost: {lost_rows:?} (seed {seed})"
    );
    assert!(killed > 0, "no run was killed: the campaign tested nothing");
}
