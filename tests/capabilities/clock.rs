//! The injectable clock: `--fake-now` fixes "now" for the collector (`out.clock()`) and
//! for the messages' `timestamp` and `message_id`.

use n6_collectors::prelude::*;

use crate::message_id::n6_message_id;
use crate::support::site::Site;

/// Publishes what its clock says: `now` and `today`.
#[derive(StatefulCollector)]
#[collector(source = "example-org.clock", raw_type = "stream")]
#[config_spec("")]
pub struct ClockCollector {
    config: ClockCollectorConfig,
}

impl Collect for ClockCollector {
    fn collect(&mut self, out: &mut Output<'_, ()>) -> Result<()> {
        let clock = out.clock();
        let body = format!("{} {} {}", clock.now(), clock.today(), clock.is_fixed());
        out.publish(body)
    }
}

/// A site of the clock collector whose runs write JSON lines to `out.jsonl`.
fn site() -> Site {
    Site::in_process("[ClockCollector]\n").publishing_to_file()
}

fn run(site: &Site, extra: &[&str]) -> u8 {
    site.run_in_process::<ClockCollector>(extra)
}

#[test]
fn fake_now_fixes_the_collectors_clock_and_the_message_timestamps() {
    let site = site();
    assert_eq!(run(&site, &["--fake-now", "2017-02-20T12:00:00"]), 0);
    let lines = site.json_lines("out.jsonl");
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    let body = line["body"].as_str().expect("body");
    assert_eq!(body, "2017-02-20 12:00:00.0 +00 2017-02-20 true");
    assert_eq!(line["properties"]["timestamp"], 1_487_592_000);
    assert_eq!(
        line["properties"]["message_id"].as_str(),
        Some(n6_message_id("example-org.clock", 1_487_592_000, body.as_bytes()).as_str())
    );
}

#[test]
fn a_zone_is_taken_to_utc_and_the_clock_is_the_system_clock_without_the_flag() {
    let site = site();
    assert_eq!(run(&site, &["--fake-now", "2024-03-01 00:30:00+01:00"]), 0);
    assert_eq!(run(&site, &[]), 0);
    let lines = site.json_lines("out.jsonl");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["properties"]["timestamp"], 1_709_249_400);
    assert!(
        lines[0]["body"]
            .as_str()
            .is_some_and(|b| b.ends_with(" 2024-02-29 true")),
        "{}",
        lines[0]
    );
    let real = lines[1]["properties"]["timestamp"].as_u64().expect("ts");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert!(real <= now && real + 600 > now, "{real} vs {now}");
    assert!(
        lines[1]["body"]
            .as_str()
            .is_some_and(|b| b.ends_with(" false")),
        "{}",
        lines[1]
    );
}

#[test]
fn a_bad_fake_now_is_a_usage_error() {
    let site = site();
    assert_eq!(run(&site, &["--fake-now", "yesterday"]), 64);
    assert!(site.json_lines("out.jsonl").is_empty());
}

#[test]
fn the_flag_is_hidden_from_help() {
    use clap::CommandFactory;
    let help = n6_collectors::cli::Cli::command()
        .render_long_help()
        .to_string();
    assert!(!help.contains("fake-now"), "{help}");
}
