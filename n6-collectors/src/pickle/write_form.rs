//! A collector's state as n6's Python value, for `state export-pickle`.
//!
//! A typed state is serialized by serde; its CBOR form does not say which arrays were
//! Python sets or tuples, or which strings were datetimes. A program running collectors
//! whose n6 state shape is known registers that knowledge once with
//! [`set_python_form`] (the `n6collector` binary does, per collector); without it
//! [`python_form`] uses [`generic_python_form`].

use std::sync::OnceLock;

use ciborium::Value as Cbor;

use super::PyValue;

/// Turns the CBOR form of a state into n6's Python value.
pub type PythonForm = fn(&Cbor) -> Result<PyValue, String>;

static FORM: OnceLock<PythonForm> = OnceLock::new();

/// Registers how this process's collector state becomes n6's Python value. Only the
/// first call counts.
pub fn set_python_form(form: PythonForm) {
    let _ = FORM.set(form);
}

/// The Python value of a state's CBOR form: the registered [`PythonForm`], else
/// [`generic_python_form`].
pub fn python_form(state: &Cbor) -> Result<PyValue, String> {
    match FORM.get() {
        Some(form) => form(state),
        None => generic_python_form(state),
    }
}

/// The plain mapping: null → `None`, booleans, integers, floats, text → `str`, bytes →
/// `bytes`, arrays → `list`, maps → `dict`. (Tags are looked through.)
pub fn generic_python_form(value: &Cbor) -> Result<PyValue, String> {
    Ok(match value {
        Cbor::Null => PyValue::None,
        Cbor::Bool(b) => PyValue::Bool(*b),
        Cbor::Integer(i) => PyValue::Int(i128::from(*i)),
        Cbor::Float(f) => PyValue::Float(*f),
        Cbor::Text(t) => PyValue::Str(t.clone()),
        Cbor::Bytes(b) => PyValue::Bytes(b.clone()),
        Cbor::Array(items) => PyValue::List(
            items
                .iter()
                .map(generic_python_form)
                .collect::<Result<_, _>>()?,
        ),
        Cbor::Map(entries) => PyValue::Dict(
            entries
                .iter()
                .map(|(k, v)| Ok((generic_python_form(k)?, generic_python_form(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        Cbor::Tag(_, inner) => generic_python_form(inner)?,
        other => return Err(format!("a CBOR value with no Python form: {other:?}")),
    })
}
