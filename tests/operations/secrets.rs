//! Secrets outside the INI: `<option>_file = PATH` and `<option> = ${ENV_VAR}`, end to end
//! through a real broker login (`[rabbitmq] password`), so a wrong or missing secret
//! cannot pass unnoticed.

use std::process::Output;

use crate::support::amqp::{Broker, Consumer, broker};
use crate::support::site::{LINES, Site, lines_section, rabbitmq_section_with};

/// A site of `lines-test-collector` with a two-line input, publishing to the broker on
/// exchange `raw_{tag}{pid}`.
fn site(tag: &str) -> Site {
    Site::new(LINES)
        .with_input(&["first", "second"])
        .suffix(tag)
        .publishing_to_broker()
}

/// Writes `[rabbitmq]` with `password_lines` in place of the password line, and the
/// collector's section.
fn configure(site: &Site, broker: &Broker, password_lines: &str) {
    site.write_config(&format!(
        "{}{}",
        rabbitmq_section_with(broker, password_lines),
        lines_section(site, "")
    ));
}

/// Runs the collector with `extra` and the environment variables `env`.
fn run(site: &Site, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = site.command(extra);
    command.envs(env.iter().copied());
    command.output().expect("run lines-test-collector")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_broker_password_from_a_file_logs_in_and_publishes() {
    let Some(broker) = broker() else { return };
    let site = site("secretfile");
    let secret_file = site.path("rabbitmq-password");
    std::fs::write(&secret_file, format!("{}\n", broker.password)).expect("write secret");
    configure(
        &site,
        &broker,
        &format!("password_file = {}", secret_file.display()),
    );
    let consumer = Consumer::bind(&broker, &site.exchange(), "#", false);

    let out = run(&site, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(consumer.drain().len(), 2, "both lines reached the broker");

    let shown = run(&site, &["--print-config"], &[]);
    let printed: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("JSON");
    assert_eq!(printed["rabbitmq"]["password"], "***");
    assert!(printed["rabbitmq"].get("password_file").is_none());
    for out in [&out, &shown] {
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(out));
        assert!(
            !all.contains(&broker.password),
            "the secret is never shown: {all}"
        );
    }
    consumer.delete();
}

#[test]
fn a_wrong_password_file_is_refused_by_the_broker() {
    let Some(broker) = broker() else { return };
    let site = site("secretwrong");
    let secret_file = site.path("rabbitmq-password");
    std::fs::write(&secret_file, "not-the-password-at-all\n").expect("write secret");
    configure(
        &site,
        &broker,
        &format!("password_file = {}", secret_file.display()),
    );
    let out = run(&site, &[], &[]);
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
}

#[test]
fn a_broker_password_from_the_environment_logs_in() {
    let Some(broker) = broker() else { return };
    let site = site("secretenv");
    configure(&site, &broker, "password = ${N6_TEST_SECRET_FROM_ENV}");
    let consumer = Consumer::bind(&broker, &site.exchange(), "#", false);
    let out = run(
        &site,
        &[],
        &[("N6_TEST_SECRET_FROM_ENV", broker.password.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(consumer.drain().len(), 2);
    consumer.delete();

    let unset = run(&site, &[], &[]);
    assert_eq!(unset.status.code(), Some(78), "{}", stderr(&unset));
    let line = stderr(&unset);
    assert!(
        line.contains("60_lines.conf:")
            && line
                .contains("[rabbitmq] password: the environment variable N6_TEST_SECRET_FROM_ENV"),
        "{line}"
    );
}

#[test]
fn an_unreadable_secret_file_is_a_configuration_error_naming_it() {
    let Some(broker) = broker() else { return };
    let site = site("secretmissing");
    let missing = site.path("no-such-secret");
    configure(
        &site,
        &broker,
        &format!("password_file = {}", missing.display()),
    );
    let out = run(&site, &[], &[]);
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let line = stderr(&out);
    assert!(
        line.contains("[rabbitmq] password_file: cannot read")
            && line.contains(&missing.display().to_string()),
        "{line}"
    );
    assert!(!site.state_dir().exists(), "nothing was created");
}
