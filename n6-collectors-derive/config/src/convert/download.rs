//! The `download_timeout` converter.

use super::ConvertError;

/// `download_timeout` (being written).
pub fn download_timeout(raw: &str) -> Result<(f64, f64), ConvertError> {
    Err(ConvertError::new(
        "NotImplementedError",
        format!("download_timeout: {raw}"),
    ))
}
