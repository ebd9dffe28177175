//! Passwords never leave the process: not in logs (even at `-vvv`, on success and on
//! every kind of failure), not in `--print-config` (shown as `"***"`), not in the state
//! file or the published messages, and not in the `Debug` output of the configuration
//! types. Driven through the test collector (`tests/bin/lines_collector.rs`), whose
//! `api_password` option is a secret, and through `[rabbitmq] password`.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use crate::support::process::{code, text};
use crate::support::site::{LINES, Site, lines_config};
use n6_collectors::config::Value;
use n6_collectors::sink::amqp::{AmqpOptions, Auth, RabbitmqSection, derive_settings};

/// The collector's secret (distinctive, so a leak cannot be a coincidence).
const API_PASSWORD: &str = "Api-Zebra-Quokka-4417";
/// The broker password (n6 wants at least 16 characters).
const BROKER_PASSWORD: &str = "Amqp-Walrus-Fjord-9023";

/// A deployment whose `[LinesTestCollector]` section (with [`API_PASSWORD`]) is
/// followed by `extra`.
fn site(extra: &str) -> Site {
    let site = Site::new(LINES);
    site.set_input(&["a", "b"]);
    site.write_config(&lines_config(&site, API_PASSWORD, extra));
    site
}

/// Every file the runs wrote (state, lock, output), concatenated.
fn written_files(site: &Site) -> Vec<u8> {
    let mut all = Vec::new();
    for dir in [site.path("state"), site.root().to_owned()] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("entry").path();
            let is_config_or_input = path.ends_with("input.txt");
            if path.is_file() && !is_config_or_input {
                all.extend(fs::read(&path).expect("read"));
            }
        }
    }
    all
}

/// A secret as it may be shown: as text, and as a `Debug`-printed byte list
/// (`[65, 109, ...]`, how an AMQP frame dump shows the PLAIN response).
fn renderings(secret: &str) -> [String; 2] {
    let bytes: Vec<String> = secret.bytes().map(|b| b.to_string()).collect();
    [secret.to_owned(), bytes.join(", ")]
}

/// Asserts that no secret appears in the run's output nor in anything it wrote.
fn assert_no_secret(site: &Site, out: &Output, what: &str) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let shown = text(bytes);
        for secret in [API_PASSWORD, BROKER_PASSWORD] {
            for form in renderings(secret) {
                assert!(
                    !shown.contains(&form),
                    "{what}: the password appears on {stream} as {form:?}:\n{shown}"
                );
            }
        }
    }
    let written = text(&written_files(site));
    for secret in [API_PASSWORD, BROKER_PASSWORD] {
        assert!(
            !written.contains(secret),
            "{what}: the password was written to a file"
        );
    }
}

/// A local TCP port with nothing listening on it.
fn unused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

fn rabbitmq_section(port: u16, password_auth: bool) -> String {
    format!(
        "\n[rabbitmq]\nhost = 127.0.0.1\nport = {port}\nheartbeat_interval = 30\nssl = false\n\
         password_auth = {password_auth}\nusername = collector\npassword = {BROKER_PASSWORD}\n\
         \n[n6_collectors_amqp]\nconnect_timeout = 2\n"
    )
}

#[test]
fn api_password_is_not_logged_at_trace_level() {
    let site = site("");
    let out = site.run(&["-vvv", "--output", "-"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    // -vvv really is verbose: the run logs at DEBUG/TRACE.
    assert!(
        text(&out.stderr).contains("DEBUG") || text(&out.stderr).contains("TRACE"),
        "no debug output at -vvv: {}",
        text(&out.stderr)
    );
    assert_no_secret(&site, &out, "successful run");
    let again = site.run(&["-vvv", "--output", "-"]);
    assert_eq!(code(&again), 0);
    assert_no_secret(&site, &again, "second run (state loaded)");
}

#[test]
fn api_password_is_not_logged_on_failures() {
    let site = site("");
    let failing = [
        (
            "source failure",
            vec!["LinesTestCollector.fail_after=0"],
            69,
        ),
        ("panic", vec!["LinesTestCollector.panic_after=0"], 70),
        ("bad value", vec!["LinesTestCollector.sleep_ms=soon"], 78),
    ];
    for (what, overrides, expected) in failing {
        let mut args = vec!["-vvv", "--output", "-", "--n6config-override"];
        args.extend(overrides);
        let out = site.run(&args);
        assert_eq!(code(&out), expected, "{what}: {}", text(&out.stderr));
        assert_no_secret(&site, &out, what);
    }
}

#[test]
fn config_errors_do_not_quote_declared_secrets() {
    // A bad value elsewhere makes the run print every option problem it found.
    let site = site("fail_after = soon\n");
    let out = site.run(&["-vvv"]);
    assert_eq!(code(&out), 78, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("fail_after"),
        "{}",
        text(&out.stderr)
    );
    assert_no_secret(&site, &out, "configuration error");
}

/// The operator line of an *illegal* option names it without its value (which may be a
/// secret), as n6's own message names only `SECTION.OPTION`.
#[test]
fn config_errors_do_not_quote_undeclared_secrets() {
    let site = site(&format!("db_password = {BROKER_PASSWORD}\n"));
    let out = site.run(&["-vvv"]);
    assert_eq!(code(&out), 78, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("db_password"),
        "{}",
        text(&out.stderr)
    );
    assert_no_secret(&site, &out, "illegal secret option");
}

#[test]
fn print_config_and_check_config_hide_every_password() {
    let site = site(&rabbitmq_section(unused_port(), true));
    let out = site.run(&["-vvv", "--print-config"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["LinesTestCollector"]["api_password"], "***");
    assert_eq!(v["rabbitmq"]["password"], "***");
    assert_eq!(v["rabbitmq"]["username"], "collector");
    assert_no_secret(&site, &out, "--print-config");

    let out = site.run(&["-vvv", "--check-config"]);
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_no_secret(&site, &out, "--check-config");
}

#[test]
fn broker_password_is_not_logged_when_the_broker_is_unreachable() {
    let site = site(&rabbitmq_section(unused_port(), true));
    let out = site.run(&["-vvv"]);
    assert_eq!(code(&out), 69, "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("127.0.0.1"),
        "the broker is not named: {}",
        text(&out.stderr)
    );
    assert_no_secret(&site, &out, "unreachable broker");
    assert!(
        !site
            .path("state")
            .join(crate::support::site::LINES.state_file)
            .exists()
    );
}

/// A fake broker on 127.0.0.1: accepts one connection, answers the protocol header with
/// `Connection.Start` (PLAIN), reads the client's `Connection.StartOk` — which carries
/// the password — and hangs up. Returns the port and a handle yielding the bytes read.
fn fake_broker() -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        conn.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut header = [0u8; 8];
        conn.read_exact(&mut header).expect("protocol header");
        assert_eq!(&header, b"AMQP\x00\x00\x09\x01");
        // Connection.Start: class 10, method 10, version 0-9, no server properties,
        // mechanisms "PLAIN", locales "en_US".
        let mut payload = vec![0, 10, 0, 10, 0, 9, 0, 0, 0, 0];
        for text in [&b"PLAIN"[..], b"en_US"] {
            payload.extend((text.len() as u32).to_be_bytes());
            payload.extend(text);
        }
        let mut frame = vec![1, 0, 0];
        frame.extend((payload.len() as u32).to_be_bytes());
        frame.extend(payload);
        frame.push(0xce);
        conn.write_all(&frame).expect("Connection.Start");
        // Read the StartOk frame (header, payload, frame end), then hang up.
        let mut head = [0u8; 7];
        conn.read_exact(&mut head).expect("StartOk header");
        let size = u32::from_be_bytes([head[3], head[4], head[5], head[6]]) as usize;
        let mut body = vec![0u8; size + 1];
        conn.read_exact(&mut body).expect("StartOk payload");
        body
    });
    (port, handle)
}

#[test]
fn broker_password_is_not_logged_during_the_amqp_handshake() {
    // At -vvv the AMQP client's own TRACE logs are on; the password travels in the
    // StartOk frame, which must not be logged.
    let (port, broker) = fake_broker();
    let site = site(&rabbitmq_section(port, true));
    let out = site.run(&["-vvv"]);
    let received = broker.join().expect("fake broker");
    assert!(
        received
            .windows(BROKER_PASSWORD.len())
            .any(|w| w == BROKER_PASSWORD.as_bytes()),
        "the client did not send its credentials: the test proves nothing"
    );
    assert_eq!(code(&out), 69, "{}", text(&out.stderr));
    assert_no_secret(&site, &out, "AMQP handshake");
}

#[test]
fn ignored_broker_password_is_hidden_in_the_warning() {
    // password_auth = false: n6 warns that the password is ignored, without showing it.
    let site = site(&rabbitmq_section(unused_port(), false));
    let out = site.run(&["-vvv", "--check-config"]);
    let err = text(&out.stderr);
    assert!(err.contains("password=<...hidden...>"), "{err}");
    assert_no_secret(&site, &out, "ignored password warning");
}

#[test]
fn debug_of_the_broker_settings_hides_the_password() {
    let password = Value::Str(BROKER_PASSWORD.to_owned());
    let values = [
        ("host", Value::Str("127.0.0.1".to_owned())),
        ("port", Value::Int(5672)),
        ("heartbeat_interval", Value::Int(30)),
        ("ssl", Value::Bool(false)),
        ("password_auth", Value::Bool(true)),
        ("username", Value::Str("collector".to_owned())),
        ("password", password),
    ];
    let section =
        RabbitmqSection::from_values(values.iter().map(|(k, v)| (*k, v))).expect("section");
    assert_eq!(section.password, BROKER_PASSWORD, "the value is kept");
    let shown = format!("{section:?} {section:#?}");
    assert!(!shown.contains(BROKER_PASSWORD), "{shown}");
    assert!(shown.contains("<...hidden...>"), "{shown}");

    let mut warnings = Vec::new();
    let settings = derive_settings(&section, None, &AmqpOptions::default(), &mut |w| {
        warnings.push(w)
    })
    .expect("settings");
    let shown = format!(
        "{settings:?} {settings:#?} {} {warnings:?}",
        settings.describe()
    );
    assert!(!shown.contains(BROKER_PASSWORD), "{shown}");
    assert!(
        matches!(&settings.auth, Auth::Plain { password, .. } if password == BROKER_PASSWORD),
        "PLAIN auth with the configured password"
    );

    let auth = Auth::Plain {
        username: "u".to_owned(),
        password: BROKER_PASSWORD.to_owned(),
    };
    assert!(!format!("{auth:?}").contains(BROKER_PASSWORD));
}

/// A collector with a secret option, to look at its generated config struct.
mod derived {
    use n6_collectors::StatefulCollector;
    use n6_collectors::prelude::*;

    #[derive(StatefulCollector)]
    #[collector(source = "test-org.secrets", raw_type = "stream")]
    #[config_spec(
        r#"
        api_password :: str
        api_token = :: str
        url = https://example.org :: str
    "#
    )]
    #[allow(dead_code)] // only its generated config struct is used
    pub struct SecretsCollector {
        pub config: SecretsCollectorConfig,
        #[state(default = 0)]
        pub state: u64,
    }

    impl Collect for SecretsCollector {
        fn collect(&mut self, _out: &mut Output<'_, u64>) -> Result<()> {
            Ok(())
        }
    }
}

/// `{:?}` of a generated config struct shows `***` for secret-named options.
#[test]
fn debug_of_a_generated_config_struct_hides_secret_options() {
    let config = derived::SecretsCollectorConfig {
        api_password: API_PASSWORD.to_owned(),
        api_token: BROKER_PASSWORD.to_owned(),
        url: "https://example.org".to_owned(),
        state_dir: PathBuf::from("/var/lib/n6"),
    };
    let shown = format!("{config:?} {config:#?}");
    assert!(shown.contains("https://example.org"), "{shown}");
    assert!(
        !shown.contains(API_PASSWORD),
        "api_password in Debug: {shown}"
    );
    assert!(
        !shown.contains(BROKER_PASSWORD),
        "api_token in Debug: {shown}"
    );
}
