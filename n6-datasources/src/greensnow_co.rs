//! n6's `n6datasources.collectors.greensnow_co`: greensnow.co's list, published whole on every run.

crate::download_and_publish_collector!(
    /// n6's `GreenSnowCoListTxtCollector`: `greensnow-co.list-txt` (`blacklist`, `text/plain`).
    GreenSnowCoListTxtCollector, GreenSnowCoListTxtCollectorConfig, "greensnow-co.list-txt", "blacklist", "text/plain"
);
