//! Config-spec fragments that the framework contributes to a collector's main section,
//! in the n6 config-spec language. The derive combines them with the author's spec
//! (n6's `combined_config_spec` rules: the author may change a default, not a converter).

/// Added to every stateful collector (n6's `StatefulCollectorMixin`).
pub const STATEFUL: &str = "state_dir = ~/.n6state :: path\n";

/// Added by `#[collector(download)]` (n6's `BaseDownloadingCollector`).
pub const DOWNLOAD: &str = "download_retries = 3 :: int\n\
                            download_timeout = (12.1, 25) :: download_timeout\n\
                            download_deadline = 3600 :: float\n\
                            download_min_interval = 0 :: float\n\
                            download_only_if_changed = no :: bool\n\
                            download_only_if_body_changed = no :: bool\n\
                            base_request_headers = {} :: py_namespaces_dict\n";

/// Added by `#[collector(time_ordered_rows)]` (n6's `BaseTimeOrderedRowsCollector`).
pub const TIME_ORDERED_ROWS: &str = "row_count_mismatch_is_fatal = no :: bool\n";
