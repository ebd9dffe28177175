//! Benchmark 2: publish throughput with publisher confirms, 200-byte messages, local
//! RabbitMQ.
//!
//! * ours: [`AmqpSink`] exactly as a collector uses it (message built with
//!   [`Identity::message`], n6 properties, `mandatory`, confirm window from the default
//!   `[n6_collectors_amqp] max_unconfirmed`), timed from the first publish until
//!   [`Sink::confirm`] returns;
//! * the ceiling: a bare async lapin loop doing the same per-message work with confirms
//!   pipelined in a window of [`BARE_WINDOW`];
//! * pika with confirms and pika without confirms (what n6 does), `python/py_publish.py`.
//!
//! Every variant binds an exclusive queue to the routing key, so every message is routed
//! and stored (and dropped with the queue when the variant disconnects).

use std::collections::VecDeque;
use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lapin::options::{
    BasicPublishOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{
    BasicProperties, Channel, Confirmation, Connection, ConnectionProperties, ExchangeKind,
};
use n6_collectors::message::{HeaderTable, Identity, RawType, message_id};
use n6_collectors::sink::Sink;
use n6_collectors::sink::amqp::{AmqpOptions, AmqpSettings, AmqpSink, Auth};

use crate::Config;
use crate::report::{Line, Report};
use crate::util::{BenchResult, median, require_field, run_child};

/// The source (and routing key) of the benchmark messages.
const SOURCE: &str = "bench-provider.bench-channel";

/// The exchange n6 collectors publish to.
const EXCHANGE: &str = "raw";

/// Confirm window of the bare lapin loop.
pub const BARE_WINDOW: usize = 2000;

/// Where the broker is: `N6_TEST_AMQP_HOST`, `N6_TEST_AMQP_PORT`, `N6_TEST_USER`,
/// `N6_TEST_PASSWORD` (as exported by `tests/support/broker.sh`'s `broker.env`).
#[derive(Debug, Clone)]
pub struct Broker {
    /// Host name or address.
    pub host: String,
    /// AMQP port.
    pub port: u16,
    /// User (PLAIN).
    pub user: String,
    /// Password.
    pub password: String,
}

impl Broker {
    /// The broker from the environment; `None` when `N6_TEST_AMQP_PORT` is not set.
    pub fn from_env() -> BenchResult<Option<Broker>> {
        let Ok(port) = std::env::var("N6_TEST_AMQP_PORT") else {
            return Ok(None);
        };
        let var = |name: &str, default: &str| std::env::var(name).unwrap_or(default.to_owned());
        Ok(Some(Broker {
            host: var("N6_TEST_AMQP_HOST", "127.0.0.1"),
            port: port
                .parse()
                .map_err(|_| format!("N6_TEST_AMQP_PORT={port:?} is not a port"))?,
            user: var("N6_TEST_USER", "guest"),
            password: var("N6_TEST_PASSWORD", "guest"),
        }))
    }

    /// `amqp://user:password@host:port/%2f`.
    pub fn url(&self) -> String {
        format!(
            "amqp://{}:{}@{}:{}/%2f",
            self.user, self.password, self.host, self.port
        )
    }
}

/// Sizes of one publish benchmark run.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Repetitions of each variant (interleaved).
    pub reps: usize,
    /// Message size in bytes.
    pub size: usize,
    /// Messages per run for ours and the bare loop.
    pub n_fast: usize,
    /// Messages per run for pika with confirms.
    pub n_pika_confirm: usize,
    /// Messages per run for pika without confirms.
    pub n_pika_noconfirm: usize,
}

/// Runs benchmark 2 and adds its lines to `report`.
pub fn run(config: &Config, sizes: Sizes, report: &mut Report) -> BenchResult<()> {
    let Some(broker) = Broker::from_env()? else {
        report.note("2 publish: skipped, no broker (N6_TEST_AMQP_PORT unset; run.sh starts one)");
        return Ok(());
    };
    let (mut ours_v, mut bare_v, mut pc_v, mut pn_v) = (vec![], vec![], vec![], vec![]);
    for rep in 0..sizes.reps {
        eprintln!("2 publish: repetition {}/{}", rep + 1, sizes.reps);
        ours_v.push(ours(&broker, sizes.n_fast, sizes.size)?);
        bare_v.push(bare(&broker, sizes.n_fast, sizes.size)?);
        pc_v.push(pika(
            config,
            &broker,
            sizes.n_pika_confirm,
            sizes.size,
            "confirm",
        )?);
        pn_v.push(pika(
            config,
            &broker,
            sizes.n_pika_noconfirm,
            sizes.size,
            "noconfirm",
        )?);
    }
    let (ours_m, bare_m, pc_m, pn_m) = (
        median(&ours_v),
        median(&bare_v),
        median(&pc_v),
        median(&pn_v),
    );
    let rate = |r: f64| format!("{:.0} msg/s", r);
    let measure = format!("{} B messages, confirmed; {} runs", sizes.size, sizes.reps);
    let bench = "2 publish";
    report.push(Line {
        bench: bench.into(),
        measure: format!("{measure} × {} msgs", sizes.n_fast),
        ours: rate(ours_m),
        baseline: format!("bare lapin loop (window {BARE_WINDOW}) {}", rate(bare_m)),
        ratio: format!("{:.0} %", 100.0 * ours_m / bare_m),
        target: "≥ 90 %".into(),
        met: Some(ours_m >= 0.9 * bare_m),
    });
    report.push(Line {
        bench: bench.into(),
        measure: format!("pika with confirms: {} msgs", sizes.n_pika_confirm),
        ours: rate(ours_m),
        baseline: format!("pika, confirms {}", rate(pc_m)),
        ratio: format!("{:.1}×", ours_m / pc_m),
        target: "≥ 7×".into(),
        met: Some(ours_m >= 7.0 * pc_m),
    });
    report.push(Line {
        bench: bench.into(),
        measure: format!(
            "pika without confirms (n6 today): {} msgs",
            sizes.n_pika_noconfirm
        ),
        ours: rate(ours_m),
        baseline: format!("pika, no confirms {}", rate(pn_m)),
        ratio: format!("{:.2}×", ours_m / pn_m),
        target: "> 1× (while confirming)".into(),
        met: Some(ours_m > pn_m),
    });
    report.note(format!(
        "2 publish, every run (msg/s): ours {}; bare lapin {}; pika confirms {}; pika no confirms {}",
        list(&ours_v),
        list(&bare_v),
        list(&pc_v),
        list(&pn_v)
    ));
    Ok(())
}

fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A message body of exactly `size` bytes ending in the zero-padded counter, as the
/// Python baseline builds it.
fn body(filler: &[u8], i: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(filler.len() + 8);
    body.extend_from_slice(filler);
    let _ = write!(body, "{:08}", i % 100_000_000);
    body
}

/// A small tokio runtime for the driver's own AMQP connections.
pub fn runtime() -> BenchResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start tokio: {e}"))
}

/// Names a failed AMQP step.
pub fn lapin_err(what: &str) -> impl Fn(lapin::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Declares the exchange as n6 does and binds a new exclusive queue to [`SOURCE`].
async fn bind_queue(channel: &Channel) -> BenchResult<()> {
    channel
        .exchange_declare(
            EXCHANGE.into(),
            ExchangeKind::Topic,
            ExchangeDeclareOptions {
                durable: true,
                ..ExchangeDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(lapin_err("exchange.declare"))?;
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .map_err(lapin_err("queue.declare"))?;
    channel
        .queue_bind(
            queue.name().clone(),
            EXCHANGE.into(),
            SOURCE.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(lapin_err("queue.bind"))?;
    Ok(())
}

/// A connection that keeps an exclusive queue bound while [`AmqpSink`] publishes.
struct BoundQueue {
    runtime: tokio::runtime::Runtime,
    connection: Connection,
}

impl BoundQueue {
    fn new(broker: &Broker) -> BenchResult<BoundQueue> {
        let runtime = runtime()?;
        let connection = runtime.block_on(async {
            let connection = Connection::connect(&broker.url(), ConnectionProperties::default())
                .await
                .map_err(lapin_err("connect"))?;
            let channel = connection
                .create_channel()
                .await
                .map_err(lapin_err("channel.open"))?;
            bind_queue(&channel).await?;
            Ok::<_, String>(connection)
        })?;
        Ok(BoundQueue {
            runtime,
            connection,
        })
    }

    fn close(self) {
        let connection = self.connection;
        self.runtime.block_on(async {
            let _ = connection.close(200, "bench done".into()).await;
        });
    }
}

/// Ours: the collector's sink. Returns messages per second.
fn ours(broker: &Broker, n: usize, size: usize) -> BenchResult<f64> {
    let settings = AmqpSettings {
        host: broker.host.clone(),
        port: broker.port,
        heartbeat: 60,
        tls: None,
        auth: Auth::Plain {
            username: broker.user.clone(),
            password: broker.password.clone(),
        },
        connect_timeout: AmqpOptions::default().connect_timeout,
        confirm_timeout: AmqpOptions::default().confirm_timeout,
        max_unconfirmed: AmqpOptions::default().max_unconfirmed,
    };
    let bound = BoundQueue::new(broker)?;
    let mut sink = AmqpSink::connect(&settings, &[EXCHANGE]).map_err(|e| e.to_string())?;
    let identity = Identity {
        source: SOURCE,
        raw_type: RawType::Stream,
        content_type: None,
        raw_format_version_tag: None,
    };
    let filler = vec![b'x'; size.saturating_sub(8)];
    let started = Instant::now();
    for i in 0..n {
        let message = identity.message(
            EXCHANGE,
            body(&filler, i),
            now_secs(),
            HeaderTable::default(),
        );
        sink.publish(&message).map_err(|e| e.to_string())?;
    }
    sink.confirm().map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    sink.close().map_err(|e| e.to_string())?;
    bound.close();
    Ok(n as f64 / elapsed.as_secs_f64())
}

/// The ceiling: a bare lapin loop with pipelined confirms. Returns messages per second.
fn bare(broker: &Broker, n: usize, size: usize) -> BenchResult<f64> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let connection = Connection::connect(&broker.url(), ConnectionProperties::default())
            .await
            .map_err(lapin_err("connect"))?;
        let channel = connection
            .create_channel()
            .await
            .map_err(lapin_err("channel.open"))?;
        bind_queue(&channel).await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(lapin_err("confirm.select"))?;
        let filler = vec![b'x'; size.saturating_sub(8)];
        let mut in_flight = VecDeque::with_capacity(BARE_WINDOW);
        let options = BasicPublishOptions {
            mandatory: true,
            immediate: false,
        };
        let started = Instant::now();
        for i in 0..n {
            if in_flight.len() >= BARE_WINDOW
                && let Some(oldest) = in_flight.pop_front()
            {
                check(oldest.await)?;
            }
            let body = body(&filler, i);
            let timestamp = now_secs();
            let properties = BasicProperties::default()
                .with_message_id(message_id(SOURCE, timestamp, &body).as_str().into())
                .with_type("stream".into())
                .with_timestamp(timestamp)
                .with_delivery_mode(2);
            let confirm = channel
                .basic_publish(EXCHANGE.into(), SOURCE.into(), options, &body, properties)
                .await
                .map_err(lapin_err("basic.publish"))?;
            in_flight.push_back(confirm);
        }
        while let Some(oldest) = in_flight.pop_front() {
            check(oldest.await)?;
        }
        let elapsed = started.elapsed();
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            connection.close(200, "bench done".into()),
        )
        .await;
        Ok(n as f64 / elapsed.as_secs_f64())
    })
}

fn check(confirmation: lapin::Result<Confirmation>) -> BenchResult<()> {
    match confirmation {
        Ok(Confirmation::Ack(None)) => Ok(()),
        other => Err(format!("bare lapin loop: message not confirmed: {other:?}")),
    }
}

/// The pika baseline (a separate Python process); its own in-process rate.
fn pika(config: &Config, broker: &Broker, n: usize, size: usize, mode: &str) -> BenchResult<f64> {
    let out = run_child(
        Command::new(&config.python)
            .arg(config.scripts.join("py_publish.py"))
            .arg(&broker.host)
            .arg(broker.port.to_string())
            .arg(&broker.user)
            .arg(&broker.password)
            .arg(n.to_string())
            .arg(size.to_string())
            .arg(mode),
    )?;
    require_field(&out.stdout, "msgs_per_sec")
}
