//! TLS for the test server (rustls, optionally requiring a client certificate) and the
//! test certificates, made with `openssl`.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A TLS connection the server accepted.
pub(super) type TlsStream = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// The server's TLS configuration: `certs`' server certificate; `require_client_cert`:
/// clients must present a certificate signed by the test CA.
pub(super) fn server_config(certs: &Certs, require_client_cert: bool) -> Arc<rustls::ServerConfig> {
    let chain = vec![CertificateDer::from_pem_file(&certs.server_cert).expect("server cert")];
    let key = PrivateKeyDer::from_pem_file(&certs.server_key).expect("server key");
    let builder = rustls::ServerConfig::builder();
    let config = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(&certs.ca_cert).expect("ca"))
            .expect("add ca");
        let verifier = rustls::server::WebPkiClientVerifier::builder(Arc::new(roots))
            .build()
            .expect("verifier");
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    }
    .with_single_cert(chain, key)
    .expect("server config");
    Arc::new(config)
}

/// Completes the TLS handshake on `tcp`; the error as text when it fails.
pub(super) fn accept(
    config: &Arc<rustls::ServerConfig>,
    tcp: TcpStream,
) -> Result<TlsStream, String> {
    let connection =
        rustls::ServerConnection::new(Arc::clone(config)).map_err(|e| e.to_string())?;
    let mut tls = rustls::StreamOwned::new(connection, tcp);
    while tls.conn.is_handshaking() {
        tls.conn
            .complete_io(&mut tls.sock)
            .map_err(|e| e.to_string())?;
    }
    Ok(tls)
}

/// Test PKI made with `openssl` (P-256 keys): a CA, a server certificate for
/// 127.0.0.1 signed by it, a client certificate signed by it, and an unrelated CA.
pub struct Certs {
    _dir: tempfile::TempDir,
    /// The test CA's certificate.
    pub ca_cert: PathBuf,
    /// An unrelated CA's certificate.
    pub other_ca_cert: PathBuf,
    /// The server's certificate (127.0.0.1, `localhost`), signed by the test CA.
    pub server_cert: PathBuf,
    /// The server's key.
    pub server_key: PathBuf,
    /// A client certificate signed by the test CA.
    pub client_cert: PathBuf,
    /// The client certificate's key.
    pub client_key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Certs {
    /// Makes the certificates in a new temporary directory.
    pub fn make() -> Certs {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        for ca in ["ca", "other-ca"] {
            let mut args = vec!["req", "-x509"];
            args.extend(ec);
            let (key, cert, subj) = (
                format!("{ca}.key"),
                format!("{ca}.pem"),
                format!("/CN=n6 test {ca}"),
            );
            args.extend(["-keyout", &key, "-out", &cert, "-days", "2", "-subj", &subj]);
            args.extend([
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ]);
            openssl(d, &args);
        }
        for (name, ext) in [
            (
                "server",
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
            ),
            ("client", "extendedKeyUsage=clientAuth\n"),
        ] {
            let (key, csr, cert, extfile) = (
                format!("{name}.key"),
                format!("{name}.csr"),
                format!("{name}.pem"),
                format!("{name}.ext"),
            );
            std::fs::write(
                d.join(&extfile),
                format!("basicConstraints=CA:FALSE\n{ext}"),
            )
            .expect("ext");
            let mut args = vec!["req"];
            args.extend(ec);
            args.extend(["-keyout", &key, "-out", &csr, "-subj", "/CN=localhost"]);
            openssl(d, &args);
            openssl(
                d,
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    &cert,
                    "-days",
                    "2",
                    "-extfile",
                    &extfile,
                ],
            );
        }
        Certs {
            ca_cert: d.join("ca.pem"),
            other_ca_cert: d.join("other-ca.pem"),
            server_cert: d.join("server.pem"),
            server_key: d.join("server.key"),
            client_cert: d.join("client.pem"),
            client_key: d.join("client.key"),
            _dir: dir,
        }
    }
}
