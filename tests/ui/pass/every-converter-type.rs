// Every standard converter and the Rust type of its field. Values come from a config
// (as if read from files) or from the spec's defaults; both go through the same
// converters as in n6.

use std::path::PathBuf;

use n6_collectors::config::PyValue;
use n6_collectors::config::raw::{Origin, RawConfig};
use n6_collectors::config::validate;
use n6_collectors::StatefulCollector;

#[derive(StatefulCollector)]
#[collector(source = "example-org.types", raw_type = "stream")]
#[config_spec(r#"
    url :: str
    ; comments in column 0 are ignored
    secret = s3cr3t :: bytes
    verbose = yes :: bool
    retries = 3 :: int
    ratio = 0.5 :: float
    since = 2024-01-31 :: date
    until = 2024-02-01T12:30:00+01:00 :: datetime
    spool = /var/spool/n6 :: path
    ports = 80, 443, :: list_of_int
    names = :: list_of_str
    flags = yes, off :: list_of_bool
    blobs = a, b :: list_of_bytes
    weights = 0.5, 2 :: list_of_float
    days = 2024-01-31 :: list_of_date
    stamps = 2024-02-01T12:30:00+01:00 :: list_of_datetime
    dirs = /a, /b/ :: list_of_path
    timeout = (3, 7.5) :: download_timeout
    filter = {"a": [1, 2]} :: json
    literal = (1, 'x', None) :: py
    headers = {'User-Agent': 'n6'} :: py_namespaces_dict
    type = feed :: str
"#)]
pub struct TypesCollector {
    config: TypesCollectorConfig,
    #[state]
    state: Vec<String>,
}

fn main() {
    let mut raw = RawConfig::default();
    raw.set("TypesCollector", "url", "https://example.org/feed.csv", Origin::Other);
    raw.set("TypesCollector", "retries", "5", Origin::Other);
    raw.set("TypesCollector", "names", "a, b,", Origin::Other);
    let spec = TypesCollector::config_spec();
    let (typed, _) = validate::validate(&spec, &raw, &TypesCollector::custom_converters()).expect("valid");
    let c: TypesCollectorConfig = TypesCollector::build_config(typed).expect("built");

    let url: &String = &c.url;
    assert_eq!(url, "https://example.org/feed.csv");
    let secret: &Vec<u8> = &c.secret;
    assert_eq!(secret, b"s3cr3t");
    let verbose: bool = c.verbose;
    assert!(verbose);
    let retries: i64 = c.retries;
    assert_eq!(retries, 5);
    let ratio: f64 = c.ratio;
    assert_eq!(ratio, 0.5);
    let since: time::Date = c.since;
    assert_eq!(since.to_string(), "2024-01-31");
    assert_eq!(c.until.hour(), 11);
    assert_eq!(c.until.minute(), 30);
    let spool: &PathBuf = &c.spool;
    assert_eq!(spool, &PathBuf::from("/var/spool/n6"));
    let ports: &Vec<i64> = &c.ports;
    assert_eq!(ports, &vec![80, 443]);
    assert_eq!(c.names, vec!["a".to_owned(), "b".to_owned()]);
    let flags: &Vec<bool> = &c.flags;
    assert_eq!(flags, &vec![true, false]);
    let blobs: &Vec<Vec<u8>> = &c.blobs;
    assert_eq!(blobs, &vec![b"a".to_vec(), b"b".to_vec()]);
    let weights: &Vec<f64> = &c.weights;
    assert_eq!(weights, &vec![0.5, 2.0]);
    let days: &Vec<time::Date> = &c.days;
    assert_eq!(days[0].to_string(), "2024-01-31");
    let stamps: &Vec<time::UtcDateTime> = &c.stamps;
    assert_eq!(stamps[0].hour(), 11);
    let dirs: &Vec<PathBuf> = &c.dirs;
    assert_eq!(dirs, &vec![PathBuf::from("/a"), PathBuf::from("/b")]);
    let timeout: (f64, f64) = c.timeout;
    assert_eq!(timeout, (3.0, 7.5));
    assert_eq!(c.filter, serde_json::json!({"a": [1, 2]}));
    assert_eq!(
        c.literal,
        PyValue::Tuple(vec![PyValue::Int(1), PyValue::Str("x".into()), PyValue::None])
    );
    assert_eq!(c.headers, vec![("User-Agent".to_owned(), PyValue::Str("n6".into()))]);
    // `type` is a Rust keyword: the field is `r#type`.
    assert_eq!(c.r#type, "feed");
}
