//! Whole runs of the collector binary on several "hosts" sharing one etcd: the state
//! follows the work, exactly one host runs at a time, the lock is freed at once when a
//! run fails, `fleet_min_interval`, and the configuration section.

use std::time::{Duration, Instant};

use crate::cluster::cluster;
use crate::hosts::{Fleet, code, copies, has_files, lost, row, state_lines, stderr};

#[test]
fn two_hosts_continue_each_others_state() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let mut fleet = Fleet::new(cluster, "continue");
    let a = fleet.host("a", "", "");
    let b = fleet.host("b", "", "");
    fleet.grow(10);
    let out = a.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("published 10 message(s)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(10));
    fleet.grow(5);
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        b.bodies(),
        (11..=15).map(row).collect::<Vec<_>>(),
        "host b continued where host a stopped"
    );
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(15));
    let out = a.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("published 0 message(s)"),
        "{}",
        stderr(&out)
    );
    assert!(
        !has_files(&a.state_dir()) && !has_files(&b.state_dir()),
        "no local state"
    );
    assert!(
        cluster.get(&fleet.lock_key()).is_none(),
        "the lock is free after the runs"
    );
}

/// `hosts` hosts started together, `rounds` times: exactly one runs, the others exit 75.
fn started_together(hosts: usize, rounds: u64, test: &str) -> u64 {
    let cluster = cluster().expect("cluster");
    let mut fleet = Fleet::new(cluster, test);
    // 40 ms per row: a run holds the lock for about 0.2 s, far longer than the others
    // need to start and ask.
    let hosts: Vec<_> = (0..hosts)
        .map(|i| fleet.host(&format!("h{i}"), "line_delay_us = 40000", ""))
        .collect();
    let mut refused = 0;
    for round in 1..=rounds {
        let feed = fleet.grow(5);
        let children: Vec<_> = hosts.iter().map(|h| h.spawn(&["-q"])).collect();
        let mut winners = 0;
        for child in children {
            let out = child.wait_with_output().expect("wait");
            match code(&out) {
                0 => winners += 1,
                75 => {
                    refused += 1;
                    assert!(
                        stderr(&out).contains("already running"),
                        "round {round}: {}",
                        stderr(&out)
                    );
                }
                other => panic!("round {round}: exit {other}: {}", stderr(&out)),
            }
        }
        assert_eq!(winners, 1, "round {round}: exactly one host runs");
        assert_eq!(
            state_lines(cluster, &fleet.state_key()),
            Some(feed),
            "round {round}: the state advanced once"
        );
    }
    let refs: Vec<_> = hosts.iter().collect();
    let bodies = Fleet::bodies(&refs);
    let counts = copies(&bodies, fleet.rows());
    assert!(
        counts.values().all(|&n| n == 1),
        "every row published exactly once: {counts:?}"
    );
    refused
}

#[test]
fn two_hosts_started_together_exactly_one_runs_20_rounds() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    assert_eq!(started_together(2, 20, "two-hosts"), 20);
    eprintln!("fleet: 2 hosts x 20 rounds: 20 runs, 20 refused (75), every row once");
}

#[test]
fn three_hosts_started_together_exactly_one_runs_20_rounds() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    assert_eq!(started_together(3, 20, "three-hosts"), 40);
    eprintln!("fleet: 3 hosts x 20 rounds: 20 runs, 40 refused (75), every row once");
}

#[test]
fn broker_down_frees_the_lock_at_once() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let mut fleet = Fleet::new(cluster, "broker-down");
    let a = fleet.host("a", "", "");
    fleet.grow(3);
    // A broker nobody listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let conf = a.dir.join("conf/60_rabbitmq.conf");
    std::fs::write(
        &conf,
        format!(
            "[rabbitmq]\nhost = 127.0.0.1\nport = {port}\nheartbeat_interval = 30\nssl = false\n\n\
             [n6_collectors_amqp]\nconnect_timeout = 2\n"
        ),
    )
    .expect("rabbitmq config");
    let out = a.run(&["--output", "amqp"]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let failed_at = Instant::now();
    assert!(
        cluster.get(&fleet.lock_key()).is_none(),
        "the lease was revoked at exit"
    );
    assert_eq!(
        state_lines(cluster, &fleet.state_key()),
        None,
        "nothing saved"
    );
    std::fs::remove_file(&conf).expect("remove rabbitmq config");
    let b = fleet.host("b", "", "");
    let out = b.run(&[]);
    assert_eq!(
        code(&out),
        0,
        "the next run starts at once: {}",
        stderr(&out)
    );
    assert!(
        failed_at.elapsed() < Duration::from_secs(crate::hosts::TTL),
        "it did not wait for the lease to expire"
    );
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(3));
}

#[test]
fn fleet_min_interval_skips_a_late_host_but_not_after_a_failed_run() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let mut fleet = Fleet::new(cluster, "min-interval");
    let a = fleet.host("a", "strict = true", "fleet_min_interval = 600");
    let b = fleet.host("b", "strict = true", "fleet_min_interval = 600");
    // A failed run (bad data) records nothing: the next host collects.
    std::fs::write(a.dir.join("../input.txt"), "garbage\n").expect("bad feed");
    let out = a.run(&[]);
    assert_eq!(code(&out), 65, "{}", stderr(&out));
    std::fs::write(a.dir.join("../input.txt"), "").expect("reset feed");
    fleet.grow(4);
    let out = b.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("published 4 message(s)"),
        "{}",
        stderr(&out)
    );
    // Right after a good run, the other host skips without collecting.
    fleet.grow(2);
    let out = a.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("collected 0 s ago by host")
            || stderr(&out).contains("s ago by host"),
        "{}",
        stderr(&out)
    );
    assert!(a.bodies().is_empty(), "the late host published nothing");
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(4));
    assert!(lost(&b.bodies(), 4).is_empty());
}

#[test]
fn the_state_section_is_checked_and_its_password_never_shown() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let fleet = Fleet::new(cluster, "config");
    let a = fleet.host("a", "", "etcd_username = n6\netcd_password = s3cr3t-pw");
    let out = a.run(&["--print-config"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(text.contains("\"n6_collectors_state\""), "{text}");
    assert!(text.contains("\"etcd_password\": \"***\""), "{text}");
    assert!(!text.contains("s3cr3t-pw") && !stderr(&out).contains("s3cr3t-pw"));

    let bad = fleet.host(
        "bad",
        "",
        "etcd_lease_ttl = 1\netcd_endpoints = 127.0.0.1:2379\netcd_password = s3cr3t-pw",
    );
    std::fs::write(
        bad.dir.join("conf/80_backend.conf"),
        "[n6_collectors_state]\nbackend = zookeeper\n",
    )
    .expect("config");
    let out = bad.run(&["--check-config"]);
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    let err = stderr(&out);
    for needle in ["etcd_lease_ttl", "backend", "etcd_endpoints"] {
        assert!(err.contains(needle), "{needle} not named: {err}");
    }
    assert!(!err.contains("s3cr3t-pw"), "{err}");
}

#[test]
fn check_config_names_the_etcd_key() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let fleet = Fleet::new(cluster, "check");
    let a = fleet.host("a", "", "");
    let out = a.run(&["--check-config"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&fleet.state_key()),
        "{}",
        stderr(&out)
    );
}
