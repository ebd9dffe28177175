//! n6's `n6datasources.collectors.abuse_ch`: abuse.ch's feeds as time-ordered rows.
//!
//! Feodo Tracker and the SSL blacklist: CSV rows whose column 0 is an ISO date-time,
//! published oldest first, only those not collected before (n6's
//! `BaseDownloadingTimeOrderedRowsCollector`, state in n6's shape and file name).

use n6_collectors::helpers::archive::{self, Limits};
use n6_collectors::helpers::prelude::*;
use n6_collectors::helpers::pyjson::{self, PyJson, PyObject};
use n6_collectors::prelude::*;

use crate::fetch;

#[path = "abuse_ch_payload_samples.rs"]
pub mod payload_samples;
pub use payload_samples::AbuseChUrlhausPayloadSamplesCollector;

/// Defines an abuse.ch time-ordered-rows collector whose row time is CSV column 0.
macro_rules! abuse_ch_rows_collector {
    ($(#[$doc:meta])* $name:ident, $config:ident, $source:literal, $tag:literal, $state_file:literal) => {
        $(#[$doc])*
        #[derive(StatefulCollector)]
        #[collector(
            source = $source,
            raw_type = "file",
            content_type = "text/csv",
            raw_format_version_tag = $tag,
            state_file = $state_file,
            download,
            time_ordered_rows
        )]
        #[config_spec("url :: str")]
        pub struct $name {
            config: $config,
            /// n6's rows state: newest row time, the rows with it, the count of rows.
            #[state]
            state: RowsState,
        }

        impl Collect for $name {
            fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
                let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
                let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
                let url = fetch::effective_url(&self.config.url);
                download_fresh_rows_into(settings, &url, &mut self.state, &CsvIsoUtcColumn { column: 0 }, options, out)
                    .map(drop)
            }
        }
    };
}

abuse_ch_rows_collector!(
    /// n6's `AbuseChFeodoTrackerCollector`: `abuse-ch.feodotracker` (routing key
    /// `abuse-ch.feodotracker.202110`).
    AbuseChFeodoTrackerCollector,
    AbuseChFeodoTrackerCollectorConfig,
    "abuse-ch.feodotracker",
    "202110",
    "n6datasources.collectors.abuse_ch.AbuseChFeodoTrackerCollector.cbor"
);
abuse_ch_rows_collector!(
    /// n6's `AbuseChSslBlacklistCollector`: `abuse-ch.ssl-blacklist` (routing key
    /// `abuse-ch.ssl-blacklist.201902`).
    AbuseChSslBlacklistCollector,
    AbuseChSslBlacklistCollectorConfig,
    "abuse-ch.ssl-blacklist",
    "201902",
    "n6datasources.collectors.abuse_ch.AbuseChSslBlacklistCollector.cbor"
);

/// Fresh rows per message of the URLhaus payloads-URLs feed (n6: `more_itertools.chunked(fresh_rows, 20000)`).
pub const PAYLOADS_URLS_CHUNK: usize = 20_000;

/// n6's `AbuseChUrlhausPayloadsUrlsCollector`: `abuse-ch.urlhaus-payloads-urls`, the
/// fresh rows of the zipped CSV (its only member), 20 000 rows a message.
#[derive(StatefulCollector)]
#[collector(
    source = "abuse-ch.urlhaus-payloads-urls",
    raw_type = "file",
    content_type = "text/csv",
    state_file = "n6datasources.collectors.abuse_ch.AbuseChUrlhausPayloadsUrlsCollector.cbor",
    download,
    time_ordered_rows
)]
#[config_spec("url :: str")]
pub struct AbuseChUrlhausPayloadsUrlsCollector {
    config: AbuseChUrlhausPayloadsUrlsCollectorConfig,
    /// n6's rows state.
    #[state]
    state: RowsState,
}

impl Collect for AbuseChUrlhausPayloadsUrlsCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
        let (zip, meta) = fetch::get(settings, &self.config.url)?;
        let csv = archive::unzip_only_member(&zip, Limits::default())?;
        drop(zip);
        let selection = n6_collectors::helpers::rows::fresh_rows(
            &csv,
            &self.state,
            &CsvIsoUtcColumn { column: 0 },
            options,
        )?;
        let Some(new_state) = selection.new_state() else {
            tracing::info!("nothing to publish: no fresh rows");
            return Ok(());
        };
        let rows: Vec<&[u8]> = selection.fresh_rows().collect();
        for chunk in rows.chunks(PAYLOADS_URLS_CHUNK) {
            let body = n6_collectors::helpers::rows::join_rows(chunk.iter().copied());
            out.publish_with_meta(body, meta.clone())?;
        }
        self.state = new_state;
        Ok(())
    }
}

/// The CSV member of the URLhaus URLs archive (n6: `CSV_FILENAME`).
pub const URLHAUS_CSV_MEMBER: &str = "csv.txt";

/// The columns of a URLhaus URLs row, in order (n6's `_convert_row_to_info_dict`).
const URLHAUS_COLUMNS: [&str; 8] = [
    "url_id",
    "dateadded",
    "url",
    "url_status",
    "threat",
    "tags",
    "urlhaus_link",
    "reporter",
];

/// n6's `AbuseChUrlhausUrlsCollector`: `abuse-ch.urlhaus-urls` (a `stream`, routing key
/// `abuse-ch.urlhaus-urls.202001`): the fresh rows of `csv.txt` in the downloaded ZIP
/// (row time: column 1), each completed with the URLhaus API's answer for its id
/// (`POST api_url`, form `urlid=<column 0>`), published as one JSON list.
#[derive(StatefulCollector)]
#[collector(
    source = "abuse-ch.urlhaus-urls",
    raw_type = "stream",
    raw_format_version_tag = "202001",
    state_file = "n6datasources.collectors.abuse_ch.AbuseChUrlhausUrlsCollector.cbor",
    download,
    time_ordered_rows
)]
#[config_spec(
    r#"
    url :: str
    api_url :: str
    api_retries = 3 :: int
"#
)]
pub struct AbuseChUrlhausUrlsCollector {
    config: AbuseChUrlhausUrlsCollectorConfig,
    /// n6's rows state.
    #[state]
    state: RowsState,
}

impl AbuseChUrlhausUrlsCollector {
    /// One fresh row as n6's info dict, with `url_info_from_api`.
    fn info_dict(
        &self,
        settings: &n6_collectors::helpers::download::DownloadSettings,
        row: &[u8],
    ) -> Result<(PyJson, HeaderTable)> {
        let mut entries = PyObject::new();
        for (i, name) in URLHAUS_COLUMNS.iter().enumerate() {
            let field = n6_collectors::helpers::rows::csv_field(row, i, b',').ok_or_else(|| {
                Error::bad_data(format!(
                    "a URLhaus row with fewer than 8 columns: {}",
                    String::from_utf8_lossy(row)
                ))
            })?;
            entries.insert(*name, String::from_utf8_lossy(&field).into_owned());
        }
        let Some(PyJson::Str(url_id)) = entries.get("url_id") else {
            return Err(Error::bug("no url_id"));
        };
        let form = crate::urls::urlencode(&[("urlid", url_id)]);
        let retries = u32::try_from(self.config.api_retries).map_err(|_| {
            Error::Config(vec![format!(
                "config option `api_retries` is a negative number: {}",
                self.config.api_retries
            )])
        })?;
        let request = fetch::request("POST", &self.config.api_url)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form)
            .retries(retries);
        let (answer, meta) = fetch::send(settings.clone(), request)?;
        let answer = String::from_utf8(answer)
            .map_err(|e| Error::bad_data(format!("the URLhaus API answer is not UTF-8: {e}")))?;
        entries.insert(
            "url_info_from_api",
            pyjson::loads_str(&answer)
                .map_err(|e| Error::bad_data(format!("the URLhaus API answer: {e}")))?,
        );
        Ok((PyJson::from(entries), meta))
    }
}

impl Collect for AbuseChUrlhausUrlsCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
        let (zip, mut meta) = fetch::get(settings.clone(), &self.config.url)?;
        let csv = archive::unzip_one_named(&zip, URLHAUS_CSV_MEMBER, Limits::default())?;
        drop(zip);
        let selection = n6_collectors::helpers::rows::fresh_rows(
            &csv,
            &self.state,
            &CsvIsoUtcColumn { column: 1 },
            options,
        )?;
        let Some(new_state) = selection.new_state() else {
            tracing::info!("nothing to publish: no fresh rows");
            return Ok(());
        };
        let mut dicts = Vec::with_capacity(selection.len());
        for row in selection.fresh_rows() {
            let (dict, api_meta) = self.info_dict(&settings, row)?;
            dicts.push(dict);
            meta = api_meta;
        }
        // `http_last_modified` of the last response, as n6 (the last API call's).
        out.publish_with_meta(pyjson::dumps(&PyJson::Array(dicts)), meta)?;
        self.state = new_state;
        Ok(())
    }
}
