//! TLS with client certificates against a real etcd: member 2 of the test cluster is
//! stopped for the test and a single-member etcd serving `https://` with
//! `--client-cert-auth` runs on its ports instead (certificates made here with
//! `openssl`); member 2 is restarted afterwards (the other two keep quorum meanwhile).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cluster::cluster;
use crate::hosts::{Fleet, code, stderr};

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(status.success(), "openssl {args:?} failed");
}

/// CA, server (127.0.0.1) and client certificates in `dir`.
fn make_certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=n6-test-etcd-ca",
        ],
    );
    // etcd 3.4's gateway dials its own gRPC server with the server certificate:
    // that one needs clientAuth too.
    for (name, usage) in [
        ("server", "serverAuth,clientAuth"),
        ("client", "clientAuth"),
    ] {
        std::fs::write(
            dir.join(format!("{name}.ext")),
            format!("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\n"),
        )
        .expect("ext");
        openssl(
            dir,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.csr"),
                "-subj",
                &format!("/CN=n6-test-{name}"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &format!("{name}.pem"),
                "-days",
                "2",
                "-extfile",
                &format!("{name}.ext"),
            ],
        );
    }
}

struct Member(Child);

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn tls_with_a_client_certificate_works_and_a_wrong_ca_is_69() {
    let Some(cluster) = cluster() else { return };
    if Command::new("openssl").arg("version").output().is_err() {
        eprintln!("\n*** SKIPPED: openssl is not installed ***\n");
        return;
    }
    let _exclusive = cluster.exclusive();
    let dir = tempfile::tempdir().expect("temp dir");
    make_certificates(dir.path());
    let url = cluster.endpoints[2].replace("http://", "https://");
    let client_port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    let peer = format!("http://127.0.0.1:{}", client_port + 1);
    cluster.kill(2);
    let p = |name: &str| dir.path().join(name).display().to_string();
    let member = Member(
        Command::new("etcd")
            .args(["--name", "tls", "--data-dir", &p("data")])
            .args([
                "--listen-client-urls",
                &url,
                "--advertise-client-urls",
                &url,
            ])
            .args([
                "--listen-peer-urls",
                &peer,
                "--initial-advertise-peer-urls",
                &peer,
            ])
            .args(["--initial-cluster", &format!("tls={peer}")])
            .args([
                "--cert-file",
                &p("server.pem"),
                "--key-file",
                &p("server.key"),
            ])
            .args(["--client-cert-auth", "--trusted-ca-file", &p("ca.pem")])
            .args(["--heartbeat-interval", "50", "--election-timeout", "500"])
            .args(["--log-level", "error"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the TLS member"),
    );
    let fleet = Fleet::new(cluster, "tls");
    let tls = format!(
        "etcd_ca_certs = {}\netcd_certfile = {}\netcd_keyfile = {}\n",
        p("ca.pem"),
        p("client.pem"),
        p("client.key")
    );
    let host = fleet.host("a", "", "");
    let configure = |tls: &str| {
        fleet.configure(&host, "", tls);
        let conf = host.dir.join("conf/70_fleet.conf");
        let text = std::fs::read_to_string(&conf).expect("conf");
        let text = text
            .lines()
            .map(|line| {
                if line.starts_with("etcd_endpoints") {
                    format!("etcd_endpoints = {url}")
                } else {
                    line.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(&conf, text).expect("conf");
    };
    configure(&tls);
    // The member takes a moment to elect itself.
    let deadline = Instant::now() + Duration::from_secs(20);
    let out = loop {
        let out = host.run(&["--check-config"]);
        if code(&out) == 0 || Instant::now() > deadline {
            break out;
        }
        sleep(Duration::from_millis(200));
    };
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("etcd key"), "{}", stderr(&out));
    let out = host.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // Without the client certificate the member refuses the connection: 69.
    configure(&format!("etcd_ca_certs = {}\n", p("ca.pem")));
    let out = host.run(&[]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    // A CA that did not sign the member's certificate: 69.
    configure(&format!(
        "etcd_ca_certs = {}\netcd_certfile = {}\netcd_keyfile = {}\n",
        p("client.pem"),
        p("client.pem"),
        p("client.key")
    ));
    let out = host.run(&[]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    // A key file that is not there: a configuration error (78) naming it.
    configure(&format!(
        "etcd_ca_certs = {}\netcd_certfile = {}\netcd_keyfile = {}\n",
        p("ca.pem"),
        p("client.pem"),
        p("missing.key")
    ));
    let out = host.run(&[]);
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    assert!(stderr(&out).contains("missing.key"), "{}", stderr(&out));

    drop(member);
    cluster.heal();
}
