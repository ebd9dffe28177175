//! The fleet tests: the state and run lock in etcd, against a real 3-member cluster
//! (`tests/support/etcd.sh`, started by `tests/support/with-broker.sh`). Skipped with a
//! loud message when etcd is not installed.

mod auth;
mod campaign;
#[allow(dead_code)] // the fault helpers are used by the fault tests (next commits)
mod cluster;
mod conformance;
mod faults;
mod hosts;
mod runs;
mod tls;
mod tools;
