//! Reading and writing the state files of n6's Python collectors (`*.pickle`).
//!
//! [`decode`] checks the first two bytes as n6 does (`n6datasources.collectors.base.StatefulCollectorMixin.load_state`: protocol 2 or newer,
//! anything else refused with n6's message), then runs a pickle machine restricted to the
//! objects n6 states contain: `dict`, `list`, `tuple`, `set`,
//! `frozenset`, `str`, `bytes`, `bytearray`, `int`, `float`, `bool`, `None`,
//! `datetime.date`, naive `datetime.datetime` and `n6lib.common_helpers.OPSet`. Anything
//! else (another class, a timezone, a recursive structure) is a [`PickleError`] naming it
//! and its byte offset; nothing is silently dropped.
//!
//! The decoded object is a [`PyValue`], the workspace's one Python value type (the same
//! type as [`crate::config::PyValue`]). Strings: a Python 3 `str` that holds
//! surrogate-escaped bytes (`'\udcdd'`) comes back as a [`PyValue::EscapedStr`] of the
//! raw bytes (see [`text`]); any other `str` is a [`PyValue::Str`]. Python 2 8-bit strings
//! (protocol-2 files) are decoded by a [`Py2Strings`] policy. [`PyValue::to_cbor`] gives
//! the serde-friendly form from which a typed state is deserialized.
//!
//! Writing: [`encode`] (protocol 4) and [`python_form`] (a state's CBOR form as n6's
//! Python value), for `state export-pickle`.
//!
//! Why not `serde-pickle`: see `ARCHITECTURE.md` (design decisions).

mod error;
mod machine;
mod opcode;
pub mod takeover;
pub mod text;
pub mod write;
pub mod write_export;
pub mod write_form;

pub use error::{PickleError, PickleErrorKind};
/// The decoded Python value: the workspace's one Python value type, re-exported here
/// (it is [`crate::config::PyValue`]).
pub use n6_collectors_config::py::{EscapedStr, PyValue};
pub use text::Py2Strings;
pub use write::encode;
pub use write_form::{PythonForm, python_form, set_python_form};

/// A decoded pickle.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The pickle protocol named by the file's first two bytes (2..=5).
    pub protocol: u8,
    /// The object.
    pub value: PyValue,
}

/// Decodes an n6 state pickle. `py2` decides how Python 2 8-bit strings become text; it
/// only matters for protocol-2 files written by Python 2.
pub fn decode(data: &[u8], py2: Py2Strings) -> Result<Decoded, PickleError> {
    let protocol = match data {
        [] => {
            return Err(PickleError {
                offset: 0,
                kind: PickleErrorKind::Empty,
            });
        }
        [0x80] => {
            return Err(PickleError {
                offset: 1,
                kind: PickleErrorKind::Truncated,
            });
        }
        [0x80, proto, ..] if *proto >= 2 => *proto,
        _ => {
            return Err(PickleError {
                offset: 0,
                kind: PickleErrorKind::NotProtocol2OrNewer,
            });
        }
    };
    let value = machine::Machine::new(data, py2).run()?;
    Ok(Decoded { protocol, value })
}

#[cfg(test)]
mod tests;
