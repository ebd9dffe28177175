//! The one-download, one-message collectors (n6's `BaseDownloadingCollector` +
//! `BaseSimpleCollector` whose `obtain_data_body` is `self.download(url)`).
//!
//! They publish on every run, also when the list is unchanged or empty, as n6 does.

use n6_collectors::Output;
use n6_collectors::Result;
use n6_collectors::helpers::download::DownloadSettings;
use serde::Serialize;

use crate::fetch;

/// Downloads `url` and publishes the body as it came, with `http_last_modified`.
pub fn publish_download<S: Serialize>(
    out: &mut Output<'_, S>,
    settings: DownloadSettings,
    url: &str,
) -> Result<()> {
    let (body, meta) = fetch::get(settings, url)?;
    out.publish_with_meta(body, meta)
}

/// Defines a stateless collector whose message is the download of its `url` option.
#[macro_export]
#[doc(hidden)]
macro_rules! download_and_publish_collector {
    ($(#[$doc:meta])* $name:ident, $config:ident, $source:literal, $raw_type:literal, $content_type:literal) => {
        $(#[$doc])*
        #[derive(n6_collectors::StatefulCollector)]
        #[collector(
            source = $source,
            raw_type = $raw_type,
            content_type = $content_type,
            download
        )]
        #[config_spec("url :: str")]
        pub struct $name {
            config: $config,
        }

        impl n6_collectors::Collect for $name {
            fn collect(&mut self, out: &mut n6_collectors::Output<'_, ()>) -> n6_collectors::Result<()> {
                let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
                $crate::simple::publish_download(out, settings, &self.config.url)
            }
        }
    };
}
