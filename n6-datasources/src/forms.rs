//! The family's states as n6's Python values (for `state export-pickle` and the
//! conformance replay): which arrays are Python sets, which strings are datetimes.

use n6_collectors::ciborium::Value as Cbor;
use n6_collectors::pickle::PyValue;

fn entries(state: &Cbor) -> Result<&[(Cbor, Cbor)], String> {
    match state {
        Cbor::Map(entries) => Ok(entries),
        other => Err(format!("expected a map, found {other:?}")),
    }
}

fn key(k: &Cbor) -> Option<&str> {
    match k {
        Cbor::Text(t) => Some(t),
        _ => None,
    }
}

/// A Python `str` from text or (undecodable row) bytes.
fn py_str(v: &Cbor) -> Result<PyValue, String> {
    match v {
        Cbor::Text(t) => Ok(PyValue::Str(t.clone())),
        Cbor::Bytes(b) => Ok(PyValue::str_from_escaped(b.clone())),
        other => Err(format!("expected a string, found {other:?}")),
    }
}

/// n6's `BaseTimeOrderedRowsCollector` state: `{'newest_row_time': str, 'newest_rows':
/// set[str], 'rows_count': int}` (`rows_count` absent when the state never had one).
pub fn rows_state(state: &Cbor) -> Result<PyValue, String> {
    let mut dict = Vec::new();
    for (k, v) in entries(state)? {
        let name = key(k).ok_or("a non-text key in a rows state")?;
        let value = match (name, v) {
            ("newest_row_time", v) => py_str(v)?,
            ("newest_rows", Cbor::Array(rows)) => {
                PyValue::Set(rows.iter().map(py_str).collect::<Result<_, _>>()?)
            }
            ("rows_count", Cbor::Null) => continue,
            ("rows_count", Cbor::Integer(i)) => PyValue::Int(i128::from(*i)),
            (other, v) => return Err(format!("unexpected {other}: {v:?} in a rows state")),
        };
        dict.push((PyValue::Str(name.to_owned()), value));
    }
    Ok(PyValue::Dict(dict))
}

/// A naive `datetime` kept as Python's `isoformat()` text (`YYYY-MM-DDTHH:MM:SS[.ffffff]`).
pub fn naive_datetime(state: &Cbor) -> Result<PyValue, String> {
    let Cbor::Text(text) = state else {
        return Err(format!("expected an ISO date-time, found {state:?}"));
    };
    parse_isoformat(text).ok_or_else(|| format!("not an ISO date-time: {text:?}"))
}

fn parse_isoformat(text: &str) -> Option<PyValue> {
    let (date, time) = text.split_once('T')?;
    let mut d = date.split('-').map(str::parse::<u32>);
    let (year, month, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let (hms, micro) = match time.split_once('.') {
        Some((hms, frac)) => (hms, frac.parse::<u32>().ok()?),
        None => (time, 0),
    };
    let mut t = hms.split(':').map(str::parse::<u32>);
    let (hour, minute, second) = (t.next()?.ok()?, t.next()?.ok()?, t.next()?.ok()?);
    Some(PyValue::DateTime {
        year: u16::try_from(year).ok()?,
        month: u8::try_from(month).ok()?,
        day: u8::try_from(day).ok()?,
        hour: u8::try_from(hour).ok()?,
        minute: u8::try_from(minute).ok()?,
        second: u8::try_from(second).ok()?,
        microsecond: micro,
    })
}

/// n6's ZoneH state: `None`, or an `OPSet` of `(title, description, pubDate)` tuples.
pub fn opset_of_tuples(state: &Cbor) -> Result<PyValue, String> {
    match state {
        Cbor::Null => Ok(PyValue::None),
        Cbor::Array(items) => items
            .iter()
            .map(|item| match item {
                Cbor::Array(fields) => fields
                    .iter()
                    .map(|f| match f {
                        Cbor::Null => Ok(PyValue::None),
                        other => py_str(other),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(PyValue::Tuple),
                other => Err(format!("expected a tuple, found {other:?}")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(PyValue::OpSet),
        other => Err(format!("expected None or a list of items, found {other:?}")),
    }
}
