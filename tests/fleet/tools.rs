//! The state tools on the etcd backend: the collector's `state show/export/import/reset`
//! (reset refused while a run holds the lock), and `n6-state show/check/copy` between a
//! state file and etcd.

use std::io::Write;
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use clap::Parser;
use n6_collectors::tooling::generic::{self, Args};

use crate::cluster::cluster;
use crate::hosts::{COLLECTOR_ID, Fleet, code, decode_lines, state_lines, stderr};

/// `n6-state --config-dir CONF COMMAND FROM [TO]` in process: the exit code and stdout.
fn n6_state(conf: &str, command: &str, from: &str, to: Option<&str>) -> (u8, String) {
    let mut argv = vec!["n6-state", "--config-dir", conf, command, from];
    argv.extend(to);
    let args = Args::try_parse_from(argv).expect("n6-state arguments");
    let mut out = Vec::new();
    let code = match generic::run_in(&args.command, &args.config_dirs, &mut out) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("n6-state: error: {e}");
            e.exit_code()
        }
    };
    (code, String::from_utf8_lossy(&out).into_owned())
}

#[test]
fn collector_state_subcommands_work_on_etcd() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let mut fleet = Fleet::new(cluster, "tools");
    let a = fleet.host("a", "line_delay_us = 200000", "");
    // import from stdin, then show and export read it back from etcd.
    let mut child = a
        .command(&["state", "import", "-"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(br#"{"lines": 3}"#)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(3));
    let out = a.run(&["state", "show"]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(text.contains(&fleet.state_key()), "{text}");
    assert!(text.contains("\"lines\": 3"), "{text}");
    let out = a.run(&["state", "export"]);
    let exported: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(exported, serde_json::json!({"lines": 3}));

    // reset is refused while a run holds the lock, and works after it.
    fleet.grow(8);
    let mut run = a.spawn(&["-q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster.get(&fleet.lock_key()).is_none() {
        assert!(Instant::now() < deadline, "the run never took the lock");
        sleep(Duration::from_millis(10));
    }
    let out = a.run(&["state", "reset", "--yes"]);
    assert_eq!(code(&out), 75, "{}", stderr(&out));
    assert!(stderr(&out).contains("already running"), "{}", stderr(&out));
    assert_eq!(run.wait().expect("wait").code(), Some(0));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(8));
    let out = a.run(&["state", "reset", "--yes"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(0));
}

#[test]
fn n6_state_copies_a_state_from_files_to_etcd_and_back() {
    let Some(cluster) = cluster() else { return };
    let _shared = cluster.shared();
    let mut fleet = Fleet::new(cluster, "copy");
    let a = fleet.host("a", "", "");
    // A site on files: a run without [n6_collectors_state].
    let files_conf = a.dir.join("files-conf");
    std::fs::create_dir_all(&files_conf).expect("dir");
    let text = std::fs::read_to_string(a.dir.join("conf/70_fleet.conf")).expect("conf");
    let collector_only = text.split("[n6_collectors_state]").next().expect("section");
    std::fs::write(files_conf.join("70_files.conf"), collector_only).expect("conf");
    fleet.grow(6);
    let out = Command::new(env!("CARGO_BIN_EXE_reliability-test-collector"))
        .arg("--config-dir")
        .arg(&files_conf)
        .arg("--state-dir")
        .arg(a.state_dir())
        .args(["--output", "-", "-q"])
        .output()
        .expect("file run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let file = a.state_dir().join(format!("{COLLECTOR_ID}.cbor"));
    let file_bytes = std::fs::read(&file).expect("state file");
    assert_eq!(decode_lines(&file_bytes), 6);

    let conf = a.dir.join("conf");
    let conf = conf.to_str().expect("utf-8");
    let place = format!("etcd:{COLLECTOR_ID}");
    let file_arg = file.to_str().expect("utf-8");
    let (status, _) = n6_state(conf, "copy", file_arg, Some(&place));
    assert_eq!(status, 0);
    let (etcd_bytes, _) = cluster.get(&fleet.state_key()).expect("state key");
    assert_eq!(etcd_bytes, file_bytes, "the same envelope bytes");

    // The etcd run continues the file's state.
    fleet.grow(2);
    let out = a.run(&["-q"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(8));
    assert_eq!(a.bodies().len(), 2, "only the new rows");

    // n6-state show / check read the etcd key.
    let (status, shown) = n6_state(conf, "show", &place, None);
    assert_eq!(status, 0);
    assert!(shown.contains("\"lines\": 8"), "{shown}");
    assert_eq!(n6_state(conf, "check", &place, None).0, 0);

    // And back to the file.
    assert_eq!(n6_state(conf, "copy", &place, Some(file_arg)).0, 0);
    assert_eq!(decode_lines(&std::fs::read(&file).expect("state file")), 8);

    // A copy into another collector's keys is refused (65); a missing source is 74;
    // a copy while a run holds the etcd lock is refused (75).
    assert_eq!(
        n6_state(conf, "copy", file_arg, Some("etcd:other.Collector")).0,
        65
    );
    let missing = a.dir.join("none.cbor");
    let missing = missing.to_str().expect("utf-8");
    assert_eq!(
        n6_state(conf, "copy", "etcd:none.Such", Some(missing)).0,
        74
    );
    fleet.configure(&a, "line_delay_us = 300000", "");
    fleet.grow(5);
    let mut run = a.spawn(&["-q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while cluster.get(&fleet.lock_key()).is_none() {
        assert!(Instant::now() < deadline, "the run never took the lock");
        sleep(Duration::from_millis(10));
    }
    assert_eq!(n6_state(conf, "copy", file_arg, Some(&place)).0, 75);
    assert_eq!(run.wait().expect("wait").code(), Some(0));
    assert_eq!(
        state_lines(cluster, &fleet.state_key()),
        Some(13),
        "not overwritten"
    );
}
