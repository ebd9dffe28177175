//! Broker faults through a real collector process (issue 6, point 2): broker stopped
//! before the run, stopped mid-run, restarted mid-run, connection refused, connection cut
//! mid-run, wrong credentials, publish nacked, message unroutable. Each run must exit 69
//! with one clear error line and leave the state file byte-identical (same inode: not
//! even rewritten); the next run with the broker healthy must deliver every row.
//!
//! The stop/restart cases use a broker node of their own (`tests/support/broker.sh`,
//! other ports), so stopping it cannot disturb other tests; the others use the shared
//! test broker with an exchange of their own.

use std::ops::Range;
use std::process::Output;

use crate::reliability_support::amqp::PrivateBroker;
use crate::reliability_support::{
    Admin, Broker, CutProxy, Site, Target, broker, closed_port, code, copies, error_line, stderr,
};

/// Rows published and saved before the fault.
const SAVED: u64 = 5;
/// Rows in the feed when the fault happens.
const FEED: u64 = 15;
/// Rows a gated run publishes before it stops at the gate.
const GATE: u64 = 3;

/// `site` after its first `SAVED` rows went out and were saved, and whose feed then grew to
/// `FEED` rows; the state file's bytes and inode as they were before the fault.
struct Prepared {
    site: Site,
    saved: Vec<u8>,
    inode: u64,
}

fn prepare(mut site: Site, healthy: &Target) -> Prepared {
    site.grow(SAVED);
    site.configure(healthy, "");
    let out = site.run(&[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(site.state_lines(), Some(SAVED));
    site.grow(FEED - SAVED);
    Prepared {
        saved: site.state_bytes().expect("state file"),
        inode: site.state_inode().expect("inode"),
        site,
    }
}

impl Prepared {
    /// The failed run exited 69 with one error line containing every one of `phrases`,
    /// and changed nothing on disk. Returns the error line.
    fn assert_failed_cleanly(&self, out: &Output, phrases: &[&str]) -> String {
        assert_eq!(code(out), 69, "{}", stderr(out));
        let line = error_line(out);
        for phrase in phrases {
            assert!(line.contains(phrase), "{phrase:?} not in: {line}");
        }
        assert_eq!(
            self.site.state_bytes().as_deref(),
            Some(&self.saved[..]),
            "the state file changed"
        );
        assert_eq!(
            self.site.state_inode(),
            Some(self.inode),
            "the state file was rewritten"
        );
        assert_eq!(self.site.temp_files(), Vec::<String>::new());
        let check = self.site.check_state();
        assert_eq!(code(&check), 0, "{}", stderr(&check));
        line
    }

    /// The next run, against `healthy`, publishes the rest and saves the end of the feed.
    fn recover(&self, healthy: &Target) {
        self.site.configure(healthy, "");
        let out = self.site.run(&[]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert_eq!(self.site.state_lines(), Some(FEED));
    }
}

/// Every row `0..FEED` arrived; rows in `may_repeat` (published by the failed run before
/// the fault) at most twice, every other row exactly once.
fn assert_delivered(bodies: &[String], may_repeat: Range<u64>) {
    for (row, n) in copies(bodies, FEED) {
        if may_repeat.contains(&row) {
            assert!(
                (1..=2).contains(&n),
                "row {row} arrived {n} times: {bodies:?}"
            );
        } else {
            assert_eq!(n, 1, "row {row} arrived {n} times: {bodies:?}");
        }
    }
}

fn queue_name(site: &Site) -> String {
    format!("q{}", site.output_suffix().expect("a suffix"))
}

#[test]
fn connection_refused_exits_69_and_changes_nothing() {
    let Some(broker) = broker() else { return };
    let healthy = Target::of(&broker);
    let admin = Admin::connect(&broker);
    let site = crate::reliability_support::site("relrefused");
    let queue = queue_name(&site);
    admin.bind(&site.exchange(), &queue, None);
    let p = prepare(site, &healthy);
    let port = closed_port();
    p.site.configure(&healthy.on_port(port), "");
    let out = p.site.run(&[]);
    p.assert_failed_cleanly(
        &out,
        &[
            &format!("cannot connect to amqp://127.0.0.1:{port}"),
            "Connection refused",
        ],
    );
    p.recover(&healthy);
    assert_delivered(&admin.drain(&queue), 0..0);
    admin.delete(&queue);
}

#[test]
fn wrong_credentials_exit_69_and_change_nothing() {
    let Some(broker) = broker() else { return };
    let healthy = Target::of(&broker);
    let admin = Admin::connect(&broker);
    let site = crate::reliability_support::site("relauth");
    let queue = queue_name(&site);
    admin.bind(&site.exchange(), &queue, None);
    let p = prepare(site, &healthy);
    p.site
        .configure(&healthy.with_password("not-the-password-at-all"), "");
    let out = p.site.run(&[]);
    let line = p.assert_failed_cleanly(&out, &["cannot connect to", "ACCESS_REFUSED"]);
    assert!(
        !line.contains("not-the-password-at-all"),
        "password leaked: {line}"
    );
    p.recover(&healthy);
    assert_delivered(&admin.drain(&queue), 0..0);
    admin.delete(&queue);
}

#[test]
fn unroutable_messages_exit_69_and_change_nothing() {
    let Some(broker) = broker() else { return };
    let healthy = Target::of(&broker);
    let admin = Admin::connect(&broker);
    // The first rows go to a queue that is then deleted: nothing is bound any more.
    let mut site = crate::reliability_support::site("relnoroute");
    let first_queue = format!("{}-first", queue_name(&site));
    admin.bind(&site.exchange(), &first_queue, None);
    site.grow(SAVED);
    site.configure(&healthy, "");
    assert_eq!(code(&site.run(&[])), 0);
    let first = admin.drain(&first_queue);
    admin.delete(&first_queue);
    site.grow(FEED - SAVED);
    let p = Prepared {
        saved: site.state_bytes().expect("state"),
        inode: site.state_inode().expect("inode"),
        site,
    };

    let out = p.site.run(&[]);
    p.assert_failed_cleanly(&out, &["unroutable", "NO_ROUTE", &p.site.exchange()]);

    let queue = queue_name(&p.site);
    admin.bind(&p.site.exchange(), &queue, None);
    p.recover(&healthy);
    let mut bodies = first;
    bodies.extend(admin.drain(&queue));
    // Returned messages reach no queue: every row exactly once.
    assert_delivered(&bodies, 0..0);
    admin.delete(&queue);
}

#[test]
fn nacked_messages_exit_69_and_change_nothing() {
    let Some(broker) = broker() else { return };
    let healthy = Target::of(&broker);
    let admin = Admin::connect(&broker);
    let site = crate::reliability_support::site("relnack");
    let queue = queue_name(&site);
    admin.bind(&site.exchange(), &queue, None);
    let p = prepare(site, &healthy);
    // A second queue that refuses every message: the broker nacks each publish.
    let full = format!("{queue}-full");
    admin.bind(&p.site.exchange(), &full, Some(0));
    let out = p.site.run(&[]);
    p.assert_failed_cleanly(&out, &["nacked"]);
    admin.delete(&full);
    p.recover(&healthy);
    // The healthy queue took the nacked run's rows too: those may come twice.
    assert_delivered(&admin.drain(&queue), SAVED..FEED);
    admin.delete(&queue);
}

#[test]
fn connection_cut_mid_run_exits_69_and_changes_nothing() {
    let Some(broker) = broker() else { return };
    let healthy = Target::of(&broker);
    let admin = Admin::connect(&broker);
    let site = crate::reliability_support::site("relcut");
    let queue = queue_name(&site);
    admin.bind(&site.exchange(), &queue, None);
    let p = prepare(site, &healthy);
    let proxy = CutProxy::start(broker.amqp_port);
    p.site.configure(
        &healthy.on_port(proxy.port),
        &format!("gate_after = {GATE}"),
    );
    let mut child = p.site.spawn(&[]);
    p.site.wait_at_gate(&mut child);
    proxy.cut();
    p.site.open_gate();
    let out = child.wait_with_output().expect("wait");
    p.assert_failed_cleanly(&out, &[&format!("amqp://127.0.0.1:{}", proxy.port)]);
    p.recover(&healthy);
    assert_delivered(&admin.drain(&queue), SAVED..SAVED + GATE);
    admin.delete(&queue);
}

#[test]
fn network_frozen_mid_run_times_out_exits_69_and_changes_nothing() {
    let Some(broker) = broker() else { return };
    let healthy = Target::of(&broker);
    let admin = Admin::connect(&broker);
    let site = crate::reliability_support::site("relfreeze");
    let queue = queue_name(&site);
    admin.bind(&site.exchange(), &queue, None);
    let p = prepare(site, &healthy);
    let proxy = CutProxy::start(broker.amqp_port);
    p.site.configure_with_confirm_timeout(
        &healthy.on_port(proxy.port),
        &format!("gate_after = {GATE}"),
        2,
    );
    let mut child = p.site.spawn(&[]);
    p.site.wait_at_gate(&mut child);
    proxy.freeze();
    p.site.open_gate();
    let out = child.wait_with_output().expect("wait");
    p.assert_failed_cleanly(&out, &["2 s"]);
    p.recover(&healthy);
    assert_delivered(&admin.drain(&queue), SAVED..SAVED + GATE);
    admin.delete(&queue);
}

/// Stops (`stop_app`) or starts (`start_app`) the private node's broker application.
fn app(broker: &Broker, up: bool) {
    if up {
        broker.ctl(&["start_app"]);
        broker.ctl(&["await_startup"]);
    } else {
        broker.ctl(&["stop_app"]);
    }
}

#[test]
fn real_broker_stopped_or_restarted_exits_69_and_changes_nothing() {
    let Some(private) = PrivateBroker::start("n6testrel", 5712) else {
        return;
    };
    let broker = private.broker.clone();
    let healthy = Target::of(&broker);

    let admin = Admin::connect(&broker);
    let mut sites = Vec::new();
    for tag in ["relstopbefore", "relrestart", "relstopmid"] {
        let site = crate::reliability_support::site(tag);
        admin.bind(&site.exchange(), &queue_name(&site), None);
        sites.push(prepare(site, &healthy));
    }
    drop(admin);
    let [before, restarted, stopped] = &sites[..] else {
        unreachable!()
    };

    // Stopped before the run.
    app(&broker, false);
    let out = before.site.run(&[]);
    // Refused, or (while the node's listener is still closing) accepted but never
    // answered: both are "cannot connect to ...".
    before.assert_failed_cleanly(&out, &["cannot connect to"]);
    app(&broker, true);
    before.recover(&healthy);

    // Restarted while a run stands at the gate (connected, GATE rows published).
    restarted
        .site
        .configure(&healthy, &format!("gate_after = {GATE}"));
    let mut child = restarted.site.spawn(&[]);
    restarted.site.wait_at_gate(&mut child);
    app(&broker, false);
    app(&broker, true);
    restarted.site.open_gate();
    let out = child.wait_with_output().expect("wait");
    restarted.assert_failed_cleanly(&out, &[&format!("amqp://127.0.0.1:{}", broker.amqp_port)]);
    restarted.recover(&healthy);

    // Stopped while a run stands at the gate.
    stopped
        .site
        .configure(&healthy, &format!("gate_after = {GATE}"));
    let mut child = stopped.site.spawn(&[]);
    stopped.site.wait_at_gate(&mut child);
    app(&broker, false);
    stopped.site.open_gate();
    let out = child.wait_with_output().expect("wait");
    stopped.assert_failed_cleanly(&out, &[&format!("amqp://127.0.0.1:{}", broker.amqp_port)]);
    app(&broker, true);
    stopped.recover(&healthy);

    let admin = Admin::connect(&broker);
    for (p, may_repeat) in [
        (before, SAVED..SAVED),
        (restarted, SAVED..SAVED + GATE),
        (stopped, SAVED..SAVED + GATE),
    ] {
        let queue = queue_name(&p.site);
        assert_delivered(&admin.drain(&queue), may_repeat);
        admin.delete(&queue);
    }
}
