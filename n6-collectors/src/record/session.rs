//! The recording or replay of the run on this thread: started by the run lifecycle,
//! consulted by every HTTP exchange of the download helper and by [`read_stdin`].

use std::cell::RefCell;
use std::io::Read;
use std::path::{Path, PathBuf};

use ureq::Body;
use ureq::http::Response;

use super::RecordError;
use super::index::{Exchange, RecordedRequest, RecordedResponse, RecordingIndex};
use crate::clock::Clock;

/// The file a recording keeps stdin in.
const STDIN_FILE: &str = "stdin";

/// The file a recording keeps the state file in, as the run found it.
const STATE_BEFORE_FILE: &str = "state-before.cbor";

/// The directory of the body files.
const EXCHANGES_DIR: &str = "exchanges";

/// A live run writing its recording.
struct Recorder {
    dir: PathBuf,
    index: RecordingIndex,
}

/// An offline run answered from a recording.
struct Replayer {
    dir: PathBuf,
    index: RecordingIndex,
    used: Vec<bool>,
}

enum Session {
    Record(Recorder),
    Replay(Replayer),
}

thread_local! {
    /// The session of the run on this thread, if it records or replays.
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

/// Ends the run's session when dropped (however the run ends): a replay warns about
/// recorded exchanges it did not make.
pub(crate) struct SessionGuard(());

impl Drop for SessionGuard {
    fn drop(&mut self) {
        if let Some(Session::Replay(replayer)) = SESSION.with(|s| s.borrow_mut().take()) {
            let unused: Vec<String> = replayer
                .index
                .exchanges
                .iter()
                .zip(&replayer.used)
                .filter(|(_, used)| !**used)
                .map(|(exchange, _)| describe(&exchange.request))
                .collect();
            if !unused.is_empty() {
                tracing::warn!(
                    "--replay {}: {} recorded request(s) were not made: {}",
                    replayer.dir.display(),
                    unused.len(),
                    unused.join(", ")
                );
            }
        }
    }
}

/// What the run asked for on its command line.
pub(crate) struct SessionRequest<'a> {
    /// `--record DIR`.
    pub(crate) record: Option<&'a Path>,
    /// `--replay DIR`.
    pub(crate) replay: Option<&'a Path>,
    /// The collector's struct name.
    pub(crate) collector: &'a str,
    /// The run's clock as the command line gave it.
    pub(crate) clock: Clock,
    /// The state file as the run found it (file backend), if there is one.
    pub(crate) state_file: Option<&'a Path>,
}

/// Starts recording or replaying on this thread, as asked; returns the clock the run
/// uses (frozen when recording, the recorded one when replaying) and the guard that
/// ends the session.
pub(crate) fn start(
    asked: SessionRequest<'_>,
) -> Result<(Clock, Option<SessionGuard>), RecordError> {
    let session = match (asked.record, asked.replay) {
        (Some(dir), _) => start_recording(dir, &asked)?,
        (None, Some(dir)) => start_replay(dir, asked.collector)?,
        (None, None) => return Ok((asked.clock, None)),
    };
    let clock = match &session {
        Session::Record(recorder) => clock_of(&recorder.index, &recorder.dir)?,
        Session::Replay(replayer) => clock_of(&replayer.index, &replayer.dir)?,
    };
    SESSION.with(|s| *s.borrow_mut() = Some(session));
    Ok((clock, Some(SessionGuard(()))))
}

fn clock_of(index: &RecordingIndex, dir: &Path) -> Result<Clock, RecordError> {
    Clock::parse_fixed(&index.clock).map_err(|reason| RecordError::Invalid {
        path: dir.join(super::index::INDEX_FILE),
        reason: format!("clock: {reason}"),
    })
}

fn start_recording(dir: &Path, asked: &SessionRequest<'_>) -> Result<Session, RecordError> {
    let not_empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if not_empty {
        return Err(RecordError::NotEmpty {
            path: dir.to_owned(),
        });
    }
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| RecordError::Write { path, source }
    };
    let exchanges = dir.join(EXCHANGES_DIR);
    std::fs::create_dir_all(&exchanges).map_err(write_error(&exchanges))?;
    let mut index = RecordingIndex::new(asked.collector, clock_text(asked.clock));
    let published = dir.join(&index.published);
    std::fs::write(&published, b"").map_err(write_error(&published))?;
    if let Some(state_file) = asked.state_file.filter(|path| path.is_file()) {
        let copy = dir.join(STATE_BEFORE_FILE);
        std::fs::copy(state_file, &copy).map_err(write_error(&copy))?;
        index.state_before = Some(STATE_BEFORE_FILE.to_owned());
    }
    index.write(dir)?;
    Ok(Session::Record(Recorder {
        dir: dir.to_owned(),
        index,
    }))
}

fn start_replay(dir: &Path, collector: &str) -> Result<Session, RecordError> {
    let index = RecordingIndex::read(dir)?;
    if index.collector != collector {
        return Err(RecordError::Invalid {
            path: dir.join(super::index::INDEX_FILE),
            reason: format!(
                "it is a recording of {}, not of {collector}",
                index.collector
            ),
        });
    }
    Ok(Session::Replay(Replayer {
        dir: dir.to_owned(),
        used: vec![false; index.exchanges.len()],
        index,
    }))
}

/// `clock` frozen at its reading now, as RFC 3339 with microseconds (what
/// `--fake-now` and the recording's `clock` accept).
fn clock_text(clock: Clock) -> String {
    let now = clock.now();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

/// One HTTP request about to be sent.
pub(crate) struct Outgoing<'a> {
    /// The method.
    pub(crate) method: &'a str,
    /// The URL as sent.
    pub(crate) url: &'a str,
    /// The headers the collector sends.
    pub(crate) headers: &'a [(String, String)],
    /// The body, if any.
    pub(crate) body: Option<&'a [u8]>,
}

fn describe(request: &RecordedRequest) -> String {
    format!("{} {}", request.method, request.url)
}

/// How the download helper waits (retry back-off, `Retry-After`, the minimum interval):
/// not at all while replaying, else [`std::thread::sleep`].
pub(crate) fn sleep_fn() -> fn(std::time::Duration) {
    match mode() {
        Some(false) => |_| {},
        _ => std::thread::sleep,
    }
}

/// Whether a session is recording or replaying on this thread.
fn mode() -> Option<bool> {
    SESSION.with(|s| {
        s.borrow()
            .as_ref()
            .map(|session| matches!(session, Session::Record(_)))
    })
}

/// Makes one HTTP exchange: `live` itself; when recording, `live` with its response
/// saved (the body read whole, `broken_body` when that fails); when replaying, the
/// recorded response instead of `live`, or [`RecordError::NotRecorded`].
pub(crate) fn exchange<E>(
    request: &Outgoing<'_>,
    live: impl FnOnce() -> Result<Response<Body>, E>,
    broken_body: impl FnOnce(ureq::Error) -> E,
) -> Result<Result<Response<Body>, E>, RecordError> {
    match mode() {
        None => Ok(live()),
        Some(true) => {
            let response = match live() {
                Ok(response) => response,
                Err(e) => return Ok(Err(e)),
            };
            let (parts, mut body) = response.into_parts();
            let bytes = match body.with_config().limit(u64::MAX).read_to_vec() {
                Ok(bytes) => bytes,
                Err(e) => return Ok(Err(broken_body(e))),
            };
            SESSION.with(|s| match s.borrow_mut().as_mut() {
                Some(Session::Record(recorder)) => recorder.note(request, &parts, &bytes),
                _ => Ok(()),
            })?;
            Ok(Ok(Response::from_parts(parts, Body::builder().data(bytes))))
        }
        Some(false) => SESSION
            .with(|s| match s.borrow_mut().as_mut() {
                Some(Session::Replay(replayer)) => replayer.answer(request),
                _ => Err(RecordError::Invalid {
                    path: PathBuf::new(),
                    reason: "the replay ended".to_owned(),
                }),
            })
            .map(Ok),
    }
}

impl Recorder {
    /// Saves one exchange: its body files, then the index naming them.
    fn note(
        &mut self,
        request: &Outgoing<'_>,
        response: &ureq::http::response::Parts,
        body: &[u8],
    ) -> Result<(), RecordError> {
        let number = self.index.exchanges.len() + 1;
        let write = |name: String, bytes: &[u8]| {
            let path = self.dir.join(&name);
            std::fs::write(&path, bytes)
                .map(|()| name)
                .map_err(|source| RecordError::Write { path, source })
        };
        let request_body = match request.body {
            Some(bytes) => Some(write(
                format!("{EXCHANGES_DIR}/{number:03}-request.body"),
                bytes,
            )?),
            None => None,
        };
        let response_body = write(format!("{EXCHANGES_DIR}/{number:03}-response.body"), body)?;
        let headers = response
            .headers
            .iter()
            .map(|(name, value)| {
                recorded_header(name.as_str(), &String::from_utf8_lossy(value.as_bytes()))
            })
            .collect();
        self.index.exchanges.push(Exchange {
            request: RecordedRequest {
                method: request.method.to_owned(),
                url: request.url.to_owned(),
                headers: request
                    .headers
                    .iter()
                    .map(|(name, value)| recorded_header(name, value))
                    .collect(),
                body: request_body,
            },
            response: RecordedResponse {
                status: response.status.as_u16(),
                headers,
                body: response_body,
            },
        });
        self.index.write(&self.dir)
    }
}

/// A header as recorded: credentials (`Authorization`, cookies, and names that config
/// options holding secrets would have, e.g. `X-Api-Key`) as `***`, so that a recording
/// can be committed. A replay does not match headers, so nothing is lost.
fn recorded_header(name: &str, value: &str) -> (String, String) {
    let option_like = name.to_ascii_lowercase().replace('-', "_");
    let credential = matches!(
        option_like.as_str(),
        "authorization" | "proxy_authorization" | "cookie" | "set_cookie"
    ) || n6_collectors_config::secret::is_secret_option(&option_like);
    let value = if credential {
        n6_collectors_config::secret::REDACTED
    } else {
        value
    };
    (name.to_owned(), value.to_owned())
}

impl Replayer {
    /// The recorded response to `request`: the first exchange not yet used with the same
    /// method, URL and body.
    fn answer(&mut self, request: &Outgoing<'_>) -> Result<Response<Body>, RecordError> {
        let mut found = None;
        for (at, exchange) in self.index.exchanges.iter().enumerate() {
            if self.used[at]
                || exchange.request.method != request.method
                || exchange.request.url != request.url
            {
                continue;
            }
            let recorded_body = match &exchange.request.body {
                Some(name) => Some(self.read(name)?),
                None => None,
            };
            if recorded_body.as_deref() == request.body {
                found = Some(at);
                break;
            }
        }
        let Some(at) = found else {
            return Err(RecordError::NotRecorded {
                recording: self.dir.clone(),
                request: format!("{} {}", request.method, request.url),
                recorded: self
                    .index
                    .exchanges
                    .iter()
                    .map(|e| describe(&e.request))
                    .collect(),
            });
        };
        self.used[at] = true;
        let recorded = &self.index.exchanges[at].response;
        let body = self.read(&recorded.body)?;
        let mut builder = Response::builder().status(recorded.status);
        for (name, value) in &recorded.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder
            .body(Body::builder().data(body))
            .map_err(|e| RecordError::Invalid {
                path: self.dir.join(super::index::INDEX_FILE),
                reason: format!("exchange {}: {e}", at + 1),
            })
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, RecordError> {
        let path = RecordingIndex::file(&self.dir, name);
        std::fs::read(&path).map_err(|source| RecordError::Unreadable { path, source })
    }
}

/// Reads all of stdin, for the run: when recording, it is saved too; when replaying, it
/// is the recorded stdin (an error when the recorded run did not read stdin).
pub fn read_stdin() -> Result<Vec<u8>, RecordError> {
    read_input(&mut std::io::stdin())
}

/// [`read_stdin`] with `stdin` as the process's stdin.
fn read_input(stdin: &mut dyn Read) -> Result<Vec<u8>, RecordError> {
    let replayed = SESSION.with(|s| match s.borrow().as_ref() {
        Some(Session::Replay(replayer)) => Some(match &replayer.index.stdin {
            Some(name) => replayer.read(name),
            None => Err(RecordError::NoStdin {
                recording: replayer.dir.clone(),
            }),
        }),
        _ => None,
    });
    if let Some(recorded) = replayed {
        return recorded;
    }
    let mut raw = Vec::new();
    stdin
        .read_to_end(&mut raw)
        .map_err(|source| RecordError::Stdin { source })?;
    SESSION.with(|s| match s.borrow_mut().as_mut() {
        Some(Session::Record(recorder)) => {
            let path = recorder.dir.join(STDIN_FILE);
            std::fs::write(&path, &raw).map_err(|source| RecordError::Write { path, source })?;
            recorder.index.stdin = Some(STDIN_FILE.to_owned());
            recorder.index.write(&recorder.dir)
        }
        _ => Ok(()),
    })?;
    Ok(raw)
}

/// The recording directory when this thread's run is recording.
pub(crate) fn recording_dir() -> Option<(PathBuf, String)> {
    SESSION.with(|s| match s.borrow().as_ref() {
        Some(Session::Record(recorder)) => {
            Some((recorder.dir.clone(), recorder.index.published.clone()))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("n6-record-session-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(EXCHANGES_DIR)).expect("dir");
        let mut index = RecordingIndex::new("X", "2026-12-02T04:00:00.250000Z".to_owned());
        std::fs::write(dir.join(STDIN_FILE), b"From: a@b\n\nhi\n").expect("stdin");
        index.stdin = Some(STDIN_FILE.to_owned());
        std::fs::write(dir.join("exchanges/001-response.body"), b"answer").expect("body");
        index.exchanges.push(Exchange {
            request: RecordedRequest {
                method: "GET".to_owned(),
                url: "http://127.0.0.1:1/feed".to_owned(),
                headers: Vec::new(),
                body: None,
            },
            response: RecordedResponse {
                status: 200,
                headers: vec![("ETag".to_owned(), "\"v1\"".to_owned())],
                body: "exchanges/001-response.body".to_owned(),
            },
        });
        index.write(&dir).expect("index");
        dir
    }

    fn asked<'a>(replay: &'a Path, collector: &'a str) -> SessionRequest<'a> {
        SessionRequest {
            record: None,
            replay: Some(replay),
            collector,
            clock: Clock::system(),
            state_file: None,
        }
    }

    #[test]
    fn a_replay_answers_once_per_recorded_exchange_and_gives_the_recorded_stdin_and_clock() {
        let dir = recording("answers");
        let (clock, guard) = start(asked(&dir, "X")).expect("start");
        assert_eq!(
            clock,
            Clock::parse_fixed("2026-12-02T04:00:00.25").expect("clock")
        );
        assert_eq!(read_stdin().expect("stdin"), b"From: a@b\n\nhi\n");
        let get = Outgoing {
            method: "GET",
            url: "http://127.0.0.1:1/feed",
            headers: &[],
            body: None,
        };
        let never = || -> Result<Response<Body>, ()> { panic!("a replay sends nothing") };
        let mut response = exchange(&get, never, |_| ())
            .expect("recorded")
            .expect("response");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["etag"], "\"v1\"");
        assert_eq!(response.body_mut().read_to_vec().expect("body"), b"answer");
        let again = exchange(&get, never, |_| ()).expect_err("answered once");
        let text = again.to_string();
        assert!(
            text.contains("GET http://127.0.0.1:1/feed is not in the recording")
                && text.contains("recorded, each answering once: GET http://127.0.0.1:1/feed"),
            "{text}"
        );
        assert_eq!(again.exit_code(), crate::exit::NO_INPUT);
        drop(guard);
        assert!(mode().is_none(), "the guard ends the session");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn stdin_is_recorded_and_replayed() {
        let dir = std::env::temp_dir().join(format!("n6-record-stdin-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let into = SessionRequest {
            record: Some(&dir),
            replay: None,
            collector: "X",
            clock: Clock::parse_fixed("2026-12-02T05:00:00").expect("clock"),
            state_file: None,
        };
        let (clock, guard) = start(into).expect("record");
        assert_eq!(
            clock,
            Clock::parse_fixed("2026-12-02T05:00:00").expect("clock")
        );
        let mail = b"Subject: report\n\nbody\n";
        assert_eq!(read_input(&mut &mail[..]).expect("read"), mail);
        drop(guard);
        let index = RecordingIndex::read(&dir).expect("index");
        assert_eq!(index.stdin.as_deref(), Some(STDIN_FILE));
        assert_eq!(index.clock, "2026-12-02T05:00:00.000000Z");
        assert_eq!(
            std::fs::read(dir.join(STDIN_FILE)).expect("stdin file"),
            mail
        );
        assert_eq!(
            std::fs::read(dir.join("published.jsonl")).expect("published"),
            b""
        );

        let (_, guard) = start(asked(&dir, "X")).expect("replay");
        assert_eq!(read_input(&mut &b"live"[..]).expect("replayed"), mail);
        drop(guard);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn credentials_are_not_recorded() {
        for name in [
            "Authorization",
            "x-api-key",
            "Cookie",
            "Set-Cookie",
            "X-Auth-Token",
        ] {
            assert_eq!(recorded_header(name, "s3cr3t").1, "***", "{name}");
        }
        for name in ["ETag", "Content-Type", "Last-Modified", "If-None-Match"] {
            assert_eq!(recorded_header(name, "v").1, "v", "{name}");
        }
    }

    #[test]
    fn a_recording_of_another_collector_and_a_non_empty_record_dir_are_refused() {
        let dir = recording("refused");
        let other = start(asked(&dir, "Y"))
            .map(drop)
            .expect_err("another collector");
        assert!(
            other.to_string().contains("a recording of X, not of Y"),
            "{other}"
        );
        let into = SessionRequest {
            record: Some(&dir),
            replay: None,
            collector: "X",
            clock: Clock::system(),
            state_file: None,
        };
        let not_empty = start(into).map(drop).expect_err("not empty");
        assert_eq!(not_empty.exit_code(), crate::exit::USAGE);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
