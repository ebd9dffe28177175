//! The collectors a fixture can be replayed with: the family's registry, plus the
//! test-only ports of n6's base-class test collectors ([`crate::test_ports`]).

use n6_datasources::registry::{self, Entry};

use crate::test_ports::TEST_PORTS;

/// The port of n6's class `class`.
pub fn find(class: &str) -> Option<Entry> {
    registry::find(class).copied().or_else(|| {
        TEST_PORTS
            .iter()
            .find(|entry| entry.class == class)
            .copied()
    })
}
