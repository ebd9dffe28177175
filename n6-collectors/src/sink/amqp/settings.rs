//! Broker settings: the `[rabbitmq]` section exactly as n6 reads it (`n6lib.amqp_helpers.get_amqp_connection_params_dict`),
//! plus the Rust-only `[n6_collectors_amqp]` section, turned into [`AmqpSettings`].
//!
//! [`derive_settings`] is a pure function that follows n6's algorithm step by step
//! (`n6lib.amqp_helpers.get_amqp_connection_params_dict_from_args`): the same errors,
//! the same warnings in the same order and words (the password is never shown).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::Value;

use super::pyrepr::{ascii_opt_path, ascii_str};

/// The spec of the `[rabbitmq]` section, in the n6 config-spec language, as every n6
/// component reads it (free options allowed, e.g. `heartbeat_interval_parsers`).
pub const RABBITMQ_CONFIG_SPEC: &str = "\
[rabbitmq]
host :: str
port :: int
heartbeat_interval :: int
ssl :: bool
ssl_ca_certs = :: str
ssl_certfile = :: str
ssl_keyfile = :: str
password_auth = false :: bool
username = :: str
password = :: str
...
";

/// The name of the Rust-only section with the AMQP output's own settings. n6's Python
/// components never read it, so options can be added here without breaking them.
pub const AMQP_OPTIONS_SECTION: &str = "n6_collectors_amqp";

/// The spec of `[n6_collectors_amqp]`: every option has a default, so the section is
/// optional. Timeouts are in seconds.
pub const AMQP_OPTIONS_CONFIG_SPEC: &str = "\
[n6_collectors_amqp]
tls_verify_hostname = yes :: bool
connect_timeout = 10 :: int
confirm_timeout = 60 :: int
max_unconfirmed = 2000 :: int
";

/// The converted values of `[rabbitmq]`. Empty strings mean "not
/// given", as in n6.
#[derive(Clone, PartialEq, Eq)]
pub struct RabbitmqSection {
    /// Broker host name or IP address.
    pub host: String,
    /// Broker port.
    pub port: i64,
    /// Requested heartbeat, seconds.
    pub heartbeat_interval: i64,
    /// Use TLS.
    pub ssl: bool,
    /// CA bundle (PEM); `~` is expanded.
    pub ssl_ca_certs: String,
    /// Client certificate (PEM) for SASL EXTERNAL; `~` is expanded.
    pub ssl_certfile: String,
    /// Client private key (PEM) for SASL EXTERNAL; `~` is expanded.
    pub ssl_keyfile: String,
    /// Authenticate with PLAIN username/password.
    pub password_auth: bool,
    /// PLAIN user name.
    pub username: String,
    /// PLAIN password (at least 16 characters unless the user is `guest`).
    pub password: String,
}

impl fmt::Debug for RabbitmqSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitmqSection")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("heartbeat_interval", &self.heartbeat_interval)
            .field("ssl", &self.ssl)
            .field("ssl_ca_certs", &self.ssl_ca_certs)
            .field("ssl_certfile", &self.ssl_certfile)
            .field("ssl_keyfile", &self.ssl_keyfile)
            .field("password_auth", &self.password_auth)
            .field("username", &self.username)
            .field("password", &redacted(&self.password))
            .finish()
    }
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() {
        ""
    } else {
        "<...hidden...>"
    }
}

impl RabbitmqSection {
    /// Builds the section from converted values (`option name → value`), as produced by
    /// validating the raw section against [`RABBITMQ_CONFIG_SPEC`]. Optional options
    /// that are absent take n6's defaults; free options are ignored.
    pub fn from_values<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<Self, SettingsError> {
        let mut section = RabbitmqSection {
            host: String::new(),
            port: 0,
            heartbeat_interval: 0,
            ssl: false,
            ssl_ca_certs: String::new(),
            ssl_certfile: String::new(),
            ssl_keyfile: String::new(),
            password_auth: false,
            username: String::new(),
            password: String::new(),
        };
        let mut seen = Vec::new();
        for (name, value) in values {
            let section_name = "rabbitmq";
            match name {
                "host" => section.host = expect_str(section_name, name, value)?,
                "port" => section.port = expect_int(section_name, name, value)?,
                "heartbeat_interval" => {
                    section.heartbeat_interval = expect_int(section_name, name, value)?
                }
                "ssl" => section.ssl = expect_bool(section_name, name, value)?,
                "ssl_ca_certs" => section.ssl_ca_certs = expect_str(section_name, name, value)?,
                "ssl_certfile" => section.ssl_certfile = expect_str(section_name, name, value)?,
                "ssl_keyfile" => section.ssl_keyfile = expect_str(section_name, name, value)?,
                "password_auth" => section.password_auth = expect_bool(section_name, name, value)?,
                "username" => section.username = expect_str(section_name, name, value)?,
                "password" => section.password = expect_str(section_name, name, value)?,
                _ => continue,
            }
            seen.push(name);
        }
        let missing: Vec<String> = ["host", "port", "heartbeat_interval", "ssl"]
            .into_iter()
            .filter(|name| !seen.contains(name))
            .map(|name| format!("rabbitmq.{name}"))
            .collect();
        if !missing.is_empty() {
            return Err(SettingsError::MissingOptions(missing.join(", ")));
        }
        Ok(section)
    }
}

/// The values of `[n6_collectors_amqp]` (see [`AMQP_OPTIONS_CONFIG_SPEC`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmqpOptions {
    /// Verify that the broker's certificate is issued for `host` (n6 does not). Default on.
    pub tls_verify_hostname: bool,
    /// Limit for TCP connect + TLS + AMQP handshake (n6: 3 s socket timeout, too short
    /// for TLS on a loaded host). Default 10 s.
    pub connect_timeout: Duration,
    /// How long [`crate::sink::Sink::confirm`] waits for the broker. Default 60 s.
    pub confirm_timeout: Duration,
    /// At most this many messages are published but not yet confirmed. Default 2000.
    pub max_unconfirmed: usize,
}

impl Default for AmqpOptions {
    fn default() -> Self {
        AmqpOptions {
            tls_verify_hostname: true,
            connect_timeout: Duration::from_secs(10),
            confirm_timeout: Duration::from_secs(60),
            max_unconfirmed: 2000,
        }
    }
}

impl AmqpOptions {
    /// Builds the options from converted values of `[n6_collectors_amqp]`; absent
    /// options keep their defaults.
    pub fn from_values<'a>(
        values: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<Self, SettingsError> {
        let section = AMQP_OPTIONS_SECTION;
        let mut options = AmqpOptions::default();
        for (name, value) in values {
            match name {
                "tls_verify_hostname" => {
                    options.tls_verify_hostname = expect_bool(section, name, value)?
                }
                "connect_timeout" => {
                    options.connect_timeout = positive_seconds(section, name, value)?
                }
                "confirm_timeout" => {
                    options.confirm_timeout = positive_seconds(section, name, value)?
                }
                "max_unconfirmed" => {
                    let n = expect_int(section, name, value)?;
                    options.max_unconfirmed = usize::try_from(n)
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| SettingsError::OutOfRange {
                            section,
                            option: name.to_owned(),
                            message: format!("{n} (must be at least 1)"),
                        })?;
                }
                _ => {}
            }
        }
        Ok(options)
    }
}

/// The longest timeout used (ten years); larger settings are capped to it.
pub const MAX_TIMEOUT_SECS: u64 = 10 * 365 * 24 * 3600;

fn positive_seconds(
    section: &'static str,
    name: &str,
    value: &Value,
) -> Result<Duration, SettingsError> {
    let n = expect_int(section, name, value)?;
    u64::try_from(n)
        .ok()
        .filter(|n| *n >= 1)
        // Capped, so that `now + timeout` cannot overflow: longer is "for ever" anyway.
        .map(|n| Duration::from_secs(n.min(MAX_TIMEOUT_SECS)))
        .ok_or_else(|| SettingsError::OutOfRange {
            section,
            option: name.to_owned(),
            message: format!("{n} (must be at least 1 second)"),
        })
}

fn wrong_type(
    section: &'static str,
    name: &str,
    expected: &'static str,
    value: &Value,
) -> SettingsError {
    SettingsError::WrongType {
        section,
        option: name.to_owned(),
        expected,
        found: format!("{value:?}"),
    }
}

fn expect_str(section: &'static str, name: &str, value: &Value) -> Result<String, SettingsError> {
    match value {
        Value::Str(s) => Ok(s.clone()),
        Value::Path(p) => Ok(p.to_string_lossy().into_owned()),
        // Never echo a password of the wrong type back.
        _ if name == "password" => Err(SettingsError::WrongType {
            section,
            option: name.to_owned(),
            expected: "str",
            found: "<...hidden...>".to_owned(),
        }),
        other => Err(wrong_type(section, name, "str", other)),
    }
}

fn expect_int(section: &'static str, name: &str, value: &Value) -> Result<i64, SettingsError> {
    match value {
        Value::Int(n) => Ok(*n),
        other => Err(wrong_type(section, name, "int", other)),
    }
}

fn expect_bool(section: &'static str, name: &str, value: &Value) -> Result<bool, SettingsError> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(wrong_type(section, name, "bool", other)),
    }
}

/// How the client authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// SASL PLAIN (`\0user\0password`); `guest`/`guest` in n6's fallbacks.
    Plain {
        /// User name.
        username: String,
        /// Password (never printed).
        password: String,
    },
    /// SASL EXTERNAL: the broker takes the identity from the client certificate.
    External,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Plain { username, password } => f
                .debug_struct("Plain")
                .field("username", username)
                .field("password", &redacted(password))
                .finish(),
            Auth::External => f.write_str("External"),
        }
    }
}

/// TLS settings (only when `ssl = true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// The CA bundle that the broker's certificate must chain to (the only trust anchors,
    /// as in n6; the system store is not used). `~` already expanded.
    pub ca_file: PathBuf,
    /// Client certificate and key, presented for SASL EXTERNAL. `~` already expanded.
    pub client_cert: Option<ClientCert>,
    /// Check the broker's certificate against `host` (n6 does not).
    pub verify_hostname: bool,
}

/// A client certificate and its private key (PEM files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCert {
    /// The certificate (chain), PEM.
    pub cert_file: PathBuf,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1).
    pub key_file: PathBuf,
}

/// Everything needed to connect and publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmqpSettings {
    /// Broker host name or IP address.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// Requested heartbeat in seconds (see [`derive_settings`] for negotiation).
    pub heartbeat: u16,
    /// `Some` when `ssl = true`.
    pub tls: Option<TlsSettings>,
    /// SASL mechanism and credentials.
    pub auth: Auth,
    /// TCP + TLS + AMQP handshake limit.
    pub connect_timeout: Duration,
    /// Limit for waiting on publisher confirms.
    pub confirm_timeout: Duration,
    /// Bound on published-but-unconfirmed messages.
    pub max_unconfirmed: usize,
}

impl AmqpSettings {
    /// `amqp://host:port` or `amqps://host:port` (no credentials), for logs.
    pub fn describe(&self) -> String {
        let scheme = if self.tls.is_some() { "amqps" } else { "amqp" };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{scheme}://{host}:{}", self.port)
    }
}

/// A `[rabbitmq]` (or `[n6_collectors_amqp]`) problem. `Display` gives n6's words,
/// prefixed like n6's `ConfigError`: `in section rabbitmq: ssl=True but ca_certs=None`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// n6's `AMQPConnectionParamsError` texts (`ssl=True but ca_certs=None`, ...).
    #[error("in section rabbitmq: {0}")]
    Rabbitmq(String),
    /// Required options absent (normally caught earlier by the spec validator).
    #[error("missing required config options: {0}")]
    MissingOptions(String),
    /// A value of the wrong converted type (a wiring bug rather than a user error).
    #[error("in section {section}: option {option} should be of type {expected} (got {found})")]
    WrongType {
        /// Section name.
        section: &'static str,
        /// Option name.
        option: String,
        /// Expected type.
        expected: &'static str,
        /// What was found (passwords hidden).
        found: String,
    },
    /// A number outside the range the AMQP client can use.
    #[error("in section {section}: {option}={message}")]
    OutOfRange {
        /// Section name.
        section: &'static str,
        /// Option name.
        option: String,
        /// The value and the allowed range.
        message: String,
    },
}

/// n6's minimum password length for non-guest PLAIN users.
pub const MIN_PASSWORD_CHARS: usize = 16;

const GUEST: &str = "guest";

fn non_empty(s: &str) -> Option<&str> {
    if s.is_empty() { None } else { Some(s) }
}

/// Expands a leading `~` or `~/` to `$HOME` (Python's `os.path.expanduser`, for the
/// current user only).
fn expand_user(path: &str) -> PathBuf {
    if (path == "~" || path.starts_with("~/"))
        && let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
    {
        let mut expanded = PathBuf::from(home);
        let rest = path[1..].trim_start_matches('/');
        if !rest.is_empty() {
            expanded.push(rest);
        }
        return expanded;
    }
    PathBuf::from(path)
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// Derives connection settings from `[rabbitmq]`, the collector's own
/// `heartbeat_interval` (which replaces `[rabbitmq] heartbeat_interval`, as in n6) and
/// the Rust-only options. Every warning n6 would log is passed to `warn`, in n6's order
/// and words.
///
/// Known, documented differences from n6/pika 0.13:
/// * TLS checks the host name unless `tls_verify_hostname = no` (n6 never does);
/// * heartbeat negotiation follows lapin: the lower non-zero value of client and broker
///   wins, and `0` accepts the broker's value (pika 0.13: the client's value always
///   wins, `0` disables heartbeats);
/// * `port` and heartbeat values outside `0..=65535` are rejected here.
pub fn derive_settings(
    section: &RabbitmqSection,
    heartbeat_override: Option<i64>,
    options: &AmqpOptions,
    warn: &mut dyn FnMut(String),
) -> Result<AmqpSettings, SettingsError> {
    let given = Given::from_section(section);
    given.warn_ignored_arguments(warn);
    let port = port(section)?;
    let heartbeat = heartbeat(section, heartbeat_override)?;
    let (tls, mut auth) = given.tls(options, warn)?;
    if let Some(password_auth) = given.password_credentials(warn)? {
        auth = Some(password_auth);
    }
    let auth = given.auth_or_guest(auth, warn);
    Ok(AmqpSettings {
        host: section.host.clone(),
        port,
        heartbeat,
        tls,
        auth,
        connect_timeout: options.connect_timeout,
        confirm_timeout: options.confirm_timeout,
        max_unconfirmed: options.max_unconfirmed,
    })
}

/// The `[rabbitmq]` values [`derive_settings`] decides on, empty strings as `None`.
struct Given<'a> {
    /// `ssl`.
    ssl: bool,
    /// `password_auth`.
    password_auth: bool,
    /// `ssl_ca_certs`.
    ca_certs: Option<&'a str>,
    /// `ssl_certfile`.
    certfile: Option<&'a str>,
    /// `ssl_keyfile`.
    keyfile: Option<&'a str>,
    /// `username`.
    username: Option<&'a str>,
    /// `password`.
    password: Option<&'a str>,
}

impl<'a> Given<'a> {
    /// Takes the values from the section, empty strings meaning "not given".
    fn from_section(section: &'a RabbitmqSection) -> Self {
        Given {
            ssl: section.ssl,
            password_auth: section.password_auth,
            ca_certs: non_empty(&section.ssl_ca_certs),
            certfile: non_empty(&section.ssl_certfile),
            keyfile: non_empty(&section.ssl_keyfile),
            username: non_empty(&section.username),
            password: non_empty(&section.password),
        }
    }

    /// Step 1: warns about arguments that `ssl=False` or `password_auth=False` makes n6
    /// ignore (values as given, i.e. still `str`).
    fn warn_ignored_arguments(&self, warn: &mut dyn FnMut(String)) {
        if !self.ssl {
            let ignored: Vec<String> = [
                ("ca_certs", self.ca_certs),
                ("certfile", self.certfile),
                ("keyfile", self.keyfile),
            ]
            .into_iter()
            .filter_map(|(name, value)| value.map(|v| format!("{name}={}", ascii_str(v))))
            .collect();
            if !ignored.is_empty() {
                warn(format!(
                    "ssl=False, so these argument(s) will be ignored: {}.",
                    ignored.join(", ")
                ));
            }
        }
        if !self.password_auth {
            let mut ignored = Vec::new();
            if let Some(u) = self.username {
                ignored.push(format!("username={}", ascii_str(u)));
            }
            if self.password.is_some() {
                ignored.push("password=<...hidden...>".to_owned());
            }
            if !ignored.is_empty() {
                warn(format!(
                    "password_auth=False, so these argument(s) will be ignored: {}.",
                    ignored.join(", ")
                ));
            }
        }
    }

    /// Step 3: the TLS settings (`None` with a warning when `ssl=False`), and
    /// `EXTERNAL` authentication when a client certificate is to be used for it.
    fn tls(
        &self,
        options: &AmqpOptions,
        warn: &mut dyn FnMut(String),
    ) -> Result<(Option<TlsSettings>, Option<Auth>), SettingsError> {
        if !self.ssl {
            warn(
                "ssl=False, so AMQP communication will *not* be TLS-secured, even though it \
                 always *should be* on any production system! (regardless of how \
                 authentication is performed)"
                    .to_owned(),
            );
            return Ok((None, None));
        }
        let Some(ca) = self.ca_certs else {
            return Err(SettingsError::Rabbitmq(
                "ssl=True but ca_certs=None".to_owned(),
            ));
        };
        let mut auth = None;
        let client_cert = match (self.certfile, self.keyfile) {
            (Some(cert), Some(key)) => {
                if self.password_auth {
                    warn(format!(
                        "password_auth=True, so the specified client certificate ({}={} and {}={}) \
                         will be ignored, i.e., it will *not* be used for AMQP authentication.",
                        "certfile",
                        ascii_opt_path(Some(cert)),
                        "keyfile",
                        ascii_opt_path(Some(key)),
                    ));
                    None
                } else {
                    auth = Some(Auth::External);
                    Some(ClientCert {
                        cert_file: expand_user(cert),
                        key_file: expand_user(key),
                    })
                }
            }
            (None, None) => None,
            (cert, key) => {
                return Err(SettingsError::Rabbitmq(format!(
                    "certfile={} but keyfile={}",
                    ascii_opt_path(cert),
                    ascii_opt_path(key)
                )));
            }
        };
        let tls = TlsSettings {
            ca_file: expand_user(ca),
            client_cert,
            verify_hostname: options.tls_verify_hostname,
        };
        Ok((Some(tls), auth))
    }

    /// Step 4: password authentication when `password_auth=True` (guest, with a warning,
    /// for no or the `guest` user), `None` otherwise.
    fn password_credentials(
        &self,
        warn: &mut dyn FnMut(String),
    ) -> Result<Option<Auth>, SettingsError> {
        if !self.password_auth {
            return Ok(None);
        }
        match self.username {
            None | Some(GUEST) => {
                warn(format!(
                    "password_auth=True but username={}, so a *guest* pseudo-authentication \
                     is to be attempted! This means that *no* real AMQP authentication will \
                     be performed, even though it always *should be* on any production \
                     system! (Note: the password, if any is given, is to be ignored now; \
                     instead of it, the 'guest' password is to be used!)",
                    self.username.map_or_else(|| "None".to_owned(), ascii_str)
                ));
                Ok(Some(guest()))
            }
            Some(user) => {
                let long_enough = self
                    .password
                    .is_some_and(|p| p.chars().count() >= MIN_PASSWORD_CHARS);
                if !long_enough {
                    return Err(SettingsError::Rabbitmq(format!(
                        "password is missing or too short (it is required to consist of at \
                         least {MIN_PASSWORD_CHARS} characters)"
                    )));
                }
                Ok(Some(Auth::Plain {
                    username: user.to_owned(),
                    password: self.password.unwrap_or_default().to_owned(),
                }))
            }
        }
    }

    /// Step 5: the chosen credentials, or guest with a warning when none were chosen.
    fn auth_or_guest(&self, auth: Option<Auth>, warn: &mut dyn FnMut(String)) -> Auth {
        if let Some(auth) = auth {
            return auth;
        }
        warn(format!(
            "password_auth={}, ssl={}, certfile={} and keyfile={}, so *no* real AMQP \
             authentication will be performed, even though it always *should be* on any \
             production system! (Instead, a *guest* pseudo-authentication is to be \
             attempted!)",
            py_bool(self.password_auth),
            py_bool(self.ssl),
            ascii_opt_path(self.certfile),
            ascii_opt_path(self.keyfile),
        ));
        guest()
    }
}

/// Step 2a: `port`, which must be `1..=65535`.
fn port(section: &RabbitmqSection) -> Result<u16, SettingsError> {
    u16::try_from(section.port)
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| SettingsError::OutOfRange {
            section: "rabbitmq",
            option: "port".to_owned(),
            message: format!("{} (must be 1..65535)", section.port),
        })
}

/// Step 2b: the heartbeat (the collector's own value replacing `[rabbitmq]`'s), which
/// must be `0..=65535`.
fn heartbeat(
    section: &RabbitmqSection,
    heartbeat_override: Option<i64>,
) -> Result<u16, SettingsError> {
    let heartbeat_value = heartbeat_override.unwrap_or(section.heartbeat_interval);
    u16::try_from(heartbeat_value).map_err(|_| SettingsError::OutOfRange {
        section: "rabbitmq",
        option: "heartbeat_interval".to_owned(),
        message: format!("{heartbeat_value} (must be 0..65535)"),
    })
}

fn guest() -> Auth {
    Auth::Plain {
        username: GUEST.to_owned(),
        password: GUEST.to_owned(),
    }
}

#[cfg(test)]
mod tests;
