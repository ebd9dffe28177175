//! [`AmqpSink`]: a synchronous [`Sink`] over lapin, with pipelined publisher confirms.
//!
//! The sink owns a small multi-thread tokio runtime (lapin's socket I/O and heartbeats
//! keep running while the collector does blocking work) and drives it with `block_on`
//! per call; nothing async leaks out. Messages are published without waiting for their
//! confirms; at most `max_unconfirmed` are in flight. [`Sink::confirm`] waits, within
//! `confirm_timeout`, until the broker has acked every message published so far.
//!
//! A nack, a message returned as unroutable (`mandatory` is set: an exchange with no
//! bound queue returns *every* message — n6's parsers bind their queues, so a return
//! means nobody would ever read the message), a closed channel or connection, or a
//! timeout fails the sink for good: every later call returns the same error, so state
//! is never saved after a failure.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use async_rs::{Runtime as AsyncRuntime, TokioRuntime};
use futures_core::Stream;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::tcp::{AsyncTcpStream, RustlsConnector};
use lapin::types::{FieldTable, LongString};
use lapin::uri::{
    AMQPAuthority, AMQPQueryString, AMQPScheme, AMQPUri, AMQPUserInfo, SASLMechanism,
};
use lapin::{
    Channel, Confirmation, Connection, ConnectionProperties, Event, ExchangeKind, PublisherConfirm,
};

use super::client_info;
use super::settings::{AmqpSettings, Auth};
use super::tls;
use super::wire;
use crate::message::Message;
use crate::sink::{Sink, SinkError};

/// AMQP frame size n6 (pika 0.13) negotiates.
const FRAME_MAX: u32 = 131_072;

/// How long closing the connection may take before the sink gives up on it.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// After a failure, how long to wait for lapin to report why the connection ended.
const REASON_GRACE: Duration = Duration::from_millis(300);

type Events = Pin<Box<dyn Stream<Item = Event> + Send>>;

/// What went wrong, kept so that every call after a failure reports it again.
#[derive(Debug, Clone)]
enum Failure {
    Unavailable(String),
    Rejected(String),
    Timeout { seconds: u64, unconfirmed: usize },
}

impl Failure {
    fn to_error(&self) -> SinkError {
        match self {
            Failure::Unavailable(text) => SinkError::Unavailable(text.clone()),
            Failure::Rejected(text) => SinkError::Rejected(text.clone()),
            Failure::Timeout {
                seconds,
                unconfirmed,
            } => SinkError::ConfirmTimeout {
                seconds: *seconds,
                unconfirmed: *unconfirmed,
            },
        }
    }
}

/// Publishes n6 messages to RabbitMQ with publisher confirms. See the module docs.
pub struct AmqpSink {
    runtime: Option<tokio::runtime::Runtime>,
    connection: Connection,
    channel: Channel,
    events: Events,
    declared: HashSet<String>,
    in_flight: VecDeque<PublisherConfirm>,
    max_unconfirmed: usize,
    confirm_timeout: Duration,
    published: u64,
    failure: Option<Failure>,
    closed: bool,
    described: String,
    /// Set while the broker blocks publishers (`connection.blocked`, e.g. a memory alarm).
    blocked_reason: Option<String>,
}

impl std::fmt::Debug for AmqpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpSink")
            .field("broker", &self.described)
            .field("published", &self.published)
            .field("unconfirmed", &self.in_flight.len())
            .field("failed", &self.failure.is_some())
            .finish()
    }
}

impl AmqpSink {
    /// Connects (TCP, TLS, AMQP handshake within `connect_timeout`), opens one channel in
    /// confirm mode and declares each of `exchanges` as n6 does (durable topic exchange,
    /// not passive, not auto-delete, not internal). Exchanges first seen in a message are
    /// declared before it is published.
    pub fn connect(settings: &AmqpSettings, exchanges: &[&str]) -> Result<AmqpSink, SinkError> {
        let (runtime, connection, channel) = open_channel(settings)?;
        let timeout = settings.connect_timeout;
        let described = settings.describe();
        let confirming = runtime.block_on(async {
            let select = channel.confirm_select(ConfirmSelectOptions::default());
            tokio::time::timeout(timeout, select).await
        });
        match confirming {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(SinkError::Unavailable(format!(
                    "{described} refused publisher confirms: {}",
                    describe_lapin_error(&e)
                )));
            }
            Err(_) => {
                return Err(SinkError::Unavailable(format!(
                    "{described} did not answer confirm.select within {} s",
                    timeout.as_secs()
                )));
            }
        }
        tracing::debug!(
            broker = %described,
            heartbeat = connection.configuration().heartbeat(),
            "connected to the AMQP broker"
        );
        let events: Events = Box::pin(connection.events_listener());
        let mut sink = AmqpSink {
            runtime: Some(runtime),
            connection,
            channel,
            events,
            declared: HashSet::new(),
            in_flight: VecDeque::new(),
            max_unconfirmed: settings.max_unconfirmed.max(1),
            confirm_timeout: settings.confirm_timeout,
            published: 0,
            failure: None,
            closed: false,
            described,
            blocked_reason: None,
        };
        for exchange in exchanges {
            sink.declare(exchange)?;
        }
        Ok(sink)
    }

    /// How many messages were published through this sink.
    pub fn published(&self) -> u64 {
        self.published
    }

    /// How many published messages the broker has not confirmed yet (as far as the sink
    /// has looked).
    pub fn unconfirmed(&self) -> usize {
        self.in_flight.len()
    }

    fn block_on<F: Future>(&self, future: F) -> Result<F::Output, SinkError> {
        match &self.runtime {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(SinkError::Unavailable(
                "the AMQP output is closed".to_owned(),
            )),
        }
    }

    /// Reads the connection events that arrived so far: logs flow control, and returns
    /// the last error (why the connection or channel ended), if any.
    fn poll_events(&mut self) -> Option<String> {
        let mut cx = Context::from_waker(Waker::noop());
        let mut last_error = None;
        while let Poll::Ready(Some(event)) = self.events.as_mut().poll_next(&mut cx) {
            match event {
                Event::Error(e) => last_error = Some(describe_lapin_error(&e)),
                Event::ConnectionBlocked(reason) => {
                    tracing::warn!(broker = %self.described, %reason, "the broker blocks publishing");
                    self.blocked_reason = Some(reason);
                }
                Event::ConnectionUnblocked => {
                    tracing::info!(broker = %self.described, "the broker accepts publishing again");
                    self.blocked_reason = None;
                }
                Event::Connected | Event::SendFlow(_) => {}
                _ => {}
            }
        }
        last_error
    }

    /// Why the connection or channel ended, waiting briefly for lapin to report it: a
    /// connection error event, or the error that rejected an unconfirmed message (the
    /// broker's close reason, e.g. `CONNECTION_FORCED`).
    fn closing_reason(&mut self) -> Option<String> {
        let deadline = Instant::now() + REASON_GRACE;
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Some(reason) = self.poll_events() {
                return Some(reason);
            }
            while let Some(front) = self.in_flight.front_mut() {
                match Pin::new(front).poll(&mut cx) {
                    Poll::Ready(Err(e)) => return Some(describe_lapin_error(&e)),
                    Poll::Ready(Ok(_)) => {
                        self.in_flight.pop_front();
                    }
                    Poll::Pending => break,
                }
            }
            if Instant::now() >= deadline || self.runtime.is_none() {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// An `Unavailable` failure for a lapin error, with the broker's reason when known.
    fn lost(&mut self, what: &str, error: &lapin::Error) -> SinkError {
        let detail = match error.kind() {
            lapin::ErrorKind::InvalidChannelState(..)
            | lapin::ErrorKind::InvalidConnectionState(_) => {
                self.closing_reason().unwrap_or_else(|| {
                    format!(
                        "the connection is closed: the broker stopped or closed it, or the \
                         network failed ({})",
                        describe_lapin_error(error)
                    )
                })
            }
            _ => describe_lapin_error(error),
        };
        self.fail(Failure::Unavailable(format!("{what}: {detail}")))
    }

    /// The failure for "nothing confirmed in time": a blocked connection says why.
    fn timed_out(&mut self, unconfirmed: usize) -> SinkError {
        self.poll_events();
        let seconds = self.confirm_timeout.as_secs();
        let failure = if self.connection.status().blocked() || self.blocked_reason.is_some() {
            let reason = self.blocked_reason.clone().unwrap_or_default();
            Failure::Unavailable(format!(
                "{} blocks publishers ({reason}) and did not unblock within {seconds} s \
                 ({unconfirmed} message(s) unconfirmed)",
                self.described
            ))
        } else {
            Failure::Timeout {
                seconds,
                unconfirmed,
            }
        };
        self.fail(failure)
    }

    fn fail(&mut self, failure: Failure) -> SinkError {
        let error = failure.to_error();
        tracing::debug!(%error, "AMQP output failed");
        self.failure = Some(failure);
        error
    }

    fn check(&self) -> Result<(), SinkError> {
        match &self.failure {
            Some(failure) => Err(failure.to_error()),
            None if self.closed => Err(SinkError::Unavailable(
                "the AMQP output is closed".to_owned(),
            )),
            None => Ok(()),
        }
    }

    fn declare(&mut self, exchange: &str) -> Result<(), SinkError> {
        if self.declared.contains(exchange) {
            return Ok(());
        }
        let name = wire::short_string("exchange name", exchange)?;
        let options = ExchangeDeclareOptions {
            passive: false,
            durable: true,
            auto_delete: false,
            internal: false,
            nowait: false,
        };
        let channel = self.channel.clone();
        let timeout = self.confirm_timeout;
        let declared = self.block_on(async move {
            let declare =
                channel.exchange_declare(name, ExchangeKind::Topic, options, FieldTable::default());
            tokio::time::timeout(timeout, declare).await
        })?;
        let Ok(declared) = declared else {
            return Err(self.fail(Failure::Unavailable(format!(
                "{} did not answer exchange.declare {exchange:?} within {} s",
                self.described,
                timeout.as_secs()
            ))));
        };
        match declared {
            Ok(()) => {
                self.declared.insert(exchange.to_owned());
                Ok(())
            }
            Err(e) => Err(self.fail(Failure::Rejected(format!(
                "cannot declare exchange {exchange:?} (durable topic): {}",
                describe_lapin_error(&e)
            )))),
        }
    }

    /// Takes confirms that already arrived off the front of the queue, without waiting.
    fn drain_ready(&mut self) -> Result<(), SinkError> {
        let mut cx = Context::from_waker(Waker::noop());
        while let Some(front) = self.in_flight.front_mut() {
            match Pin::new(front).poll(&mut cx) {
                Poll::Ready(result) => {
                    self.in_flight.pop_front();
                    self.settle(result)?;
                }
                Poll::Pending => break,
            }
        }
        Ok(())
    }

    /// Waits (until `deadline`) for the oldest confirm.
    fn wait_oldest(&mut self, deadline: Instant) -> Result<(), SinkError> {
        let Some(oldest) = self.in_flight.pop_front() else {
            return Ok(());
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        // The timer must be created inside the runtime.
        match self.block_on(async move { tokio::time::timeout(remaining, oldest).await })? {
            Ok(result) => self.settle(result),
            Err(_) => {
                let unconfirmed = self.in_flight.len() + 1;
                Err(self.timed_out(unconfirmed))
            }
        }
    }

    fn settle(&mut self, result: lapin::Result<Confirmation>) -> Result<(), SinkError> {
        let failure = match result {
            Ok(Confirmation::Ack(None)) => return Ok(()),
            Ok(Confirmation::Ack(Some(returned))) => Failure::Rejected(format!(
                "message returned as unroutable by the broker ({} {}): exchange {:?} has no \
                 queue bound for routing key {:?}",
                returned.reply_code,
                returned.reply_text.as_str(),
                returned.delivery.exchange.as_str(),
                returned.delivery.routing_key.as_str(),
            )),
            Ok(Confirmation::Nack(_)) => {
                Failure::Rejected("the broker nacked a message (it could not take it)".to_owned())
            }
            Ok(Confirmation::NotRequested) => {
                Failure::Rejected("publisher confirms are not enabled on the channel".to_owned())
            }
            Err(e) => {
                let what = format!("{} went away before confirming", self.described);
                return Err(self.lost(&what, &e));
            }
        };
        Err(self.fail(failure))
    }
}

impl Sink for AmqpSink {
    fn publish(&mut self, message: &Message) -> Result<(), SinkError> {
        self.check()?;
        self.poll_events();
        self.drain_ready()?;
        if self.in_flight.len() >= self.max_unconfirmed {
            let deadline = deadline_after(self.confirm_timeout);
            self.wait_oldest(deadline)?;
        }
        self.declare(&message.exchange)?;
        let exchange = wire::short_string("exchange name", &message.exchange)?;
        let routing_key = wire::short_string("routing key", &message.routing_key)?;
        let properties = wire::basic_properties(&message.properties)?;
        let options = BasicPublishOptions {
            mandatory: true,
            immediate: false,
        };
        let channel = self.channel.clone();
        let timeout = self.confirm_timeout;
        let body = &message.body;
        // Sending can stall too (a broker that blocks publishers, a full socket).
        let sent = self.block_on(async move {
            let publish = channel.basic_publish(exchange, routing_key, options, body, properties);
            tokio::time::timeout(timeout, publish).await
        })?;
        let Ok(sent) = sent else {
            let unconfirmed = self.in_flight.len() + 1;
            return Err(self.timed_out(unconfirmed));
        };
        match sent {
            Ok(confirm) => {
                self.in_flight.push_back(confirm);
                self.published += 1;
                Ok(())
            }
            Err(e) => {
                let what = format!("cannot publish to {}", self.described);
                Err(self.lost(&what, &e))
            }
        }
    }

    fn confirm(&mut self) -> Result<(), SinkError> {
        self.check()?;
        let deadline = deadline_after(self.confirm_timeout);
        while !self.in_flight.is_empty() {
            self.wait_oldest(deadline)?;
        }
        Ok(())
    }

    fn close(&mut self) -> Result<(), SinkError> {
        if self.closed {
            return self.check();
        }
        let confirmed = self.confirm();
        self.closed = true;
        // After a failure the broker may not answer at all (e.g. a confirm timeout):
        // do not wait for it, just drop the connection.
        if confirmed.is_ok() && self.connection.status().connected() {
            let (channel, connection) = (&self.channel, &self.connection);
            let _ = self.block_on(async {
                tokio::time::timeout(CLOSE_TIMEOUT, async {
                    // As n6: close the channel, then the connection.
                    let _ = channel.close(200, "Normal shutdown".into()).await;
                    let _ = connection.close(200, "Normal shutdown".into()).await;
                })
                .await
            });
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_millis(200));
        }
        confirmed
    }

    fn describe(&self) -> String {
        self.described.clone()
    }
}

impl Drop for AmqpSink {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            if self.failure.is_none() && self.connection.status().connected() {
                let connection = &self.connection;
                runtime.block_on(async {
                    let _ = tokio::time::timeout(
                        CLOSE_TIMEOUT,
                        connection.close(200, "Normal shutdown".into()),
                    )
                    .await;
                });
            }
            runtime.shutdown_timeout(Duration::from_millis(200));
        }
    }
}

/// Starts the I/O threads, connects (TCP, TLS, AMQP handshake within the settings'
/// `connect_timeout`) as n6 does and opens one channel: shared by the sink and the AMQP
/// consumer input (`crate::input::amqp_consumer`).
pub(crate) fn open_channel(
    settings: &AmqpSettings,
) -> Result<(tokio::runtime::Runtime, Connection, Channel), SinkError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("n6-amqp")
        .enable_all()
        .build()
        .map_err(|e| SinkError::Unavailable(format!("cannot start the AMQP I/O threads: {e}")))?;
    let described = settings.describe();
    let tls = match &settings.tls {
        Some(tls_settings) => Some(RustlsConnector::from(tls::client_config(tls_settings)?)),
        None => None,
    };
    let uri = amqp_uri(settings);
    let properties = ConnectionProperties::default().with_client_property(
        "information".into(),
        LongString::from(client_info::information()),
    );
    let host = settings.host.clone();
    let port = settings.port;
    let user = match &settings.auth {
        Auth::Plain { username, .. } => format!(" as user {username:?} (PLAIN)"),
        Auth::External => " with the client certificate (EXTERNAL)".to_owned(),
    };
    let tls = Arc::new(tls);
    let async_runtime = AsyncRuntime::tokio_with_handle(runtime.handle().clone());
    let connect = async move |_uri: AMQPUri, rt: TokioRuntime| -> lapin::Result<_> {
        let addresses = resolve(&host, port)?;
        let stream = AsyncTcpStream::connect(&rt, addresses).await?;
        match tls.as_ref() {
            Some(connector) => Ok(stream.into_rustls(connector, &host).await?),
            None => Ok(stream),
        }
    };
    let timeout = settings.connect_timeout;
    let opened = runtime.block_on(async {
        let open = async {
            let connection = Connection::connector(uri, async_runtime, connect, properties).await?;
            let channel = connection.create_channel().await?;
            Ok::<_, lapin::Error>((connection, channel))
        };
        tokio::time::timeout(timeout, open).await
    });
    match opened {
        Ok(Ok((connection, channel))) => Ok((runtime, connection, channel)),
        Ok(Err(e)) => Err(SinkError::Unavailable(format!(
            "cannot connect to {described}{user}: {}",
            describe_lapin_error(&e)
        ))),
        Err(_) => Err(SinkError::Unavailable(format!(
            "cannot connect to {described}{user}: no answer within {} s",
            timeout.as_secs()
        ))),
    }
}

fn amqp_uri(settings: &AmqpSettings) -> AMQPUri {
    let (userinfo, mechanism) = match &settings.auth {
        Auth::Plain { username, password } => (
            AMQPUserInfo {
                username: username.clone(),
                password: password.clone(),
            },
            SASLMechanism::Plain,
        ),
        Auth::External => (AMQPUserInfo::default(), SASLMechanism::External),
    };
    AMQPUri {
        scheme: if settings.tls.is_some() {
            AMQPScheme::AMQPS
        } else {
            AMQPScheme::AMQP
        },
        authority: AMQPAuthority {
            userinfo,
            host: settings.host.clone(),
            port: settings.port,
        },
        vhost: "/".to_owned(),
        query: AMQPQueryString {
            frame_max: Some(FRAME_MAX),
            channel_max: None,
            heartbeat: Some(settings.heartbeat),
            connection_timeout: None,
            auth_mechanism: Some(mechanism),
        },
    }
}

/// All addresses of `host` (blocking; this runs on lapin's I/O thread before anything
/// else happens on it).
fn resolve(host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
    use std::net::ToSocketAddrs;
    let addresses: Vec<_> = (host, port).to_socket_addrs()?.collect();
    if addresses.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("host name {host:?} has no addresses"),
        ));
    }
    Ok(addresses)
}

/// A lapin error in words an operator can act on.
pub(crate) fn describe_lapin_error(error: &lapin::Error) -> String {
    match error.kind() {
        lapin::ErrorKind::ProtocolError(amqp) => {
            format!("{} ({})", amqp.get_message().as_str(), amqp.get_id())
        }
        lapin::ErrorKind::IOError(io) => io.to_string(),
        _ => error.to_string(),
    }
}

/// `now + timeout`, saturated: a timeout too large for the clock means "for ever".
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(super::settings::MAX_TIMEOUT_SECS)))
        .unwrap_or(now)
}
