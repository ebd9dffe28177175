//! ISO-8601 dates and date-times as n6 parses them (n6sdk `parse_iso_date`,
//! `parse_iso_datetime_to_utc`).

use crate::convert::ConvertError;

/// Parses an ISO date (being written).
pub fn parse_iso_date(raw: &str) -> Result<time::Date, ConvertError> {
    Err(ConvertError::new(
        "NotImplementedError",
        format!("date: {raw}"),
    ))
}

/// Parses an ISO date+time (being written).
pub fn parse_iso_datetime_to_utc(raw: &str) -> Result<time::UtcDateTime, ConvertError> {
    Err(ConvertError::new(
        "NotImplementedError",
        format!("datetime: {raw}"),
    ))
}
