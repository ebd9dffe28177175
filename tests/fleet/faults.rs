//! Faults against the real cluster: a member killed and a member SIGSTOPped mid-run, a
//! run SIGSTOPped past its lease (fenced), quorum lost before and during a run. Each
//! test holds the cluster exclusively and leaves it healthy.

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cluster::{Cluster, cluster};
use crate::hosts::{Fleet, TTL, code, copies, lost, signal, state_lines, stderr};

/// Waits for `child` at most `limit`; `None` if it is still running (then killed).
fn wait_for(child: &mut Child, limit: Duration) -> Option<std::process::Output> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        sleep(Duration::from_millis(20));
    }
    if child.try_wait().expect("try_wait").is_none() {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    let mut out = std::process::Output {
        status: child.wait().expect("wait"),
        stdout: Vec::new(),
        stderr: Vec::new(),
    };
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_end(&mut e, &mut out.stderr);
    }
    Some(out)
}

/// A run of 30 rows, 100 ms each (about 3 s), checkpointing every 5, disturbed after
/// `after` by `disturb`; the run must complete and save everything.
fn run_through(cluster: &Cluster, test: &str, disturb: impl FnOnce(&Cluster)) -> Duration {
    let mut fleet = Fleet::new(cluster, test);
    let host = fleet.host("a", "line_delay_us = 100000\ncheckpoint_every = 5", "");
    let feed = fleet.grow(30);
    let started = Instant::now();
    let mut child = host.spawn(&[]);
    sleep(Duration::from_millis(800));
    disturb(cluster);
    let out = wait_for(&mut child, Duration::from_secs(60)).expect("the run ends");
    let took = started.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(feed));
    assert!(lost(&host.bodies(), feed).is_empty());
    took
}

#[test]
fn the_leader_killed_mid_run_the_run_completes() {
    let Some(cluster) = cluster() else { return };
    let _exclusive = cluster.exclusive();
    let mut killed = None;
    let took = run_through(cluster, "leader-kill", |c| {
        let leader = c.leader();
        c.kill(leader);
        killed = Some(leader);
    });
    eprintln!(
        "fleet: leader (member {killed:?}) killed mid-run: the 3 s run completed in {took:?}"
    );
    cluster.heal();
}

#[test]
fn a_silent_member_sigstopped_mid_run_the_run_completes() {
    let Some(cluster) = cluster() else { return };
    let _exclusive = cluster.exclusive();
    // The client starts with the first endpoint: that member goes silent.
    let took = run_through(cluster, "member-stop", |c| c.signal(0, libc::SIGSTOP));
    eprintln!("fleet: member 0 SIGSTOPped mid-run: the 3 s run completed in {took:?}");
    cluster.signal(0, libc::SIGCONT);
    cluster.heal();
}

#[test]
fn a_run_paused_past_its_lease_is_fenced_and_the_newer_state_stays() {
    let Some(cluster) = cluster() else { return };
    let _exclusive = cluster.exclusive();
    let mut fleet = Fleet::new(cluster, "paused");
    let a = fleet.host("a", "", "");
    let b = fleet.host("b", "", "");
    fleet.grow(10);
    let mut old = a
        .command(&[])
        .env("N6_TEST_DELAY_BEFORE_SAVE_MS", "1500")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until the old run sits right before its fenced save, then freeze it.
    let mut lines = BufReader::new(old.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            lines.read_line(&mut line).expect("read") > 0,
            "no save: {seen}"
        );
        seen += &line;
        if line.contains("N6_TEST_DELAY_BEFORE_SAVE_MS") {
            break;
        }
    }
    signal(&old, libc::SIGSTOP);
    let frozen = Instant::now();
    // Another host takes over once the lease has expired on the server.
    fleet.grow(5);
    let out = loop {
        let out = b.run(&["-q"]);
        if code(&out) != 75 {
            break out;
        }
        assert!(
            frozen.elapsed() < Duration::from_secs(30),
            "never took over"
        );
        sleep(Duration::from_millis(200));
    };
    let takeover = frozen.elapsed();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(15));
    // The old run wakes up: its save is refused, it fails, the newer state stays.
    signal(&old, libc::SIGCONT);
    let status = old.wait().expect("wait");
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut lines, &mut rest);
    seen += &rest;
    assert_eq!(status.code(), Some(75), "{seen}");
    assert!(seen.contains("the run lock was lost"), "{seen}");
    assert!(seen.contains("the save was refused"), "{seen}");
    assert_eq!(
        state_lines(cluster, &fleet.state_key()),
        Some(15),
        "B's state stays"
    );
    let bodies = Fleet::bodies(&[&a, &b]);
    assert!(lost(&bodies, 15).is_empty(), "every row published");
    let duplicates = bodies.len() as u64 - 15;
    eprintln!(
        "fleet: run SIGSTOPped before its save: taken over after {takeover:?} (TTL {TTL} s); \
         its save refused (75); state = the newer run's; 0 lost, {duplicates} duplicates"
    );
}

#[test]
fn quorum_lost_before_a_run_is_unavailable_and_changes_nothing() {
    let Some(cluster) = cluster() else { return };
    let _exclusive = cluster.exclusive();
    let mut fleet = Fleet::new(cluster, "quorum-before");
    let a = fleet.host("a", "", "");
    fleet.grow(3);
    let out = a.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    fleet.grow(3);
    cluster.kill(1);
    cluster.kill(2);
    let started = Instant::now();
    let out = a.run(&[]);
    let took = started.elapsed();
    cluster.heal();
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    assert!(stderr(&out).contains("unavailable"), "{}", stderr(&out));
    assert_eq!(a.bodies().len(), 3, "nothing published without the lock");
    assert_eq!(
        state_lines(cluster, &fleet.state_key()),
        Some(3),
        "state unchanged"
    );
    let out = a.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(6));
    eprintln!("fleet: quorum lost before a run: exit 69 after {took:?}");
}

#[test]
fn quorum_lost_during_a_run_stops_it_unsaved_and_the_next_run_resends() {
    let Some(cluster) = cluster() else { return };
    let _exclusive = cluster.exclusive();
    let mut fleet = Fleet::new(cluster, "quorum-during");
    let a = fleet.host("a", "line_delay_us = 100000", "");
    let feed = fleet.grow(60);
    let mut child = a.spawn(&[]);
    sleep(Duration::from_millis(700));
    cluster.signal(1, libc::SIGSTOP);
    cluster.signal(2, libc::SIGSTOP);
    let lost_at = Instant::now();
    let out = wait_for(&mut child, Duration::from_secs(60)).expect("the run stops");
    let stopped_after = lost_at.elapsed();
    cluster.heal();
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    assert!(stderr(&out).contains("etcd lease"), "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), None, "not saved");
    let first = a.bodies().len() as u64;
    assert!(
        first < feed,
        "the run stopped early ({first} of {feed} published)"
    );
    // Quorum back: the lease is gone or expires; the next run re-sends and saves.
    let out = loop {
        let out = a.run(&["-q"]);
        if code(&out) != 75 {
            break out;
        }
        sleep(Duration::from_millis(200));
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(feed));
    let counts = copies(&a.bodies(), feed);
    assert!(counts.values().all(|&n| n >= 1), "0 lost");
    eprintln!(
        "fleet: quorum lost mid-run: stopped (69) {stopped_after:?} after; {first} rows re-sent by the next run"
    );
}
