//! A scripted HTTP/1.1 server on 127.0.0.1 for the download tests.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One scripted answer: status line, extra header lines, body.
pub struct Answer {
    pub status: &'static str,
    pub headers: &'static str,
    pub body: &'static str,
}

/// An HTTP/1.1 server answering each connection with the next of `answers`
/// (`Connection: close`), noting when each request arrived.
pub struct ScriptedServer {
    port: u16,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    requests: Arc<Mutex<Vec<Vec<String>>>>,
}

impl ScriptedServer {
    /// Serves `answers` in order on a port of 127.0.0.1.
    pub fn start(answers: Vec<Answer>) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let noted = Arc::clone(&arrivals);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let heads = Arc::clone(&requests);
        std::thread::spawn(move || {
            let mut answers = answers.into_iter();
            for mut stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut line = String::new();
                let mut head = Vec::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    head.push(line.trim_end().to_owned());
                    line.clear();
                }
                heads.lock().expect("lock").push(head);
                noted.lock().expect("lock").push(Instant::now());
                let Some(answer) = answers.next() else { break };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
                    answer.status,
                    answer.body.len(),
                    answer.headers,
                    answer.body
                );
            }
        });
        ScriptedServer {
            port,
            arrivals,
            requests,
        }
    }

    /// The URL of the feed.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/feed", self.port)
    }

    /// The value of header `name` in request `index` (0-based), if sent.
    pub fn request_header(&self, index: usize, name: &str) -> Option<String> {
        let requests = self.requests.lock().expect("lock");
        requests.get(index)?.iter().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// When each request arrived.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.arrivals.lock().expect("lock").clone()
    }
}
