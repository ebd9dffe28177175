//! The test cluster: the private 3-member etcd that `tests/support/etcd.sh start` runs
//! (started by `tests/support/with-broker.sh`, so by `tests/run-all`), found through
//! `N6_TEST_ETCD_*`; and a small HTTP client of its JSON gateway for setting up and
//! inspecting keys.
//!
//! Tests that kill, pause or stop members hold [`Cluster::exclusive`] and leave every
//! member running and the cluster healthy; the others hold [`Cluster::shared`] and use a
//! key prefix of their own ([`Cluster::prefix`]).

use std::path::PathBuf;
use std::process::Command;
use std::sync::{OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};

/// The running test cluster.
pub struct Cluster {
    /// Client URLs of members 0, 1, 2.
    pub endpoints: Vec<String>,
    dir: PathBuf,
    script: PathBuf,
    port: String,
}

static FAULTS: RwLock<()> = RwLock::new(());

/// The test cluster, or `None` (after a loud message) when etcd is not installed.
///
/// # Panics
/// When etcd is installed but no cluster runs: run the tests under
/// `tests/support/with-broker.sh` (or `tests/support/etcd.sh start` and source its output).
pub fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let installed = Command::new("etcd").arg("--version").output().is_ok();
            let Ok(endpoints) = std::env::var("N6_TEST_ETCD_ENDPOINTS") else {
                if !installed {
                    eprintln!(
                        "\n*** SKIPPED: etcd is not installed (Debian: apt-get install etcd-server etcd-client); \
                         the fleet tests need a real etcd cluster ***\n"
                    );
                    return None;
                }
                panic!(
                    "etcd is installed but N6_TEST_ETCD_ENDPOINTS is not set: run the tests under \
                     tests/support/with-broker.sh (it starts the private cluster, tests/support/etcd.sh)"
                );
            };
            let var = |name: &str| std::env::var(name).unwrap_or_default();
            Some(Cluster {
                endpoints: endpoints.split(',').map(str::to_owned).collect(),
                dir: PathBuf::from(var("N6_TEST_ETCD_DIR")),
                script: PathBuf::from(var("N6_TEST_ETCD_SCRIPT")),
                port: var("N6_TEST_ETCD_PORT"),
            })
        })
        .as_ref()
}

impl Cluster {
    /// For tests that leave the members alone (many at a time).
    pub fn shared(&self) -> RwLockReadGuard<'static, ()> {
        FAULTS.read().unwrap_or_else(|e| e.into_inner())
    }

    /// For tests that kill, pause or stop members (one at a time, none of the others).
    pub fn exclusive(&self) -> RwLockWriteGuard<'static, ()> {
        let guard = FAULTS.write().unwrap_or_else(|e| e.into_inner());
        self.heal();
        guard
    }

    /// A key prefix no other test uses.
    pub fn prefix(&self, test: &str) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("/n6-test/{test}-{}-{nanos}", std::process::id())
    }

    /// The endpoints as the config option writes them.
    pub fn endpoints_option(&self) -> String {
        self.endpoints.join(", ")
    }

    /// Member `i`'s pid, while it runs.
    pub fn member_pid(&self, i: usize) -> Option<i32> {
        std::fs::read_to_string(self.dir.join(format!("member-{i}.pid")))
            .ok()
            .and_then(|s| s.trim().parse().ok())
    }

    /// Sends `signal` to member `i`.
    pub fn signal(&self, i: usize, signal: i32) {
        let pid = self.member_pid(i).expect("member pid");
        // SAFETY: kill(2) on a process this test suite started.
        unsafe { libc::kill(pid, signal) };
    }

    /// Kills member `i` with SIGKILL and waits until it is gone.
    pub fn kill(&self, i: usize) {
        let pid = self.member_pid(i).expect("member pid");
        // SAFETY: as above.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        let deadline = Instant::now() + Duration::from_secs(10);
        // SAFETY: signal 0 only checks that the process exists.
        while unsafe { libc::kill(pid, 0) } == 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = std::fs::remove_file(self.dir.join(format!("member-{i}.pid")));
    }

    /// Restarts member `i` on its data directory (after [`Cluster::kill`]).
    pub fn restart(&self, i: usize) {
        let status = self
            .script_command()
            .args(["start-member", &i.to_string()])
            .status()
            .expect("run etcd.sh start-member");
        assert!(status.success(), "etcd.sh start-member {i} failed");
    }

    /// Every member running and not paused, and the cluster healthy.
    pub fn heal(&self) {
        for i in 0..3 {
            match self.member_pid(i) {
                // SAFETY: as above.
                Some(pid) if unsafe { libc::kill(pid, 0) } == 0 => unsafe {
                    libc::kill(pid, libc::SIGCONT);
                },
                _ => self.restart(i),
            }
        }
        let status = self
            .script_command()
            .arg("wait-healthy")
            .status()
            .expect("run etcd.sh wait-healthy");
        assert!(status.success(), "the test cluster did not become healthy");
    }

    /// The member that is the Raft leader now.
    pub fn leader(&self) -> usize {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            for (i, endpoint) in self.endpoints.iter().enumerate() {
                if let Ok(status) = post(endpoint, "/v3/maintenance/status", &json!({})) {
                    let me = status["header"]["member_id"].as_str().unwrap_or("-");
                    if status["leader"].as_str() == Some(me) {
                        return i;
                    }
                }
            }
            assert!(Instant::now() < deadline, "no leader in 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn script_command(&self) -> Command {
        let mut command = Command::new(&self.script);
        command
            .env("N6_TEST_ETCD_DIR", &self.dir)
            .env("N6_TEST_ETCD_PORT", &self.port);
        command
    }

    /// Puts `value` under `key` (any endpoint that answers).
    pub fn put(&self, key: &str, value: &[u8]) {
        self.call(
            "/v3/kv/put",
            &json!({"key": BASE64.encode(key), "value": BASE64.encode(value)}),
        );
    }

    /// The value and mod revision under `key`.
    pub fn get(&self, key: &str) -> Option<(Vec<u8>, i64)> {
        let answer = self.call("/v3/kv/range", &json!({"key": BASE64.encode(key)}));
        let kv = answer.get("kvs")?.get(0)?;
        let value = BASE64
            .decode(kv.get("value").and_then(Json::as_str).unwrap_or(""))
            .expect("base64");
        let revision = kv["mod_revision"].as_str()?.parse().ok()?;
        Some((value, revision))
    }

    /// The lease `key` is bound to (0: none, or no such key).
    pub fn lease_of(&self, key: &str) -> i64 {
        let answer = self.call("/v3/kv/range", &json!({"key": BASE64.encode(key)}));
        answer["kvs"][0]["lease"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    /// Revokes `lease` (what the server does when a lease expires: its keys go).
    pub fn revoke(&self, lease: i64) {
        let _ = self.endpoints.iter().find_map(|endpoint| {
            post(
                endpoint,
                "/v3/lease/revoke",
                &json!({"ID": lease.to_string()}),
            )
            .ok()
        });
    }

    /// Deletes `key`.
    pub fn delete(&self, key: &str) {
        self.call("/v3/kv/deleterange", &json!({"key": BASE64.encode(key)}));
    }

    fn call(&self, path: &str, body: &Json) -> Json {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            for endpoint in &self.endpoints {
                if let Ok(answer) = post(endpoint, path, body) {
                    return answer;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no member answered {path} in 10 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// One POST to the JSON gateway; `Err` on transport errors and error answers.
pub fn post(endpoint: &str, path: &str, body: &Json) -> Result<Json, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(1)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(format!("{endpoint}{path}"))
        .send(body.to_string().as_bytes())
        .map_err(|e| e.to_string())?;
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    let answer: Json = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    if answer.get("error").is_some() {
        return Err(answer.to_string());
    }
    Ok(answer)
}
