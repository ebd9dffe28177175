//! n6's `n6datasources.collectors.openphish`: OpenPhish's public feed, published whole on every run.

crate::download_and_publish_collector!(
    /// n6's `OpenphishWebBlCollector`: `openphish.web-bl` (`blacklist`, `text/plain`).
    OpenphishWebBlCollector, OpenphishWebBlCollectorConfig, "openphish.web-bl", "blacklist", "text/plain"
);
