//! n6's `n6datasources.collectors.sblam`: sblam.com's blacklist, published whole on every run.

crate::download_and_publish_collector!(
    /// n6's `SblamSpamCollector`: `sblam.spam` (`blacklist`, `text/plain`).
    SblamSpamCollector, SblamSpamCollectorConfig, "sblam.spam", "blacklist", "text/plain"
);
