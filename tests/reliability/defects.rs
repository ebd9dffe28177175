//! Hostile cases (issue 17): each test here failed before its fix. They run the real
//! reliability test collector (`tests/bin/reliability_collector.rs`) against scratch
//! deployments, local servers on 127.0.0.1 that misbehave on purpose, and (for the
//! broker cases) the test RabbitMQ. RELIABILITY.md ("Hostile cases") lists them.

use std::fs;
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::reliability_support::{
    Admin, DELAY_ENV, NAME, Site, Target, broker, code, error_line, row, site, stderr,
};
use crate::support::http::{Answer, Server};

/// The broker tests change broker-wide settings (a memory alarm): one at a time.
static BROKER: Mutex<()> = Mutex::new(());

/// How long a signalled run may take to end before the test calls it hung. Generous:
/// the requirement is one second; a hung run never ends.
const PATIENCE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- local servers

/// A TCP server on 127.0.0.1 that accepts connections and never answers.
struct SilentServer {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl SilentServer {
    fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&accepted);
        std::thread::spawn(move || {
            let mut open = Vec::new();
            for stream in listener.incoming().flatten() {
                open.push(stream); // held open, never read, never answered
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
        SilentServer { port, accepted }
    }

    /// Waits until a client connected.
    fn wait_for_client(&self) {
        let start = Instant::now();
        while self.accepted.load(Ordering::SeqCst) == 0 {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "nobody connected"
            );
            sleep(Duration::from_millis(10));
        }
    }
}

/// The scripted test server answering 200 with a large `Content-Length`, then sending
/// the body one byte every 100 ms (for longer than any test runs).
fn trickling_server() -> Server {
    Server::http(vec![
        Answer::ok(vec![b'r'; 1_000_000]).dribble(Duration::from_millis(100)),
    ])
}

// ---------------------------------------------------------------- process helpers

fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: kill(2) on our own, not yet reaped, child.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
}

/// Waits up to `patience` for `child` to exit; a run still going then is killed and the
/// test fails naming `what`.
fn finish_within(mut child: Child, patience: Duration, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > patience {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            panic!(
                "{what}: still running {} s later; stderr: {}",
                patience.as_secs(),
                stderr(&out)
            );
        }
        sleep(Duration::from_millis(20));
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

/// A site whose state already holds `rows` published lines (one local run).
fn site_with_state(tag: &str, rows: u64) -> Site {
    let mut site = site(tag);
    site.configure_local("");
    site.grow(rows);
    let out = site.run(&["--output", &site.path("first.jsonl").display().to_string()]);
    assert_eq!(code(&out), 0, "first run: {}", stderr(&out));
    assert_eq!(site.state_lines(), Some(rows));
    site
}

/// Writes the collector's section (no `[rabbitmq]`) with `extra` lines.
fn configure_section(site: &Site, extra: &str) {
    site.configure_local(extra);
}

// ---------------------------------------------------------------- 1. no silent stdout

#[test]
fn a_miscased_rabbitmq_section_does_not_divert_the_run_to_stdout() {
    let mut site = site("miscased");
    site.grow(2);
    fs::write(
        site.path("conf/10_broker.conf"),
        "[RabbitMQ]\nhost = 127.0.0.1\nport = 5672\n",
    )
    .expect("config");
    configure_section(&site, "");
    let out = site.run(&[]);
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing published to stdout");
    let line = error_line(&out);
    assert!(
        line.contains(
            "no [rabbitmq] section; 0 config file(s) could not be read; pass --output - for JSON lines"
        ),
        "{line}"
    );
    assert!(
        stderr(&out).contains("[RabbitMQ]"),
        "a warning names the miscased section: {}",
        stderr(&out)
    );
    assert_eq!(site.state_bytes(), None, "no state saved");
}

#[test]
fn an_unreadable_config_file_does_not_divert_the_run_to_stdout() {
    let mut site = site("unreadable");
    site.grow(2);
    configure_section(&site, "");
    // A config file that cannot be opened, even by root: a dangling symbolic link.
    std::os::unix::fs::symlink(site.path("gone.conf"), site.path("conf/10_broker.conf"))
        .expect("symlink");
    let out = site.run(&[]);
    assert_eq!(code(&out), 78, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing published to stdout");
    let line = error_line(&out);
    assert!(
        line.contains("no [rabbitmq] section; 1 config file(s) could not be read; pass --output - for JSON lines"),
        "{line}"
    );
    assert_eq!(site.state_bytes(), None, "no state saved");
    // `--output -` asks for JSON lines on stdout: then it runs.
    let out = site.run(&["--output", "-"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert_eq!(site.state_lines(), Some(2));
}

// ---------------------------------------------------------------- 2. directories

#[test]
fn a_sticky_world_writable_state_dir_is_refused_and_left_alone() {
    let mut site = site("stickydir");
    site.configure_local("");
    site.grow(1);
    let dir = site.path("state");
    fs::create_dir(&dir).expect("state dir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o1777)).expect("chmod");
    let out_file = site.path("out.jsonl").display().to_string();
    for args in [
        vec!["--output", out_file.as_str()],
        vec!["--check-config"],
        vec!["--dry-run"],
        vec!["state", "show"],
    ] {
        let out = site.run(&args);
        assert_eq!(code(&out), 74, "{args:?}: {}", stderr(&out));
        let line = error_line(&out);
        assert!(
            line.contains("world-writable") && line.contains(&dir.display().to_string()),
            "{args:?}: {line}"
        );
        assert_eq!(mode(&dir), 0o1777, "{args:?} changed the mode");
        assert_eq!(fs::read_dir(&dir).expect("list").count(), 0, "{args:?}");
    }
}

#[test]
fn a_group_readable_state_dir_is_warned_about_and_not_changed() {
    let mut site = site("groupdir");
    site.configure_local("");
    site.grow(1);
    let dir = site.path("state");
    fs::create_dir(&dir).expect("state dir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o750)).expect("chmod");
    let out = site.run(&["--output", &site.path("out.jsonl").display().to_string()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("0750"), "{}", stderr(&out));
    assert_eq!(mode(&dir), 0o750, "the mode is left as it was");
    assert_eq!(site.state_lines(), Some(1));
}

#[test]
fn a_state_dir_owned_by_another_user_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to give a directory to another user");
        return;
    }
    let mut site = site("otherowner");
    site.configure_local("");
    site.grow(1);
    let dir = site.path("state");
    fs::create_dir(&dir).expect("state dir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).expect("chown");
    let out = site.run(&["--output", &site.path("out.jsonl").display().to_string()]);
    assert_eq!(code(&out), 74, "{}", stderr(&out));
    assert!(error_line(&out).contains("owned by"), "{}", stderr(&out));
    assert_eq!(fs::metadata(&dir).expect("stat").uid(), 65534);
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn read_only_commands_create_nothing_on_disk() {
    let mut site = site("readonly");
    site.configure_local("");
    site.grow(1);
    let dir = site.path("state");
    for args in [
        vec!["--check-config"],
        vec!["--dry-run"],
        vec!["state", "show"],
    ] {
        let out = site.run(&args);
        assert!(
            code(&out) == 0 || code(&out) == 65,
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(!dir.exists(), "{args:?} created the state directory");
    }
    fs::create_dir(&dir).expect("state dir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod");
    for args in [
        vec!["--check-config"],
        vec!["--dry-run"],
        vec!["state", "show"],
    ] {
        site.run(&args);
        assert_eq!(
            fs::read_dir(&dir).expect("list").count(),
            0,
            "{args:?} created a file in the state directory"
        );
    }
    // A real run creates the directory 0700.
    fs::remove_dir(&dir).expect("rmdir");
    let out = site.run(&["--output", &site.path("out.jsonl").display().to_string()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(mode(&dir), 0o700);
}

// ---------------------------------------------------------------- 3. download deadline

#[test]
fn the_download_deadline_bounds_a_trickling_body() {
    let site = site_with_state("trickle", 1);
    let before = site.state_bytes();
    let server = trickling_server();
    configure_section(
        &site,
        &format!(
            "url = {}\ndownload_retries = 0\n\
             download_timeout = (5, 5)\ndownload_deadline = 1.5\n",
            server.url("/feed.txt")
        ),
    );
    let child = site.spawn(&["--output", &site.path("out.jsonl").display().to_string()]);
    let out = finish_within(child, Duration::from_secs(30), "a trickling download");
    assert_eq!(code(&out), 69, "{}", stderr(&out));
    let line = error_line(&out);
    assert!(
        line.contains("download_deadline") && line.contains("1.5 s"),
        "{line}"
    );
    assert_eq!(site.state_bytes(), before, "state unchanged");
}

// ---------------------------------------------------------------- 4. signals

#[test]
fn sigterm_ends_a_download_that_never_answers() {
    let site = site_with_state("sigdownload", 2);
    let before = site.state_bytes();
    let server = SilentServer::start();
    configure_section(
        &site,
        &format!(
            "url = http://127.0.0.1:{}/feed.txt\ndownload_retries = 0\ndownload_timeout = 300\n",
            server.port
        ),
    );
    let child = site.spawn(&["--output", &site.path("out.jsonl").display().to_string()]);
    server.wait_for_client();
    sleep(Duration::from_millis(200));
    signal(&child, libc::SIGTERM);
    let out = finish_within(child, PATIENCE, "SIGTERM during a download");
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    assert!(error_line(&out).contains("stopped by SIGTERM"));
    assert_eq!(site.state_bytes(), before, "state unchanged");
}

#[test]
fn sigint_ends_a_broker_connect_that_never_answers() {
    let mut site = site_with_state("sigconnect", 1);
    let before = site.state_bytes();
    site.grow(2);
    let server = SilentServer::start();
    let target = Target {
        host: "127.0.0.1".into(),
        port: server.port,
        user: "n6-test-user".into(),
        password: "a-password-of-at-least-16-chars".into(),
    };
    site.configure(&target, "");
    let text = fs::read_to_string(site.path("conf/70_reliability.conf")).expect("config");
    let text = text.replace("connect_timeout = 10", "connect_timeout = 300");
    fs::write(site.path("conf/70_reliability.conf"), text).expect("config");
    let child = site.spawn(&[]);
    server.wait_for_client();
    sleep(Duration::from_millis(200));
    signal(&child, libc::SIGINT);
    let out = finish_within(child, PATIENCE, "SIGINT during a broker connect");
    assert_eq!(code(&out), 130, "{}", stderr(&out));
    assert!(error_line(&out).contains("stopped by SIGINT"));
    assert_eq!(site.state_bytes(), before, "state unchanged");
}

#[test]
fn sigterm_ends_a_run_blocked_opening_a_config_fifo() {
    let site = site("fifo");
    let fifo = site.path("conf/70_reliability.conf");
    let c_path = std::ffi::CString::new(fifo.display().to_string()).expect("path");
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0, "mkfifo");
    let child = site.spawn(&["--output", "-"]);
    sleep(Duration::from_millis(500));
    signal(&child, libc::SIGTERM);
    let out = finish_within(child, PATIENCE, "SIGTERM while opening a FIFO");
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    assert!(error_line(&out).contains("stopped by SIGTERM"));
    assert!(!site.path("state").exists());
}

#[test]
fn sigterm_ends_a_run_whose_confirms_a_memory_alarm_blocks() {
    let Some(broker) = broker() else { return };
    let _one_at_a_time = BROKER.lock().unwrap_or_else(|e| e.into_inner());
    let mut site = site_with_state("sigblocked", 1);
    let before = site.state_bytes();
    site.grow(3);
    let target = Target::of(&broker);
    site.configure_with_confirm_timeout(&target, "", 300);
    let admin = Admin::connect(&broker);
    let queue = format!("defects-blocked-{}", std::process::id());
    admin.bind(&site.exchange(), &queue, None);
    broker.ctl(&["set_vm_memory_high_watermark", "0"]);
    struct Restore<'a>(&'a crate::reliability_support::Broker);
    impl Drop for Restore<'_> {
        fn drop(&mut self) {
            self.0.ctl(&["set_vm_memory_high_watermark", "0.4"]);
        }
    }
    let restore = Restore(&broker);
    let child = site.spawn(&[]);
    sleep(Duration::from_secs(3)); // connected, published, waiting for confirms
    signal(&child, libc::SIGTERM);
    let out = finish_within(child, PATIENCE, "SIGTERM during a blocked confirm");
    drop(restore);
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    assert!(error_line(&out).contains("stopped by SIGTERM"));
    assert_eq!(site.state_bytes(), before, "state unchanged");
    admin.delete(&queue);
}

#[test]
fn timeout_from_cron_ends_a_hung_run() {
    let site = site_with_state("cron", 1);
    let before = site.state_bytes();
    let server = SilentServer::start();
    configure_section(
        &site,
        &format!(
            "url = http://127.0.0.1:{}/feed.txt\ndownload_retries = 0\ndownload_timeout = 300\n",
            server.port
        ),
    );
    // As cron runs it: no terminal, stdin from /dev/null, under coreutils' timeout
    // (SIGTERM after 2 s, SIGKILL 8 s later if the run ignores it).
    let mut cmd = Command::new("timeout");
    let inner = site.command(&["--output", &site.path("out.jsonl").display().to_string()]);
    cmd.args(["-k", "8", "2"])
        .arg(inner.get_program())
        .args(inner.get_args())
        .env_remove("RUST_LOG")
        .env_remove(DELAY_ENV)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = cmd.spawn().expect("timeout");
    let out = finish_within(child, Duration::from_secs(30), "timeout 2 collector");
    assert_eq!(
        code(&out),
        124,
        "timeout's own code after SIGTERM ended the run (137: it had to SIGKILL it): {}",
        stderr(&out)
    );
    assert!(error_line(&out).contains("stopped by SIGTERM"));
    assert_eq!(site.state_bytes(), before, "state unchanged");
}

#[test]
fn a_second_signal_prints_its_line() {
    let mut site = site_with_state("twosignals", 1);
    let before = site.state_bytes();
    site.grow(2);
    let mut cmd = site.command(&["--output", &site.path("out.jsonl").display().to_string()]);
    cmd.env(DELAY_ENV, "20000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    let known: Vec<String> = Vec::new();
    let start = Instant::now();
    while !site.new_temp_file(&known) {
        assert!(start.elapsed() < Duration::from_secs(30), "no save began");
        sleep(Duration::from_millis(5));
    }
    signal(&child, libc::SIGTERM);
    sleep(Duration::from_millis(50));
    signal(&child, libc::SIGTERM);
    let out = finish_within(child, PATIENCE, "two SIGTERMs during a stalled save");
    assert_eq!(code(&out), 143, "{}", stderr(&out));
    let lines = stderr(&out)
        .lines()
        .filter(|l| l.starts_with(&format!("{NAME}: error: stopped by SIGTERM")))
        .count();
    assert_eq!(lines, 1, "{}", stderr(&out));
    assert_eq!(site.state_bytes(), before, "state unchanged");
}

// ---------------------------------------------------------------- 5. JSON lines

fn parse_every_line(path: &Path) -> Vec<serde_json::Value> {
    let text = fs::read_to_string(path).expect("read output");
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "torn tail: {text:?}"
    );
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("line {line:?}: {e}")))
        .collect()
}

#[test]
fn json_lines_after_a_torn_tail_start_on_a_line_of_their_own() {
    let mut site = site("torntail");
    site.configure_local("");
    site.grow(2);
    let out_path = site.path("out.jsonl");
    fs::write(&out_path, "{\"earlier\": 1}\n{\"torn\": \"by a kill -").expect("output");
    let out = site.run(&["--output", &out_path.display().to_string()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = parse_every_line(&out_path);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["earlier"], 1);
    assert_eq!(lines[1]["body"], row(0));
    assert_eq!(lines[2]["body"], row(1));
}

#[test]
fn a_failed_json_lines_write_truncates_back_to_where_it_started() {
    let mut site = site("fullfile");
    site.configure_local("");
    site.grow(3);
    let out_path = site.path("out.jsonl");
    let earlier = "{\"earlier\": 1}\n";
    fs::write(&out_path, earlier).expect("output");
    let limit = (earlier.len() + 40) as libc::rlim_t; // room for part of one message
    let mut cmd = site.command(&["--output", &out_path.display().to_string()]);
    // SAFETY: only async-signal-safe calls (setrlimit, signal) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit);
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    let out = cmd.output().expect("run");
    assert_eq!(code(&out), 74, "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&out_path).expect("read"), earlier);
    assert_eq!(site.state_bytes(), None, "no state saved");
}

// ---------------------------------------------------------------- 7., 8. config errors

#[test]
fn url_ports_beyond_16_bits_are_configuration_errors() {
    let site = site_with_state("bigport", 1);
    for port in ["99999", "65616"] {
        configure_section(
            &site,
            &format!("url = http://127.0.0.1:{port}/feed.txt\ndownload_retries = 0\n"),
        );
        let out = site.run(&["--output", &site.path("out.jsonl").display().to_string()]);
        assert_eq!(code(&out), 78, "{port}: {}", stderr(&out));
        assert!(stderr(&out).contains(port), "{}", stderr(&out));
    }
}

#[test]
fn malformed_urls_and_headers_are_configuration_errors() {
    let site = site_with_state("badurl", 1);
    let port = SilentServer::start().port;
    for extra in [
        "url = http://exa mple.org/feed.txt".to_owned(),
        format!("url = http://127.0.0.1:{port}/\nbase_request_headers = {{\"X-A\": \"a\\nb\"}}"),
        format!("url = http://127.0.0.1:{port}/\nbase_request_headers = {{\"X A\": \"b\"}}"),
    ] {
        configure_section(&site, &format!("{extra}\ndownload_retries = 0\n"));
        let out = site.run(&["--output", &site.path("out.jsonl").display().to_string()]);
        assert_eq!(code(&out), 78, "{extra}: {}", stderr(&out));
    }
}

#[test]
fn a_huge_confirm_timeout_does_not_panic() {
    let Some(broker) = broker() else { return };
    let _one_at_a_time = BROKER.lock().unwrap_or_else(|e| e.into_inner());
    let mut site = site("hugetimeout");
    site.grow(2);
    let target = Target::of(&broker);
    site.configure_with_confirm_timeout(&target, "", i64::MAX as u64);
    let text = fs::read_to_string(site.path("conf/70_reliability.conf")).expect("config");
    let text = text.replace(
        "connect_timeout = 10",
        &format!("connect_timeout = {}", i64::MAX),
    );
    fs::write(site.path("conf/70_reliability.conf"), text).expect("config");
    let admin = Admin::connect(&broker);
    let queue = format!("defects-huge-{}", std::process::id());
    admin.bind(&site.exchange(), &queue, None);
    let out = site.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(admin.drain(&queue), vec![row(0), row(1)]);
    assert_eq!(site.state_lines(), Some(2));
    admin.delete(&queue);
}

// ---------------------------------------------------------------- 9. scripts

/// Whether `line` ends processes chosen by their name instead of by pid: the
/// pattern-matching kill commands (as words), or `kill` fed by the pattern-matching
/// process lookup. Their names are assembled from pieces so that this guard, the one
/// place that must name them, does not read as a use of them.
fn ends_processes_by_name(line: &str) -> bool {
    let word = |name: &str| {
        line.match_indices(name).any(|(at, _)| {
            let before = line[..at].chars().next_back();
            let after = line[at + name.len()..].chars().next();
            let edge = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            edge(before) && edge(after)
        })
    };
    let kill_by_pattern = ["p", "kill"].concat();
    let kill_every_named = ["kill", "all"].concat();
    let find_by_pattern = ["p", "grep"].concat();
    word(&kill_by_pattern)
        || word(&kill_every_named)
        || (word(&find_by_pattern) && line.contains("kill"))
}

fn scan(dir: &Path, offenders: &mut Vec<String>) {
    for entry in fs::read_dir(dir).expect("list").flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // This file names the commands it looks for.
        if name == "target" || name == ".git" || path.ends_with(file!()) {
            continue;
        }
        if path.is_dir() {
            scan(&path, offenders);
        } else if !name.ends_with(".md")
            && let Ok(text) = fs::read_to_string(&path)
        {
            for (n, line) in text.lines().enumerate() {
                if ends_processes_by_name(line) {
                    offenders.push(format!("{}:{}: {line}", path.display(), n + 1));
                }
            }
        }
    }
}

#[test]
fn no_script_ends_processes_by_a_name_pattern() {
    assert!(ends_processes_by_name(&format!("{}kill -f x", "p")));
    assert!(!ends_processes_by_name("Site::new(\"overlapkill\")"));
    let mut offenders = Vec::new();
    scan(Path::new(env!("CARGO_MANIFEST_DIR")), &mut offenders);
    assert!(offenders.is_empty(), "{offenders:#?}");
}
