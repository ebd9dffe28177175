//! The collectors a fixture can be replayed with: the family's registry, plus test-only
//! ports of n6's base-class test collectors (`ExampleCollector` etc.).

use n6_datasources::registry::{self, Entry};

/// The port of n6's class `class`.
pub fn find(class: &str) -> Option<Entry> {
    registry::find(class).copied()
}
