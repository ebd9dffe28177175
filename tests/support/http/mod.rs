//! The one scripted HTTP/1.1 test server, plain or TLS, on 127.0.0.1 (an ephemeral
//! port): each connection gets the next [`Answer`] of the script (`Connection: close`),
//! every request is recorded ([`Request`]: method, target, headers, body, arrival) and
//! readable while the server runs and after; past the script it answers as the test
//! chose ([`AfterScript`]). Dropping the [`Server`] stops and joins it.
//!
//! A connection that closes before a whole request head arrived is ignored; a failed
//! TLS handshake is recorded ([`Seen::HandshakeFailed`]) and uses up its answer (a
//! client that rejects the server's certificate gives up during the handshake).
//!
//! The integration targets reach it through `tests/support/mod.rs`; the download unit
//! tests of `n6-collectors` include this directory by `#[path]`.
#![allow(dead_code)]

mod answer;
mod request;
mod tls;

pub use answer::Answer;
pub use request::{Request, Seen};
pub use tls::Certs;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long [`Server::served`] waits for the script to be used up before it fails the
/// test (a client that never came).
const PATIENCE: Duration = Duration::from_secs(60);

/// What the server does with a request that comes after the last scripted answer. The
/// request is recorded either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterScript {
    /// Answers `410 Gone`.
    Gone,
    /// Closes the connection without an answer.
    HangUp,
}

/// A server to start: its script, what comes after it, TLS.
pub struct Builder {
    answers: Vec<Answer>,
    after: AfterScript,
    tls: Option<Arc<rustls::ServerConfig>>,
}

impl Builder {
    /// What to do after the script (the default: [`AfterScript::Gone`]).
    pub fn after_script(mut self, after: AfterScript) -> Builder {
        self.after = after;
        self
    }

    /// Serves HTTPS with `certs`' server certificate (for 127.0.0.1 and `localhost`);
    /// `require_client_cert`: clients must present a certificate signed by the test CA.
    pub fn tls(mut self, certs: &Certs, require_client_cert: bool) -> Builder {
        self.tls = Some(tls::server_config(certs, require_client_cert));
        self
    }

    /// Binds 127.0.0.1 on an ephemeral port and starts serving.
    pub fn start(self) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("the server's address");
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        let scripted = self.answers.len();
        let shared = Arc::new(Shared::default());
        let serving = Arc::clone(&shared);
        let thread = std::thread::spawn(move || {
            serve(listener, self.answers, self.after, self.tls, &serving);
        });
        Server {
            base: format!("{scheme}://{address}"),
            address,
            scripted,
            shared,
            thread: Some(thread),
        }
    }
}

/// A running scripted server; dropping it stops it (open connections are closed).
pub struct Server {
    base: String,
    address: SocketAddr,
    scripted: usize,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// A plain HTTP server answering `answers`, then `410 Gone`.
    pub fn http(answers: Vec<Answer>) -> Server {
        Server::script(answers).start()
    }

    /// An HTTPS server answering `answers`, then `410 Gone` (see [`Builder::tls`]).
    pub fn https(answers: Vec<Answer>, certs: &Certs, require_client_cert: bool) -> Server {
        Server::script(answers)
            .tls(certs, require_client_cert)
            .start()
    }

    /// A server to configure further, answering `answers` first.
    pub fn script(answers: Vec<Answer>) -> Builder {
        Builder {
            answers,
            after: AfterScript::Gone,
            tls: None,
        }
    }

    /// `http://127.0.0.1:PORT` (or `https://…`), no path.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The URL of `path` (which starts with `/`) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Everything seen so far, in order: requests and failed TLS handshakes.
    pub fn seen(&self) -> Vec<Seen> {
        self.shared.log().seen.clone()
    }

    /// The requests received so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.seen()
            .into_iter()
            .filter_map(|seen| match seen {
                Seen::Request(request) => Some(request),
                Seen::HandshakeFailed(_) => None,
            })
            .collect()
    }

    /// The value of header `name` (any case) in request `index` (0-based), if that
    /// request came and carried it.
    pub fn request_header(&self, index: usize, name: &str) -> Option<String> {
        self.requests().get(index)?.header(name).map(str::to_owned)
    }

    /// When each request arrived (its head read).
    pub fn arrivals(&self) -> Vec<Instant> {
        self.requests().iter().map(|r| r.arrived).collect()
    }

    /// Waits until every scripted answer was taken (its request recorded), then returns
    /// everything seen; fails the test if that takes minutes.
    pub fn served(&self) -> Vec<Seen> {
        let log = self.shared.log();
        let (log, waited) = self
            .shared
            .changed
            .wait_timeout_while(log, PATIENCE, |log| log.answered < self.scripted)
            .expect("the server's log");
        assert!(
            !waited.timed_out(),
            "{} of {} scripted answers taken: {:?}",
            log.answered,
            self.scripted,
            log.seen
        );
        log.seen.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees `stop`.
        let _ = TcpStream::connect(self.address);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// What the serving thread and the test share.
#[derive(Default)]
struct Shared {
    log: Mutex<Log>,
    changed: Condvar,
    stop: Arc<AtomicBool>,
}

/// What the server saw, and how many scripted answers it took.
#[derive(Default)]
struct Log {
    seen: Vec<Seen>,
    answered: usize,
}

impl Shared {
    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records `seen`; `scripted`: it took a scripted answer.
    fn note(&self, seen: Seen, scripted: bool) {
        let mut log = self.log();
        log.seen.push(seen);
        if scripted {
            log.answered += 1;
        }
        self.changed.notify_all();
    }
}

/// The accept loop: one connection at a time, each answered with the next answer.
fn serve(
    listener: TcpListener,
    answers: Vec<Answer>,
    after: AfterScript,
    tls: Option<Arc<rustls::ServerConfig>>,
    shared: &Shared,
) {
    let mut script = answers.into_iter();
    let mut held = answer::Held::default();
    for connection in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(tcp) = connection else { continue };
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
        let mut stream: Box<dyn answer::Stream> = match &tls {
            None => Box::new(tcp),
            Some(config) => match tls::accept(config, tcp) {
                Ok(stream) => Box::new(stream),
                Err(error) => {
                    let scripted = script.next().is_some();
                    shared.note(Seen::HandshakeFailed(error), scripted);
                    continue;
                }
            },
        };
        let Some(request) = request::read(&mut stream) else {
            continue;
        };
        let head_only = request.method == "HEAD";
        let next = script.next();
        shared.note(Seen::Request(request), next.is_some());
        let answer = match (next, after) {
            (Some(answer), _) => answer,
            (None, AfterScript::Gone) => Answer::status(410),
            (None, AfterScript::HangUp) => continue,
        };
        answer.send(stream, head_only, &shared.stop, &mut held);
    }
    held.release();
}
