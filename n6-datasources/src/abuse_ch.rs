//! n6's `n6datasources.collectors.abuse_ch`: abuse.ch's feeds as time-ordered rows.
//!
//! Feodo Tracker and the SSL blacklist: CSV rows whose column 0 is an ISO date-time,
//! published oldest first, only those not collected before (n6's
//! `BaseDownloadingTimeOrderedRowsCollector`, state in n6's shape and file name).

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

use crate::fetch;

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
                let settings = n6_collectors::download_settings!(self.config)?;
                let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
                let url = fetch::effective_url(&self.config.url);
                download_fresh_rows(settings, &url, &mut self.state, &CsvIsoUtcColumn { column: 0 }, options, out)
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
        let settings = n6_collectors::download_settings!(self.config)?;
        let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
        let (zip, meta) = fetch::get(settings, &self.config.url)?;
        let csv = crate::unzip::only_member(&zip)?.data;
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
