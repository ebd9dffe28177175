//! n6's `n6datasources.collectors.cesnet_cz`: CESNET's Warden hub, paged JSON over HTTPS
//! with a client certificate, all pages' events published as one JSON list.

use n6_collectors::helpers::download::{ClientCertFiles, DownloadSettings};
use n6_collectors::helpers::pyjson::{self, PyJson};
use n6_collectors::prelude::*;

use crate::fetch;

/// A page with fewer events than this is the last one (n6: `0 <= n <= 999`).
pub const FULL_PAGE: usize = 1000;

/// n6's `CesnetCzWardenCollector`: `cesnet-cz.warden` (`file`, `application/json`).
///
/// n6's `_get_events`: `GET url` (with `cert=(cert_file_path, key_file_path)`) until a
/// page has fewer than 1000 `events`; a page of more than 1000 is an error.
#[derive(StatefulCollector)]
#[collector(
    source = "cesnet-cz.warden",
    raw_type = "file",
    content_type = "application/json",
    download
)]
#[config_spec(
    r#"
    url :: str
    download_retries = 1 :: int
    cert_file_path :: path
    key_file_path :: path
"#
)]
pub struct CesnetCzWardenCollector {
    config: CesnetCzWardenCollectorConfig,
}

impl CesnetCzWardenCollector {
    /// The download settings with the client certificate. Like `requests`' `cert=`,
    /// the certificate is only used (and its files only read) for an `https://` URL.
    fn settings(&self, url: &str) -> Result<DownloadSettings> {
        let mut settings =
            n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        if url.starts_with("https://") {
            settings.tls.client_cert = Some(ClientCertFiles::new(
                &self.config.cert_file_path,
                &self.config.key_file_path,
            ));
        }
        Ok(settings)
    }

    /// One page: n6's `_download_data()['events']`.
    fn page(&self, settings: &DownloadSettings, url: &str) -> Result<Vec<PyJson>> {
        let (body, _meta) = fetch::send(settings.clone(), fetch::request("GET", url))?;
        let data = pyjson::loads(&body)
            .map_err(|e| Error::bad_data(format!("the Warden answer is not JSON: {e}")))?;
        match data.get("events") {
            Some(PyJson::Array(events)) => Ok(events.clone()),
            Some(_) => Err(Error::bad_data(
                "the Warden answer's `events` is not a list",
            )),
            None => Err(Error::bad_data("the Warden answer has no `events`")),
        }
    }
}

impl Collect for CesnetCzWardenCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let url = fetch::effective_url(&self.config.url);
        let settings = self.settings(&url)?;
        tracing::info!("events download started");
        let mut events = Vec::new();
        loop {
            let page = self.page(&settings, &self.config.url)?;
            let count = page.len();
            tracing::info!(count, "downloaded events");
            events.extend(page);
            if count < FULL_PAGE {
                break;
            }
            if count > FULL_PAGE {
                return Err(Error::bad_data(format!(
                    "unexpected number of events: {count} (> {FULL_PAGE})"
                )));
            }
        }
        tracing::info!(total = events.len(), "events downloaded in total");
        out.publish(pyjson::dumps(&PyJson::Array(events)).into_bytes())
    }
}
