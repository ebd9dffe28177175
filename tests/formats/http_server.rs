//! A small HTTP/1.1 test server on 127.0.0.1, plain or TLS (rustls, optionally
//! requiring a client certificate), answering scripted replies one connection each and
//! recording each request; and test certificates made with `openssl`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// What the server does on one connection.
pub enum Reply {
    /// Status, extra headers, body.
    Respond(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// Read the request, then say nothing until the client gives up.
    Stall,
}

/// 200 with `body`.
pub fn ok(body: &[u8]) -> Reply {
    Reply::Respond(200, Vec::new(), body.to_vec())
}

/// One request as the server saw it, or a failed TLS handshake.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// Request line, headers (names lower-cased), body.
    Request {
        line: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// The TLS handshake failed (e.g. no client certificate).
    HandshakeFailed(String),
}

impl Seen {
    /// The header `name` of a request.
    pub fn header(&self, name: &str) -> Option<&str> {
        match self {
            Seen::Request { headers, .. } => headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str()),
            Seen::HandshakeFailed(_) => None,
        }
    }
}

/// The running server.
pub struct Server {
    /// `http://127.0.0.1:PORT` or `https://…`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// A plain HTTP server.
    pub fn http(replies: Vec<Reply>) -> Server {
        Server::start(replies, None)
    }

    /// A TLS server with `certs`' server certificate; `require_client_cert`: clients
    /// must present a certificate signed by the test CA.
    pub fn https(replies: Vec<Reply>, certs: &Certs, require_client_cert: bool) -> Server {
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
        Server::start(replies, Some(Arc::new(config)))
    }

    fn start(replies: Vec<Reply>, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let thread = std::thread::spawn(move || {
            for reply in replies {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                    .expect("timeout");
                let seen = match &tls {
                    None => serve(stream, reply),
                    Some(config) => {
                        let conn = rustls::ServerConnection::new(Arc::clone(config)).expect("conn");
                        let mut tls = rustls::StreamOwned::new(conn, stream);
                        while tls.conn.is_handshaking() {
                            if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
                                log.lock()
                                    .expect("lock")
                                    .push(Seen::HandshakeFailed(e.to_string()));
                                break;
                            }
                        }
                        if tls.conn.is_handshaking() {
                            continue;
                        }
                        serve(tls, reply)
                    }
                };
                log.lock().expect("lock").push(seen);
            }
        });
        Server {
            url,
            seen,
            thread: Some(thread),
        }
    }

    /// Waits until every scripted connection was served; what the server saw.
    pub fn seen(mut self) -> Vec<Seen> {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.seen.lock().expect("lock").clone()
    }
}

fn serve<S: Read + Write>(stream: S, reply: Reply) -> Seen {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let mut headers = Vec::new();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            }
            headers.push((k, v));
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let seen = Seen::Request {
        line: line.trim_end().to_owned(),
        headers,
        body,
    };
    let mut stream = reader.into_inner();
    match reply {
        Reply::Respond(status, extra, body) => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            if !line.starts_with("HEAD ") {
                let _ = stream.write_all(&body);
            }
            let _ = stream.flush();
        }
        Reply::Stall => {
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest);
        }
    }
    seen
}

/// Test PKI made with `openssl` (P-256 keys): a CA, a server certificate for
/// 127.0.0.1 signed by it, a client certificate signed by it, and an unrelated CA.
pub struct Certs {
    _dir: tempfile::TempDir,
    pub ca_cert: PathBuf,
    pub other_ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
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
