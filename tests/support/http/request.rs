//! Reading one request off a connection, and what the server records of it.

use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The request line, e.g. `GET /feed HTTP/1.1`.
    pub line: String,
    /// Its method, e.g. `GET`.
    pub method: String,
    /// Its target (path and query), e.g. `/feed?a=1`.
    pub target: String,
    /// The headers in order, names lower-cased, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
    /// When its head was read.
    pub arrived: Instant,
}

impl Request {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).into_iter().next()
    }

    /// Every value of header `name` (any case), in order.
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// One event on the server: a request, or a TLS handshake that failed.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// A request.
    Request(Request),
    /// The TLS handshake failed (e.g. no client certificate, or the client rejected
    /// the server's); the error as the server saw it.
    HandshakeFailed(String),
}

impl Seen {
    /// The request, if this is one.
    pub fn request(&self) -> Option<&Request> {
        match self {
            Seen::Request(request) => Some(request),
            Seen::HandshakeFailed(_) => None,
        }
    }

    /// The header `name` of a request.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request()?.header(name)
    }
}

/// Reads a request head and its `Content-Length` body; `None` if the connection ended
/// (or failed) before the head was complete.
pub(super) fn read(stream: &mut impl Read) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let arrived;
    let mut headers = Vec::new();
    loop {
        let mut text = String::new();
        if reader.read_line(&mut text).ok()? == 0 {
            return None;
        }
        if text == "\r\n" || text == "\n" {
            arrived = Instant::now();
            break;
        }
        if let Some((name, value)) = text.trim_end().split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let line = line.trim_end().to_owned();
    let mut words = line.split(' ');
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default().to_owned();
    Some(Request {
        line,
        method,
        target,
        headers,
        body,
        arrived,
    })
}
