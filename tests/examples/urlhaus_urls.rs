//! `examples/urlhaus_urls.rs` run twice over the same fixture (second run publishes
//! nothing), then over a newer fixture (only the new rows), with exact bodies and state.

#[allow(dead_code)]
#[path = "../../examples/urlhaus_urls.rs"]
mod example;

use crate::example_support::{Runs, fixture_url, overrides};
use n6_collectors::helpers::rows::{Row, RowsState};

const SOURCE: &str = "abuse-ch.urlhaus-urls";
const SECTION: &str = "ExampleUrlhausUrlsCollector";

fn run(args: Vec<String>) -> u8 {
    n6_collectors::run_from::<example::ExampleUrlhausUrlsCollector, _, _>(args)
}

fn url(fixture: &str) -> Vec<String> {
    overrides(&[format!("{SECTION}.url={}", fixture_url(fixture))])
}

const R1: &str = r#""1000001","2024-01-02 09:30:00","http://203.0.113.5/a.sh","offline","","malware_download","sh","https://urlhaus.abuse.ch/url/1000001/","example_reporter""#;
const R2: &str = r#""1000002","2024-01-02 09:58:41","https://files.example.net/invoice.zip","online","2024-01-02 09:58:41","malware_download","zip","https://urlhaus.abuse.ch/url/1000002/","another_reporter""#;
const R3: &str = r#""1000003","2024-01-02 10:04:07","http://198.51.100.7/bins/x86","online","2024-01-02 10:04:07","malware_download","elf","https://urlhaus.abuse.ch/url/1000003/","example_reporter""#;
const R4: &str = r#""1000004","2024-01-02 10:04:07","http://192.0.2.10:5555/i","online","2024-01-02 10:04:07","malware_download","32-bit,elf,mips","https://urlhaus.abuse.ch/url/1000004/","example_reporter""#;
const R5: &str = r#""1000005","2024-01-02 10:04:07","http://192.0.2.99/m","online","2024-01-02 10:04:07","malware_download","elf","https://urlhaus.abuse.ch/url/1000005/","another_reporter""#;
const R6: &str = r#""1000006","2024-01-02 11:01:15","http://malware.example.org/payload.exe","online","2024-01-02 11:01:15","malware_download","exe","https://urlhaus.abuse.ch/url/1000006/","example_reporter""#;

fn state(runs: &Runs) -> RowsState {
    runs.load_state::<example::ExampleUrlhausUrlsCollector>()
        .expect("a state file")
}

#[test]
fn publishes_new_rows_once_oldest_first() {
    let mut runs = Runs::new();

    let (code, published) = runs.run(run, &url("urlhaus_urls_1.csv"));
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    let msg = &published[0];
    assert_eq!(msg.exchange, "raw");
    assert_eq!(msg.routing_key, SOURCE);
    msg.assert_n6_properties(SOURCE, "file", Some("text/csv"), None);
    assert_eq!(msg.text().expect("UTF-8 body"), [R1, R2, R3, R4].join("\n"));
    assert_eq!(
        state(&runs),
        RowsState {
            newest_row_time: "2024-01-02 10:04:07".into(),
            newest_rows: [R3, R4].into_iter().map(Row::from).collect(),
            rows_count: Some(4),
        }
    );

    let (code, published) = runs.run(run, &url("urlhaus_urls_1.csv"));
    assert_eq!(code, 0);
    assert_eq!(published, vec![], "nothing new, nothing published");

    let (code, published) = runs.run(run, &url("urlhaus_urls_2.csv"));
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].text().expect("UTF-8 body"),
        [R5, R6].join("\n")
    );
    published[0].assert_n6_properties(SOURCE, "file", Some("text/csv"), None);
    assert_eq!(
        state(&runs),
        RowsState {
            newest_row_time: "2024-01-02 11:01:15".into(),
            newest_rows: [R6].into_iter().map(Row::from).collect(),
            rows_count: Some(6),
        }
    );
}

#[test]
fn missing_feed_is_source_unavailable_and_keeps_state() {
    let mut runs = Runs::new();
    let (code, published) = runs.run(run, &url("no-such-file.csv"));
    assert_eq!(code, 69);
    assert!(published.is_empty());
    assert_eq!(
        runs.load_state::<example::ExampleUrlhausUrlsCollector>(),
        None
    );
}

#[test]
fn rows_that_are_not_utf8_are_published_and_remembered_byte_for_byte() {
    let mut runs = Runs::new();
    let feed: &[u8] = b"# id,dateadded,url\n\"2\",\"2024-01-02 10:00:00\",\"http://192.0.2.1/\xff\xfe\"\r\n\"1\",\"2024-01-02 09:00:00\",\"http://192.0.2.1/ok\"\r\n";
    let path = runs.write("latin.csv", feed);
    let args = overrides(&[format!("{SECTION}.url=file://{}", path.display())]);
    let (code, published) = runs.run(run, &args);
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    assert_eq!(
        published[0].body,
        b"\"1\",\"2024-01-02 09:00:00\",\"http://192.0.2.1/ok\"\r\n\"2\",\"2024-01-02 10:00:00\",\"http://192.0.2.1/\xff\xfe\"\r".to_vec()
    );
    published[0].assert_n6_properties(SOURCE, "file", Some("text/csv"), None);
    let saved = state(&runs);
    let rows: Vec<&[u8]> = saved.newest_rows.iter().map(Row::as_bytes).collect();
    assert_eq!(
        rows,
        vec![&b"\"2\",\"2024-01-02 10:00:00\",\"http://192.0.2.1/\xff\xfe\"\r"[..]]
    );

    let (code, published) = runs.run(run, &args);
    assert_eq!(code, 0);
    assert_eq!(published, vec![], "the saved bytes match the feed's");
}
