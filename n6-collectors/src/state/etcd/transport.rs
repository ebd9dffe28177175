//! [`Gateway`]: a small synchronous client of etcd's JSON gateway (`POST /v3/...`).
//!
//! One request at a time per call, each with the configured request timeout. The client
//! sticks to the endpoint that answered last and moves to the next one on a transport
//! error (refused, reset, timed out) or on an answer that says the member cannot serve
//! now (gRPC `Unavailable` / `DeadlineExceeded`, e.g. "no leader"). A call gives up after
//! two laps over the endpoints (or once its time budget of one request timeout per
//! endpoint plus one is spent), so a dead or silent member costs at most one request
//! timeout per call, and a cluster without quorum fails the call in bounded time.
//!
//! With a user name, the client authenticates (`/v3/auth/authenticate`) and sends the
//! token in the `Authorization` header; an expired token is renewed once per call.
//! Keys and values travel base64-encoded; 64-bit numbers come back as JSON strings.

use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Value as Json, json};

use super::config::EtcdSettings;

/// gRPC status codes the gateway reports in `{"code": N}`.
const GRPC_DEADLINE_EXCEEDED: i64 = 4;
const GRPC_UNAVAILABLE: i64 = 14;
const GRPC_UNAUTHENTICATED: i64 = 16;
/// Answers larger than this are refused (a state is at most a few MiB).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;
/// Pause before another lap when every endpoint failed fast (e.g. during an election).
const LAP_PAUSE: Duration = Duration::from_millis(100);

/// Why a gateway call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// No endpoint answered usefully in time (transport errors, timeouts, no leader).
    #[error("etcd unavailable: {0}")]
    Unavailable(String),
    /// etcd answered with an error that another endpoint would repeat.
    #[error("etcd refused {call}: {message} (gRPC code {code})")]
    Refused {
        /// The call, e.g. "/v3/kv/txn".
        call: String,
        /// etcd's message.
        message: String,
        /// The gRPC status code.
        code: i64,
    },
    /// The answer was not the JSON the call expects.
    #[error("unexpected answer from etcd to {call}: {reason}")]
    BadAnswer {
        /// The call.
        call: String,
        /// What was wrong.
        reason: String,
    },
}

/// One endpoint's failure during a call: try the next endpoint, or give up.
enum Attempt {
    NextEndpoint(String),
    Reauthenticate,
    Final(CallError),
}

/// A client of the JSON gateway of one etcd cluster.
pub struct Gateway {
    agent: ureq::Agent,
    endpoints: Vec<String>,
    current: AtomicUsize,
    timeout: Duration,
    credentials: Option<(String, String)>,
    token: Mutex<Option<String>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("endpoints", &self.endpoints)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A client for `settings` (endpoints, timeout, TLS, credentials). Reads the TLS
    /// files now; a bad file is an error naming it.
    pub fn new(settings: &EtcdSettings) -> Result<Gateway, String> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(settings.request_timeout));
        if let Some(tls) = super::config::tls_config(settings)? {
            config = config.tls_config(tls);
        }
        Ok(Gateway {
            agent: config.build().into(),
            endpoints: settings
                .endpoints
                .iter()
                .map(|e| e.trim_end_matches('/').to_owned())
                .collect(),
            current: AtomicUsize::new(0),
            timeout: settings.request_timeout,
            credentials: settings
                .username
                .clone()
                .map(|user| (user, settings.password.clone().unwrap_or_default())),
            token: Mutex::new(None),
        })
    }

    /// The endpoints, in configuration order.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Calls `path` (e.g. `/v3/kv/txn`) with `body`, failing over between endpoints.
    pub fn call(&self, path: &str, body: &Json) -> Result<Json, CallError> {
        let n = self.endpoints.len().max(1);
        let budget = self.timeout * (u32::try_from(n).unwrap_or(u32::MAX) + 1);
        let started = Instant::now();
        let mut reauthenticated = false;
        let mut problems = Vec::new();
        let mut attempts = 0;
        while attempts < 2 * n {
            let index = (self.current.load(Ordering::Relaxed) + attempts) % n;
            attempts += 1;
            match self.attempt(index, path, body) {
                Ok(answer) => {
                    self.current.store(index, Ordering::Relaxed);
                    return Ok(answer);
                }
                Err(Attempt::Final(e)) => {
                    self.current.store(index, Ordering::Relaxed);
                    return Err(e);
                }
                Err(Attempt::Reauthenticate) if !reauthenticated => {
                    reauthenticated = true;
                    if let Ok(mut token) = self.token.lock() {
                        *token = None;
                    }
                    attempts -= 1; // the same endpoint again, with a new token
                }
                Err(Attempt::Reauthenticate) => {
                    return Err(CallError::Refused {
                        call: path.to_owned(),
                        message: "authentication failed".to_owned(),
                        code: GRPC_UNAUTHENTICATED,
                    });
                }
                Err(Attempt::NextEndpoint(problem)) => {
                    tracing::debug!("etcd {}{path}: {problem}", self.endpoints[index]);
                    problems.push(format!("{}: {problem}", self.endpoints[index]));
                    if started.elapsed() >= budget {
                        break;
                    }
                    if attempts == n {
                        std::thread::sleep(LAP_PAUSE);
                    }
                }
            }
        }
        Err(CallError::Unavailable(format!(
            "{path} failed on every endpoint ({})",
            problems.join("; ")
        )))
    }

    fn attempt(&self, index: usize, path: &str, body: &Json) -> Result<Json, Attempt> {
        let endpoint = &self.endpoints[index];
        let token = self.token_for(endpoint)?;
        let mut request = self.agent.post(format!("{endpoint}{path}"));
        if let Some(token) = &token {
            request = request.header("Authorization", token);
        }
        let response = request
            .header("Content-Type", "application/json")
            .send(body.to_string().as_bytes())
            .map_err(|e| Attempt::NextEndpoint(e.to_string()))?;
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| Attempt::NextEndpoint(format!("reading the answer: {e}")))?;
        let answer: Json = serde_json::from_str(&text).map_err(|e| {
            if status == 200 {
                Attempt::Final(CallError::BadAnswer {
                    call: path.to_owned(),
                    reason: format!("not JSON: {e}"),
                })
            } else {
                Attempt::NextEndpoint(format!("HTTP {status}"))
            }
        })?;
        if status == 200 {
            // A streaming call (keep-alive) wraps its answer in {"result": ...}.
            if let Some(error) = answer.get("error") {
                return Err(classify(path, error, answer.get("code")));
            }
            return Ok(answer.get("result").cloned().unwrap_or(answer));
        }
        let error = answer
            .get("error")
            .or_else(|| answer.get("message"))
            .cloned()
            .unwrap_or(Json::String(format!("HTTP {status}")));
        Err(classify(path, &error, answer.get("code")))
    }

    /// The auth token for requests (authenticating first when there is none yet).
    fn token_for(&self, endpoint: &str) -> Result<Option<String>, Attempt> {
        let Some((user, password)) = &self.credentials else {
            return Ok(None);
        };
        if let Ok(token) = self.token.lock()
            && let Some(token) = token.as_ref()
        {
            return Ok(Some(token.clone()));
        }
        let response = self
            .agent
            .post(format!("{endpoint}/v3/auth/authenticate"))
            .header("Content-Type", "application/json")
            .send(
                json!({"name": user, "password": password})
                    .to_string()
                    .as_bytes(),
            )
            .map_err(|e| Attempt::NextEndpoint(format!("authenticating: {e}")))?;
        let status = response.status().as_u16();
        let mut text = String::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| Attempt::NextEndpoint(format!("authenticating: {e}")))?;
        let answer: Json = serde_json::from_str(&text)
            .map_err(|_| Attempt::NextEndpoint(format!("authenticating: HTTP {status}")))?;
        if let Some(token) = answer.get("token").and_then(Json::as_str) {
            if let Ok(mut slot) = self.token.lock() {
                *slot = Some(token.to_owned());
            }
            return Ok(Some(token.to_owned()));
        }
        let message = answer
            .get("error")
            .and_then(Json::as_str)
            .unwrap_or("no token in the answer")
            .to_owned();
        match answer.get("code").and_then(Json::as_i64) {
            Some(GRPC_UNAVAILABLE | GRPC_DEADLINE_EXCEEDED) => {
                Err(Attempt::NextEndpoint(format!("authenticating: {message}")))
            }
            code => Err(Attempt::Final(CallError::Refused {
                call: "/v3/auth/authenticate".to_owned(),
                message,
                code: code.unwrap_or(-1),
            })),
        }
    }
}

fn classify(path: &str, error: &Json, code: Option<&Json>) -> Attempt {
    let message = match error {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    let code = code.and_then(Json::as_i64).unwrap_or(-1);
    match code {
        GRPC_UNAVAILABLE | GRPC_DEADLINE_EXCEEDED => Attempt::NextEndpoint(message),
        GRPC_UNAUTHENTICATED => Attempt::Reauthenticate,
        _ if message.contains("invalid auth token") => Attempt::Reauthenticate,
        _ => Attempt::Final(CallError::Refused {
            call: path.to_owned(),
            message,
            code,
        }),
    }
}

/// Base64 of `bytes` (keys and values on the gateway).
pub fn b64(bytes: &[u8]) -> String {
    BASE64.encode(bytes)
}

/// Decodes a base64 field; a missing field is empty.
pub fn unb64(call: &str, value: Option<&Json>) -> Result<Vec<u8>, CallError> {
    match value.and_then(Json::as_str) {
        None => Ok(Vec::new()),
        Some(text) => BASE64.decode(text).map_err(|e| CallError::BadAnswer {
            call: call.to_owned(),
            reason: format!("bad base64: {e}"),
        }),
    }
}

/// A 64-bit number of an answer (the gateway writes them as strings); missing = 0.
pub fn num(value: Option<&Json>) -> i64 {
    match value {
        Some(Json::String(s)) => s.parse().unwrap_or(0),
        Some(Json::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}
