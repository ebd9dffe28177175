//! Whole collector runs (`n6_collectors::run_from`) publishing to a real RabbitMQ: a
//! broker failure ends the run with exit status 69 and leaves the state file as it was
//! (as of the last checkpoint); the next run re-sends everything unconfirmed.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::support::amqp::{Broker, Consumer, PrivateBroker, broker};
use crate::support::site::{Site, in_process};
use n6_collectors::{Collect, Output, StatefulCollector};
use serde::{Deserialize, Serialize};

/// Publishes `row {i}` for every row after the saved cursor, checkpointing every
/// `checkpoint_every` rows; the state is the next row to publish.
#[derive(StatefulCollector)]
#[collector(
    source = "example-org.rows",
    raw_type = "file",
    content_type = "text/csv"
)]
#[config_spec(
    r#"
    rows = 10 :: int
    checkpoint_every = 0 :: int
"#
)]
pub struct RowsCollector {
    config: RowsCollectorConfig,
    #[state]
    state: Cursor,
}

#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    next: i64,
}

/// Called after each published row (tests use it to disturb the broker mid-run).
type Hook = Box<dyn FnMut(i64) + Send>;
static AFTER_ROW: Mutex<Option<Hook>> = Mutex::new(None);

impl Collect for RowsCollector {
    fn collect(&mut self, out: &mut Output<'_, Cursor>) -> n6_collectors::Result<()> {
        for i in self.state.next..self.config.rows {
            out.publish(format!("row {i}"))?;
            self.state.next = i + 1;
            if let Some(hook) = AFTER_ROW.lock().expect("hook").as_mut() {
                hook(i);
            }
            let every = self.config.checkpoint_every;
            if every > 0 && (i + 1) % every == 0 {
                out.checkpoint(&self.state)?;
            }
        }
        Ok(())
    }
}

/// A config directory and a state directory for one test; the messages go to exchange
/// `raw_{test}{pid}`.
fn setup(test: &str) -> Site {
    let site = Site::new(in_process("RowsCollector", "70_rows.conf")).suffix(test);
    std::fs::create_dir_all(site.state_dir()).expect("mkdir state");
    site
}

/// Writes `[rabbitmq]` (PLAIN over TCP as `password`) and `[RowsCollector]`.
fn configure(site: &Site, broker: &Broker, password: &str, rows: i64, checkpoint_every: i64) {
    site.write_config(&format!(
        "[rabbitmq]\nhost = {}\nport = {}\nheartbeat_interval = 30\nssl = false\n\
         password_auth = true\nusername = {}\npassword = {password}\n\n\
         [RowsCollector]\nrows = {rows}\ncheckpoint_every = {checkpoint_every}\n\
         state_dir = {}\n",
        broker.host,
        broker.amqp_port,
        broker.user,
        site.state_dir().display()
    ));
}

/// Writes `[rabbitmq]` for TLS to `host` with the client certificate (EXTERNAL),
/// plus `extra` (e.g. an `[n6_collectors_amqp]` section).
fn configure_tls(site: &Site, broker: &Broker, host: &str, rows: i64, extra: &str) {
    site.write_config(&format!(
        "[rabbitmq]\nhost = {host}\nport = {}\nheartbeat_interval = 30\nssl = true\n\
         ssl_ca_certs = {}\nssl_certfile = {}\nssl_keyfile = {}\n\n\
         [RowsCollector]\nrows = {rows}\nstate_dir = {}\n\n{extra}",
        broker.amqps_port,
        broker.ca.display(),
        broker.client_cert.display(),
        broker.client_key.display(),
        site.state_dir().display()
    ));
}

fn run(site: &Site) -> u8 {
    n6_collectors::run_from::<RowsCollector, _, _>([
        "n6collector_rows".to_owned(),
        "--config-dir".to_owned(),
        site.conf_dir().display().to_string(),
        "--n6output-suffix".to_owned(),
        site.output_suffix().expect("a suffix").to_owned(),
    ])
}

fn state_file(site: &Site) -> PathBuf {
    site.state_dir().join(RowsCollector::META.state_file_name())
}

/// The state file's bytes (`None` when there is none).
fn state_bytes(site: &Site) -> Option<Vec<u8>> {
    std::fs::read(state_file(site)).ok()
}

fn bodies(consumer: &Consumer) -> Vec<String> {
    consumer
        .drain()
        .into_iter()
        .map(|m| String::from_utf8(m.delivery.data).expect("utf-8"))
        .collect()
}

fn rows(range: std::ops::Range<i64>) -> Vec<String> {
    range.map(|i| format!("row {i}")).collect()
}

#[test]
fn successful_run_publishes_then_saves_state() {
    let Some(broker) = broker() else { return };
    let setup = setup("ok");
    let consumer = Consumer::bind(&broker, &setup.exchange(), "example-org.rows", false);
    configure(&setup, &broker, &broker.password, 3, 0);
    assert_eq!(run(&setup), 0);
    assert!(state_bytes(&setup).is_some(), "state saved");
    assert_eq!(bodies(&consumer), rows(0..3));
    // Nothing new: the next run publishes nothing and succeeds.
    assert_eq!(run(&setup), 0);
    assert_eq!(bodies(&consumer), Vec::<String>::new());
    consumer.delete();
}

#[test]
fn wrong_password_exits_69_and_leaves_state_unchanged() {
    let Some(broker) = broker() else { return };
    let setup = setup("auth");
    let consumer = Consumer::bind(&broker, &setup.exchange(), "#", false);
    configure(&setup, &broker, &broker.password, 2, 0);
    assert_eq!(run(&setup), 0);
    let saved = state_bytes(&setup).expect("state after the first run");

    configure(&setup, &broker, "a-wrong-password-of-enough-length", 5, 0);
    assert_eq!(run(&setup), 69);
    assert_eq!(state_bytes(&setup), Some(saved), "state file changed");
    assert_eq!(bodies(&consumer), rows(0..2));
    consumer.delete();
}

#[test]
fn unroutable_messages_exit_69_and_save_no_state() {
    let Some(broker) = broker() else { return };
    // No queue is bound to this exchange: every message comes back as unroutable.
    let setup = setup("noroute");
    configure(&setup, &broker, &broker.password, 2, 0);
    assert_eq!(run(&setup), 69);
    assert_eq!(state_bytes(&setup), None, "state must not be saved");
}

#[test]
fn broker_stopped_mid_run_exits_69_keeps_the_checkpoint_and_the_next_run_resends() {
    let Some(private) = PrivateBroker::start("n6testrun", 5692) else {
        return;
    };
    let broker = private.broker.clone();
    let setup = setup("stop");
    let consumer = Consumer::bind(&broker, &setup.exchange(), "#", true);
    configure(&setup, &broker, &broker.password, 200, 50);

    // Stop the broker after row 120, i.e. after the checkpoint at row 100.
    let at_stop: std::sync::Arc<Mutex<Option<Option<Vec<u8>>>>> = Default::default();
    {
        let broker = broker.clone();
        let state_file = state_file(&setup);
        let at_stop = at_stop.clone();
        *AFTER_ROW.lock().expect("hook") = Some(Box::new(move |i| {
            if i == 120 {
                *at_stop.lock().expect("snapshot") = Some(std::fs::read(&state_file).ok());
                broker.ctl(&["stop_app"]);
            }
        }));
    }
    let status = run(&setup);
    *AFTER_ROW.lock().expect("hook") = None;
    assert_eq!(status, 69);
    let snapshot = at_stop.lock().expect("snapshot").take().expect("hook ran");
    assert!(snapshot.is_some(), "the checkpoint at row 100 saved state");
    assert_eq!(
        state_bytes(&setup),
        snapshot,
        "state changed after the broker stopped"
    );
    drop(consumer);

    broker.ctl(&["start_app"]);
    broker.ctl(&["await_startup"]);
    assert_eq!(run(&setup), 0);
    let consumer = Consumer::bind(&broker, &setup.exchange(), "#", true);
    let got = bodies(&consumer);
    // Rows 0..100 exactly once; rows 100..200 re-sent by the second run (rows of the
    // failed run that reached the queue before the stop come twice, as they would in n6).
    assert_eq!(got[..100], rows(0..100)[..]);
    assert_eq!(got[got.len() - 100..], rows(100..200)[..]);
    consumer.delete();
}

#[test]
fn tls_host_name_mismatch_exits_69_unless_turned_off_outside_rabbitmq() {
    let Some(broker) = broker() else { return };
    let setup = setup("tlsname");
    let consumer = Consumer::bind(&broker, &setup.exchange(), "#", false);
    // The broker's certificate names `localhost`, not 127.0.0.1.
    configure_tls(&setup, &broker, "127.0.0.1", 1, "");
    assert_eq!(run(&setup), 69);
    assert_eq!(state_bytes(&setup), None);

    configure_tls(
        &setup,
        &broker,
        "127.0.0.1",
        1,
        "[n6_collectors_amqp]\ntls_verify_hostname = no\n",
    );
    assert_eq!(run(&setup), 0);
    assert!(state_bytes(&setup).is_some());

    configure_tls(&setup, &broker, &broker.server_name, 2, "");
    assert_eq!(run(&setup), 0);
    assert_eq!(bodies(&consumer), rows(0..2));
    consumer.delete();
}
