//! `examples/json_api_stream.rs`: one `stream` message per new item, oldest first; the
//! second run over the same answer publishes nothing; a newer answer gives only the new
//! items; `last_utc` follows the published items.

#[allow(dead_code)]
#[path = "../../examples/json_api_stream.rs"]
mod example;

use crate::example_support::{Runs, fixture_url, overrides, repo_path, serve_once};
use example::{ExampleJsonApiStreamCollector, LastUtc, query_url};

const SOURCE: &str = "example-provider.json-api";
const SECTION: &str = "ExampleJsonApiStreamCollector";

fn run(args: Vec<String>) -> u8 {
    n6_collectors::run_from::<ExampleJsonApiStreamCollector, _, _>(args)
}

fn args(fixture: &str, checkpoint_every: u32) -> Vec<String> {
    overrides(&[
        format!("{SECTION}.url={}", fixture_url(fixture)),
        format!("{SECTION}.checkpoint_every={checkpoint_every}"),
    ])
}

fn last_utc(runs: &Runs) -> Option<String> {
    runs.load_state::<ExampleJsonApiStreamCollector>()
        .and_then(|s: LastUtc| s.last_utc)
}

#[test]
fn one_message_per_new_item_oldest_first() {
    let mut runs = Runs::new();

    let (code, published) = runs.run(run, &args("json_api_stream_1.json", 2));
    assert_eq!(code, 0);
    let bodies: Vec<&str> = published
        .iter()
        .map(|m| m.text().expect("UTF-8 body"))
        .collect();
    assert_eq!(
        bodies,
        vec![
            r#"{"category":"phish","id":"c1","time_utc":"2024-01-02T09:00:00+01:00","url":"http://phish.example.com/login"}"#,
            r#"{"category":"bots","id":"c2","ip":"192.0.2.44","time_utc":"2024-01-02T09:30:00Z"}"#,
            r#"{"category":"cnc","fqdn":"cnc.example.net","id":"c3","time_utc":"2024-01-02T10:15:00Z"}"#,
        ]
    );
    for message in &published {
        assert_eq!(message.routing_key, SOURCE);
        message.assert_n6_properties(SOURCE, "stream", None, None);
    }
    assert_eq!(last_utc(&runs).as_deref(), Some("2024-01-02 10:15:00"));

    let (code, published) = runs.run(run, &args("json_api_stream_1.json", 2));
    assert_eq!(code, 0);
    assert_eq!(published, vec![]);

    let (code, published) = runs.run(run, &args("json_api_stream_2.json", 0));
    assert_eq!(code, 0);
    let ids: Vec<String> = published
        .iter()
        .map(|m| {
            let v: serde_json::Value = serde_json::from_slice(&m.body).expect("json");
            v["id"].as_str().expect("id").to_owned()
        })
        .collect();
    assert_eq!(ids, vec!["c4", "c5"]);
    assert_eq!(last_utc(&runs).as_deref(), Some("2024-01-02 12:00:00"));
}

#[test]
fn bad_answer_is_bad_data_and_keeps_state() {
    let mut runs = Runs::new();
    let (code, published) = runs.run(run, &args("urlhaus_urls_1.csv", 1));
    assert_eq!(code, 65);
    assert!(published.is_empty());
    assert_eq!(runs.load_state::<ExampleJsonApiStreamCollector>(), None);
}

#[test]
fn only_newer_than_goes_into_http_queries() {
    assert_eq!(
        query_url("https://api.example.org/items", None),
        "https://api.example.org/items"
    );
    assert_eq!(
        query_url("https://api.example.org/items", Some("2024-01-02 10:15:00")),
        "https://api.example.org/items?only_newer_than=2024-01-02%2010:15:00"
    );
    assert_eq!(
        query_url(
            "https://api.example.org/items?limit=5",
            Some("2024-01-02 10:15:00")
        ),
        "https://api.example.org/items?limit=5&only_newer_than=2024-01-02%2010:15:00"
    );
    assert_eq!(query_url("file:///x.json", Some("t")), "file:///x.json");
}

#[test]
fn http_queries_carry_only_newer_than() {
    let mut runs = Runs::new();
    let (code, published) = runs.run(run, &args("json_api_stream_1.json", 0));
    assert_eq!((code, published.len()), (0, 3));

    let answer = std::fs::read(repo_path("examples/data/json_api_stream_2.json")).expect("fixture");
    let server = serve_once(answer, "Tue, 02 Jan 2024 12:00:05 GMT");
    let api = server.url("/api/items");
    let (code, published) = runs.run(run, &overrides(&[format!("{SECTION}.url={api}")]));
    assert_eq!(code, 0);
    assert_eq!(
        server.served()[0].request().expect("a request").line,
        "GET /api/items?only_newer_than=2024-01-02%2010:15:00 HTTP/1.1"
    );
    assert_eq!(published.len(), 2);
    for message in &published {
        message.assert_n6_properties(
            SOURCE,
            "stream",
            None,
            Some(serde_json::json!({"meta": {"http_last_modified": "2024-01-02 12:00:05"}})),
        );
    }
    assert_eq!(last_utc(&runs).as_deref(), Some("2024-01-02 12:00:00"));
}
