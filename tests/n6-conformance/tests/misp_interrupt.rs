//! Ctrl-C in the middle of MISP's samples, on the real binary: the collector is sent
//! SIGINT while the MISP stand-in is asked for the second sample; the run stops at its
//! next safe point (exit 130) and keeps what n6 keeps after a `KeyboardInterrupt`: the
//! events time saved, the first sample published and its id saved, the samples time
//! unchanged (so the rest stays overdue for the next run).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

const EVENTS: &str = r#"[{"Event": {"id": "1", "Attribute": [{"type": "malware-sample", "id": "7", "value": "a|b"}, {"type": "malware-sample", "id": "8", "value": "c|d"}, {"type": "malware-sample", "id": "9", "value": "e|f"}]}}]"#;

#[test]
fn sigint_between_samples_keeps_the_published_ones() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}/", listener.local_addr().expect("addr"));
    let child_pid = Arc::new(AtomicI32::new(0));
    let pid = Arc::clone(&child_pid);
    let server = std::thread::spawn(move || {
        let mut paths = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            let mut length = 0usize;
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).expect("header") == 0 || header.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().expect("length");
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
            let (status, answer) = match path.as_str() {
                "/events/restSearch" => (200, format!("{{\"response\": {EVENTS}}}")),
                "/attributes/downloadAttachment/download/7" => (200, "sample 7".to_owned()),
                "/attributes/downloadAttachment/download/8" => {
                    // Ctrl-C while this download is on its way.
                    // SAFETY: sending a signal to the collector's process.
                    unsafe { libc::kill(pid.load(Ordering::SeqCst), libc::SIGINT) };
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    (503, "busy".to_owned())
                }
                _ => (404, "no".to_owned()),
            };
            paths.push(path.clone());
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
            if path.ends_with("/8") {
                return paths;
            }
        }
        paths
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let (conf, state) = (dir.path().join("conf"), dir.path().join("state"));
    std::fs::create_dir_all(&conf).expect("conf");
    std::fs::write(
        conf.join("60_misp.conf"),
        format!(
            "[misp_test]\nsource_provider = test\nmisp_url = {base}\nmisp_key = k\n\
             days_for_first_run = 2\ndownload_retries = 3\n"
        ),
    )
    .expect("config");
    let published = dir.path().join("published.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_n6-replay"))
        .args(["run", "MispCollector", "misp_test"])
        .arg("--config-dir")
        .arg(&conf)
        .arg("--state-dir")
        .arg(&state)
        .arg("--output")
        .arg(&published)
        .args(["--fake-now", "2017-02-20T12:00:00"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child_pid.store(i32::try_from(child.id()).expect("pid"), Ordering::SeqCst);
    let out = child.wait_with_output().expect("wait");
    let paths = server.join().expect("server");
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        paths,
        [
            "/events/restSearch",
            "/attributes/downloadAttachment/download/7",
            "/attributes/downloadAttachment/download/8",
        ],
        "no retry of sample 8 and no sample 9 after the signal"
    );
    let lines = std::fs::read_to_string(&published).expect("published");
    assert_eq!(lines.lines().count(), 2, "{lines}");
    assert!(
        lines
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("\"exchange\":\"sample\"")),
        "{lines}"
    );

    let show = Command::new(env!("CARGO_BIN_EXE_n6-replay"))
        .args(["run", "MispCollector", "misp_test"])
        .arg("--config-dir")
        .arg(&conf)
        .arg("--state-dir")
        .arg(&state)
        .args(["state", "export"])
        .output()
        .expect("state export");
    let text = String::from_utf8_lossy(&show.stdout).replace([' ', '\n'], "");
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    for part in [
        r#""events_last_proc_datetime":"2017-02-20T12:00:00""#,
        r#""samples_last_proc_datetime":"2017-02-18T12:00:00""#,
        r#""already_processed_sample_ids":[7]"#,
    ] {
        assert!(text.contains(part), "{part} not in {text}");
    }
}
