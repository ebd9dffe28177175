//! Python's behaviour that n6 relies on, each piece written once for the whole workspace:
//!
//! * [`text`] — `str.isspace()`, `strip()`, Unicode decimal digits (what `int()` and
//!   `float()` accept);
//! * [`home`] — `os.path.expanduser` (`$HOME`, the passwd database);
//! * [`pathlib`] — `pathlib.PurePosixPath` normalisation;
//! * [`repr`] — `repr()` and `ascii()` of `str`, `bytes`, `float` and any [`PyValue`];
//! * [`literal`] — `ast.literal_eval` (n6's `py` converter), giving a [`PyValue`];
//! * [`value`] — [`PyValue`], the one Python value type of the workspace (config
//!   literals and n6 state pickles), shown as JSON or CBOR by `forms.rs`.

pub(crate) mod forms;
pub mod home;
pub mod literal;
pub mod pathlib;
pub mod repr;
pub mod text;
pub mod value;

pub use value::{EscapedStr, PyValue};
