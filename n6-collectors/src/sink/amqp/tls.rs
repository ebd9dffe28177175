//! The TLS client configuration (rustls with the *ring* provider).
//!
//! As in n6, the broker's certificate must chain to the configured CA file, and only to
//! it (the system trust store is not used). Unlike n6, the host name is verified too,
//! unless `[n6_collectors_amqp] tls_verify_hostname = no` turns that off for brokers
//! whose certificates do not name the host collectors connect to (n6 compatibility).

use std::fs;
use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use super::settings::TlsSettings;
use crate::sink::SinkError;

// An unusable certificate or key file is a settings problem (exit 78), named with its path.
fn invalid(path: &Path, what: impl std::fmt::Display) -> SinkError {
    SinkError::Settings(format!("TLS file {}: {what}", path.display()))
}

fn read(path: &Path) -> Result<Vec<u8>, SinkError> {
    fs::read(path).map_err(|e| invalid(path, format!("cannot read it: {e}")))
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, SinkError> {
    let pem = read(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(path, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(invalid(path, "no PEM certificate found"));
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, SinkError> {
    let pem = read(path)?;
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| invalid(path, format!("no usable PEM private key: {e}")))
}

/// Builds the rustls client configuration for `tls` (ring provider, as lapin's
/// `rustls--ring` feature). File problems come back as [`SinkError::Settings`]
/// naming the file.
pub fn client_config(tls: &TlsSettings) -> Result<Arc<ClientConfig>, SinkError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = RootCertStore::empty();
    for cert in certificates(&tls.ca_file)? {
        roots
            .add(cert)
            .map_err(|e| invalid(&tls.ca_file, format!("unusable CA certificate: {e}")))?;
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| invalid(&tls.ca_file, e))?;
    let verifier: Arc<dyn ServerCertVerifier> = if tls.verify_hostname {
        webpki
    } else {
        Arc::new(AnyHostName { inner: webpki })
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&tls.ca_file, e))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match &tls.client_cert {
        Some(client) => {
            let chain = certificates(&client.cert_file)?;
            let key = private_key(&client.key_file)?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                invalid(
                    &client.key_file,
                    format!("client certificate and key do not fit: {e}"),
                )
            })?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// Full chain verification against the CA file, but any host name (n6's behaviour).
#[derive(Debug)]
struct AnyHostName {
    inner: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for AnyHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // webpki checks the chain first and the name last, so a name error means the
        // chain itself is trusted.
        match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::amqp::settings::ClientCert;

    #[test]
    fn missing_ca_file_is_reported_with_its_name() {
        let tls = TlsSettings {
            ca_file: "/nonexistent/n6-ca.pem".into(),
            client_cert: None,
            verify_hostname: true,
        };
        let err = client_config(&tls).expect_err("error");
        assert_eq!(
            err.to_string(),
            "TLS file /nonexistent/n6-ca.pem: cannot read it: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn a_file_without_certificates_is_rejected() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ca = dir.path().join("ca.pem");
        fs::write(&ca, "not a certificate\n").expect("write");
        let tls = TlsSettings {
            ca_file: ca.clone(),
            client_cert: Some(ClientCert {
                cert_file: ca.clone(),
                key_file: ca,
            }),
            verify_hostname: false,
        };
        let err = client_config(&tls).expect_err("error");
        assert!(
            err.to_string().contains("no PEM certificate found"),
            "{err}"
        );
    }
}
