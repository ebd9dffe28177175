//! [`PickleError`]: why a pickle could not be converted, and where.

/// A pickle that cannot be converted, with the byte offset where reading stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} (at byte offset {offset})")]
pub struct PickleError {
    /// Offset of the opcode (or of the missing data) in the file.
    pub offset: u64,
    /// What was wrong.
    pub kind: PickleErrorKind,
}

/// What was wrong with a pickle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickleErrorKind {
    /// The file is empty (n6: `EOFError`).
    #[error("the file is empty")]
    Empty,
    /// Not protocol 2 or newer: n6 refuses these files (`sys.exit`), and so does this tool.
    #[error(
        "the first two bytes do not look like the beginning of anything properly serialized using the Pickle Protocol 2 or newer (n6 refuses such files too; protocols 0 and 1 are not supported); you need to examine and fix (or remove) the file manually"
    )]
    NotProtocol2OrNewer,
    /// The data ended before the `STOP` opcode (n6: `EOFError` / `UnpicklingError`).
    #[error("the pickle is truncated: the data ran out")]
    Truncated,
    /// A byte that is no pickle opcode (n6: `UnpicklingError: invalid load key`).
    #[error("invalid pickle opcode 0x{0:02x}")]
    InvalidOpcode(u8),
    /// A valid opcode that n6's state files never contain.
    #[error("unsupported pickle opcode {name} (0x{code:02x})")]
    UnsupportedOpcode {
        /// Opcode byte.
        code: u8,
        /// Its name in Python's `pickletools`.
        name: &'static str,
    },
    /// A class or function other than the supported ones.
    #[error(
        "unsupported object: the pickle refers to {0}; supported are dict, list, tuple, set, frozenset, str, bytes, bytearray, int, float, bool, None, datetime.date, naive datetime.datetime and n6lib.common_helpers.OPSet"
    )]
    UnsupportedGlobal(String),
    /// Supported types used in a way the converter does not handle.
    #[error("unsupported content: {0}")]
    Unsupported(String),
    /// Inconsistent opcodes (stack underflow, wrong operand type, unknown memo key).
    #[error("malformed pickle: {0}")]
    Malformed(String),
    /// A `str` that cannot be represented (a lone surrogate other than an escaped byte).
    #[error("{0}")]
    BadString(String),
}
