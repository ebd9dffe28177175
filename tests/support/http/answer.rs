//! Scripted answers and how each is written to its connection.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A connection the server writes to: TCP, or TLS over TCP.
pub trait Stream: Read + Write + Send {}

impl<S: Read + Write + Send> Stream for S {}

/// How the body goes out.
#[derive(Clone, Copy, Debug)]
enum Delivery {
    /// All of it, then the connection closes.
    Whole,
    /// Its first `n` bytes (the head announcing all of it), then the connection closes.
    CutAfter(usize),
    /// One byte every interval, from a thread of its own, until the body is sent, the
    /// client goes away or the server stops.
    Dribble(Duration),
    /// Nothing at all: the request is read and the connection held open, unanswered,
    /// until the server stops.
    Silent,
}

/// One scripted answer: status, extra headers, body and how the body is delivered. The
/// server always adds `Content-Length` (the whole body's) and `Connection: close`, and
/// sends no body to a `HEAD`.
#[derive(Clone, Debug)]
pub struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delivery: Delivery,
}

impl Answer {
    /// `status` with `body`.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.into(),
            delivery: Delivery::Whole,
        }
    }

    /// `200 OK` with `body`.
    pub fn ok(body: impl Into<Vec<u8>>) -> Answer {
        Answer::new(200, body)
    }

    /// `status` with an empty body.
    pub fn status(status: u16) -> Answer {
        Answer::new(status, Vec::new())
    }

    /// Reads the request and never answers; the connection stays open until the server
    /// is dropped (the client gives up first: a read timeout).
    pub fn silent() -> Answer {
        Answer {
            delivery: Delivery::Silent,
            ..Answer::status(200)
        }
    }

    /// Adds the header `name: value`.
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Announces the whole body but sends only its first `sent` bytes, then closes.
    pub fn cut_after(mut self, sent: usize) -> Answer {
        self.delivery = Delivery::CutAfter(sent);
        self
    }

    /// Sends the body one byte every `every` (a source that trickles).
    pub fn dribble(mut self, every: Duration) -> Answer {
        self.delivery = Delivery::Dribble(every);
        self
    }

    /// Writes the answer to `stream` (no body after a `HEAD`); connections it keeps open
    /// or keeps writing to go to `held`.
    pub(super) fn send(
        self,
        mut stream: Box<dyn Stream>,
        head_only: bool,
        stop: &Arc<AtomicBool>,
        held: &mut Held,
    ) {
        if let Delivery::Silent = self.delivery {
            held.open.push(stream);
            return;
        }
        let mut head = format!(
            "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.status,
            reason(self.status),
            self.body.len()
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        if stream.write_all(head.as_bytes()).is_err() || head_only {
            return;
        }
        match self.delivery {
            Delivery::Whole => {
                let _ = stream.write_all(&self.body);
            }
            Delivery::CutAfter(sent) => {
                let _ = stream.write_all(&self.body[..sent.min(self.body.len())]);
            }
            Delivery::Dribble(every) => {
                let stop = Arc::clone(stop);
                held.dribbling.push(std::thread::spawn(move || {
                    for byte in self.body {
                        if stop.load(Ordering::SeqCst) || stream.write_all(&[byte]).is_err() {
                            return;
                        }
                        let _ = stream.flush();
                        std::thread::sleep(every);
                    }
                }));
                return;
            }
            Delivery::Silent => {}
        }
        let _ = stream.flush();
    }
}

/// Connections still in use after their answer: silent ones held open, dribbling ones
/// being written.
#[derive(Default)]
pub(super) struct Held {
    open: Vec<Box<dyn Stream>>,
    dribbling: Vec<JoinHandle<()>>,
}

impl Held {
    /// Closes the silent connections and waits for the dribbling ones to end (they
    /// watch the server's stop flag).
    pub(super) fn release(self) {
        drop(self.open);
        for thread in self.dribbling {
            let _ = thread.join();
        }
    }
}

/// The reason phrase of `status` (the clients under test ignore it).
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        304 => "Not Modified",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Scripted",
    }
}
