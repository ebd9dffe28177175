//! What an operator sees of a collector binary: `--help` names the collector, its source,
//! config section and state file; `--version`; `--print-config` shows the effective
//! state directory and flags as they are; `--check-config` on a first run; a
//! `--config-dir` that does not exist.

use std::process::Command;

use crate::support::process::{code, stderr};
use crate::support::site::{LINES, lines_config, lines_site};

#[test]
fn help_names_the_collector_its_source_section_and_state_file() {
    let out = Command::new(LINES.bin).arg("--help").output().expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(text.contains("LinesTestCollector"), "{text}");
    assert!(text.contains("source test-org.lines"), "{text}");
    assert!(
        text.contains("config section [LinesTestCollector]"),
        "{text}"
    );
    assert!(
        text.contains("state file LinesTestCollector.cbor"),
        "{text}"
    );
}

#[test]
fn version_prints_the_framework_version() {
    let out = Command::new(LINES.bin)
        .arg("--version")
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        text.contains(&format!("n6-collectors {}", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
}

#[test]
fn print_config_shows_the_state_dir_in_use_and_flags_as_they_are() {
    let site = lines_site(&["a"]);
    site.write_config(&lines_config(
        &site,
        "correct-horse-battery",
        "\n[rabbitmq]\nhost = 127.0.0.1\nport = 1\nheartbeat_interval = 30\nssl = false\n\
         password_auth = true\nusername = u\npassword = Amqp-Walrus-Fjord-9023\n",
    ));
    let out = site.run(&["--print-config"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["LinesTestCollector"]["state_dir"],
        site.state_dir().display().to_string(),
        "--state-dir wins over the configured state_dir"
    );
    assert_eq!(v["rabbitmq"]["password_auth"], true);
    assert_eq!(v["rabbitmq"]["ssl"], false);
    assert_eq!(v["rabbitmq"]["password"], "***");
    assert_eq!(v["LinesTestCollector"]["api_password"], "***");
}

#[test]
fn print_config_into_a_reader_that_stopped_reading_is_not_an_error() {
    use std::process::Stdio;
    // `--print-config | head -0`: the pipe's reading end is closed before the collector
    // writes, so its write fails with EPIPE.
    let site = lines_site(&["a"]);
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = site
        .command(&["--print-config"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn check_config_on_a_first_run_says_there_is_no_state_file_yet() {
    let site = lines_site(&["a"]);
    let out = site.run(&["--check-config"]);
    let err = stderr(&out);
    assert_eq!(code(&out), 0, "{err}");
    assert!(err.contains("no state file yet (first run)"), "{err}");
    assert!(!err.contains("are valid"), "{err}");
    let out = site.run(&["--output", &site.output_path().display().to_string()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = site.run(&["--check-config"]);
    assert!(
        stderr(&out).contains("configuration and state file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_config_dir_that_does_not_exist_is_a_configuration_error_naming_it() {
    let site = lines_site(&["a"]);
    let missing = site.path("no-such-conf");
    let out = Command::new(LINES.bin)
        .arg("--config-dir")
        .arg(&missing)
        .arg("--state-dir")
        .arg(site.state_dir())
        .env_remove("RUST_LOG")
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(code(&out), 78, "{err}");
    assert!(
        err.contains(&format!(
            "--config-dir {}: does not exist",
            missing.display()
        )),
        "{err}"
    );
    assert_eq!(site.state_bytes(), None);
}
