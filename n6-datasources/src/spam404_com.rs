//! n6's `n6datasources.collectors.spam404_com`: spam404.com's scam list, published whole on every run.

crate::download_and_publish_collector!(
    /// n6's `Spam404ComScamListBlCollector`: `spam404-com.scam-list-bl` (`blacklist`, `text/csv`).
    Spam404ComScamListBlCollector, Spam404ComScamListBlCollectorConfig, "spam404-com.scam-list-bl", "blacklist", "text/csv"
);
