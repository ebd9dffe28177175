//! [`EtcdSettings`]: the etcd options of `[n6_collectors_state]` (see
//! [`crate::state::backend::STATE_CONFIG_SPEC`]), and the TLS client setup.

use std::path::PathBuf;
use std::time::Duration;

use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig};

/// Largest envelope stored inline under the state key by default (etcd's default request
/// limit is 1.5 MiB; base64 in the JSON gateway adds a third).
pub const DEFAULT_MAX_STATE_BYTES: usize = 1024 * 1024;

/// How to reach etcd and where the keys are.
#[derive(Clone, PartialEq, Eq)]
pub struct EtcdSettings {
    /// Client URLs (`http://host:2379` or `https://...`), tried in this order.
    pub endpoints: Vec<String>,
    /// The key prefix, e.g. `/n6/collectors/v1` (no trailing slash).
    pub prefix: String,
    /// TTL of the run's lease: how long a dead run keeps the lock.
    pub lease_ttl: Duration,
    /// Limit of one request to one endpoint; then the next endpoint.
    pub request_timeout: Duration,
    /// CA bundle (PEM) that signed the members' certificates (`https://` endpoints).
    pub ca_certs: Option<PathBuf>,
    /// Client certificate (PEM) for mutual TLS.
    pub certfile: Option<PathBuf>,
    /// Client private key (PEM) for mutual TLS.
    pub keyfile: Option<PathBuf>,
    /// etcd user (password authentication); `None`: no authentication.
    pub username: Option<String>,
    /// The user's password (a secret: never printed).
    pub password: Option<String>,
    /// Envelopes larger than this are refused (exit 74).
    pub max_state_bytes: usize,
    /// `> 0`: a run exits 0 without collecting when the last good run of the collector
    /// (on any host) finished less than this long ago.
    pub fleet_min_interval: Duration,
}

impl std::fmt::Debug for EtcdSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdSettings")
            .field("endpoints", &self.endpoints)
            .field("prefix", &self.prefix)
            .field("lease_ttl", &self.lease_ttl)
            .field("request_timeout", &self.request_timeout)
            .field("ca_certs", &self.ca_certs)
            .field("certfile", &self.certfile)
            .field("keyfile", &self.keyfile)
            .field("username", &self.username)
            .field(
                "password",
                &self
                    .password
                    .as_ref()
                    .map(|_| n6_collectors_config::secret::REDACTED),
            )
            .field("max_state_bytes", &self.max_state_bytes)
            .field("fleet_min_interval", &self.fleet_min_interval)
            .finish()
    }
}

impl EtcdSettings {
    /// Settings for `endpoints` with every other option at its default.
    pub fn new(endpoints: Vec<String>) -> EtcdSettings {
        EtcdSettings {
            endpoints,
            prefix: "/n6/collectors/v1".to_owned(),
            lease_ttl: Duration::from_secs(15),
            request_timeout: Duration::from_secs(2),
            ca_certs: None,
            certfile: None,
            keyfile: None,
            username: None,
            password: None,
            max_state_bytes: DEFAULT_MAX_STATE_BYTES,
            fleet_min_interval: Duration::ZERO,
        }
    }
}

/// The TLS configuration for `settings`, or `None` when no TLS file is configured
/// (`https://` endpoints then use the built-in web PKI roots).
pub fn tls_config(settings: &EtcdSettings) -> Result<Option<TlsConfig>, String> {
    if settings.ca_certs.is_none() && settings.certfile.is_none() && settings.keyfile.is_none() {
        return Ok(None);
    }
    let mut builder = TlsConfig::builder();
    if let Some(path) = &settings.ca_certs {
        let roots = certificates(path)?;
        builder = builder.root_certs(RootCerts::new_with_certs(&roots));
    }
    match (&settings.certfile, &settings.keyfile) {
        (Some(cert), Some(key)) => {
            let chain = certificates(cert)?;
            let key = private_key(key)?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        (None, None) => {}
        _ => return Err("etcd_certfile and etcd_keyfile must be given together".to_owned()),
    }
    Ok(Some(builder.build()))
}

fn read_pem(path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn certificates(path: &PathBuf) -> Result<Vec<Certificate<'static>>, String> {
    let pem = read_pem(path)?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => return Err(format!("bad PEM in {}: {e}", path.display())),
        }
    }
    if certs.is_empty() {
        return Err(format!("no certificate in {}", path.display()));
    }
    Ok(certs)
}

fn private_key(path: &PathBuf) -> Result<ureq::tls::PrivateKey<'static>, String> {
    let pem = read_pem(path)?;
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::PrivateKey(key)) => return Ok(key),
            Ok(_) => {}
            Err(e) => return Err(format!("bad PEM in {}: {e}", path.display())),
        }
    }
    Err(format!("no private key in {}", path.display()))
}
