//! n6's `n6datasources.collectors.dan_tv`: dan.me.uk's Tor node list, published whole on every run.

crate::download_and_publish_collector!(
    /// n6's `DanTvTorCollector`: `dan-tv.tor` (`blacklist`, `text/plain`).
    DanTvTorCollector, DanTvTorCollectorConfig, "dan-tv.tor", "blacklist", "text/plain"
);
