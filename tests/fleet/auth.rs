//! Password authentication against the real cluster: etcd's RBAC enabled for the test
//! (a role with read-write on the test prefix only), the collector configured with
//! `etcd_username`/`etcd_password`. Auth is disabled again when the test ends, also when
//! it fails.

use std::process::Command;

use crate::cluster::cluster;
use crate::hosts::{Fleet, code, state_lines, stderr};

const ROOT: &str = "root:n6-test-root-pw";

fn etcdctl(endpoints: &str, args: &[&str]) -> bool {
    Command::new("etcdctl")
        .env("ETCDCTL_API", "3")
        .arg("--endpoints")
        .arg(endpoints)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Auth is on while this lives.
struct AuthOn(String);

impl Drop for AuthOn {
    fn drop(&mut self) {
        let e = &self.0;
        etcdctl(e, &["--user", ROOT, "auth", "disable"]);
        for args in [
            &["user", "delete", "n6c"][..],
            &["user", "delete", "root"],
            &["role", "delete", "n6c"],
        ] {
            etcdctl(e, args);
        }
    }
}

#[test]
fn password_authentication_works_and_a_wrong_password_is_69() {
    let Some(cluster) = cluster() else { return };
    if !etcdctl(&cluster.endpoints_option(), &["version"]) {
        eprintln!("\n*** SKIPPED: etcdctl is not installed (Debian: etcd-client) ***\n");
        return;
    }
    let _exclusive = cluster.exclusive();
    let mut fleet = Fleet::new(cluster, "auth");
    let e = cluster.endpoints.join(",");
    let on = AuthOn(e.clone());
    for args in [
        &["user", "add", ROOT][..],
        &["user", "grant-role", "root", "root"],
        &["role", "add", "n6c"],
        &[
            "role",
            "grant-permission",
            "n6c",
            "--prefix=true",
            "readwrite",
            "/n6-test/",
        ],
        &["user", "add", "n6c:n6-test-pw"],
        &["user", "grant-role", "n6c", "n6c"],
        &["auth", "enable"],
    ] {
        assert!(etcdctl(&e, args), "etcdctl {args:?} failed");
    }
    fleet.grow(3);
    let good = fleet.host(
        "good",
        "",
        "etcd_username = n6c\netcd_password = n6-test-pw",
    );
    let out = good.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("published 3 message(s)"),
        "{}",
        stderr(&out)
    );

    let wrong = fleet.host(
        "wrong",
        "",
        "etcd_username = n6c\netcd_password = wrong-pw-123",
    );
    let out = wrong.run(&[]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("authentication failed"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("wrong-pw-123"), "{}", stderr(&out));

    let anonymous = fleet.host("anonymous", "", "");
    let out = anonymous.run(&[]);
    assert_eq!(code(&out), 69, "{}", stderr(&out));

    drop(on);
    assert_eq!(state_lines(cluster, &fleet.state_key()), Some(3));
}
