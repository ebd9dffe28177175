//! Secrets outside the INI: `<option>_file = PATH` and `<option> = ${ENV_VAR}`, end to end
//! through a real broker login (`[rabbitmq] password`), so a wrong or missing secret
//! cannot pass unnoticed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::amqp_support::{Broker, Consumer, broker};

/// A scratch site for `lines-test-collector`: config dir, state dir, a two-line input.
struct Site {
    dir: PathBuf,
}

impl Site {
    fn new(test: &str) -> Site {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("operations-secrets-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("conf")).expect("mkdir conf");
        std::fs::write(dir.join("input.txt"), "first\nsecond\n").expect("write input");
        Site { dir }
    }

    /// Writes `[rabbitmq]` with `password_lines` in place of the password line.
    fn configure(&self, broker: &Broker, password_lines: &str) {
        let text = format!(
            "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
             password_auth = true\nusername = {}\n{password_lines}\n\n\
             [LinesTestCollector]\ninput = {}\nstate_dir = {}\n",
            broker.host,
            broker.amqp_port,
            broker.user,
            self.dir.join("input.txt").display(),
            self.dir.join("state").display(),
        );
        std::fs::write(self.dir.join("conf/60_lines.conf"), text).expect("write config");
    }

    fn run(&self, suffix: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_lines-test-collector"));
        command
            .arg("--config-dir")
            .arg(self.dir.join("conf"))
            .args(["--output", "amqp", "--n6output-suffix", suffix])
            .args(extra);
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().expect("run lines-test-collector")
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_broker_password_from_a_file_logs_in_and_publishes() {
    let Some(broker) = broker() else { return };
    let site = Site::new("file");
    let secret_file = site.dir.join("rabbitmq-password");
    std::fs::write(&secret_file, format!("{}\n", broker.password)).expect("write secret");
    site.configure(
        &broker,
        &format!("password_file = {}", secret_file.display()),
    );
    let suffix = format!("_secretfile{}", std::process::id());
    let consumer = Consumer::bind(&broker, &format!("raw{suffix}"), "#", false);

    let out = site.run(&suffix, &[], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(consumer.drain().len(), 2, "both lines reached the broker");

    let shown = site.run(&suffix, &["--print-config"], &[]);
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
    let site = Site::new("wrong");
    let secret_file = site.dir.join("rabbitmq-password");
    std::fs::write(&secret_file, "not-the-password-at-all\n").expect("write secret");
    site.configure(
        &broker,
        &format!("password_file = {}", secret_file.display()),
    );
    let out = site.run(&format!("_secretwrong{}", std::process::id()), &[], &[]);
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
}

#[test]
fn a_broker_password_from_the_environment_logs_in() {
    let Some(broker) = broker() else { return };
    let site = Site::new("env");
    site.configure(&broker, "password = ${N6_TEST_SECRET_FROM_ENV}");
    let suffix = format!("_secretenv{}", std::process::id());
    let consumer = Consumer::bind(&broker, &format!("raw{suffix}"), "#", false);
    let out = site.run(
        &suffix,
        &[],
        &[("N6_TEST_SECRET_FROM_ENV", broker.password.as_str())],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(consumer.drain().len(), 2);
    consumer.delete();

    let unset = site.run(&suffix, &[], &[]);
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
    let site = Site::new("missing");
    let missing = site.dir.join("no-such-secret");
    site.configure(&broker, &format!("password_file = {}", missing.display()));
    let out = site.run("_secretmissing", &[], &[]);
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let line = stderr(&out);
    assert!(
        line.contains("[rabbitmq] password_file: cannot read")
            && line.contains(&missing.display().to_string()),
        "{line}"
    );
    assert!(!site.dir.join("state").exists(), "nothing was created");
}
