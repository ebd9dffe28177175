//! The run's clock: "now" and "today" for everything time-dependent in a run.
//!
//! A run reads the time only through its [`Clock`] (given to `collect` as
//! [`crate::Output::clock`]): the `timestamp` property (and so the `message_id`) of every
//! message, and whatever a collector computes from "now" — MISP's search windows
//! (n6's `MispCollector` takes `datetime.utcnow()` once per run), URLhaus payload
//! samples' day buckets, Phishtank's `period`. The system clock by default; fixed for a
//! test or a replayed recorded case, either through the API ([`Clock::fixed`]) or with
//! the hidden, test-only command-line flag `--fake-now ISO-DATE-TIME` (e.g.
//! `--fake-now 2017-02-20T12:00:00`; no zone means UTC, as n6's `datetime.utcnow()`).
//!
//! A fixed clock does not advance: every reading in the run returns the same instant,
//! as n6's tests freeze time.
//!
//! Not from the clock (deliberately real time): the `saved_at` of a state file's
//! envelope (when the file was really written — an operator's record, never input to
//! the collection), log lines, the run summary's duration and the broker's timeouts.
//!
//! ```
//! use n6_collectors::clock::Clock;
//!
//! let clock = Clock::parse_fixed("2017-02-20T12:00:00").unwrap();
//! assert_eq!(clock.unix_timestamp(), 1_487_592_000);
//! assert_eq!(clock.today().to_string(), "2017-02-20");
//! assert!(Clock::system().unix_timestamp() > 1_487_592_000);
//! ```

use time::{Date, UtcDateTime};

/// Where a run's "now" comes from. See the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    fixed: Option<UtcDateTime>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// A clock stopped at `at`.
    pub fn fixed(at: UtcDateTime) -> Clock {
        Clock { fixed: Some(at) }
    }

    /// A clock stopped at an ISO 8601 date-time as n6 parses it (n6's
    /// `parse_iso_datetime_to_utc`: `T` or a space between date and time, optional
    /// fraction, optional `Z` or `±HH:MM`; no zone means UTC). The error names the text.
    pub fn parse_fixed(text: &str) -> Result<Clock, String> {
        crate::config::isotime::parse_iso_datetime_to_utc(text)
            .map(Clock::fixed)
            .map_err(|e| format!("invalid fake time {text:?}: {e}"))
    }

    /// Whether the clock is fixed (a test or a replayed case).
    pub fn is_fixed(&self) -> bool {
        self.fixed.is_some()
    }

    /// Now, in UTC.
    pub fn now(&self) -> UtcDateTime {
        self.fixed.unwrap_or_else(UtcDateTime::now)
    }

    /// Today's date in UTC.
    pub fn today(&self) -> Date {
        self.now().date()
    }

    /// Now as Unix time in whole seconds, truncated (n6's `trunc(time.time())`); 0 for an
    /// instant before 1970.
    pub fn unix_timestamp(&self) -> u64 {
        u64::try_from(self.now().unix_timestamp()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_does_not_move_and_takes_offsets_to_utc() {
        let clock = Clock::parse_fixed("2024-03-01T00:30:00+01:00").expect("parse");
        assert!(clock.is_fixed());
        assert_eq!(clock.today().to_string(), "2024-02-29");
        let first = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(clock.now(), first);
        assert_eq!(clock.unix_timestamp(), 1_709_249_400);
    }

    #[test]
    fn bad_text_is_an_error_naming_it() {
        let error = Clock::parse_fixed("yesterday").expect_err("must fail");
        assert!(error.contains("\"yesterday\""), "{error}");
    }

    #[test]
    fn the_system_clock_moves() {
        let clock = Clock::system();
        assert!(!clock.is_fixed());
        assert!(clock.unix_timestamp() >= 1_700_000_000);
    }
}
