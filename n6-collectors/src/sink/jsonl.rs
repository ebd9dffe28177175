//! The embedded default output: JSON lines.
//!
//! One object per message:
//! `{"exchange": ..., "routing_key": ..., "properties": {...}, "body": "..."}`, where
//! `properties` uses n6's property names and `body` is the UTF-8 text of the body, or,
//! when the body is not valid UTF-8, `"body_base64"` replaces `"body"`; last comes
//! `"source"`, the source the `message_id` was computed over (not on the wire; the
//! routing key may carry a version tag after it).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Serialize;

use super::{Sink, SinkError};
use crate::message::{Message, Properties};

/// The part of a line before the body.
#[derive(Serialize)]
struct Head<'a> {
    exchange: &'a str,
    routing_key: &'a str,
    properties: &'a Properties,
}

/// How many bytes of a line are handed to the writer at a time: a line of a large body
/// is encoded piece by piece instead of as one string beside the body.
pub const WRITE_PIECE: usize = 1 << 20;

/// Renders one message as its JSON line (without the newline).
pub fn render(message: &Message) -> String {
    let mut line = Vec::new();
    // Writing into a `Vec` cannot fail.
    let _ = write_line(message, &mut |piece: &[u8]| {
        line.extend_from_slice(piece);
        Ok(())
    });
    line.pop();
    // Everything written is JSON text: UTF-8 by construction.
    String::from_utf8(line).unwrap_or_default()
}

/// Writes the JSON line of `message`, newline included, to `out` in pieces of about
/// [`WRITE_PIECE`] bytes (a short line is one piece). The body is checked for UTF-8 once
/// and escaped as it is copied into the piece buffer (`serde_json`'s escaping: `"`, `\\`
/// and the control characters), or base64-encoded the same way when it is not UTF-8.
pub fn write_line(
    message: &Message,
    out: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let body = &message.body;
    let mut buf = Vec::with_capacity((body.len() + 512).min(WRITE_PIECE + 64));
    let head = Head {
        exchange: &message.exchange,
        routing_key: &message.routing_key,
        properties: &message.properties,
    };
    serde_json::to_writer(&mut buf, &head).map_err(io::Error::other)?;
    // `{"exchange":...,"properties":{...}}`: the object goes on.
    buf.pop();
    if std::str::from_utf8(body).is_ok() {
        buf.extend_from_slice(b",\"body\":\"");
        for part in body.chunks(WRITE_PIECE / 2) {
            escape_into(&mut buf, part);
            if buf.len() >= WRITE_PIECE / 2 {
                out(&buf)?;
                buf.clear();
            }
        }
    } else {
        use base64::engine::general_purpose::STANDARD;
        buf.extend_from_slice(b",\"body_base64\":\"");
        // Whole groups of 3 bytes per part: the parts' encodings concatenate.
        for part in body.chunks(3 * (WRITE_PIECE / 8)) {
            let at = buf.len();
            buf.resize(at + part.len().div_ceil(3) * 4, 0);
            let n = STANDARD
                .encode_slice(part, &mut buf[at..])
                .map_err(io::Error::other)?;
            buf.truncate(at + n);
            if buf.len() >= WRITE_PIECE / 2 {
                out(&buf)?;
                buf.clear();
            }
        }
    }
    buf.extend_from_slice(b"\",\"source\":");
    serde_json::to_writer(&mut buf, message.source.as_str()).map_err(io::Error::other)?;
    buf.extend_from_slice(b"}\n");
    out(&buf)
}

/// Appends `text` (UTF-8) to `buf` as the inside of a JSON string, as `serde_json`
/// escapes it: `\"`, `\\`, `\b \f \n \r \t`, other control characters as `\u00XX`.
fn escape_into(buf: &mut Vec<u8>, text: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    buf.reserve(text.len() + text.len() / 8);
    let mut run = 0;
    for (i, &byte) in text.iter().enumerate() {
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        buf.extend_from_slice(&text[run..i]);
        run = i + 1;
        match byte {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            0x08 => buf.extend_from_slice(b"\\b"),
            0x0c => buf.extend_from_slice(b"\\f"),
            _ => buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ]),
        }
    }
    buf.extend_from_slice(&text[run..]);
}

/// fsyncs a regular file; character devices and pipes (`--output /dev/null`) cannot be
/// synced and need not be.
fn sync_if_regular(file: &File) -> io::Result<()> {
    if file.metadata()?.is_file() {
        file.sync_data()
    } else {
        Ok(())
    }
}

enum Target {
    Stdout(io::Stdout),
    /// An appended file; `regular` when it is a regular file (not `/dev/null`, a FIFO).
    File {
        file: File,
        regular: bool,
    },
}

/// Writes messages as JSON lines to stdout or appends them to a file.
///
/// A file never keeps a torn line: when it does not end with a newline on opening (a
/// full disk or a kill -9 of an earlier writer), the partial last line is cut off first
/// (with a warning), and a write that fails is cut back to where it started. Each line
/// is written with one `write` to the file (opened `O_APPEND`), unbuffered — a line longer
/// than [`WRITE_PIECE`] (a large body) with one `write` per piece, so that it is never
/// held whole beside the body. Several collectors may append to one regular file: each
/// holds an exclusive `flock` on it while it cuts a torn tail or writes a line, so lines
/// never interleave and no writer cuts another's line in progress.
pub struct JsonLinesSink {
    target: Target,
    path: PathBuf,
}

impl JsonLinesSink {
    /// A sink writing to standard output.
    pub fn stdout() -> Self {
        JsonLinesSink {
            target: Target::Stdout(io::stdout()),
            path: PathBuf::from("-"),
        }
    }

    /// A sink appending to `path` (created 0600 if missing).
    pub fn append_to(path: &Path) -> Result<Self, SinkError> {
        use std::os::unix::fs::OpenOptionsExt;
        let io_error = |source| SinkError::Io {
            path: path.to_owned(),
            source,
        };
        let open = |read: bool| {
            OpenOptions::new()
                .create(true)
                .read(read)
                .append(true)
                .mode(0o600)
                .open(path)
        };
        // Read access is only to find a torn last line of a regular file; a FIFO or a
        // device is opened for writing only, as is a file we may write but not read.
        let is_special = std::fs::metadata(path).is_ok_and(|m| !m.is_file());
        let (file, readable) = match open(!is_special) {
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied && !is_special => {
                (open(false).map_err(io_error)?, false)
            }
            opened => (opened.map_err(io_error)?, !is_special),
        };
        let regular = file.metadata().map_err(io_error)?.is_file();
        if regular && readable {
            let dropped = locked(&file, || cut_torn_tail(&file)).map_err(io_error)?;
            if dropped > 0 {
                tracing::warn!(
                    "{} ended with a partial line (an earlier write was cut short); \
                     removed its {dropped} byte(s)",
                    path.display()
                );
            }
        }
        Ok(JsonLinesSink {
            target: Target::File { file, regular },
            path: path.to_owned(),
        })
    }

    fn io_error(&self, source: io::Error) -> SinkError {
        SinkError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// Truncates `file` after its last newline (to 0 when it has none); returns how many
/// bytes were removed.
fn cut_torn_tail(file: &File) -> io::Result<u64> {
    use std::os::unix::fs::FileExt;
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(chunk.len() as u64);
        let part = &mut chunk[..(end - start) as usize];
        file.read_exact_at(part, start)?;
        if let Some(at) = part.iter().rposition(|&b| b == b'\n') {
            end = start + at as u64 + 1;
            break;
        }
        end = start;
    }
    if end < len {
        file.set_len(end)?;
    }
    Ok(len - end)
}

/// Appends the line of `message` to `file` (one `write_all` per piece, a short line in
/// one); on failure cuts the file back to its length before (a regular file), so no
/// partial line stays behind.
fn append_line(mut file: &File, regular: bool, message: &Message) -> io::Result<()> {
    if !regular {
        return write_line(message, &mut |piece: &[u8]| file.write_all(piece));
    }
    locked(file, || {
        let before = file.metadata()?.len();
        let written = write_line(message, &mut |piece: &[u8]| file.write_all(piece));
        if written.is_err() {
            // Best effort: the write error is what the operator must see.
            let _ = file.set_len(before);
        }
        written
    })
}

/// Runs `work` holding an exclusive `flock` on `file` (waiting for another writer's line
/// to be complete).
fn locked<T>(file: &File, work: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    file.lock()?;
    let result = work();
    let unlocked = file.unlock();
    let value = result?;
    unlocked?;
    Ok(value)
}

impl Sink for JsonLinesSink {
    fn publish(&mut self, message: &Message) -> Result<(), SinkError> {
        let result = match &mut self.target {
            Target::Stdout(out) => {
                let mut out = out.lock();
                write_line(message, &mut |piece: &[u8]| out.write_all(piece))
            }
            Target::File { file, regular } => append_line(file, *regular, message),
        };
        result.map_err(|e| self.io_error(e))
    }

    fn confirm(&mut self) -> Result<(), SinkError> {
        let result = match &mut self.target {
            Target::Stdout(out) => out.lock().flush(),
            Target::File { file, .. } => sync_if_regular(file),
        };
        result.map_err(|e| self.io_error(e))
    }

    fn close(&mut self) -> Result<(), SinkError> {
        self.confirm()
    }

    fn describe(&self) -> String {
        match self.target {
            Target::Stdout(_) => "JSON lines on stdout".to_owned(),
            Target::File { .. } => format!("JSON lines in {}", self.path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{HeaderTable, Identity, RawType};

    fn identity() -> Identity {
        Identity {
            source: "my-provider.my-channel",
            raw_type: RawType::File,
            content_type: Some("text/csv"),
            raw_format_version_tag: None,
        }
    }

    #[test]
    fn utf8_body_is_text() {
        let msg = identity().message(
            "raw",
            b"<some body>".to_vec(),
            1660218035,
            HeaderTable::default(),
        );
        assert_eq!(
            render(&msg),
            r#"{"exchange":"raw","routing_key":"my-provider.my-channel","properties":{"message_id":"0ee79178d8d14de9c91b6499598f9135","type":"file","timestamp":1660218035,"content_type":"text/csv","delivery_mode":2},"body":"<some body>","source":"my-provider.my-channel"}"#
        );
    }

    /// The line as `serde_json` writes the same object (the encoding before pieces).
    fn serde_line(msg: &Message) -> String {
        #[derive(Serialize)]
        struct Line<'a> {
            exchange: &'a str,
            routing_key: &'a str,
            properties: &'a Properties,
            #[serde(skip_serializing_if = "Option::is_none")]
            body: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            body_base64: Option<String>,
            source: &'a str,
        }
        let text = std::str::from_utf8(&msg.body).ok();
        serde_json::to_string(&Line {
            exchange: &msg.exchange,
            routing_key: &msg.routing_key,
            properties: &msg.properties,
            body: text,
            body_base64: text
                .is_none()
                .then(|| base64::engine::general_purpose::STANDARD.encode(&msg.body)),
            source: &msg.source,
        })
        .expect("json")
    }

    #[test]
    fn lines_are_serde_json_s_for_every_byte_and_any_size() {
        let every_char: String = (0u32..0x800).filter_map(char::from_u32).collect();
        let big_text = "\"a\",\"2024-01-01 00:00:00\",\"ż\u{7}\\\"\n".repeat(WRITE_PIECE / 10);
        let mut big_binary = big_text.clone().into_bytes();
        big_binary.push(0xff);
        for body in [
            Vec::new(),
            every_char.into_bytes(),
            big_text.into_bytes(),
            big_binary,
            vec![0xff; 3 * (WRITE_PIECE / 8) + 1],
        ] {
            let msg = identity().message("raw", body, 7, HeaderTable::default());
            assert_eq!(render(&msg), serde_line(&msg));
            let mut pieces = 0;
            let mut whole = Vec::new();
            write_line(&msg, &mut |piece: &[u8]| {
                pieces += 1;
                assert!(piece.len() <= WRITE_PIECE + 64, "piece of {}", piece.len());
                whole.extend_from_slice(piece);
                Ok(())
            })
            .expect("write");
            assert_eq!(whole, format!("{}\n", serde_line(&msg)).into_bytes());
            assert!(pieces >= 1);
        }
    }

    #[test]
    fn non_utf8_body_is_base64() {
        let msg = identity().message("raw", vec![0xff, 0x00, b'a'], 1, HeaderTable::default());
        let line = render(&msg);
        assert!(
            line.ends_with(r#""body_base64":"/wBh","source":"my-provider.my-channel"}"#),
            "{line}"
        );
        assert!(!line.contains(r#""body":"#));
    }

    #[test]
    fn file_sink_appends_and_confirms() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.jsonl");
        let mut sink = JsonLinesSink::append_to(&path).expect("open");
        let msg = identity().message("raw", b"x".to_vec(), 1, HeaderTable::default());
        sink.publish(&msg).expect("publish");
        sink.confirm().expect("confirm");
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, format!("{}\n", render(&msg)));
    }

    #[test]
    fn writers_appending_to_one_file_never_interleave_their_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.jsonl");
        // Lines of several pieces each, so that unlocked writers would interleave pieces.
        let body = "x".repeat(3 * WRITE_PIECE);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    let mut sink = JsonLinesSink::append_to(&path).expect("open");
                    for _ in 0..3 {
                        let msg = identity().message(
                            "raw",
                            body.as_bytes().to_vec(),
                            1,
                            HeaderTable::default(),
                        );
                        sink.publish(&msg).expect("publish");
                    }
                    sink.close().expect("close");
                });
            }
        });
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 12);
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).expect("one whole JSON line");
            assert_eq!(v["body"].as_str().map(str::len), Some(body.len()));
        }
    }

    #[test]
    fn a_torn_tail_is_cut_back_to_the_last_newline() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.jsonl");
        for (before, after) in [
            ("{\"a\":1}\n{\"torn", "{\"a\":1}\n"),
            ("{\"torn", ""),
            ("{\"a\":1}\n", "{\"a\":1}\n"),
            ("", ""),
        ] {
            std::fs::write(&path, before).expect("write");
            let mut sink = JsonLinesSink::append_to(&path).expect("open");
            let msg = identity().message("raw", b"x".to_vec(), 1, HeaderTable::default());
            sink.publish(&msg).expect("publish");
            sink.confirm().expect("confirm");
            let text = std::fs::read_to_string(&path).expect("read");
            assert_eq!(text, format!("{after}{}\n", render(&msg)), "{before:?}");
        }
    }

    #[test]
    fn dev_null_is_a_valid_output() {
        let mut sink = JsonLinesSink::append_to(Path::new("/dev/null")).expect("open");
        let msg = identity().message("raw", b"x".to_vec(), 1, HeaderTable::default());
        sink.publish(&msg).expect("publish");
        sink.confirm().expect("confirm");
    }
}
