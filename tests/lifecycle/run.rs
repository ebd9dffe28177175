//! The run lifecycle end to end, through a real collector process
//! (`tests/bin/lines_collector.rs`): exit codes, what is published, when state is saved,
//! and that a failed run leaves the state file exactly as it was.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::support::process::{code, stderr};
use crate::support::site::{LINES, Site, lines_config, lines_site};

const STATE_FILE: &str = LINES.state_file;

/// A scratch deployment: a config dir, an input file, a state dir and an output file.
fn site(lines: &[&str]) -> Site {
    lines_site(lines).publishing_to_file()
}

/// Rewrites the config: the usual `[LinesTestCollector]` section followed by `extra`.
fn configure(site: &Site, extra: &str) {
    site.write_config(&lines_config(site, "correct-horse-battery", extra));
}

fn wait_for_lock_file(site: &Site) {
    let lock = site.lock_path();
    let start = Instant::now();
    while !lock.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the first run never took its lock"
        );
        sleep(Duration::from_millis(20));
    }
    // The lock file is created and locked in one step; give the process a moment.
    sleep(Duration::from_millis(200));
}

#[test]
fn first_run_publishes_every_line_and_second_run_nothing() {
    let site = site(&["a", "b", "c"]);
    let first = site.run(&[]);
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert_eq!(site.published(), ["a", "b", "c"]);
    assert!(
        stderr(&first).contains("LinesTestCollector: published 3 message(s), 3 byte(s)"),
        "{}",
        stderr(&first)
    );
    assert!(stderr(&first).contains("state saved"), "{}", stderr(&first));

    let second = site.run(&[]);
    assert_eq!(code(&second), 0, "{}", stderr(&second));
    assert_eq!(site.published(), ["a", "b", "c"]);
    assert!(
        stderr(&second).contains("published 0 message(s)"),
        "{}",
        stderr(&second)
    );
    assert!(
        stderr(&second).contains("state unchanged"),
        "{}",
        stderr(&second)
    );

    site.set_input(&["a", "b", "c", "d"]);
    let third = site.run(&[]);
    assert_eq!(code(&third), 0, "{}", stderr(&third));
    assert_eq!(site.published(), ["a", "b", "c", "d"]);
}

#[test]
fn messages_follow_the_n6_contract() {
    let site = site(&["x"]);
    assert_eq!(code(&site.run(&["--n6output-suffix", "_test"])), 0);
    let text = fs::read_to_string(site.path("out.jsonl")).expect("output");
    let v: serde_json::Value = serde_json::from_str(text.trim()).expect("JSON");
    assert_eq!(v["exchange"], "raw_test");
    assert_eq!(v["routing_key"], "test-org.lines");
    let props = &v["properties"];
    assert_eq!(props["type"], "stream");
    assert_eq!(props["delivery_mode"], 2);
    assert!(
        props.get("content_type").is_none(),
        "stream messages carry no content type"
    );
    assert!(props.get("headers").is_none(), "empty headers are omitted");
    let ts = props["timestamp"].as_u64().expect("timestamp");
    // message_id = md5(source \0 timestamp \0 body)
    let expected = n6_collectors::message::message_id("test-org.lines", ts, b"x");
    assert_eq!(props["message_id"], expected.as_str());
}

#[test]
fn state_file_is_a_private_cbor_envelope() {
    let site = site(&["a"]);
    assert_eq!(code(&site.run(&[])), 0);
    let bytes = site.state_bytes().expect("state file");
    assert_eq!(&bytes[..3], &[0xd9, 0xd9, 0xf7], "self-describe CBOR tag");
    let file_mode = fs::metadata(site.state_path())
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    let dir_mode = fs::metadata(site.path("state"))
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(file_mode, 0o600);
    assert_eq!(dir_mode, 0o700);
    let leftovers: Vec<_> = fs::read_dir(site.path("state"))
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != STATE_FILE && name != &format!("{STATE_FILE}.lock"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files left behind: {leftovers:?}"
    );
}

#[test]
fn unchanged_state_is_not_rewritten() {
    let site = site(&["a"]);
    assert_eq!(code(&site.run(&[])), 0);
    let before = fs::metadata(site.state_path()).expect("meta");
    let bytes = site.state_bytes();
    sleep(Duration::from_millis(20));
    assert_eq!(code(&site.run(&[])), 0);
    let after = fs::metadata(site.state_path()).expect("meta");
    assert_eq!(site.state_bytes(), bytes);
    assert_eq!(
        before.modified().ok(),
        after.modified().ok(),
        "state file was rewritten"
    );
}

#[test]
fn every_config_error_is_reported_at_once_with_exit_78() {
    let site = site(&["a"]);
    fs::write(
        site.path("conf/60_lines.conf"),
        "[LinesTestCollector]\nfail_after = abc\nunknown_option = 1\n",
    )
    .expect("config");
    let out = site.run(&[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 78, "{err}");
    assert!(
        err.contains("[LinesTestCollector] input: missing required config option"),
        "missing option not named: {err}"
    );
    assert!(
        err.contains("unknown_option"),
        "illegal option not named: {err}"
    );
    assert!(err.contains("fail_after"), "bad value not named: {err}");
    assert!(
        err.contains("60_lines.conf:2"),
        "file and line not named: {err}"
    );
    assert_eq!(site.state_bytes(), None);
    assert!(site.published().is_empty());
}

#[test]
fn corrupt_state_exits_65_and_is_left_untouched() {
    let site = site(&["a"]);
    fs::create_dir(site.path("state")).expect("state dir");
    let garbage = b"\xd9\xd9\xf7\xa7garbage that is not an envelope".to_vec();
    fs::write(site.state_path(), &garbage).expect("write");
    let out = site.run(&[]);
    let err = stderr(&out);
    assert_eq!(code(&out), 65, "{err}");
    assert!(
        err.contains(&site.state_path().display().to_string()),
        "path not named: {err}"
    );
    assert!(err.contains("offset"), "byte offset not named: {err}");
    assert_eq!(site.state_bytes(), Some(garbage));
    assert!(
        site.published().is_empty(),
        "published despite unreadable state"
    );
}

#[test]
fn second_concurrent_run_exits_75_at_once() {
    let site = site(&["a", "b"]);
    let first = site.spawn(&["--n6config-override", "LinesTestCollector.sleep_ms=3000"]);
    wait_for_lock_file(&site);
    let started = Instant::now();
    let second = site.run(&[]);
    assert_eq!(code(&second), 75, "{}", stderr(&second));
    assert!(
        stderr(&second).contains("already running"),
        "{}",
        stderr(&second)
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the second run waited for the lock"
    );
    let first = first.wait_with_output().expect("first run");
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    assert_eq!(site.published(), ["a", "b"]);
}

#[test]
fn failed_run_leaves_state_unchanged_and_next_run_resends() {
    let site = site(&["a", "b"]);
    assert_eq!(code(&site.run(&[])), 0);
    let saved = site.state_bytes();
    site.set_input(&["a", "b", "c", "d", "e"]);

    let failed = site.run(&["--n6config-override", "LinesTestCollector.fail_after=1"]);
    assert_eq!(code(&failed), 69, "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("simulated source failure"),
        "{}",
        stderr(&failed)
    );
    assert_eq!(
        site.state_bytes(),
        saved,
        "a failed run changed the state file"
    );

    assert_eq!(code(&site.run(&[])), 0);
    // "c" went out in the failed run and again now: at-least-once, never lost.
    assert_eq!(site.published(), ["a", "b", "c", "c", "d", "e"]);
}

#[test]
fn panic_exits_70_and_leaves_state_unchanged() {
    let site = site(&["a"]);
    assert_eq!(code(&site.run(&[])), 0);
    let saved = site.state_bytes();
    site.set_input(&["a", "b"]);
    let out = site.run(&["--n6config-override", "LinesTestCollector.panic_after=0"]);
    assert_eq!(code(&out), 70, "{}", stderr(&out));
    assert!(stderr(&out).contains("simulated bug"), "{}", stderr(&out));
    assert_eq!(site.state_bytes(), saved);
}

#[test]
fn checkpoint_saves_confirmed_progress_mid_run() {
    let site = site(&["a", "b", "c", "d"]);
    let out = site.run(&[
        "--n6config-override",
        "LinesTestCollector.checkpoint_every=2",
        "LinesTestCollector.fail_after=3",
    ]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    // Checkpointed after "b"; "c" was published after the checkpoint and is re-sent.
    assert_eq!(code(&site.run(&[])), 0);
    assert_eq!(site.published(), ["a", "b", "c", "c", "d"]);
}

#[test]
fn sigterm_stops_the_run_without_saving_state() {
    let site = site(&["a", "b"]);
    let child = site.spawn(&["--n6config-override", "LinesTestCollector.sleep_ms=2000"]);
    wait_for_lock_file(&site);
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    assert!(stderr(&out).contains("SIGTERM"), "{}", stderr(&out));
    assert_eq!(site.state_bytes(), None);
    assert!(site.published().is_empty());
}

#[test]
fn missing_source_file_exits_69() {
    let site = site(&["a"]);
    fs::remove_file(site.path("input.txt")).expect("remove");
    let out = site.run(&[]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    assert!(stderr(&out).contains("input.txt"), "{}", stderr(&out));
}

#[test]
fn check_config_validates_without_publishing() {
    let site = site(&["a"]);
    let out = site.run(&["--check-config"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(site.published().is_empty());
    assert_eq!(site.state_bytes(), None);

    fs::create_dir_all(site.path("state")).expect("state dir");
    fs::write(site.state_path(), b"").expect("empty state");
    let out = site.run(&["--check-config"]);
    assert_eq!(code(&out), 65, "{}", stderr(&out));
}

#[test]
fn print_config_shows_converted_values_and_hides_secrets() {
    let site = site(&["a"]);
    let out = site.run(&["--print-config"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let section = &v["LinesTestCollector"];
    assert_eq!(section["api_password"], "***");
    assert_eq!(section["fail_after"], -1);
    assert_eq!(
        section["input"],
        site.path("input.txt").display().to_string()
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("correct-horse"));
}

#[test]
fn dry_run_saves_no_state() {
    let site = site(&["a"]);
    let out = Command::new(env!("CARGO_BIN_EXE_lines-test-collector"))
        .arg("--config-dir")
        .arg(site.path("conf"))
        .arg("--state-dir")
        .arg(site.path("state"))
        .arg("--dry-run")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(r#""body":"a""#));
    assert_eq!(site.state_bytes(), None);
}

#[test]
fn usage_errors_exit_64() {
    let site = site(&["a"]);
    assert_eq!(code(&site.run(&["--no-such-flag"])), 64);
    assert_eq!(code(&site.run(&["--n6recovery"])), 64);
    let out = site.run(&["--n6config-override", "no-dot=1"]);
    assert_eq!(code(&out), 64, "{}", stderr(&out));
}

#[test]
fn overrides_apply_to_existing_sections() {
    let site = site(&["a"]);
    let other = site.path("other.txt");
    fs::write(&other, "z\n").expect("other input");
    let item = format!("LinesTestCollector.input={}", other.display());
    assert_eq!(code(&site.run(&["--n6config-override", &item])), 0);
    assert_eq!(site.published(), ["z"]);
}

#[test]
fn unreadable_tls_file_is_a_configuration_error() {
    let site = site(&["a"]);
    configure(
        &site,
        "[rabbitmq]\nhost = 127.0.0.1\nport = 1\nheartbeat_interval = 30\nssl = yes\n\
         ssl_ca_certs = /nonexistent/n6-ca.pem\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_lines-test-collector"))
        .arg("--config-dir")
        .arg(site.path("conf"))
        .arg("--state-dir")
        .arg(site.path("state"))
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(code(&out), 78, "{err}");
    assert!(err.contains("/nonexistent/n6-ca.pem"), "{err}");
    assert_eq!(site.state_bytes(), None);
}

#[test]
fn output_amqp_without_rabbitmq_section_is_a_configuration_error() {
    let site = site(&["a"]);
    let out = Command::new(env!("CARGO_BIN_EXE_lines-test-collector"))
        .arg("--config-dir")
        .arg(site.path("conf"))
        .arg("--state-dir")
        .arg(site.path("state"))
        .args(["--output", "amqp"])
        .output()
        .expect("run");
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    assert!(stderr(&out).contains("[rabbitmq]"), "{}", stderr(&out));
}
