//! n6's `n6datasources.collectors.phishtank`: PhishTank's verified-phish list, a CSV
//! served bzip2-compressed or plain, published whole (`blacklist`, `text/csv`) unless
//! its `Last-Modified` is older than `period` minutes.

use n6_collectors::helpers::archive::{self, Limits};
use n6_collectors::helpers::download::{DownloadSettings, Downloader, Request};
use n6_collectors::prelude::*;

use crate::fetch;

/// The `Content-Type` of a plain CSV answer (n6: `csv_content_type`).
pub const CSV_CONTENT_TYPE: &str = "text/csv";
/// The `Content-Type` of a bzip2 answer (n6: `bz2_content_type`).
pub const BZ2_CONTENT_TYPE: &str = "application/x-bzip2";

/// n6's `PhishtankVerifiedCollector`: `phishtank.verified`.
///
/// n6's `start_publishing`: a `HEAD url` first (`_get_headers`); when its
/// `Last-Modified` is more than `period` minutes ago, nothing is published (a warning,
/// a successful run). Otherwise `GET url` and the body by the HEAD's `Content-Type`:
/// `text/csv` as it came, `application/x-bzip2` decompressed, else decompressed when it
/// is bzip2 and as it came when not (n6's `get_content`). An empty answer publishes
/// nothing.
#[derive(StatefulCollector)]
#[collector(
    source = "phishtank.verified",
    raw_type = "blacklist",
    content_type = "text/csv",
    download
)]
#[config_spec(
    r#"
    link_source :: str
    api_key :: str
    format_options :: str
    url :: str
    period :: int
"#
)]
pub struct PhishtankVerifiedCollector {
    config: PhishtankVerifiedCollectorConfig,
}

/// What the `HEAD` request told (n6's `_get_headers`).
struct Head {
    content_type: Option<String>,
    last_modified: Option<String>,
}

impl PhishtankVerifiedCollector {
    /// n6's `_get_headers`: `HEAD url` (redirects followed), its `Content-Type` and
    /// `Last-Modified`.
    fn head(&self, settings: &DownloadSettings) -> Result<Head> {
        let mut downloader = Downloader::new(settings.clone());
        downloader.download(Request::head(fetch::effective_url(&self.config.url)))?;
        Ok(Head {
            content_type: downloader
                .response_header("Content-Type")
                .map(str::to_owned),
            last_modified: downloader.http_last_modified().map(str::to_owned),
        })
    }
}

/// n6's `_verify_period`: true when there is no `Last-Modified` or it is at most
/// `period` minutes before `now` (naive UTC, as n6's `datetime.utcnow()`).
pub fn modified_within_period(
    last_modified: Option<&str>,
    period_minutes: i64,
    now: time::PrimitiveDateTime,
) -> Result<bool> {
    let Some(last_modified) = last_modified else {
        return Ok(true);
    };
    let modified = parse_naive_utc(last_modified).ok_or_else(|| {
        Error::bug(format!(
            "an unparseable http_last_modified: {last_modified}"
        ))
    })?;
    Ok(now - modified <= time::Duration::minutes(period_minutes))
}

/// The current naive UTC time.
fn utc_now() -> time::PrimitiveDateTime {
    let now = time::OffsetDateTime::now_utc();
    time::PrimitiveDateTime::new(now.date(), now.time())
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` (n6's naive UTC `http_last_modified`).
fn parse_naive_utc(text: &str) -> Option<time::PrimitiveDateTime> {
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    time::PrimitiveDateTime::parse(text, &format).ok()
}

/// n6's `get_content`: the body by the `HEAD`'s `Content-Type`.
pub fn content(body: Vec<u8>, content_type: Option<&str>) -> Result<Vec<u8>> {
    match content_type {
        Some(CSV_CONTENT_TYPE) => Ok(body),
        Some(BZ2_CONTENT_TYPE) => Ok(archive::bz2_decompress(&body, Limits::default())?),
        _ => Ok(archive::bz2_decompress_or_raw(&body, Limits::default())?),
    }
}

impl Collect for PhishtankVerifiedCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let head = self.head(&settings)?;
        if !modified_within_period(head.last_modified.as_deref(), self.config.period, utc_now())? {
            tracing::warn!(
                "Last modified earlier than {} minutes ago.",
                self.config.period
            );
            return Ok(());
        }
        let (body, meta) = fetch::get(settings, &self.config.url)?;
        if body.is_empty() {
            tracing::info!("nothing to publish: an empty answer");
            return Ok(());
        }
        let body = content(body, head.content_type.as_deref())?;
        out.publish_with_meta(body, meta)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_content_type_falls_back_to_the_raw_body() {
        let csv = b"phish_id,url\n1,http://a.example\n".to_vec();
        assert_eq!(content(csv.clone(), None).ok(), Some(csv.clone()));
        assert_eq!(content(csv.clone(), Some(CSV_CONTENT_TYPE)).ok(), Some(csv));
    }

    #[test]
    fn a_bz2_content_type_with_a_plain_body_is_an_error() {
        assert!(content(b"plain".to_vec(), Some(BZ2_CONTENT_TYPE)).is_err());
    }

    #[test]
    fn the_period_counts_back_from_now() {
        let now = parse_naive_utc("2023-02-09 10:09:09").expect("a date-time");
        assert!(modified_within_period(None, 60, now).expect("no date"));
        assert!(modified_within_period(Some("2023-02-09 09:09:09"), 60, now).expect("ok"));
        assert!(!modified_within_period(Some("2023-02-09 09:09:08"), 60, now).expect("ok"));
        assert!(modified_within_period(Some("bad"), 60, now).is_err());
    }

    #[test]
    fn naive_last_modified_parses_with_and_without_microseconds() {
        assert!(parse_naive_utc("2023-02-09 09:09:09").is_some());
        assert!(parse_naive_utc("2023-02-09 09:09:09.123456").is_some());
        assert!(parse_naive_utc("Thu, 9 Feb 2023").is_none());
    }
}
