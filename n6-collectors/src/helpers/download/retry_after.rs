//! `Retry-After` (RFC 9110 §10.2.3) of a `429 Too Many Requests` or `503 Service
//! Unavailable`: a number of seconds or an HTTP date.

use std::time::Duration;

use time::UtcDateTime;

use super::last_modified::http_date;

/// The statuses whose `Retry-After` is honoured.
pub(super) const RATE_LIMITED_STATUSES: [u16; 2] = [429, 503];

/// How long `value` asks to wait, measured from `now`: `None` when it is neither a
/// number of seconds nor an HTTP date; a date in the past is no wait.
pub(super) fn retry_after(value: &str, now: UtcDateTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let date = http_date(value)?;
    let wait = date - now;
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::utc_datetime;

    #[test]
    fn seconds_and_dates() {
        let now = utc_datetime!(2026-12-02 03:00:00);
        assert_eq!(retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Wed, 02 Dec 2026 03:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Wed, 02 Dec 2026 02:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-1", now), None);
        assert_eq!(retry_after("", now), None);
    }
}
