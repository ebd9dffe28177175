//! Derive macros of [n6-collectors](https://docs.rs/n6-collectors); use them through that
//! crate (`n6_collectors::StatefulCollector`), never directly.
