//! The rows helper's other bodies: a body the collector builds from the fresh rows, and
//! one message per chunk of N fresh rows, with n6's state semantics (the state is
//! replaced once, after the last chunk; a failed run keeps the old one).

use n6_collectors::helpers::prelude::*;
use n6_collectors::prelude::*;

use crate::support::site::Site;

/// Rows `time,id` from a local file; `chunk > 0`: one message per `chunk` rows, else one
/// JSON message of `{"id", "time"}` objects. `fail_after`: fail once the rows are
/// published (the run must then keep the old state).
#[derive(StatefulCollector)]
#[collector(
    source = "example-org.rows",
    raw_type = "file",
    content_type = "text/csv",
    time_ordered_rows
)]
#[config_spec(
    r#"
    input :: path
    chunk = 0 :: int
    fail_after = no :: bool
"#
)]
pub struct ChunkedRowsCollector {
    config: ChunkedRowsCollectorConfig,
    #[state]
    state: RowsState,
}

impl Collect for ChunkedRowsCollector {
    fn collect(&mut self, out: &mut Output<'_, RowsState>) -> Result<()> {
        let data = std::fs::read(&self.config.input).or_source_unavailable("input")?;
        let time = CsvColumn {
            column: 0,
            delimiter: b',',
        };
        let options = RowsOptions::new(self.config.row_count_mismatch_is_fatal);
        let Some(fresh) = FreshRows::select(&data, &self.state, &time, options)? else {
            return Ok(());
        };
        drop(data);
        let meta = MessageOptions::new().meta_entry("http_last_modified", "2024-01-02 03:04:05");
        match usize::try_from(self.config.chunk) {
            Ok(chunk) if chunk > 0 => {
                fresh.publish_in_chunks(out, chunk, meta, &mut self.state)?;
            }
            _ => {
                let items: Vec<serde_json::Value> = fresh
                    .rows()
                    .map(|row| {
                        let text = String::from_utf8_lossy(row);
                        let (time, id) = text.split_once(',').unwrap_or((&text, ""));
                        serde_json::json!({"id": id, "time": time})
                    })
                    .collect();
                let body = serde_json::to_vec(&items).map_err(Error::bug)?;
                fresh.publish_body(out, body, meta.raw_type(RawType::Stream), &mut self.state)?;
            }
        }
        if self.config.fail_after {
            return Err(Error::bad_data("failing after publishing, as planned"));
        }
        Ok(())
    }
}

const STATE_FILE: &str = "ChunkedRowsCollector.cbor";

fn setup(rows: &[&str], extra: &str) -> Site {
    let site = Site::in_process("");
    configure(&site, extra);
    feed(&site, rows);
    site
}

fn configure(site: &Site, extra: &str) {
    site.write_config(&format!(
        "[ChunkedRowsCollector]\ninput = {}\n{extra}",
        site.path("feed.csv").display()
    ));
}

/// Writes the feed newest first, as most sources list it.
fn feed(site: &Site, rows: &[&str]) {
    let mut text: Vec<&str> = rows.to_vec();
    text.reverse();
    std::fs::write(site.path("feed.csv"), text.join("\n") + "\n").expect("feed");
}

fn run(site: &Site, out: &str) -> u8 {
    site.run_in_process_writing::<ChunkedRowsCollector>(out, &[])
}

fn bodies(site: &Site, out: &str) -> Vec<String> {
    site.json_lines(out)
        .iter()
        .map(|l| l["body"].as_str().expect("body").to_owned())
        .collect()
}

#[test]
fn fresh_rows_go_out_in_chunks_oldest_first_and_the_state_covers_them_all() {
    let rows = [
        "2024-01-01,a",
        "2024-01-02,b",
        "2024-01-03,c",
        "2024-01-04,d",
        "2024-01-05,e",
    ];
    let site = setup(&rows, "chunk = 2\n");
    assert_eq!(run(&site, "run1.jsonl"), 0);
    assert_eq!(
        bodies(&site, "run1.jsonl"),
        [
            "2024-01-01,a\n2024-01-02,b",
            "2024-01-03,c\n2024-01-04,d",
            "2024-01-05,e"
        ]
    );
    for line in site.json_lines("run1.jsonl") {
        assert_eq!(
            line["properties"]["headers"]["meta"]["http_last_modified"],
            "2024-01-02 03:04:05"
        );
        assert_eq!(line["properties"]["content_type"], "text/csv");
    }
    // Nothing new: nothing published.
    assert_eq!(run(&site, "run2.jsonl"), 0);
    assert!(site.json_lines("run2.jsonl").is_empty());
    // Three more rows: only they, in chunks again.
    let more = [&rows[..], &["2024-01-06,f", "2024-01-06,g", "2024-01-07,h"]].concat();
    feed(&site, &more);
    assert_eq!(run(&site, "run3.jsonl"), 0);
    assert_eq!(
        bodies(&site, "run3.jsonl"),
        ["2024-01-06,f\n2024-01-06,g", "2024-01-07,h"]
    );
}

#[test]
fn exactly_n_rows_make_one_message_and_a_failed_run_publishes_every_chunk_again() {
    let rows = ["2024-01-01,a", "2024-01-02,b", "2024-01-03,c"];
    let site = setup(&rows, "chunk = 3\nfail_after = yes\n");
    assert_eq!(run(&site, "run1.jsonl"), 65);
    assert_eq!(bodies(&site, "run1.jsonl").len(), 1);
    assert_eq!(
        site.state_file_bytes(STATE_FILE),
        None,
        "a failed run saves no state"
    );
    configure(&site, "chunk = 2\n");
    assert_eq!(run(&site, "run2.jsonl"), 0);
    assert_eq!(
        bodies(&site, "run2.jsonl"),
        ["2024-01-01,a\n2024-01-02,b", "2024-01-03,c"]
    );
    assert!(site.state_file_bytes(STATE_FILE).is_some());
}

#[test]
fn a_custom_body_is_built_from_the_fresh_rows() {
    let rows = ["2024-01-01,a", "2024-01-02,b"];
    let site = setup(&rows, "");
    assert_eq!(run(&site, "run1.jsonl"), 0);
    let lines = site.json_lines("run1.jsonl");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["properties"]["type"], "stream");
    let body: serde_json::Value =
        serde_json::from_str(lines[0]["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(
        body,
        serde_json::json!([{"id": "a", "time": "2024-01-01"}, {"id": "b", "time": "2024-01-02"}])
    );
    feed(&site, &["2024-01-01,a", "2024-01-02,b", "2024-01-03,c"]);
    assert_eq!(run(&site, "run2.jsonl"), 0);
    let lines = site.json_lines("run2.jsonl");
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["body"], r#"[{"id":"c","time":"2024-01-03"}]"#);
}
