//! `examples/spamhaus_drop.rs`: the list is published on the first run, not again while
//! only its comment lines change, and again when an entry is added; over HTTP the
//! `Last-Modified` header becomes `headers.meta.http_last_modified`.

#[allow(dead_code)]
#[path = "../../examples/spamhaus_drop.rs"]
mod example;

use crate::example_support::{Runs, fixture_url, overrides, repo_path, serve_once};
use example::{ExampleDropListCollector, ListDigest, entries_md5};
use serde_json::json;

const SOURCE: &str = "spamhaus.drop";
const SECTION: &str = "ExampleDropListCollector";

fn run(args: Vec<String>) -> u8 {
    n6_collectors::run_from::<ExampleDropListCollector, _, _>(args)
}

fn url(url: &str) -> Vec<String> {
    overrides(&[format!("{SECTION}.url={url}")])
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(repo_path("examples/data").join(name)).expect("fixture")
}

#[test]
fn publishes_only_when_the_entries_change() {
    let mut runs = Runs::new();

    let (code, published) = runs.run(run, &url(&fixture_url("spamhaus_drop_1.txt")));
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].routing_key, SOURCE);
    assert_eq!(published[0].body, fixture("spamhaus_drop_1.txt"));
    published[0].assert_n6_properties(SOURCE, "blacklist", Some("text/plain"), None);
    let first = runs
        .load_state::<ExampleDropListCollector>()
        .expect("state");
    assert_eq!(
        first,
        ListDigest {
            entries_md5: entries_md5(b"192.0.2.0/24 ; SBL000001\n198.51.100.0/24 ; SBL000002\n"),
        }
    );

    // Only the comment lines (download time, expiry) differ: nothing published.
    let (code, published) = runs.run(run, &url(&fixture_url("spamhaus_drop_1b.txt")));
    assert_eq!(code, 0);
    assert_eq!(published, vec![]);
    assert_eq!(
        runs.load_state::<ExampleDropListCollector>(),
        Some(first.clone())
    );

    // A new entry, served over HTTP with a Last-Modified header.
    let body = fixture("spamhaus_drop_2.txt");
    let http = serve_once(body.clone(), "Tue, 02 Jan 2024 11:29:02 GMT");
    let (code, published) = runs.run(run, &url(&http.url("/list.txt")));
    assert_eq!(code, 0);
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].body, body);
    published[0].assert_n6_properties(
        SOURCE,
        "blacklist",
        Some("text/plain"),
        Some(json!({"meta": {"http_last_modified": "2024-01-02 11:29:02"}})),
    );
    let second = runs
        .load_state::<ExampleDropListCollector>()
        .expect("state");
    assert_ne!(second, first);
    assert_eq!(second.entries_md5, entries_md5(&body));
}
