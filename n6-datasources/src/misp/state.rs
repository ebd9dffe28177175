//! The state of n6's `MispCollector`: a dict of two naive UTC datetimes and a set of
//! sample ids (n6's `MispCollector.StateDict`), and its Python form for
//! `state export-pickle` and the conformance replay.

use std::collections::BTreeSet;
use std::fmt;

use n6_collectors::ciborium::Value as Cbor;
use n6_collectors::pickle::PyValue;
use serde::{Deserialize, Serialize};
use time::PrimitiveDateTime;

/// A naive `datetime` meaning UTC, stored as Python's `isoformat()` text
/// (`YYYY-MM-DDTHH:MM:SS[.ffffff]`), the form a taken-over pickle's datetime gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NaiveUtc(pub PrimitiveDateTime);

impl NaiveUtc {
    /// Parses Python's `isoformat()` of a naive datetime.
    pub fn parse(text: &str) -> Result<NaiveUtc, String> {
        let bad = || format!("not a naive ISO date-time (YYYY-MM-DDTHH:MM:SS[.ffffff]): {text:?}");
        let (main, micro) = match text.split_once('.') {
            Some((main, frac)) if frac.len() == 6 && frac.bytes().all(|b| b.is_ascii_digit()) => {
                (main, frac.parse::<u32>().map_err(|_| bad())?)
            }
            Some(_) => return Err(bad()),
            None => (text, 0),
        };
        let format =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
        let at = PrimitiveDateTime::parse(main, &format).map_err(|_| bad())?;
        at.replace_microsecond(micro)
            .map(NaiveUtc)
            .map_err(|_| bad())
    }
}

impl fmt::Display for NaiveUtc {
    /// Python's `isoformat()`: the fraction only when there are microseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )?;
        if t.microsecond() != 0 {
            write!(f, ".{:06}", t.microsecond())?;
        }
        Ok(())
    }
}

impl TryFrom<String> for NaiveUtc {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        NaiveUtc::parse(&text)
    }
}

impl From<NaiveUtc> for String {
    fn from(value: NaiveUtc) -> String {
        value.to_string()
    }
}

/// n6's `MispCollector.StateDict`, keys in n6's order (`STATE_KEYS`). Loading refuses
/// what n6's `load_state` refuses: other keys, and samples later than events (the state
/// file, or n6's pickle taken over, is then reported as unusable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StateDict")]
pub struct MispState {
    /// When events were last fetched and published (n6: set to the run's "now").
    pub events_last_proc_datetime: NaiveUtc,
    /// Since when samples are still to be published; earlier than the events' time
    /// while samples are overdue.
    pub samples_last_proc_datetime: NaiveUtc,
    /// Samples published since `samples_last_proc_datetime` (an unfinished sample run).
    pub already_processed_sample_ids: BTreeSet<i64>,
}

/// The state as stored, before n6's checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StateDict {
    events_last_proc_datetime: NaiveUtc,
    samples_last_proc_datetime: NaiveUtc,
    already_processed_sample_ids: BTreeSet<i64>,
}

impl TryFrom<StateDict> for MispState {
    type Error = String;
    fn try_from(dict: StateDict) -> Result<Self, String> {
        let state = MispState {
            events_last_proc_datetime: dict.events_last_proc_datetime,
            samples_last_proc_datetime: dict.samples_last_proc_datetime,
            already_processed_sample_ids: dict.already_processed_sample_ids,
        };
        state.check()?;
        Ok(state)
    }
}

impl MispState {
    /// n6's `make_default_state`: both times `days_for_first_run` days before now.
    pub fn initial(start: NaiveUtc) -> MispState {
        MispState {
            events_last_proc_datetime: start,
            samples_last_proc_datetime: start,
            already_processed_sample_ids: BTreeSet::new(),
        }
    }

    /// n6's check in `load_state`: samples are never ahead of events.
    pub fn check(&self) -> Result<(), String> {
        if self.samples_last_proc_datetime > self.events_last_proc_datetime {
            return Err(format!(
                "encountered a wrong state: the last sample publication datetime should be \
                 the same as or earlier than the last event publication datetime (whereas \
                 events_last_proc_datetime={}, samples_last_proc_datetime={})",
                self.events_last_proc_datetime, self.samples_last_proc_datetime
            ));
        }
        Ok(())
    }

    /// n6's `_are_there_overdue_samples_to_publish`.
    pub fn overdue_samples(&self) -> bool {
        self.samples_last_proc_datetime < self.events_last_proc_datetime
    }

    /// n6's `_set_samples_state_to_finished`.
    pub fn finish_samples(&mut self, now: NaiveUtc) {
        self.samples_last_proc_datetime = now;
        self.already_processed_sample_ids.clear();
    }
}

/// The state as n6's Python value: `{'events_last_proc_datetime': datetime,
/// 'samples_last_proc_datetime': datetime, 'already_processed_sample_ids': set[int]}`.
/// Before the first run there is no state to hand back (n6 computes its default from
/// the config and the clock): an error saying so.
pub fn python_form(state: &Cbor) -> Result<PyValue, String> {
    let entries = match state {
        Cbor::Map(entries) => entries,
        Cbor::Null => {
            return Err(
                "no MISP state yet (the collector has not run): nothing to hand back".to_owned(),
            );
        }
        other => return Err(format!("expected a MISP state dict, found {other:?}")),
    };
    let mut dict = Vec::new();
    for (key, value) in entries {
        let Cbor::Text(name) = key else {
            return Err(format!("a non-text key in a MISP state: {key:?}"));
        };
        let value = match (name.as_str(), value) {
            ("events_last_proc_datetime" | "samples_last_proc_datetime", v) => {
                crate::forms::naive_datetime(v)?
            }
            ("already_processed_sample_ids", Cbor::Array(ids)) => PyValue::Set(
                ids.iter()
                    .map(|id| match id {
                        Cbor::Integer(i) => Ok(PyValue::Int(i128::from(*i))),
                        other => Err(format!("a sample id that is not an int: {other:?}")),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            (other, v) => return Err(format!("unexpected {other}: {v:?} in a MISP state")),
        };
        dict.push((PyValue::Str(name.clone()), value));
    }
    Ok(PyValue::Dict(dict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isoformat_round_trips_with_and_without_microseconds() {
        for text in ["2017-02-09T12:00:00", "2024-01-14T21:30:59.000001"] {
            assert_eq!(NaiveUtc::parse(text).expect("parse").to_string(), text);
        }
        assert!(NaiveUtc::parse("2017-02-09 12:00:00").is_err());
        assert!(NaiveUtc::parse("2017-02-09T12:00:00.5").is_err());
    }

    #[test]
    fn the_python_form_is_n6s_dict() {
        let t = NaiveUtc::parse("2017-02-09T12:00:00").expect("parse");
        let mut state = MispState::initial(t);
        state.already_processed_sample_ids.insert(144656);
        let cbor = Cbor::serialized(&Some(state)).expect("cbor");
        let PyValue::Dict(dict) = python_form(&cbor).expect("form") else {
            panic!("not a dict");
        };
        assert_eq!(dict.len(), 3);
        assert_eq!(dict[0].0, PyValue::Str("events_last_proc_datetime".into()));
        assert!(matches!(dict[1].1, PyValue::DateTime { hour: 12, .. }));
        assert_eq!(dict[2].1, PyValue::Set(vec![PyValue::Int(144656)]));
        assert!(python_form(&Cbor::Null).is_err());
    }

    #[test]
    fn samples_ahead_of_events_is_refused() {
        let early = NaiveUtc::parse("2017-02-09T12:00:00").expect("parse");
        let late = NaiveUtc::parse("2017-02-12T12:00:00").expect("parse");
        let mut state = MispState::initial(early);
        assert!(state.check().is_ok() && !state.overdue_samples());
        state.samples_last_proc_datetime = late;
        assert!(state.check().is_err());
        let cbor = Cbor::serialized(&state).expect("cbor");
        let loaded = cbor
            .deserialized::<MispState>()
            .expect_err("refused on load");
        assert!(
            loaded.to_string().contains("encountered a wrong state"),
            "{loaded}"
        );
        state.samples_last_proc_datetime = early;
        state.events_last_proc_datetime = late;
        assert!(state.overdue_samples());
    }
}
