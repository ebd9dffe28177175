//! The `[rabbitmq]` truth table of n6's `n6lib.amqp_helpers.get_amqp_connection_params_dict`, plus the exact warning and error texts.

use super::*;

fn section() -> RabbitmqSection {
    RabbitmqSection {
        host: "rabbit.example".to_owned(),
        port: 5671,
        heartbeat_interval: 30,
        ssl: false,
        ssl_ca_certs: String::new(),
        ssl_certfile: String::new(),
        ssl_keyfile: String::new(),
        password_auth: false,
        username: String::new(),
        password: String::new(),
    }
}

fn run(s: &RabbitmqSection) -> (Result<AmqpSettings, SettingsError>, Vec<String>) {
    let mut warnings = Vec::new();
    let result = derive_settings(s, None, &AmqpOptions::default(), &mut |w| warnings.push(w));
    (result, warnings)
}

fn guest() -> Auth {
    Auth::Plain {
        username: "guest".into(),
        password: "guest".into(),
    }
}

const NO_TLS: &str = "ssl=False, so AMQP communication will *not* be TLS-secured, even though it always *should be* on any production system! (regardless of how authentication is performed)";

fn no_auth(password_auth: bool, ssl: bool, cert: &str, key: &str) -> String {
    format!(
        "password_auth={}, ssl={}, certfile={cert} and keyfile={key}, so *no* real AMQP authentication will be performed, even though it always *should be* on any production system! (Instead, a *guest* pseudo-authentication is to be attempted!)",
        if password_auth { "True" } else { "False" },
        if ssl { "True" } else { "False" },
    )
}

#[test]
fn no_tls_no_auth_is_guest_with_two_warnings() {
    let (result, warnings) = run(&section());
    let settings = result.expect("settings");
    assert_eq!(settings.tls, None);
    assert_eq!(settings.auth, guest());
    assert_eq!(settings.port, 5671);
    assert_eq!(settings.heartbeat, 30);
    assert_eq!(
        warnings,
        vec![NO_TLS.to_owned(), no_auth(false, false, "None", "None")]
    );
}

#[test]
fn no_tls_with_files_warns_that_they_are_ignored() {
    let mut s = section();
    s.ssl_ca_certs = "/ca.pem".into();
    s.ssl_certfile = "/c.pem".into();
    s.ssl_keyfile = "/k.pem".into();
    let (result, warnings) = run(&s);
    assert_eq!(result.expect("settings").auth, guest());
    assert_eq!(
        warnings,
        vec![
            "ssl=False, so these argument(s) will be ignored: ca_certs='/ca.pem', certfile='/c.pem', keyfile='/k.pem'.".to_owned(),
            NO_TLS.to_owned(),
            no_auth(false, false, "PosixPath('/c.pem')", "PosixPath('/k.pem')"),
        ]
    );
}

#[test]
fn tls_without_ca_is_an_error() {
    let mut s = section();
    s.ssl = true;
    let (result, _) = run(&s);
    let err = result.expect_err("error");
    assert_eq!(
        err.to_string(),
        "in section rabbitmq: ssl=True but ca_certs=None"
    );
}

#[test]
fn tls_with_ca_under_home_expands_it_and_uses_guest() {
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "~/ca.pem".into();
    let (result, warnings) = run(&s);
    let settings = result.expect("settings");
    let home = std::env::var("HOME").expect("HOME");
    let tls = settings.tls.expect("tls");
    assert_eq!(tls.ca_file, PathBuf::from(home).join("ca.pem"));
    assert_eq!(tls.client_cert, None);
    assert!(tls.verify_hostname);
    assert_eq!(settings.auth, guest());
    assert_eq!(warnings, vec![no_auth(false, true, "None", "None")]);
}

#[test]
fn cert_without_key_is_an_error_and_vice_versa() {
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "/ca.pem".into();
    s.ssl_certfile = "/c.pem".into();
    let (result, _) = run(&s);
    assert_eq!(
        result.expect_err("error").to_string(),
        "in section rabbitmq: certfile=PosixPath('/c.pem') but keyfile=None"
    );
    s.ssl_certfile = String::new();
    s.ssl_keyfile = "/k.pem".into();
    let (result, _) = run(&s);
    assert_eq!(
        result.expect_err("error").to_string(),
        "in section rabbitmq: certfile=None but keyfile=PosixPath('/k.pem')"
    );
}

#[test]
fn tls_with_cert_and_key_is_external_without_warnings() {
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "/ca.pem".into();
    s.ssl_certfile = "/c.pem".into();
    s.ssl_keyfile = "/k.pem".into();
    let (result, warnings) = run(&s);
    let settings = result.expect("settings");
    assert_eq!(settings.auth, Auth::External);
    assert_eq!(
        settings.tls.expect("tls").client_cert,
        Some(ClientCert {
            cert_file: "/c.pem".into(),
            key_file: "/k.pem".into()
        })
    );
    assert_eq!(warnings, Vec::<String>::new());
}

#[test]
fn password_auth_wins_over_client_cert_with_a_warning() {
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "/ca.pem".into();
    s.ssl_certfile = "/c.pem".into();
    s.ssl_keyfile = "/k.pem".into();
    s.password_auth = true;
    s.username = "u".into();
    s.password = "0123456789abcdef".into();
    let (result, warnings) = run(&s);
    let settings = result.expect("settings");
    assert_eq!(
        settings.auth,
        Auth::Plain {
            username: "u".into(),
            password: "0123456789abcdef".into()
        }
    );
    assert_eq!(settings.tls.expect("tls").client_cert, None);
    assert_eq!(
        warnings,
        vec!["password_auth=True, so the specified client certificate (certfile=PosixPath('/c.pem') and keyfile=PosixPath('/k.pem')) will be ignored, i.e., it will *not* be used for AMQP authentication.".to_owned()]
    );
}

#[test]
fn short_or_missing_password_is_an_error() {
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "/ca.pem".into();
    s.password_auth = true;
    s.username = "u".into();
    for password in ["short", "", "ąęćżźńół0123456"] {
        s.password = password.into();
        let (result, _) = run(&s);
        assert_eq!(
            result.expect_err("error").to_string(),
            "in section rabbitmq: password is missing or too short (it is required to consist of at least 16 characters)",
            "{password:?}"
        );
    }
    // 16 characters (not bytes) are enough.
    s.password = "ąęćżźńół01234567".into();
    assert!(run(&s).0.is_ok());
}

#[test]
fn empty_or_guest_user_with_password_auth_is_guest() {
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "/ca.pem".into();
    s.password_auth = true;
    let (result, warnings) = run(&s);
    assert_eq!(result.expect("settings").auth, guest());
    let guest_warning = |user: &str| {
        format!(
            "password_auth=True but username={user}, so a *guest* pseudo-authentication is to be attempted! This means that *no* real AMQP authentication will be performed, even though it always *should be* on any production system! (Note: the password, if any is given, is to be ignored now; instead of it, the 'guest' password is to be used!)"
        )
    };
    assert_eq!(warnings, vec![guest_warning("None")]);

    s.username = "guest".into();
    s.password = "whatever".into();
    let (result, warnings) = run(&s);
    assert_eq!(result.expect("settings").auth, guest());
    assert_eq!(warnings, vec![guest_warning("'guest'")]);
}

#[test]
fn user_and_password_without_password_auth_are_ignored_and_hidden() {
    let mut s = section();
    s.username = "u".into();
    s.password = "p".into();
    let (result, warnings) = run(&s);
    assert_eq!(result.expect("settings").auth, guest());
    assert_eq!(
        warnings,
        vec![
            "password_auth=False, so these argument(s) will be ignored: username='u', password=<...hidden...>.".to_owned(),
            NO_TLS.to_owned(),
            no_auth(false, false, "None", "None"),
        ]
    );
}

#[test]
fn plain_user_without_tls_warns_once() {
    let mut s = section();
    s.password_auth = true;
    s.username = "user".into();
    s.password = "a-password-of-16".into();
    let (result, warnings) = run(&s);
    assert_eq!(
        result.expect("settings").auth,
        Auth::Plain {
            username: "user".into(),
            password: "a-password-of-16".into()
        }
    );
    assert_eq!(warnings, vec![NO_TLS.to_owned()]);
}

#[test]
fn collector_heartbeat_overrides_and_options_apply() {
    let mut warnings = Vec::new();
    let options = AmqpOptions {
        tls_verify_hostname: false,
        ..AmqpOptions::default()
    };
    let mut s = section();
    s.ssl = true;
    s.ssl_ca_certs = "/ca.pem".into();
    let settings =
        derive_settings(&s, Some(60), &options, &mut |w| warnings.push(w)).expect("settings");
    assert_eq!(settings.heartbeat, 60);
    assert!(!settings.tls.expect("tls").verify_hostname);
}

#[test]
fn out_of_range_port_and_heartbeat_are_rejected() {
    let mut s = section();
    s.port = 70000;
    assert_eq!(
        run(&s).0.expect_err("error").to_string(),
        "in section rabbitmq: port=70000 (must be 1..65535)"
    );
    let mut s = section();
    s.heartbeat_interval = -1;
    assert_eq!(
        run(&s).0.expect_err("error").to_string(),
        "in section rabbitmq: heartbeat_interval=-1 (must be 0..65535)"
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let mut s = section();
    s.password_auth = true;
    s.username = "user".into();
    s.password = "very-secret-password-123".into();
    assert!(!format!("{s:?}").contains("very-secret"));
    let (result, warnings) = run(&s);
    let settings = result.expect("settings");
    assert!(!format!("{settings:?}").contains("very-secret"));
    assert!(format!("{settings:?}").contains("<...hidden...>"));
    assert!(!warnings.concat().contains("very-secret"));
}

#[test]
fn sections_are_read_from_converted_values() {
    let values = [
        ("host".to_owned(), Value::Str("h".into())),
        ("port".to_owned(), Value::Int(5672)),
        ("heartbeat_interval".to_owned(), Value::Int(30)),
        ("ssl".to_owned(), Value::Bool(true)),
        ("ssl_ca_certs".to_owned(), Value::Str("/ca.pem".into())),
        (
            "heartbeat_interval_parsers".to_owned(),
            Value::Str("600".into()),
        ),
    ];
    let s =
        RabbitmqSection::from_values(values.iter().map(|(k, v)| (k.as_str(), v))).expect("section");
    assert_eq!(s.host, "h");
    assert!(s.ssl);
    assert!(!s.password_auth);
    assert_eq!(s.ssl_ca_certs, "/ca.pem");

    let err = RabbitmqSection::from_values(values[..1].iter().map(|(k, v)| (k.as_str(), v)))
        .expect_err("missing");
    assert_eq!(
        err.to_string(),
        "missing required config options: rabbitmq.port, rabbitmq.heartbeat_interval, rabbitmq.ssl"
    );

    let extra = [
        ("tls_verify_hostname".to_owned(), Value::Bool(false)),
        ("confirm_timeout".to_owned(), Value::Int(5)),
    ];
    let options =
        AmqpOptions::from_values(extra.iter().map(|(k, v)| (k.as_str(), v))).expect("options");
    assert!(!options.tls_verify_hostname);
    assert_eq!(options.confirm_timeout, Duration::from_secs(5));
    assert_eq!(options.connect_timeout, Duration::from_secs(10));
    let bad = [("max_unconfirmed".to_owned(), Value::Int(0))];
    assert_eq!(
        AmqpOptions::from_values(bad.iter().map(|(k, v)| (k.as_str(), v)))
            .expect_err("bad")
            .to_string(),
        "in section n6_collectors_amqp: max_unconfirmed=0 (must be at least 1)"
    );
}
