// n6's spec templates double braces for `str.format` (`{{}}` for `{}`). Write the value
// as n6 reads it: `headers = {} :: py`.

use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(source = "example-org.urls", raw_type = "stream")]
#[config_spec(r#"
    url :: str
    headers = {{}} :: py
"#)]
pub struct UrlsCollector {
    config: UrlsCollectorConfig,
}

fn main() {}
