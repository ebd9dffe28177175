//! HTTPS settings of `requests`' `cert=` (a client certificate and key, n6's Cesnet
//! collector), `verify=False` (MISP's `misp_verifycert = no`) and `verify=<CA file>`.

use std::path::{Path, PathBuf};

use ureq::tls::{Certificate, ClientCert, PemItem, RootCerts, TlsConfig};

/// How HTTPS servers are verified and how the client identifies itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// Verify the server's certificate (`requests`' `verify=True`, the default); false
    /// is `verify=False`: any certificate and host name are accepted.
    pub verify: bool,
    /// Trust only the CA certificates of this PEM file (`verify="/path/ca.pem"`) instead
    /// of the built-in roots.
    pub ca_file: Option<PathBuf>,
    /// A client certificate (`cert=(cert_file, key_file)`).
    pub client_cert: Option<ClientCertFiles>,
}

impl Default for TlsSettings {
    /// Verify against the built-in roots; no client certificate.
    fn default() -> Self {
        TlsSettings {
            verify: true,
            ca_file: None,
            client_cert: None,
        }
    }
}

/// The PEM files of a client certificate: the certificate (chain) and its unencrypted
/// private key (PKCS#8, PKCS#1 or SEC1); both may be in one file, as with `requests`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCertFiles {
    /// The certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// The private key.
    pub key_file: PathBuf,
}

impl ClientCertFiles {
    /// `cert=(cert_file, key_file)`.
    pub fn new(cert_file: impl Into<PathBuf>, key_file: impl Into<PathBuf>) -> Self {
        ClientCertFiles {
            cert_file: cert_file.into(),
            key_file: key_file.into(),
        }
    }
}

impl TlsSettings {
    /// The `ureq` TLS configuration; a file that cannot be read or holds no
    /// certificate/key is an error naming the file.
    pub(super) fn to_ureq(&self) -> Result<TlsConfig, String> {
        let mut builder = TlsConfig::builder().disable_verification(!self.verify);
        if let Some(ca_file) = &self.ca_file {
            let certs = read_certs(ca_file, "CA file")?;
            builder = builder.root_certs(RootCerts::new_with_certs(&certs));
        }
        if let Some(files) = &self.client_cert {
            let chain = read_certs(&files.cert_file, "client certificate file")?;
            let key = read_key(&files.key_file)?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
        }
        Ok(builder.build())
    }
}

fn read_pem(path: &Path, what: &str) -> Result<Vec<PemItem<'static>>, String> {
    let data = std::fs::read(path)
        .map_err(|e| format!("cannot read the {what} {}: {e}", path.display()))?;
    ureq::tls::parse_pem(&data)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the {what} {} is not valid PEM: {e}", path.display()))
}

fn read_certs(path: &Path, what: &str) -> Result<Vec<Certificate<'static>>, String> {
    let certs: Vec<_> = read_pem(path, what)?
        .into_iter()
        .filter_map(|item| match item {
            PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(format!(
            "the {what} {} holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<ureq::tls::PrivateKey<'static>, String> {
    read_pem(path, "client key file")?
        .into_iter()
        .find_map(|item| match item {
            PemItem::PrivateKey(k) => Some(k),
            _ => None,
        })
        .ok_or_else(|| {
            format!(
                "the client key file {} holds no PEM private key",
                path.display()
            )
        })
}
