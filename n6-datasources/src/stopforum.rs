//! n6's `n6datasources.collectors.stopforum`: stopforumspam.com's zipped list, the first
//! member of the archive published whole on every run (`file`, `text/plain`).

use n6_collectors::prelude::*;

use n6_collectors::helpers::archive::{Limits, unzip_first_member};

use crate::fetch;

/// n6's `StopForumSpamCollector`: `stopforum.spam`.
#[derive(StatefulCollector)]
#[collector(
    source = "stopforum.spam",
    raw_type = "file",
    content_type = "text/plain",
    download
)]
#[config_spec("url :: str")]
pub struct StopForumSpamCollector {
    config: StopForumSpamCollectorConfig,
}

impl Collect for StopForumSpamCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let settings = n6_collectors::helpers::download::DownloadConfig::download_settings(self)?;
        let (zip, meta) = fetch::get(settings, &self.config.url)?;
        out.publish_with_meta(unzip_first_member(&zip, Limits::default())?, meta)
    }
}
