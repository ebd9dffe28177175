//! Python's behaviour that n6 relies on, each piece written once for the whole workspace:
//!
//! * [`text`] — `str.isspace()`, `strip()`, Unicode decimal digits (what `int()` and
//!   `float()` accept);
//! * [`home`] — `os.path.expanduser` (`$HOME`, the passwd database);
//! * [`pathlib`] — `pathlib.PurePosixPath` normalisation;
//! * [`repr`] — `repr()` and `ascii()` of `str`, `bytes`, `float` and literal values;
//! * [`literal`] — `ast.literal_eval` (n6's `py` converter), giving a [`PyValue`].

pub mod home;
pub mod literal;
pub mod pathlib;
pub mod repr;
pub mod text;

pub use crate::value::PyValue;
