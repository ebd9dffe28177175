//! n6's collectors (`N6DataSources/n6datasources/collectors`, n6 v4.40) in Rust, as
//! drop-ins: same config sections and options, same messages, same state semantics.
//!
//! One module per n6 module; [`registry::COLLECTORS`] lists them all; the
//! `n6collector` binary runs any of them (`n6collector --list`). Config templates
//! matching n6's shipped `etc/n6/60_*.conf` are in this crate's `etc/`.

pub mod fetch;
pub mod forms;
pub mod registry;
pub mod simple;
pub mod urls;

pub mod abuse_ch;
pub mod amqp;
pub mod cert_pl;
pub mod cesnet_cz;
pub mod dan_tv;
pub mod dataplane;
pub mod greensnow_co;
pub mod manual;
pub mod misp;
pub mod openphish;
pub mod phishtank;
pub mod sblam;
pub mod shadowserver;
pub mod spam404_com;
pub mod spamhaus;
pub mod stopforum;
pub mod tu_dresden_de;
pub mod turris_cz;
pub mod withaname;
pub mod zoneh;
