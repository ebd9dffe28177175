//! A local HTTP stub that answers a run's requests with the fixture's recorded results,
//! in order (one recorded call per request).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread;

use serde_json::Value;

/// One recorded answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The URL n6's call asked for (`args[0]`), when it was a URL.
    pub url: Option<String>,
    /// HTTP status to send.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
    /// `Last-Modified` to send (HTTP date), if n6 saw one.
    pub last_modified: Option<String>,
    /// A collector's own checks of the request and action before the answer (MISP).
    pub expect: Option<crate::misp_answers::Expect>,
}

/// What the stub saw: `METHOD target` per request, and mismatches with the recording.
#[derive(Debug, Default)]
pub struct Log {
    /// `METHOD /path?query`, in order.
    pub requests: Vec<String>,
    /// Requests that did not ask for the recorded URL's path and query.
    pub mismatches: Vec<String>,
}

/// Reads `inputs.jsonl` (and `inputs/NNN.bin`) of `fixture` as answers.
pub fn answers(fixture: &Path) -> Result<Vec<Answer>, String> {
    let path = fixture.join("inputs.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let mut answers = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let call: Value =
            serde_json::from_str(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        // n6's test patched `_get_headers` (PhishTank's HEAD request) out: no download
        // was made for it; the stub answers a HEAD without a recorded call (see `serve`).
        if call["method"] == "_get_headers" {
            continue;
        }
        let url = call["args"][0]
            .as_str()
            .or_else(|| call["kwargs"]["url"].as_str())
            .map(str::to_owned);
        let last_modified = call["http_last_modified"].as_str().and_then(http_date);
        let (status, body) = if let Some(file) = call["result_file"].as_str() {
            let body = std::fs::read(fixture.join(file))
                .map_err(|e| format!("{}: {e}", fixture.join(file).display()))?;
            // A `.json` result is the Python value the call returned: a `str` is served
            // as its text, anything else as JSON.
            if file.ends_with(".json") {
                match serde_json::from_slice::<Value>(&body) {
                    Ok(Value::String(text)) => (200, text.into_bytes()),
                    Ok(Value::Null) => (200, Vec::new()),
                    Ok(other) => (200, serde_json::to_vec(&other).unwrap_or_default()),
                    Err(_) => (200, body),
                }
            } else {
                (200, body)
            }
        } else if let Some(raised) = call.get("raised") {
            (
                500,
                raised["message"].as_str().unwrap_or("").as_bytes().to_vec(),
            )
        } else {
            match &call["result"] {
                Value::String(s) => (200, s.as_bytes().to_vec()),
                Value::Null => (200, Vec::new()),
                other => (200, serde_json::to_vec(other).unwrap_or_default()),
            }
        };
        answers.push(Answer {
            url,
            status,
            body,
            last_modified,
            expect: None,
        });
    }
    Ok(answers)
}

/// `YYYY-MM-DD HH:MM:SS` → `Day, DD Mon YYYY HH:MM:SS GMT`.
fn http_date(naive: &str) -> Option<String> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let dt = time::PrimitiveDateTime::parse(naive.get(..19)?, &format).ok()?;
    let out = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    dt.format(&out).ok()
}

/// Starts the stub on 127.0.0.1 (an ephemeral port); returns its base URL and its log.
pub fn start(answers: Vec<Answer>) -> std::io::Result<(String, Arc<Mutex<Log>>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let log = Arc::new(Mutex::new(Log::default()));
    let shared = Arc::clone(&log);
    thread::spawn(move || {
        let mut next = answers.into_iter();
        for stream in listener.incoming().flatten() {
            let _ = serve(stream, &mut next, &shared);
        }
    });
    Ok((base, log))
}

/// Answers one request with the next recorded answer; a `HEAD` gets a bare `200` and
/// leaves the recording alone (n6's recordings hold no HEAD requests).
fn serve(
    stream: TcpStream,
    next: &mut impl Iterator<Item = Answer>,
    log: &Mutex<Log>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut length = 0usize;
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    if method == "HEAD" {
        if let Ok(mut log) = log.lock() {
            log.requests.push(format!("{method} {target}"));
        }
        let mut stream = stream;
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
        return stream.flush();
    }
    let answer = next.next();
    if let Ok(mut log) = log.lock() {
        log.requests.push(format!("{method} {target}"));
        if let Some(url) = answer.as_ref().and_then(|a| a.url.as_deref())
            && let Some(want) = path_and_query(url)
            && want != target
        {
            log.mismatches
                .push(format!("asked for {target}, n6 asked for {want}"));
        }
        if let Some(expect) = answer.as_ref().and_then(|a| a.expect.as_ref()) {
            log.mismatches
                .extend(expect.mismatches(&method, &target, &headers, &body));
        }
    }
    if let Some(expect) = answer.as_ref().and_then(|a| a.expect.as_ref()) {
        expect.before_answer();
    }
    let mut stream = stream;
    let (status, body, last_modified) = match answer {
        Some(a) => (a.status, a.body, a.last_modified),
        None => (599, b"no more recorded answers".to_vec(), None),
    };
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    );
    if let Some(lm) = last_modified {
        head += &format!("Last-Modified: {lm}\r\n");
    }
    head += "\r\n";
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

/// `/path?query` of an `http(s)://` URL (`/` for an empty path).
fn path_and_query(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    Some(
        rest.find('/')
            .map_or("/".to_owned(), |i| rest[i..].to_owned()),
    )
}
